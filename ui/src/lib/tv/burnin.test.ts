import { describe, expect, it } from 'vitest';
import { OFFSETS, SHIFT_EVERY_MS, SWAP_EVERY_MS, burnIn } from './burnin';

describe('burnIn', () => {
  it('stays put within a period and moves a few px at the next one', () => {
    expect(burnIn(0)).toEqual(burnIn(SHIFT_EVERY_MS - 1));
    const next = burnIn(SHIFT_EVERY_MS);
    expect([next.x, next.y]).not.toEqual([burnIn(0).x, burnIn(0).y]);
  });

  it('cycles through every offset, each within a few pixels', () => {
    const seen = new Set<string>();
    for (let i = 0; i < OFFSETS.length * 2; i++) {
      const { x, y } = burnIn(i * SHIFT_EVERY_MS);
      expect(Math.abs(x)).toBeLessThanOrEqual(8);
      expect(Math.abs(y)).toBeLessThanOrEqual(8);
      seen.add(`${x},${y}`);
    }
    expect(seen.size).toBe(OFFSETS.length);
  });

  it('swaps the corner elements every swap period', () => {
    expect(burnIn(0).swapped).toBe(false);
    expect(burnIn(SWAP_EVERY_MS).swapped).toBe(true);
    expect(burnIn(2 * SWAP_EVERY_MS).swapped).toBe(false);
  });
});
