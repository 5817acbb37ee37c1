import { describe, expect, it } from 'vitest';
import {
  advance,
  currentBoard,
  msUntilNext,
  pause,
  planFrom,
  replan,
  resume,
  secondsOverride,
  startRotation,
  type RotationPlan,
} from './rotation';

const plan: RotationPlan = { boards: ['leaderboard', 'contests', 'achievements', 'presence'], durationMs: 20_000 };

describe('planFrom', () => {
  it('takes the order and duration from the settings', () => {
    expect(planFrom({ boards: ['presence', 'leaderboard'], secondsPerBoard: 7 })).toEqual({
      boards: ['presence', 'leaderboard'],
      durationMs: 7000,
    });
  });

  it('falls back to every board and 20 s when the settings are unusable', () => {
    expect(planFrom({ boards: [], secondsPerBoard: 0 })).toEqual(plan);
  });

  it('drops repeated and unknown boards', () => {
    const boards = ['contests', 'contests', 'weather', 'presence'] as never;
    expect(planFrom({ boards, secondsPerBoard: 20 }).boards).toEqual(['contests', 'presence']);
  });

  it('lets ?tvSeconds=N override the duration (end-to-end tests)', () => {
    expect(planFrom({ boards: [], secondsPerBoard: 20 }, '?tvSeconds=2').durationMs).toBe(2000);
    expect(planFrom({ boards: [], secondsPerBoard: 20 }, '?tvSeconds=abc').durationMs).toBe(20_000);
    expect(secondsOverride('?other=1')).toBeNull();
    expect(secondsOverride('?tvSeconds=-3')).toBeNull();
    expect(secondsOverride('?tvSeconds=0.5')).toBe(1);
  });
});

describe('rotation', () => {
  it('shows each board for its duration, in order, and wraps around', () => {
    const t0 = 1_000_000;
    let r = startRotation(plan, t0);
    const seen: string[] = [];
    for (let t = t0; t < t0 + 100_000; t += 5_000) {
      r = advance(r, plan, t);
      seen.push(currentBoard(r, plan));
    }
    expect(seen.filter((_, i) => i % 4 === 0)).toEqual([
      'leaderboard',
      'contests',
      'achievements',
      'presence',
      'leaderboard',
    ]);
    expect(msUntilNext(advance(startRotation(plan, t0), plan, t0 + 15_000), t0 + 15_000)).toBe(5_000);
  });

  it('catches up after a late timer without drifting', () => {
    const t0 = 0;
    const r = advance(startRotation(plan, t0), plan, 65_000);
    expect(currentBoard(r, plan)).toBe('presence');
    expect(msUntilNext(r, 65_000)).toBe(15_000);
    // A whole extra cycle late lands on the same board.
    const late = advance(startRotation(plan, t0), plan, 65_000 + 80_000);
    expect(currentBoard(late, plan)).toBe('presence');
  });

  it('keeps the board and its remaining time across a pause', () => {
    let r = startRotation(plan, 0);
    r = advance(r, plan, 25_000); // contests, 15 s left
    r = pause(r, plan, 25_000);
    expect(msUntilNext(r, 60_000)).toBeNull();
    expect(advance(r, plan, 60_000)).toBe(r);
    r = resume(r, 60_000);
    expect(currentBoard(r, plan)).toBe('contests');
    expect(msUntilNext(r, 60_000)).toBe(15_000);
    expect(currentBoard(advance(r, plan, 75_000), plan)).toBe('achievements');
  });

  it('keeps the shown board when the plan changes, capping its time to the new duration', () => {
    let r = advance(startRotation(plan, 0), plan, 21_000); // contests, 19 s left
    const shorter: RotationPlan = { boards: ['presence', 'contests'], durationMs: 5_000 };
    r = replan(r, plan, shorter, 21_000);
    expect(currentBoard(r, shorter)).toBe('contests');
    expect(msUntilNext(r, 21_000)).toBe(5_000);
    const without: RotationPlan = { boards: ['presence'], durationMs: 5_000 };
    r = replan(r, shorter, without, 22_000);
    expect(currentBoard(r, without)).toBe('presence');
  });
});
