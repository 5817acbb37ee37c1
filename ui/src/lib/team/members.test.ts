import { describe, expect, it } from 'vitest';
import { emptyState } from '../state/fixtures';
import { membersOf } from './members';

describe('membersOf', () => {
  it('joins presence and training, online first', () => {
    const state = emptyState();
    state.team.presence = {
      a: { userName: 'Zoe', status: 'online', changedAt: null },
      b: { userName: 'Bob', status: 'offline', changedAt: null },
      c: { userName: 'Amy', status: 'away', changedAt: null },
    };
    state.training.users = {
      b: { userName: 'Bob', xp: 120, level: 2, currentStreak: 3, longestStreak: 5, lastActivityDate: null },
      d: { userName: 'Dan', xp: 5, level: 1, currentStreak: 0, longestStreak: 0, lastActivityDate: null },
    };
    const members = membersOf(state);
    expect(members.map((m) => m.name)).toEqual(['Zoe', 'Amy', 'Bob', 'Dan']);
    expect(members.find((m) => m.userId === 'b')?.training?.xp).toBe(120);
  });
});
