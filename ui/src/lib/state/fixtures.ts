// Test data shaped like the engine's serialised `AppState` (crates/client/src/state).
import type { AppState, NoteView, StatePatch } from './types';

export function emptyState(): AppState {
  return {
    me: { id: 'u-me', name: 'Me Myself' },
    connection: { state: 'live' },
    lastEventIds: {},
    leaderboard: { boards: {}, recentChanges: [], contests: {}, tv: null, achievements: [] },
    training: { users: {}, modules: {}, quizzes: [], roleplay: [], typing: {}, achievements: [] },
    team: { presence: {}, onlineCount: 0, sessions: {}, projects: {}, broadcasts: [], entities: {} },
    work: { notes: {}, actionItems: {}, analyses: {}, notifications: [], unreadCount: 0 },
  } as unknown as AppState;
}

export function note(clientId: string, fields: Partial<NoteView> = {}): NoteView {
  return {
    clientId,
    state: 'pending',
    reason: null,
    id: null,
    agentId: 'u-agent',
    noteType: 'COACHING',
    priority: 'MEDIUM',
    category: null,
    content: 'Call back about the renewal',
    createdBy: null,
    createdAt: '2026-11-22T10:00:00Z',
    ...fields,
  } as NoteView;
}

export function patch(version: number, fields: Omit<Partial<StatePatch>, 'version'>): StatePatch {
  return { version, sections: [], ...fields } as StatePatch;
}
