import { describe, expect, it } from 'vitest';
import { emptyState, note } from '../state/fixtures';
import type { TrainingStats } from '../state/types';
import { agentsOf, byAgent, notesOf } from './notes';

describe('notes', () => {
  it('offers everyone seen as an agent, never me', () => {
    const state = emptyState();
    state.me = { id: 'u-me', name: 'Me Myself' };
    state.team.presence = {
      b: { userName: 'Bea', status: 'online', changedAt: null },
      'u-me': { userName: 'Me Myself', status: 'online', changedAt: null },
    };
    state.leaderboard.boards['revenue/week'] = {
      metric: 'revenue', range: 'week', generatedAt: null,
      rows: [
        { rank: 1, userId: 'a', userName: 'Al', value: 3 },
        { rank: 2, userId: 'u-me', userName: 'Me Myself', value: 2 },
      ],
    };
    expect(agentsOf(state)).toEqual([
      { id: 'a', name: 'Al' },
      { id: 'b', name: 'Bea' },
    ]);
  });

  it('knows the whole team on a quiet hub: presence, training, boards, contests and notes', () => {
    const state = emptyState();
    state.me = { id: 'lead', name: 'Lena Leader' };
    // `sync:snapshot` fills presence with everyone, offline included.
    state.team.presence = {
      z: { userName: 'Zoe', status: 'offline', changedAt: null },
      lead: { userName: 'Lena Leader', status: 'offline', changedAt: null },
      b: { userName: 'Bea', status: 'away', changedAt: null },
    };
    const stats = (userName: string): TrainingStats => ({
      userName, xp: 0, level: 0, currentStreak: 0, longestStreak: 0, lastActivityDate: null,
    });
    state.training.users = { t: stats('Tom'), b: stats('Bea') };
    state.leaderboard.boards['calls/today'] = {
      metric: 'calls', range: 'today', generatedAt: null,
      rows: [{ rank: 1, userId: 'r', userName: 'Rui', value: 1 }],
    };
    state.leaderboard.contests['c1'] = {
      name: 'Sprint', endsAt: null, entries: 2, updatedAt: null, endedAt: null,
      standings: [
        { userId: 'k', userName: 'Kim', total: 5, rank: 1, previousRank: 0 },
        { userId: 'lead', userName: 'Lena Leader', total: 1, rank: 2, previousRank: 0 },
        { userId: 'r', userName: 'Rui', total: 1, rank: 3, previousRank: 0 },
      ],
    };
    state.work.notes = { n1: note('n1', { agentId: 'ghost' }), n2: note('n2', { agentId: 'z' }) };
    const agents = agentsOf(state);
    expect(agents).toEqual([
      { id: 'b', name: 'Bea' },
      { id: 'ghost', name: 'ghost' },
      { id: 'k', name: 'Kim' },
      { id: 'r', name: 'Rui' },
      { id: 't', name: 'Tom' },
      { id: 'z', name: 'Zoe' },
    ]);
    expect(agents.some((a) => a.id === 'lead' || a.name.includes('(you)'))).toBe(false);
  });

  it('lists notes newest first, grouped per agent', () => {
    const state = emptyState();
    state.team.presence = { x: { userName: 'Xavier', status: 'online', changedAt: null } };
    state.work.notes = {
      a: note('a', { agentId: 'x', createdAt: '2026-11-22T10:00:00Z' }),
      b: note('b', { agentId: 'y', createdAt: '2026-11-22T11:00:00Z' }),
      c: note('c', { agentId: 'x', createdAt: '2026-11-22T12:00:00Z' }),
    };
    const notes = notesOf(state);
    expect(notes.map((n) => n.clientId)).toEqual(['c', 'b', 'a']);
    expect(byAgent(state, notes).map((g) => [g.name, g.items.map((n) => n.clientId)])).toEqual([
      ['Xavier', ['c', 'a']],
      ['y', ['b']],
    ]);
  });
});
