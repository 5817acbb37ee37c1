import { describe, expect, it } from 'vitest';
import type { LeaderboardEntry } from '../protocol';
import { emptyState } from '../state/fixtures';
import { boardKey, metricsOf, movement, splitRows } from './leaderboard.svelte';

const rows = (n: number): LeaderboardEntry[] =>
  Array.from({ length: n }, (_, i) => ({ rank: i + 1, userId: `u${i + 1}`, userName: `User ${i + 1}`, value: 100 - i }));

describe('leaderboard', () => {
  it('keys boards like the engine', () => {
    expect(boardKey('revenue', 'week')).toBe('revenue/week');
  });

  it('shows the movement since the previous refresh', () => {
    const row = { rank: 3, userId: 'a', userName: 'A', value: 1 };
    expect(movement({ ...row, previousRank: 5 })).toBe('up');
    expect(movement({ ...row, previousRank: 1 })).toBe('down');
    expect(movement({ ...row, previousRank: 3 })).toBe('same');
    expect(movement({ ...row, previousRank: 0 })).toBe('new');
  });

  it('marks nothing where the previous rank is unknown', () => {
    expect(movement({ rank: 3, userId: 'a', userName: 'A', value: 1 })).toBeNull();
  });

  it('adds my row ±2 when I am outside the top N', () => {
    expect(splitRows(rows(30), 'u4', 10).aroundMe).toEqual([]);
    const { top, aroundMe } = splitRows(rows(30), 'u20', 10);
    expect(top).toHaveLength(10);
    expect(aroundMe.map((r) => r.rank)).toEqual([18, 19, 20, 21, 22]);
    expect(splitRows(rows(12), 'u11', 10).aroundMe.map((r) => r.rank)).toEqual([11, 12]);
  });

  it('lists the default metrics and those of known boards', () => {
    const state = emptyState();
    state.leaderboard.boards['points/week'] = { metric: 'points', range: 'week', rows: [], generatedAt: null };
    expect(metricsOf(state)).toEqual(['revenue', 'deals', 'calls', 'points']);
  });
});
