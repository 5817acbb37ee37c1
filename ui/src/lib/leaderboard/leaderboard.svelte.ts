// What the leaderboard view shows, as pure functions over the state, plus the picked board.
import type { LeaderboardEntry, TimeRange } from '../protocol';
import type { AppState, Board } from '../state/types';
import { valuesOf } from '../state/store.svelte';

export const RANGES: TimeRange[] = ['today', 'week', 'month', 'quarter', 'year'];
/** The hub's default metrics; boards already received add theirs. */
export const DEFAULT_METRICS = ['revenue', 'deals', 'calls'];
/** Rows shown before "around me" takes over. */
export const TOP_N = 10;

/** The picked board (kept across view switches). */
export const picked = $state<{ metric: string; range: TimeRange }>({ metric: 'revenue', range: 'week' });

/** The engine's board key (`revenue/week`). */
export const boardKey = (metric: string, range: TimeRange | null) => `${metric}/${range ?? 'all'}`;

export function boardOf(state: AppState, metric: string, range: TimeRange): Board | null {
  return state.leaderboard.boards[boardKey(metric, range)] ?? null;
}

/** Every metric known: the defaults and any board's. */
export function metricsOf(state: AppState | null): string[] {
  const metrics = new Set(DEFAULT_METRICS);
  if (state) for (const board of valuesOf(state.leaderboard.boards)) metrics.add(board.metric);
  return [...metrics];
}

export type Movement = 'up' | 'down' | 'same' | 'new';

/**
 * How `row` moved: `new` when its previous rank is `0` (the protocol's "was not ranked"), and
 * `null` when it has none at all — a board's first refresh, or a row no rank change touched
 * since — where "new" would be a guess.
 */
export function movement(row: LeaderboardEntry): Movement | null {
  const previous = row.previousRank;
  if (previous === undefined || previous === null) return null;
  if (previous === 0) return 'new';
  if (previous > row.rank) return 'up';
  if (previous < row.rank) return 'down';
  return 'same';
}

export const ARROWS: Record<Movement, string> = { up: '▲', down: '▼', same: '–', new: '★' };

/**
 * The rows to show: the top `n`, and — when I am ranked below them — my row with two rows
 * either side.
 */
export function splitRows(
  rows: LeaderboardEntry[],
  meId: string | null | undefined,
  n: number = TOP_N,
): { top: LeaderboardEntry[]; aroundMe: LeaderboardEntry[] } {
  const top = rows.slice(0, n);
  const mine = meId ? rows.findIndex((r) => r.userId === meId) : -1;
  if (mine < n) return { top, aroundMe: [] };
  return { top, aroundMe: rows.slice(Math.max(n, mine - 2), mine + 3) };
}
