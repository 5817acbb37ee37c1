import { describe, expect, it } from 'vitest';
import type { Contest } from '../state/types';
import { contestCards, timeLeft } from './contests';

function contest(fields: Partial<Contest> = {}): Contest {
  return { name: null, endsAt: null, standings: [], entries: 0, updatedAt: null, endedAt: null, ...fields };
}

describe('contestCards', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('orders running contests by end, open-ended after, ended ones last (latest first)', () => {
    const cards = contestCards(
      {
        old: contest({ endedAt: '2026-11-20T10:00:00Z' }),
        recent: contest({ endedAt: '2026-11-22T09:00:00Z' }),
        open: contest(),
        later: contest({ name: 'Q4 push', endsAt: '2026-11-23T10:00:00Z' }),
        soon: contest({ endsAt: '2026-11-22T10:05:00Z' }),
      },
      now,
    );
    expect(cards.map((c) => [c.id, c.remainingMs, c.ended])).toEqual([
      ['soon', 300_000, false],
      ['later', 86_400_000, false],
      ['open', null, false],
      ['recent', null, true],
      ['old', null, true],
    ]);
    expect(cards.map((c) => c.name)).toEqual(['Contest soon', 'Q4 push', 'Contest open', 'Contest recent', 'Contest old']);
  });

  it('counts a contest whose end passed as ended before the hub says so', () => {
    const [card] = contestCards({ c: contest({ endsAt: '2026-11-22T09:59:59Z' }) }, now);
    expect(card).toMatchObject({ ended: true, remainingMs: null });
  });

  it('ignores a blank name and an unreadable end', () => {
    const [card] = contestCards({ c: contest({ name: '  ', endsAt: 'soon' }) }, now);
    expect(card).toMatchObject({ name: 'Contest c', ended: false, remainingMs: null });
  });
});

describe('timeLeft', () => {
  it('reads as a clock', () => {
    expect(timeLeft(65_000)).toBe('01:05');
    expect(timeLeft(65_999)).toBe('01:05');
    expect(timeLeft(3_725_000)).toBe('01:02:05');
    expect(timeLeft(2 * 86_400_000 + 3_725_000)).toBe('2 d 01:02:05');
    expect(timeLeft(-1)).toBe('00:00');
  });
});
