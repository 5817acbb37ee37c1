import { describe, expect, it } from 'vitest';
import { STALE_AFTER_MS, clockTime, isStale, msUntilStale, observeConnection, observeUpdate, startFreshness } from './freshness';

describe('freshness', () => {
  it('goes stale 30 s after the connection was last live, and recovers when live', () => {
    let f = observeConnection(startFreshness(0), true, 0);
    f = observeUpdate(f, 1000);
    f = observeConnection(f, false, 10_000);
    expect(isStale(f, 10_000 + STALE_AFTER_MS - 1)).toBe(false);
    expect(msUntilStale(f, 20_000)).toBe(STALE_AFTER_MS - 10_000);
    // Another not-live status (connecting → retrying) does not restart the clock.
    f = observeConnection(f, false, 25_000);
    expect(isStale(f, 10_000 + STALE_AFTER_MS)).toBe(true);
    expect(f.updatedAt).toBe(1000);
    f = observeConnection(f, true, 50_000);
    expect(isStale(f, 50_000)).toBe(false);
    expect(msUntilStale(f, 50_000)).toBeNull();
  });

  it('counts from the start when the connection never came up', () => {
    const f = startFreshness(5000);
    expect(isStale(f, 5000 + STALE_AFTER_MS)).toBe(true);
  });

  it('formats local wall-clock times', () => {
    expect(clockTime(new Date(2026, 0, 1, 7, 5))).toBe('07:05');
  });
});
