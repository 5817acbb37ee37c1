// Passes on the latest of a stream of values at most once per interval: the first value at
// once, then the newest one at the end of each interval. TV mode renders the rankings through
// it: the engine already coalesces to 30 patches a second, and a wall read from across the
// room gains nothing from redrawing big type that often (each redraw is a full-board paint).

export interface Throttle<T> {
  push(value: T): void;
  /** Drops a pending value and stops the timer. */
  dispose(): void;
}

export function throttle<T>(intervalMs: number, deliver: (value: T) => void, now: () => number = Date.now): Throttle<T> {
  let lastAt = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    if (pending === null) return;
    const { value } = pending;
    pending = null;
    lastAt = now();
    deliver(value);
  };

  return {
    push(value) {
      pending = { value };
      if (timer !== undefined) return;
      const wait = lastAt + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    dispose() {
      pending = null;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
