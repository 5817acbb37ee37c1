import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe('throttle', () => {
  it('delivers the first value at once and then the newest once per interval', () => {
    const seen: number[] = [];
    const t = throttle<number>(250, (v) => seen.push(v));
    t.push(1);
    expect(seen).toEqual([1]);
    for (let i = 2; i <= 30; i++) {
      vi.advanceTimersByTime(33);
      t.push(i);
    }
    // 29 pushes over ~1 s after the first: about four deliveries, each the newest then.
    vi.advanceTimersByTime(250);
    expect(seen.length).toBeLessThanOrEqual(6);
    expect(seen.at(-1)).toBe(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('delivers at once again after a quiet interval, and nothing after dispose', () => {
    const seen: number[] = [];
    const t = throttle<number>(250, (v) => seen.push(v));
    t.push(1);
    vi.advanceTimersByTime(1000);
    t.push(2);
    expect(seen).toEqual([1, 2]);
    t.push(3);
    t.dispose();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([1, 2]);
  });
});
