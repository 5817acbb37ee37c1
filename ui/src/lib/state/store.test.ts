import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import {
  appState,
  applyPatch,
  applySnapshot,
  mergePatch,
  pendingCount,
  resetState,
  startStateSync,
} from './store.svelte';
import { emptyState, note, patch } from './fixtures';
import type { AppState } from './types';

beforeEach(() => resetState());
afterEach(() => clearMocks());

describe('mergePatch', () => {
  it('replaces only the parts of the sections named, keeping the others as they are', () => {
    const state = emptyState();
    const work = { ...state.work, unreadCount: 3 };
    const next = mergePatch(state, patch(2, { sections: ['notifications'], work }));
    expect(next.work.unreadCount).toBe(3);
    expect(next.leaderboard).toBe(state.leaderboard);
    expect(next.team).toBe(state.team);
    expect(state.work.unreadCount).toBe(0); // pure
  });

  it('maps the session section to me, connection and cursors', () => {
    const state = emptyState();
    const next = mergePatch(
      state,
      patch(2, {
        sections: ['session'],
        me: null,
        connection: { state: 'offline' },
        lastEventIds: { '/': 7 },
      }),
    );
    expect(next.me).toBeNull();
    expect(next.connection).toEqual({ state: 'offline' });
    expect(next.lastEventIds).toEqual({ '/': 7 });
  });

  it('ignores parts whose section is not named, and sections the patch does not carry', () => {
    const state = emptyState();
    const team = { ...state.team, onlineCount: 9 };
    const next = mergePatch(state, patch(2, { sections: ['leaderboard'], team }));
    expect(next.team.onlineCount).toBe(0);
    expect(next.leaderboard).toBe(state.leaderboard);
  });
});

describe('applyPatch', () => {
  it('applies newer patches, ignores stale ones, and applies across a gap', () => {
    applySnapshot({ version: 5, sections: [], state: emptyState() });
    const team = (n: number) => ({ ...emptyState().team, onlineCount: n });
    applyPatch(patch(6, { sections: ['team'], team: team(1) }));
    expect(appState.current?.team.onlineCount).toBe(1);
    applyPatch(patch(6, { sections: ['team'], team: team(2) }));
    applyPatch(patch(4, { sections: ['team'], team: team(3) }));
    expect(appState.current?.team.onlineCount).toBe(1);
    applyPatch(patch(10, { sections: ['team'], team: team(4) }));
    expect(appState.current?.team.onlineCount).toBe(4);
    expect(appState.version).toBe(10);
  });

  it('merges sections: a work patch keeps the leaderboard', () => {
    const state = emptyState();
    state.leaderboard.boards['revenue/week'] = {
      metric: 'revenue',
      range: 'week',
      rows: [{ rank: 1, userId: 'a', userName: 'Ann', value: 10 }],
      generatedAt: null,
    } as AppState['leaderboard']['boards'][string];
    applySnapshot({ version: 1, sections: [], state });
    const work = { ...state.work, notes: { n1: note('n1') } };
    applyPatch(patch(2, { sections: ['notes'], work }));
    expect(appState.current?.leaderboard.boards['revenue/week']?.rows).toHaveLength(1);
    expect(appState.current?.work.notes['n1']?.state).toBe('pending');
  });

  it('does nothing before the first snapshot', () => {
    applyPatch(patch(3, { sections: ['team'], team: emptyState().team }));
    expect(appState.current).toBeNull();
  });
});

describe('pendingCount', () => {
  it('counts notes and action items waiting for the hub', () => {
    const state = emptyState();
    state.work.notes = {
      a: note('a'),
      b: note('b', { state: 'synced' }),
      c: note('c', { state: 'rejected', reason: 'no' }),
    };
    state.work.actionItems = {
      d: { ...note('d'), title: 'x' } as unknown as AppState['work']['actionItems'][string],
    };
    expect(pendingCount(state)).toBe(2);
  });
});

describe('startStateSync', () => {
  it('subscribes first, loads the snapshot, then follows patches', async () => {
    const calls: string[] = [];
    mockIPC(
      (cmd) => {
        calls.push(cmd);
        if (cmd === 'app_state') return { version: 3, sections: [], state: emptyState() };
      },
      { shouldMockEvents: true },
    );
    const unlisten = await startStateSync();
    expect(calls.indexOf('plugin:event|listen')).toBeLessThan(calls.indexOf('app_state'));
    expect(appState.version).toBe(3);
    await emit('state', patch(4, { sections: ['session'], connection: { state: 'offline' } }));
    expect(appState.current?.connection).toEqual({ state: 'offline' });
    unlisten();
  });

  it('applies patches that arrive before the snapshot when they are newer', async () => {
    let answer: (value: unknown) => void = () => {};
    mockIPC(
      (cmd) => {
        if (cmd === 'app_state') return new Promise((resolve) => (answer = resolve));
      },
      { shouldMockEvents: true },
    );
    const started = startStateSync();
    await new Promise((r) => setTimeout(r, 0));
    await emit('state', patch(3, { sections: ['session'], connection: { state: 'offline' } }));
    await emit('state', patch(5, { sections: ['session'], connection: { state: 'live' } }));
    answer({ version: 4, sections: [], state: { ...emptyState(), connection: { state: 'connecting' } } });
    const unlisten = await started;
    expect(appState.version).toBe(5);
    expect(appState.current?.connection).toEqual({ state: 'live' });
    unlisten();
  });

  it('asks for its feed, pauses it while hidden and resumes it when shown', async () => {
    const feeds: unknown[] = [];
    mockIPC(
      (cmd, args) => {
        if (cmd === 'state_feed') feeds.push((args as { feed: unknown }).feed);
        if (cmd === 'app_state') return { version: 1, sections: [], state: emptyState() };
        return null;
      },
      { shouldMockEvents: true },
    );
    let visibility: DocumentVisibilityState = 'visible';
    const spy = vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    const stop = await startStateSync({ minIntervalMs: 250 });
    expect(feeds).toEqual([{ paused: false, minIntervalMs: 250 }]);
    visibility = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(feeds).toEqual([
      { paused: false, minIntervalMs: 250 },
      { paused: true, minIntervalMs: 250 },
      { paused: false, minIntervalMs: 250 },
    ]);
    stop();
    document.dispatchEvent(new Event('visibilitychange'));
    expect(feeds).toHaveLength(3);
    spy.mockRestore();
  });

  it("listens only to this window's patches, not to the ones paced for other windows", async () => {
    const listens: unknown[] = [];
    mockWindows('tv');
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:event|listen') listens.push(args);
      if (cmd === 'app_state') return { version: 1, sections: [], state: emptyState() };
      return null;
    });
    const stop = await startStateSync({ minIntervalMs: 250 });
    expect(listens).toEqual([
      expect.objectContaining({ event: 'state', target: { kind: 'WebviewWindow', label: 'tv' } }),
    ]);
    stop();
  });

  it('asks nothing of the feed without options (the quick-capture window)', async () => {
    const commands: string[] = [];
    mockIPC(
      (cmd) => {
        commands.push(cmd);
        if (cmd === 'app_state') return { version: 1, sections: [], state: emptyState() };
      },
      { shouldMockEvents: true },
    );
    const stop = await startStateSync();
    expect(commands).not.toContain('state_feed');
    stop();
  });
});
