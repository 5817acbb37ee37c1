// What each board shows, derived from the state slices: pure functions, so the component only
// lays them out. Every string that came from the hub is rendered as text by the component.
import type { LeaderboardEntry, PresenceStatus, RankingUpdate, TimeRange } from '../protocol';
import type { Contest, FeedItem, LeaderboardState, StringMap, TeamSlice, TrainingUserSlice } from './types';

function values<T>(map: StringMap<T>): T[] {
  return Object.values(map).filter((v): v is T => v !== undefined);
}

function entries<T>(map: StringMap<T>): [string, T][] {
  return Object.entries(map).filter((e): e is [string, T] => e[1] !== undefined);
}

const RANGE_LABELS: Record<TimeRange, string> = {
  today: 'Today',
  week: 'This week',
  month: 'This month',
  quarter: 'This quarter',
  year: 'This year',
};

/** `yearlyRevenue` → `Yearly revenue`, `deals_closed` → `Deals closed`. */
export function metricName(metric: string): string {
  const words = metric
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.:-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? metric : words.charAt(0).toUpperCase() + words.slice(1);
}

export function rangeName(range: TimeRange | null | undefined): string | null {
  return range ? RANGE_LABELS[range] : null;
}

/** Whole numbers with separators, others with one decimal. */
export function formatValue(value: number): string {
  const digits = Number.isInteger(value) ? 0 : 1;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Mover {
  userId: string;
  userName: string;
  /** Places gained (positive). */
  gain: number;
  rank: number;
}

export interface LeaderboardView {
  metric: string;
  range: TimeRange | null;
  headline: string | null;
  rows: LeaderboardEntry[];
  movers: Mover[];
}

/**
 * The leaderboard to put on the wall: the hub's `tv:update` selection when there is one,
 * else the board with the most rows.
 */
export function leaderboardView(leaderboard: LeaderboardState, topN: number, moverCount = 3): LeaderboardView | null {
  const limit = Math.max(1, topN);
  let view: Omit<LeaderboardView, 'movers'> | null = null;
  let fullRows: LeaderboardEntry[] = [];
  if (leaderboard.tv) {
    const tv = leaderboard.tv;
    // A live board for the same metric and range has fresher rows than the last snapshot.
    const live = values(leaderboard.boards).find((b) => b.metric === tv.metric && b.range === tv.range);
    fullRows = live && live.rows.length > 0 ? live.rows : tv.rankings;
    view = { metric: tv.metric, range: tv.range, headline: tv.headline ?? null, rows: fullRows.slice(0, limit) };
  } else {
    const best = values(leaderboard.boards)
      .filter((b) => b.rows.length > 0)
      .sort((a, b) => b.rows.length - a.rows.length || (b.generatedAt ?? '').localeCompare(a.generatedAt ?? ''))[0];
    if (best) {
      fullRows = best.rows;
      view = { metric: best.metric, range: best.range, headline: null, rows: best.rows.slice(0, limit) };
    }
  }
  if (!view) return null;
  return { ...view, movers: movers(leaderboard.recentChanges, view.metric, view.range, fullRows, moverCount) };
}

/**
 * The biggest climbers on a board: per user, from the rank before their oldest recent change
 * to their rank now (`recentChanges` is newest first). A user entering the board (previous
 * rank 0) counts from just below the last row. Falls back to the rows' `previousRank`.
 */
export function movers(
  changes: readonly RankingUpdate[],
  metric: string,
  range: TimeRange | null,
  rows: readonly LeaderboardEntry[],
  count = 3,
): Mover[] {
  const unranked = rows.length + 1;
  const byUser = new Map<string, { userName: string; from: number; to: number }>();
  for (const change of changes) {
    if (change.metric !== metric || (change.range ?? null) !== range) continue;
    const from = change.previousRank > 0 ? change.previousRank : unranked;
    const known = byUser.get(change.userId);
    // Newest first: the first one seen is the latest rank, later ones reach further back.
    if (known) known.from = from;
    else byUser.set(change.userId, { userName: change.userName, from, to: change.newRank });
  }
  if (byUser.size === 0) {
    for (const row of rows) {
      if (row.previousRank !== undefined && row.previousRank > 0) {
        byUser.set(row.userId, { userName: row.userName, from: row.previousRank, to: row.rank });
      }
    }
  }
  // The current rank from the board wins over the change log when both know the user.
  const rankNow = new Map(rows.map((r) => [r.userId, r.rank]));
  return [...byUser.entries()]
    .map(([userId, m]) => {
      const rank = rankNow.get(userId) ?? m.to;
      return { userId, userName: m.userName, gain: m.from - rank, rank };
    })
    .filter((m) => m.gain > 0)
    .sort((a, b) => b.gain - a.gain || a.rank - b.rank)
    .slice(0, count);
}

export interface ContestView {
  id: string;
  name: string;
  standings: Contest['standings'];
  /** Milliseconds to the end while it runs and the end is known. */
  remainingMs: number | null;
  ended: boolean;
  entries: number;
}

/** Running contests first (the soonest end first), then ended ones (the latest first). */
export function contestsView(contests: StringMap<Contest>, now: number, rows = 5): ContestView[] {
  return entries(contests)
    .map(([id, contest]) => {
      const ends = contest.endsAt ? Date.parse(contest.endsAt) : NaN;
      const ended = contest.endedAt !== null || (Number.isFinite(ends) && ends <= now);
      return {
        id,
        name: contest.name || `Contest ${id}`,
        standings: contest.standings.slice(0, rows),
        remainingMs: !ended && Number.isFinite(ends) ? ends - now : null,
        ended,
        entries: contest.entries,
        sortKey: ended ? -(Date.parse(contest.endedAt ?? contest.endsAt ?? '') || 0) : Number.isFinite(ends) ? ends : Infinity,
      };
    })
    .sort((a, b) => Number(a.ended) - Number(b.ended) || a.sortKey - b.sortKey || a.id.localeCompare(b.id))
    .map(({ sortKey: _, ...view }) => view);
}

/** `3d 04:05:06`, `04:05:06`, `05:06`. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = hours > 0 || days > 0 ? `${two(hours)}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

export function achievementsView(feed: readonly FeedItem[], count = 8): FeedItem[] {
  return feed.slice(0, count);
}

export interface PresenceEntry {
  userId: string;
  userName: string;
  status: PresenceStatus;
  level: number | null;
}

export interface PresenceView {
  online: PresenceEntry[];
  away: PresenceEntry[];
  offline: PresenceEntry[];
}

/** Everyone known, grouped by status, by name within a group. */
export function presenceView(team: TeamSlice, trainingUsers: StringMap<TrainingUserSlice>): PresenceView {
  const view: PresenceView = { online: [], away: [], offline: [] };
  for (const [userId, p] of entries(team.presence)) {
    const level = trainingUsers[userId]?.level;
    view[p.status].push({ userId, userName: p.userName, status: p.status, level: level ? level : null });
  }
  for (const group of [view.online, view.away, view.offline]) {
    group.sort((a, b) => a.userName.localeCompare(b.userName) || a.userId.localeCompare(b.userId));
  }
  return view;
}
