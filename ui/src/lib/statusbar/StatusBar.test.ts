import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { flushSync } from 'svelte';
import { emptyState, note, patch } from '../state/fixtures';
import { applyPatch, applySnapshot, resetState } from '../state/store.svelte';
import { setSettings } from '../settings/settings.svelte';
import { defaultSettings } from '../settings/fixtures';
import StatusBar from './StatusBar.svelte';
import { statusText } from './status';

const settings = (dnd: boolean) => {
  const s = defaultSettings();
  s.alerts.doNotDisturb = dnd;
  return s;
};

beforeEach(() => {
  resetState();
  setSettings(settings(false));
});
afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe('statusText', () => {
  it('uses the exact words the E2E tests read', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(statusText({ state: 'live' }, now)).toBe('live');
    expect(statusText({ state: 'connecting' }, now)).toBe('connecting');
    expect(statusText({ state: 'offline' }, now)).toBe('offline');
    expect(statusText({ state: 'signInNeeded' }, now)).toBe('sign-in needed');
    expect(statusText(null, now)).toBe('connecting');
    const retry = (at: string) => statusText({ state: 'retrying', attempt: 2, nextTryAt: at }, now);
    expect(retry('2026-11-22T10:00:02.100Z')).toBe('retrying in 3 s');
    expect(retry('2026-11-22T09:59:59Z')).toBe('retrying in 0 s');
  });
});

describe('StatusBar', () => {
  it('counts down while retrying, each second', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
    const state = emptyState();
    state.connection = { state: 'retrying', attempt: 1, nextTryAt: '2026-11-22T10:00:05Z' };
    applySnapshot({ version: 1, sections: [], state });
    render(StatusBar);
    const status = screen.getByTestId('connection-status');
    expect(status.textContent).toBe('retrying in 5 s');
    vi.advanceTimersByTime(1000);
    flushSync();
    expect(status.textContent).toBe('retrying in 4 s');
    vi.advanceTimersByTime(3000);
    flushSync();
    expect(status.textContent).toBe('retrying in 1 s');
    applyPatch(patch(2, { sections: ['session'], connection: { state: 'live' } }));
    flushSync();
    expect(status.textContent).toBe('live');
  });

  it('shows the pending count and unread badge, and toggles do not disturb', async () => {
    const state = emptyState();
    state.work.notes = { a: note('a'), b: note('b'), c: note('c', { state: 'synced' }) };
    state.work.unreadCount = 4;
    applySnapshot({ version: 1, sections: [], state });
    let asked: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'set_do_not_disturb') {
        asked = args;
        return settings(true);
      }
    });
    render(StatusBar);
    expect(screen.getByTestId('pending-count').textContent).toBe('2');
    expect(screen.getByTestId('unread-badge').textContent).toBe('4');
    const dnd = screen.getByTestId('dnd-toggle');
    expect(dnd.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(dnd);
    await vi.waitFor(() => expect(dnd.getAttribute('aria-pressed')).toBe('true'));
    expect(asked).toEqual({ on: true });
  });

  it('offers retry now while retrying', async () => {
    const state = emptyState();
    state.connection = { state: 'retrying', attempt: 1, nextTryAt: new Date(Date.now() + 9000).toISOString() };
    applySnapshot({ version: 1, sections: [], state });
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    render(StatusBar);
    await fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(calls).toContain('retry_now');
  });
});
