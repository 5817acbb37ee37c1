// The board rotation as a value: which board is shown, how long it has left, and whether the
// clock runs (a celebration pauses it). Pure: every function takes the time (ms since the
// epoch) as input, so the component drives it with timers and tests drive it with numbers.
import { ALL_BOARDS, type TvBoard, type TvSettings } from './types';

/** The rotation's inputs, derived from `Settings.tv` (and the `?tvSeconds=N` override). */
export interface RotationPlan {
  boards: readonly TvBoard[];
  durationMs: number;
}

export interface Rotation {
  /** Index into the plan's boards. */
  index: number;
  /** Time left on the current board, as of `runningSince` (or of the pause). */
  remainingMs: number;
  /** When the clock last started; `null` while paused. */
  runningSince: number | null;
}

const MIN_SECONDS = 1;
const MAX_SECONDS = 3600;

function clampSeconds(seconds: number): number {
  return Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, seconds));
}

/**
 * Seconds per board from the URL query `?tvSeconds=N` (end-to-end tests use it for short
 * rotations), else from the settings. A missing or unusable value falls back to the next one.
 */
export function secondsOverride(search: string): number | null {
  const raw = new URLSearchParams(search).get('tvSeconds');
  if (raw === null || raw.trim() === '') return null;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? clampSeconds(seconds) : null;
}

/** The plan for `settings`: unknown or repeated boards dropped, all boards when none is left. */
export function planFrom(settings: Pick<TvSettings, 'boards' | 'secondsPerBoard'>, search = ''): RotationPlan {
  const seen = new Set<TvBoard>();
  for (const board of settings.boards) {
    if (ALL_BOARDS.includes(board)) seen.add(board);
  }
  const boards = seen.size > 0 ? [...seen] : [...ALL_BOARDS];
  const fromSettings =
    Number.isFinite(settings.secondsPerBoard) && settings.secondsPerBoard > 0
      ? clampSeconds(settings.secondsPerBoard)
      : 20;
  const seconds = secondsOverride(search) ?? fromSettings;
  return { boards, durationMs: seconds * 1000 };
}

export function startRotation(plan: RotationPlan, now: number): Rotation {
  return { index: 0, remainingMs: plan.durationMs, runningSince: now };
}

/** Moves past every board whose time is up by `now` (several if the timer was late). */
export function advance(rotation: Rotation, plan: RotationPlan, now: number): Rotation {
  if (rotation.runningSince === null || plan.boards.length === 0) return rotation;
  let { index, remainingMs, runningSince } = rotation;
  // Skip whole cycles at once (after a suspended machine wakes up) instead of looping.
  const elapsed = now - runningSince;
  if (elapsed >= remainingMs) {
    const cycle = plan.durationMs * plan.boards.length;
    const afterFirst = elapsed - remainingMs;
    const skipped = Math.floor((afterFirst % cycle) / plan.durationMs);
    index = (index + 1 + skipped) % plan.boards.length;
    runningSince = now - (afterFirst % cycle) + skipped * plan.durationMs;
    remainingMs = plan.durationMs;
  }
  return { index, remainingMs, runningSince };
}

/** Stops the clock, keeping the board and its remaining time. */
export function pause(rotation: Rotation, plan: RotationPlan, now: number): Rotation {
  if (rotation.runningSince === null) return rotation;
  const current = advance(rotation, plan, now);
  const runningSince = current.runningSince ?? now;
  return { index: current.index, remainingMs: current.remainingMs - (now - runningSince), runningSince: null };
}

/** Restarts the clock on the same board with the time it had left. */
export function resume(rotation: Rotation, now: number): Rotation {
  return rotation.runningSince === null ? { ...rotation, runningSince: now } : rotation;
}

/**
 * Applies a new plan (settings changed): the board shown stays if it is still in the plan
 * (else the first board), with at most the new duration left.
 */
export function replan(rotation: Rotation, from: RotationPlan, to: RotationPlan, now: number): Rotation {
  const current = advance(rotation, from, now);
  const board = from.boards[current.index];
  const kept = board === undefined ? -1 : to.boards.indexOf(board);
  if (kept < 0) {
    return { index: 0, remainingMs: to.durationMs, runningSince: current.runningSince === null ? null : now };
  }
  const left =
    current.runningSince === null ? current.remainingMs : current.remainingMs - (now - current.runningSince);
  return {
    index: kept,
    remainingMs: Math.min(left, to.durationMs),
    runningSince: current.runningSince === null ? null : now,
  };
}

export function currentBoard(rotation: Rotation, plan: RotationPlan): TvBoard {
  return plan.boards[rotation.index % plan.boards.length] ?? 'leaderboard';
}

/** Milliseconds until the next board (`null` while paused), for scheduling one timer. */
export function msUntilNext(rotation: Rotation, now: number): number | null {
  if (rotation.runningSince === null) return null;
  return Math.max(0, rotation.runningSince + rotation.remainingMs - now);
}
