// The team view's rows (everyone seen in presence or training, with their numbers) and its
// coaching sessions' people, joined and left through the engine.
import { call } from '../ipc/invoke';
import type { JoinSession, LeaveSession, ParticipantRole, PresenceStatus, SessionStatus } from '../protocol';
import type { AppState, SessionView, TrainingStats } from '../state/types';

export interface Member {
  userId: string;
  name: string;
  status: PresenceStatus;
  training: TrainingStats | null;
}

const ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

/** Members, online first, then away, then offline, each by name. */
export function membersOf(state: AppState): Member[] {
  const members = new Map<string, Member>();
  for (const [userId, p] of Object.entries(state.team.presence)) {
    if (p) members.set(userId, { userId, name: p.userName, status: p.status, training: null });
  }
  for (const [userId, t] of Object.entries(state.training.users)) {
    if (!t) continue;
    const member = members.get(userId);
    if (member) member.training = t;
    else members.set(userId, { userId, name: t.userName, status: 'offline', training: t });
  }
  return [...members.values()].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name),
  );
}

export interface SessionPerson {
  id: string;
  name: string;
  role: ParticipantRole;
  /** In the session now and active, in it but idle, or enrolled and not in it. */
  presence: 'active' | 'idle' | 'absent';
}

/** Who is in a coaching session now, then who is enrolled in it and not there. */
export function sessionPeople(session: SessionView): SessionPerson[] {
  const people: SessionPerson[] = session.participants.map((p) => ({
    id: p.id,
    name: p.name,
    role: p.role,
    presence: (session.activity[p.id] ?? p.isActive ?? true) ? 'active' : 'idle',
  }));
  const present = new Set(people.map((p) => p.id));
  for (const m of session.members) {
    if (!present.has(m.user.id)) {
      people.push({ id: m.user.id, name: m.user.name, role: m.role, presence: 'absent' });
    }
  }
  return people;
}

/** How a session's status reads. */
export const STATUS_LABEL: Record<SessionStatus, string> = {
  SCHEDULED: 'Scheduled',
  IN_PROGRESS: 'In progress',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
};

/** Whether the session is over: the hub has emptied it and refuses joins. */
export function isClosed(session: SessionView): boolean {
  return session.fields.status === 'COMPLETED' || session.fields.status === 'CANCELLED';
}

/** Whether `me` is among the session's participants now. */
export function isIn(session: SessionView, me: string | undefined): boolean {
  return me !== undefined && session.participants.some((p) => p.id === me);
}

/**
 * Joins or leaves a coaching session. The engine keeps the user in a joined session across
 * reconnects. The participants list changes when the hub answers a join, and at once for a
 * leave (the hub tells only the others).
 */
export function joinSession(sessionId: string): Promise<unknown> {
  const payload: JoinSession = { sessionId };
  return call('send_event', { namespace: '/', name: 'join-session', payload });
}

export function leaveSession(sessionId: string): Promise<unknown> {
  const payload: LeaveSession = { sessionId };
  return call('send_event', { namespace: '/', name: 'leave-session', payload });
}
