// The rest of the seeds' events, gathered where a user looks for them.
import type { BroadcastMessage, Comment, JsonValue } from '../protocol';
import type { AppState } from '../state/types';

/** A broadcast's data as one line of text (its `message` or `text` field when it has one). */
export function broadcastText(message: BroadcastMessage): string {
  return jsonText(message.data);
}

export function jsonText(data: JsonValue | undefined): string {
  if (data === null || data === undefined) return '';
  if (typeof data === 'string') return data;
  if (typeof data === 'object' && !Array.isArray(data)) {
    for (const key of ['message', 'text', 'title']) {
      const v = data[key];
      if (typeof v === 'string') return v;
    }
  }
  return JSON.stringify(data);
}

export interface ProjectActivity {
  id: string;
  name: string;
  fields: [string, JsonValue][];
  online: { id: string; name: string; status: string }[];
  comments: Comment[];
}

export function projectsOf(state: AppState): ProjectActivity[] {
  const out: ProjectActivity[] = [];
  for (const [id, p] of Object.entries(state.team.projects)) {
    if (!p) continue;
    const fields = Object.entries(p.fields).filter(
      (e): e is [string, JsonValue] => e[1] !== undefined,
    );
    const name = fields.find(([k]) => k === 'name')?.[1];
    out.push({
      id,
      name: typeof name === 'string' ? name : `Project ${id}`,
      fields: fields.filter(([k]) => k !== 'name'),
      online: p.onlineUsers,
      comments: [...p.comments].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
