// The celebration queue: one celebration on screen at a time for `durationMs`, the rest wait
// in arrival order. After one ends, the board it covered gets to finish its remaining time
// before the next shows (`holdUntil`), so the rotation advances under a constant stream.
// Pure; time (ms since the epoch) is an input.
import type { Celebration } from './types';

/** How long one celebration stays on screen. */
export const CELEBRATION_MS = 6000;

/**
 * Celebrations kept waiting at most; a burst beyond it drops the oldest waiting ones (the
 * achievements board still lists every one of them).
 */
export const MAX_WAITING = 3;

export interface CelebrationQueue {
  /** The one on screen, with when it appeared. */
  current: { celebration: Celebration; shownAt: number } | null;
  waiting: Celebration[];
  /** Event ids already queued or shown (a replay may deliver one twice). */
  seen: number[];
  /** No celebration shows before this time: the board uncovered last is finishing its turn. */
  holdUntil: number;
}

export const emptyQueue: CelebrationQueue = { current: null, waiting: [], seen: [], holdUntil: 0 };

const SEEN_KEPT = 200;

/** Adds a celebration; it shows at once when nothing else is on screen, waits, or is held. */
export function enqueue(queue: CelebrationQueue, celebration: Celebration, now: number): CelebrationQueue {
  const id = celebration.eventId;
  if (id !== null && queue.seen.includes(id)) return queue;
  const seen = id === null ? queue.seen : [...queue.seen, id].slice(-SEEN_KEPT);
  if (queue.current === null && queue.waiting.length === 0 && now >= queue.holdUntil) {
    return { ...queue, current: { celebration, shownAt: now }, seen };
  }
  return { ...queue, waiting: [...queue.waiting, celebration].slice(-MAX_WAITING), seen };
}

/**
 * Retires the celebration on screen once its time is up, holding the next one back for
 * `boardLeftMs` (what the board underneath still has of its turn); shows the next waiting one
 * once nothing is on screen and the hold is over.
 */
export function tick(
  queue: CelebrationQueue,
  now: number,
  durationMs = CELEBRATION_MS,
  boardLeftMs = 0,
): CelebrationQueue {
  let next = queue;
  if (next.current !== null) {
    if (now - next.current.shownAt < durationMs) return queue;
    next = { ...next, current: null, holdUntil: now + Math.max(0, boardLeftMs) };
  }
  const [first, ...rest] = next.waiting;
  if (first === undefined || now < next.holdUntil) return next;
  return { ...next, current: { celebration: first, shownAt: now }, waiting: rest };
}

/** Milliseconds until the celebration on screen ends (`null` when none is). */
export function msUntilDone(queue: CelebrationQueue, now: number, durationMs = CELEBRATION_MS): number | null {
  return queue.current === null ? null : Math.max(0, queue.current.shownAt + durationMs - now);
}

/**
 * Milliseconds until `tick` has something to do: the celebration on screen ends, or a held
 * one may show (`null` when neither is pending).
 */
export function msUntilTick(queue: CelebrationQueue, now: number, durationMs = CELEBRATION_MS): number | null {
  if (queue.current !== null) return msUntilDone(queue, now, durationMs);
  return queue.waiting.length === 0 ? null : Math.max(0, queue.holdUntil - now);
}

/** A line for a celebration: who and what. */
export function headline(celebration: Celebration): string {
  switch (celebration.kind) {
    case 'level':
      return `${celebration.userName} levelled up`;
    case 'rank':
      return `${celebration.userName} is climbing`;
    default:
      return `${celebration.userName} earned an achievement`;
  }
}

/**
 * The symbol in a celebration's badge. Plain symbols from common text fonts rather than the
 * event's `icon`: hub icons are emoji or icon names, and a kiosk box often has no emoji font
 * (they would show as empty boxes).
 */
export function symbolFor(kind: Celebration['kind']): string {
  switch (kind) {
    case 'level':
      return '⬆';
    case 'rank':
      return '▲';
    default:
      return '★';
  }
}
