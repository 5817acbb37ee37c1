// Notes and action items as the views list them, the two capture commands, and the two that
// read older ones from the hub.
import { call } from '../ipc/invoke';
import type { NoteType, Priority } from '../protocol';
import type {
  ActionItemInput,
  ActionItemView,
  AppState,
  HistoryPage,
  NoteInput,
  NoteView,
} from '../state/types';
import { valuesOf } from '../state/store.svelte';
import { membersOf } from '../team/members';

export const NOTE_TYPES: NoteType[] = ['COACHING', 'POSITIVE', 'URGENT'];
export const PRIORITIES: Priority[] = ['LOW', 'MEDIUM', 'HIGH'];
export const NOTE_TYPE_LABELS: Record<NoteType, string> = {
  COACHING: 'Coaching',
  POSITIVE: 'Positive',
  URGENT: 'Urgent',
};
export const PRIORITY_LABELS: Record<Priority, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High' };

export interface Agent {
  id: string;
  name: string;
}

/**
 * Every user the state names, id → display name: presence (the hub's `sync:snapshot` fills it
 * with the whole team), training, leaderboard rows, contest standings, then the agents of
 * existing notes and action items (by id when no name is known). The first name seen wins.
 */
function knownUsers(state: AppState): Map<string, string> {
  const names = new Map<string, string>();
  const add = (id: string, name: string) => {
    if (id && !names.has(id)) names.set(id, name);
  };
  for (const m of membersOf(state)) add(m.userId, m.name);
  for (const board of valuesOf(state.leaderboard.boards))
    for (const row of board.rows) add(row.userId, row.userName);
  for (const contest of valuesOf(state.leaderboard.contests))
    for (const standing of contest.standings) add(standing.userId, standing.userName);
  for (const item of [...valuesOf(state.work.notes), ...valuesOf(state.work.actionItems)])
    add(item.agentId, item.agentId);
  return names;
}

/**
 * Whom a note or action item can be about: everyone known (see `knownUsers`), deduplicated and
 * sorted by name, never me: the hub refuses notes about a leader.
 */
export function agentsOf(state: AppState | null): Agent[] {
  if (!state) return [];
  const names = knownUsers(state);
  if (state.me) names.delete(state.me.id);
  return [...names.entries()]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export function agentName(state: AppState | null, id: string): string {
  return state ? (knownUsers(state).get(id) ?? id) : id;
}

const newestFirst = <T extends { createdAt: string; clientId: string }>(a: T, b: T) =>
  b.createdAt.localeCompare(a.createdAt) || b.clientId.localeCompare(a.clientId);

export function notesOf(state: AppState): NoteView[] {
  return Object.values(state.work.notes)
    .filter((n): n is NoteView => n !== undefined)
    .sort(newestFirst);
}

export function actionItemsOf(state: AppState): ActionItemView[] {
  return Object.values(state.work.actionItems)
    .filter((n): n is ActionItemView => n !== undefined)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || newestFirst(a, b));
}

/** Items grouped by agent, agents in name order. */
export function byAgent<T extends { agentId: string }>(
  state: AppState,
  items: T[],
): { agentId: string; name: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.agentId, [...(groups.get(item.agentId) ?? []), item]);
  const names = knownUsers(state);
  return [...groups.entries()]
    .map(([agentId, list]) => ({ agentId, name: names.get(agentId) ?? agentId, items: list }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The agents about whom the engine holds as many synced entries as it keeps (`KEPT` in the
 * protocol: the newest only): older ones are on the hub, not on screen.
 */
export function agentsAtBound<T extends { agentId: string; state: string }>(items: T[], kept: number): Set<string> {
  const synced = new Map<string, number>();
  for (const item of items)
    if (item.state === 'synced') synced.set(item.agentId, (synced.get(item.agentId) ?? 0) + 1);
  return new Set([...synced].filter(([, count]) => count >= kept).map(([agent]) => agent));
}

/**
 * The hub id of the oldest synced entry about `agentId` (in `newestFirst` order), or null when
 * there is none: an agent's history panel starts older than it, so it never repeats the live list.
 */
export function oldestSyncedId<T extends { agentId: string; state: string; id: string | null; createdAt: string; clientId: string }>(
  items: T[],
  agentId: string,
): string | null {
  const synced = items.filter((i) => i.agentId === agentId && i.state === 'synced' && i.id !== null);
  return synced.sort(newestFirst).at(-1)?.id ?? null;
}

/** Captures a note (stored in the outbox first: works offline). Returns its clientId. */
export function captureNote(note: NoteInput): Promise<string> {
  return call<string>('capture_note', { note });
}

export function captureActionItem(item: ActionItemInput): Promise<string> {
  return call<string>('capture_action_item', { item });
}

/**
 * One page of the notes about an agent from the hub, oldest first and as the lists show them:
 * the newest when `before` is null, else those older than the note with that hub id. The engine
 * keeps only the newest (`KEPT`); this is how the rest is read.
 */
export function noteHistory(agentId: string, before: string | null): Promise<HistoryPage<NoteView>> {
  return call<HistoryPage<NoteView>>('note_history', { agentId, before });
}

/** One page of an agent's action items from the hub, like `noteHistory`. */
export function actionItemHistory(agentId: string, before: string | null): Promise<HistoryPage<ActionItemView>> {
  return call<HistoryPage<ActionItemView>>('action_item_history', { agentId, before });
}

/** Today as `YYYY-MM-DD` in local time (an action item's default due day is a week out). */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
