import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import Toasts from './Toasts.svelte';
import { AFTER_PAUSE_MS, MAX_TOASTS, resumeToasts, showCelebration, TOAST_MS, toasts } from './toasts.svelte';

const celebration = (title: string, detail = 'Level 5', userId = 'u1') => ({
  kind: 'level' as const, userId, userName: 'Ann', title, detail, icon: null, eventId: 1,
});

afterEach(() => {
  resumeToasts();
  vi.advanceTimersByTime(60_000);
  toasts.list = [];
  vi.useRealTimers();
});

const titles = () => toasts.list.map((t) => t.title);

/** Renders the toasts under fake timers with one showing; returns the stack the pointer rests on. */
function showingOne(title: string): HTMLElement {
  vi.useFakeTimers();
  render(Toasts);
  showCelebration(celebration(title));
  flushSync();
  return screen.getByRole('region', { name: 'Celebrations' });
}

describe('celebration toasts', () => {
  it('shows a celebration as text, keeps the newest few, and lets each go after a while', () => {
    vi.useFakeTimers();
    render(Toasts);
    showCelebration(celebration('<i>Level up</i>'));
    flushSync();
    const toast = screen.getByTestId('celebration-toast');
    expect(toast.textContent).toContain('<i>Level up</i>');
    expect(toast.querySelector('i')).toBeNull();
    for (let i = 0; i < 5; i++) showCelebration(celebration(`t${i}`));
    expect(titles()).toEqual(['t2', 't3', 't4'].slice(-MAX_TOASTS));
    vi.advanceTimersByTime(TOAST_MS + 1);
    expect(toasts.list).toEqual([]);
  });

  it('merges a repeat of a toast on screen into it, with both details, as the newest', () => {
    vi.useFakeTimers();
    render(Toasts);
    showCelebration(celebration('Top Performer!', 'Reached #1 on revenue this week'));
    showCelebration(celebration('Level 6', 'Ann reached level 6'));
    vi.advanceTimersByTime(TOAST_MS - 1000);
    showCelebration(celebration('Top Performer!', 'Reached #1 on revenue this month'));
    showCelebration(celebration('Top Performer!', 'Reached #1 on revenue this month'));
    showCelebration(celebration('Top Performer!', 'Reached #1 on revenue this week', 'u2'));
    flushSync();
    expect(titles()).toEqual(['Level 6', 'Top Performer!', 'Top Performer!']);
    expect(toasts.list[1]?.details).toEqual(['Reached #1 on revenue this week', 'Reached #1 on revenue this month']);
    const merged = screen.getAllByTestId('celebration-toast')[1]!;
    expect(merged.textContent).toContain('this week');
    expect(merged.textContent).toContain('this month');
    // The merged toast starts its time again; the other goes when its own is up.
    vi.advanceTimersByTime(1001);
    expect(titles()).toEqual(['Top Performer!', 'Top Performer!']);
    vi.advanceTimersByTime(TOAST_MS);
    expect(toasts.list).toEqual([]);
  });

  it('holds the toasts still while the pointer is on them, then gives them their time back', () => {
    const stack = showingOne('Level 5');
    vi.advanceTimersByTime(TOAST_MS - 500);
    fireEvent.pointerEnter(stack);
    for (let i = 6; i < 12; i++) showCelebration(celebration(`Level ${i}`));
    vi.advanceTimersByTime(10 * TOAST_MS);
    expect(titles()).toEqual(['Level 5']);
    // Leaving shows the newest three that waited, which push out the one read.
    fireEvent.pointerLeave(stack);
    expect(titles()).toEqual(['Level 9', 'Level 10', 'Level 11']);
    // A pause keeps what each had left.
    vi.advanceTimersByTime(1000);
    showCelebration(celebration('Level 5'));
    fireEvent.pointerEnter(stack);
    vi.advanceTimersByTime(10 * TOAST_MS);
    fireEvent.pointerLeave(stack);
    vi.advanceTimersByTime(TOAST_MS - 1000 - 1);
    expect(titles()).toEqual(['Level 10', 'Level 11', 'Level 5']);
    vi.advanceTimersByTime(1);
    expect(titles()).toEqual(['Level 5']);
    vi.advanceTimersByTime(1000);
    expect(toasts.list).toEqual([]);
  });

  it('gives a toast read in its last moment a little time once the pointer leaves', () => {
    const stack = showingOne('Level 5');
    vi.advanceTimersByTime(TOAST_MS - 500);
    fireEvent.pointerEnter(stack);
    vi.advanceTimersByTime(10 * TOAST_MS);
    fireEvent.pointerLeave(stack);
    vi.advanceTimersByTime(AFTER_PAUSE_MS - 1);
    expect(titles()).toEqual(['Level 5']);
    vi.advanceTimersByTime(1);
    expect(toasts.list).toEqual([]);
  });

  it('holds them while a dismiss button has focus, and runs again once it is used', async () => {
    vi.useFakeTimers();
    render(Toasts);
    showCelebration(celebration('Level 5'));
    showCelebration(celebration('Level 6'));
    flushSync();
    const first = screen.getAllByRole('button', { name: 'Dismiss' })[0]!;
    first.focus();
    vi.advanceTimersByTime(10 * TOAST_MS);
    expect(titles()).toEqual(['Level 5', 'Level 6']);
    await fireEvent.click(first);
    expect(titles()).toEqual(['Level 6']);
    vi.advanceTimersByTime(Math.max(TOAST_MS, AFTER_PAUSE_MS));
    expect(toasts.list).toEqual([]);
  });
});
