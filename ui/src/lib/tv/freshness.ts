// Freshness of what the screen shows: when the last state patch arrived, and whether the
// connection has been down long enough (30 s) to warn that the data may be old. Pure; the
// time (ms since the epoch) is an input.

/** How long the connection may be down before the screen says so. */
export const STALE_AFTER_MS = 30_000;

export interface Freshness {
  /** When the last state patch (or snapshot) arrived; `null` before any. */
  updatedAt: number | null;
  /** Since when the connection is not live; `null` while it is. */
  downSince: number | null;
}

/** At start the connection is not known to be live: the clock towards "stale" runs. */
export function startFreshness(now: number): Freshness {
  return { updatedAt: null, downSince: now };
}

/** Records the connection state seen at `now`; only a change of liveness moves the clock. */
export function observeConnection(freshness: Freshness, live: boolean, now: number): Freshness {
  if (live) return freshness.downSince === null ? freshness : { ...freshness, downSince: null };
  return freshness.downSince === null ? { ...freshness, downSince: now } : freshness;
}

export function observeUpdate(freshness: Freshness, now: number): Freshness {
  return { ...freshness, updatedAt: now };
}

export function isStale(freshness: Freshness, now: number): boolean {
  return freshness.downSince !== null && now - freshness.downSince >= STALE_AFTER_MS;
}

/** Milliseconds until the stale banner is due (`null` when live or already due). */
export function msUntilStale(freshness: Freshness, now: number): number | null {
  if (freshness.downSince === null) return null;
  const left = freshness.downSince + STALE_AFTER_MS - now;
  return left > 0 ? left : null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "HH:MM" in local time. */
export function clockTime(at: number | Date): string {
  const date = typeof at === 'number' ? new Date(at) : at;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "HH:MM:SS" in local time. */
export function clockTimeSeconds(at: number | Date): string {
  const date = typeof at === 'number' ? new Date(at) : at;
  return `${clockTime(date)}:${pad(date.getSeconds())}`;
}
