// Celebrations (achievements, level-ups, big rank jumps) shown briefly in the main window.
//
// They arrive in bursts (one sale can make someone #1 of the week and of the month), so a
// celebration that repeats one on screen (same kind, person and title) merges into it. The
// toasts hold still while the pointer or focus is on them, so one can be read or dismissed
// without it vanishing or moving underneath: their clocks stop, and newcomers wait until the
// pointer and focus have left.
import { listen } from '@tauri-apps/api/event';
import type { Celebration } from '../state/types';

/** How long a toast stays. */
export const TOAST_MS = 6000;
/** At most this many at once (a burst keeps the newest). */
export const MAX_TOASTS = 3;
/** After a pause, a toast stays at least this long, so it does not vanish as the pointer leaves. */
export const AFTER_PAUSE_MS = 2000;

/** A toast: a celebration, or several that say the same thing (their details, in order). */
export type Toast = Celebration & { key: number; details: string[] };

export const toasts = $state<{ list: Toast[] }>({ list: [] });
let next = 0;

/** Each toast's dismissal: its timer while running, the time it has left while paused. */
const timers = new Map<number, { handle: ReturnType<typeof setTimeout> | null; left: number; since: number }>();
let paused = false;
/** Celebrations that arrived while paused, the newest `MAX_TOASTS`. */
let waiting: Celebration[] = [];

const sameFact = (a: Celebration, b: Celebration) =>
  a.kind === b.kind && a.userId === b.userId && a.title === b.title;

export function showCelebration(c: Celebration): void {
  if (paused) {
    waiting = [...waiting, c].slice(-MAX_TOASTS);
    return;
  }
  const repeated = toasts.list.find((t) => sameFact(t, c));
  const details = repeated ? repeated.details : [];
  if (repeated) forget(repeated.key);
  const toast: Toast = {
    ...c,
    key: next++,
    details: details.includes(c.detail) ? details : [...details, c.detail],
  };
  const list = [...toasts.list.filter((t) => t !== repeated), toast];
  for (const dropped of list.slice(0, -MAX_TOASTS)) forget(dropped.key);
  toasts.list = list.slice(-MAX_TOASTS);
  arm(toast.key, TOAST_MS);
}

export function dismiss(key: number): void {
  forget(key);
  toasts.list = toasts.list.filter((t) => t.key !== key);
}

/** The pointer or focus is on the toasts: stop their clocks. */
export function pauseToasts(): void {
  if (paused) return;
  paused = true;
  const now = Date.now();
  for (const timer of timers.values()) {
    if (timer.handle !== null) clearTimeout(timer.handle);
    timer.handle = null;
    timer.left -= now - timer.since;
  }
}

/**
 * The pointer and focus have left: the clocks run again, each with at least
 * `AFTER_PAUSE_MS`, and the celebrations that waited show.
 */
export function resumeToasts(): void {
  if (!paused) return;
  paused = false;
  for (const [key, timer] of [...timers]) arm(key, Math.max(timer.left, AFTER_PAUSE_MS));
  const arrived = waiting;
  waiting = [];
  arrived.forEach(showCelebration);
}

function arm(key: number, ms: number): void {
  const handle = paused ? null : setTimeout(() => dismiss(key), ms);
  timers.set(key, { handle, left: ms, since: Date.now() });
}

function forget(key: number): void {
  const timer = timers.get(key);
  if (timer?.handle != null) clearTimeout(timer.handle);
  timers.delete(key);
}

export function startCelebrationSync(): Promise<() => void> {
  return listen<Celebration>('celebration', (event) => showCelebration(event.payload));
}
