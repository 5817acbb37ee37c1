// Burn-in protection for screens that show the same layout all day: the whole content shifts
// by a few pixels every few minutes (cycling through a fixed set of offsets) and the static
// corner elements (clock, logo) swap corners less often. Pure; the time is an input.

/** How often the content moves. */
export const SHIFT_EVERY_MS = 3 * 60 * 1000;

/** How often the clock and the logo swap corners. */
export const SWAP_EVERY_MS = 15 * 60 * 1000;

/** Offsets in px, a small loop around the origin so no edge stays put. */
export const OFFSETS: readonly (readonly [number, number])[] = [
  [0, 0],
  [4, 2],
  [6, -3],
  [1, -5],
  [-4, -2],
  [-6, 3],
  [-1, 5],
  [3, 4],
];

export interface BurnIn {
  x: number;
  y: number;
  /** Whether the clock and the logo have swapped corners. */
  swapped: boolean;
}

export function burnIn(now: number): BurnIn {
  const step = Math.floor(now / SHIFT_EVERY_MS);
  const [x, y] = OFFSETS[((step % OFFSETS.length) + OFFSETS.length) % OFFSETS.length] ?? [0, 0];
  return { x, y, swapped: Math.floor(now / SWAP_EVERY_MS) % 2 === 1 };
}
