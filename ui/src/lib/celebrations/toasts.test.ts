import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import Toasts from './Toasts.svelte';
import { MAX_TOASTS, showCelebration, TOAST_MS, toasts } from './toasts.svelte';

const celebration = (title: string) => ({
  kind: 'level' as const, userId: 'u1', userName: 'Ann', title, detail: 'Level 5', icon: null, eventId: 1,
});

afterEach(() => {
  toasts.list = [];
  vi.useRealTimers();
});

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
    expect(toasts.list.map((t) => t.title)).toEqual(['t2', 't3', 't4'].slice(-MAX_TOASTS));
    vi.advanceTimersByTime(TOAST_MS + 1);
    expect(toasts.list).toEqual([]);
  });
});
