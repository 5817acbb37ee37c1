import { describe, expect, it, vi } from 'vitest';
import { isView, revealRecord } from './nav.svelte';

describe('navigation', () => {
  it('knows the contract view names only', () => {
    expect(isView('leaderboard')).toBe(true);
    expect(isView('settings')).toBe(true);
    expect(isView('tv')).toBe(false);
  });

  it('scrolls the named record into view', () => {
    document.body.innerHTML = '<ul><li data-id="a"></li><li data-analysis-id="b&quot;x"></li></ul>';
    const target = document.querySelector('[data-analysis-id]') as HTMLElement;
    target.scrollIntoView = vi.fn();
    revealRecord(document, 'b"x');
    expect(target.scrollIntoView).toHaveBeenCalled();
    revealRecord(document, 'missing');
  });
});
