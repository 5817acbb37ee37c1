import { describe, expect, it } from 'vitest';
import { CELEBRATION_MS, MAX_WAITING, emptyQueue, enqueue, headline, msUntilDone, msUntilTick, symbolFor, tick } from './celebrations';
import type { Celebration } from './types';

function celebration(eventId: number | null, fields: Partial<Celebration> = {}): Celebration {
  return {
    kind: 'achievement',
    userId: `u${eventId}`,
    userName: 'Ana',
    title: 'Top Performer!',
    detail: 'Reached #1',
    icon: null,
    eventId,
    ...fields,
  };
}

describe('celebration queue', () => {
  it('shows one at a time, each for its duration, in arrival order', () => {
    let q = enqueue(emptyQueue, celebration(1), 0);
    q = enqueue(q, celebration(2), 1000);
    expect(q.current?.celebration.eventId).toBe(1);
    expect(msUntilDone(q, 1000)).toBe(CELEBRATION_MS - 1000);
    expect(tick(q, CELEBRATION_MS - 1)).toBe(q);
    q = tick(q, CELEBRATION_MS);
    expect(q.current).toEqual({ celebration: celebration(2), shownAt: CELEBRATION_MS });
    q = tick(q, 2 * CELEBRATION_MS);
    expect(q.current).toBeNull();
    expect(msUntilDone(q, 2 * CELEBRATION_MS)).toBeNull();
  });

  it('ignores an event it already has', () => {
    let q = enqueue(emptyQueue, celebration(1), 0);
    q = enqueue(q, celebration(1), 10);
    expect(q.waiting).toEqual([]);
    q = tick(q, CELEBRATION_MS);
    expect(enqueue(q, celebration(1), CELEBRATION_MS + 1).current).toBeNull();
    // Without an event id nothing can be told apart: both show.
    const twice = enqueue(enqueue(emptyQueue, celebration(null), 0), celebration(null), 0);
    expect(twice.waiting).toHaveLength(1);
  });

  it('keeps at most three waiting, dropping the oldest waiting', () => {
    expect(MAX_WAITING).toBe(3);
    let q = enqueue(emptyQueue, celebration(0), 0);
    for (let i = 1; i <= 8; i++) q = enqueue(q, celebration(i), 0);
    expect(q.current?.celebration.eventId).toBe(0);
    expect(q.waiting.map((c) => c.eventId)).toEqual([6, 7, 8]);
  });

  it('lets the board underneath finish its time before the next one shows', () => {
    let q = enqueue(emptyQueue, celebration(1), 0);
    q = enqueue(q, celebration(2), 1000);
    // The board had 2.5 s left when the first one covered it.
    q = tick(q, CELEBRATION_MS, CELEBRATION_MS, 2500);
    expect(q.current).toBeNull();
    expect(q.holdUntil).toBe(CELEBRATION_MS + 2500);
    expect(msUntilTick(q, CELEBRATION_MS)).toBe(2500);
    // One arriving during the hold waits too, behind the others.
    q = enqueue(q, celebration(3), CELEBRATION_MS + 1000);
    expect(q.current).toBeNull();
    expect(tick(q, CELEBRATION_MS + 2499)).toBe(q);
    q = tick(q, CELEBRATION_MS + 2500);
    expect(q.current).toEqual({ celebration: celebration(2), shownAt: CELEBRATION_MS + 2500 });
    expect(q.waiting.map((c) => c.eventId)).toEqual([3]);
    // The last one ends with 1 s left on its board: nothing pending, a new one waits out the
    // second, then shows at once.
    q = tick(q, 2 * CELEBRATION_MS + 2500, CELEBRATION_MS, 0);
    const end = 3 * CELEBRATION_MS + 2500;
    const idle = tick(q, end, CELEBRATION_MS, 1000);
    expect(idle.current).toBeNull();
    expect(msUntilTick(idle, end)).toBeNull();
    expect(enqueue(idle, celebration(8), end + 500).current).toBeNull();
    expect(enqueue(idle, celebration(9), end + 1000).current?.celebration.eventId).toBe(9);
  });

  it('words and illustrates each kind', () => {
    expect(headline(celebration(1, { kind: 'level', userName: 'Bo' }))).toBe('Bo levelled up');
    expect(symbolFor('rank')).toBe('▲');
    expect(symbolFor('achievement')).toBe('★');
  });
});
