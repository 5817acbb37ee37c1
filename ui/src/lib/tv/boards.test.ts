import { describe, expect, it } from 'vitest';
import type { LeaderboardEntry, RankingUpdate } from '../protocol';
import { contestsView, countdown, formatValue, leaderboardView, metricName, movers, presenceView } from './boards';
import type { LeaderboardState } from './types';

function row(rank: number, userId: string, previousRank?: number): LeaderboardEntry {
  return { rank, userId, userName: `User ${userId}`, value: 1000 - rank, ...(previousRank ? { previousRank } : {}) };
}

function change(userId: string, previousRank: number, newRank: number, metric = 'revenue'): RankingUpdate {
  return { userId, userName: `User ${userId}`, previousRank, newRank, metric, value: 1, range: 'week', timestamp: '2026-11-22T10:00:00Z' };
}

function leaderboard(fields: Partial<LeaderboardState> = {}): LeaderboardState {
  return { boards: {}, recentChanges: [], contests: {}, tv: null, achievements: [], ...fields };
}

describe('leaderboardView', () => {
  const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, `u${i + 1}`));

  it('shows the top N of the biggest board when the hub chose none', () => {
    const view = leaderboardView(
      leaderboard({
        boards: {
          'calls/today': { metric: 'calls', range: 'today', rows: rows.slice(0, 3), generatedAt: null },
          'revenue/week': { metric: 'revenue', range: 'week', rows, generatedAt: null },
        },
      }),
      10,
    );
    expect(view?.metric).toBe('revenue');
    expect(view?.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("follows the hub's tv:update selection, with the live board's rows when there is one", () => {
    const tv = { metric: 'deals', range: 'month' as const, rankings: rows.slice(0, 2), recentAchievements: [], generatedAt: '', headline: 'Go team' };
    expect(leaderboardView(leaderboard({ tv }), 5)?.rows).toHaveLength(2);
    const withLive = leaderboardView(
      leaderboard({ tv, boards: { 'deals/month': { metric: 'deals', range: 'month', rows, generatedAt: null } } }),
      5,
    );
    expect(withLive?.rows).toHaveLength(5);
    expect(withLive?.headline).toBe('Go team');
  });

  it('is null before any rankings', () => {
    expect(leaderboardView(leaderboard(), 10)).toBeNull();
  });
});

describe('movers', () => {
  const rows = [row(1, 'a'), row(2, 'b'), row(3, 'c'), row(4, 'd')];

  it('ranks users by places gained over their recent changes on the board shown', () => {
    // Newest first: c went 9 → 6 → 3, b 3 → 2, d 2 → 4 (a drop), another metric ignored.
    const changes = [change('c', 6, 3), change('b', 3, 2), change('d', 2, 4), change('c', 9, 6), change('a', 20, 1, 'calls')];
    expect(movers(changes, 'revenue', 'week', rows)).toEqual([
      { userId: 'c', userName: 'User c', gain: 6, rank: 3 },
      { userId: 'b', userName: 'User b', gain: 1, rank: 2 },
    ]);
  });

  it('counts a newcomer from just below the board', () => {
    expect(movers([change('d', 0, 4)], 'revenue', 'week', rows)).toEqual([{ userId: 'd', userName: 'User d', gain: 1, rank: 4 }]);
  });

  it("falls back to the rows' previous ranks", () => {
    const withPrevious = [row(1, 'a', 5), row(2, 'b', 1)];
    expect(movers([], 'revenue', 'week', withPrevious).map((m) => [m.userId, m.gain])).toEqual([['a', 4]]);
  });
});

describe('contestsView', () => {
  const standing = { userId: 'a', userName: 'Ana', total: 5, rank: 1, previousRank: 0 };

  it('counts down running contests with a known end, soonest first, ended ones last', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    const views = contestsView(
      {
        done: { standings: [standing], entries: 3, updatedAt: null, endedAt: '2026-11-22T09:00:00Z', name: null, endsAt: null },
        later: { standings: [], entries: 0, updatedAt: null, endedAt: null, name: 'Q4 push', endsAt: '2026-11-23T10:00:00Z' },
        soon: { standings: [standing], entries: 1, updatedAt: null, endedAt: null, name: null, endsAt: '2026-11-22T10:05:00Z' },
        open: { standings: [], entries: 0, updatedAt: null, endedAt: null, name: null, endsAt: null },
      },
      now,
    );
    expect(views.map((v) => [v.id, v.remainingMs, v.ended])).toEqual([
      ['soon', 300_000, false],
      ['later', 86_400_000, false],
      ['open', null, false],
      ['done', null, true],
    ]);
    expect(views[1]?.name).toBe('Q4 push');
    expect(views[0]?.name).toBe('Contest soon');
  });

  it('formats the countdown', () => {
    expect(countdown(65_000)).toBe('01:05');
    expect(countdown(3_725_000)).toBe('01:02:05');
    expect(countdown(90_061_000)).toBe('1d 01:01:01');
    expect(countdown(-5)).toBe('00:00');
  });
});

describe('presenceView', () => {
  it('groups by status, by name, with training levels', () => {
    const view = presenceView(
      {
        onlineCount: 2,
        presence: {
          z: { userName: 'Zoe', status: 'online', changedAt: null },
          a: { userName: 'Al', status: 'online', changedAt: null },
          b: { userName: 'Bo', status: 'away', changedAt: null },
          c: { userName: 'Cy', status: 'offline', changedAt: null },
        },
      },
      { z: { userName: 'Zoe', level: 3 } },
    );
    expect(view.online.map((p) => [p.userName, p.level])).toEqual([
      ['Al', null],
      ['Zoe', 3],
    ]);
    expect(view.away).toHaveLength(1);
    expect(view.offline).toHaveLength(1);
  });
});

describe('labels', () => {
  it('names metrics and values for the wall', () => {
    expect(metricName('yearlyRevenue')).toBe('Yearly revenue');
    expect(metricName('deals_closed')).toBe('Deals closed');
    expect(formatValue(12345)).toBe('12,345');
    expect(formatValue(2.345)).toBe('2.3');
  });
});
