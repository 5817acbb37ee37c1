import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { resetState } from '../state/store.svelte';
import TvApp from './TvApp.svelte';
import { DEFAULT_TV_SETTINGS, type Celebration, type TvSettings } from './types';

const T0 = new Date(2026, 10, 22, 14, 30, 0).getTime();

let contests: Record<string, unknown> = {};

function snapshot(version = 1, connection: { state: string } = { state: 'live' }) {
  return {
    version,
    sections: [],
    state: {
      me: { id: 'tv', name: 'Wall' },
      connection,
      lastEventIds: {},
      leaderboard: {
        boards: {
          'revenue/week': {
            metric: 'revenue',
            range: 'week',
            generatedAt: null,
            rows: [
              { rank: 1, userId: 'u1', userName: '<img src=x onerror=alert(1)>', value: 5000, previousRank: 3 },
              { rank: 2, userId: 'u2', userName: 'Bea', value: 4000 },
            ],
          },
        },
        recentChanges: [],
        contests,
        tv: null,
        achievements: [],
      },
      training: { users: {}, modules: {}, quizzes: [], roleplay: [], typing: {}, achievements: [] },
      team: {
        presence: { u2: { userName: 'Bea', status: 'online', changedAt: null } },
        onlineCount: 1,
        sessions: {},
        projects: {},
        broadcasts: [],
        entities: {},
      },
      work: { notes: {}, actionItems: {}, analyses: {}, notifications: [], unreadCount: 0 },
    },
  };
}

interface Setup {
  tv?: Partial<TvSettings>;
  connection?: { state: string };
  pin?: string;
}

let calls: { cmd: string; args: unknown }[] = [];
let appStateVersion = 1;

function setup({ tv = {}, connection = { state: 'live' }, pin }: Setup = {}) {
  calls = [];
  appStateVersion = 1;
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      switch (cmd) {
        case 'settings':
          return { alerts: {}, autostart: false, idleAwayMinutes: 0, tv: { ...DEFAULT_TV_SETTINGS, ...tv } };
        case 'app_state':
          return snapshot(appStateVersion, connection);
        case 'session':
          return { profiles: [], activeId: 'p1', demo: false, keychain: { state: 'available' }, needsPassword: null, error: null };
        case 'send_event':
        case 'close_window':
        case 'state_feed':
          return null;
        case 'verify_tv_pin':
          return pin === undefined || (args as { pin: string }).pin === pin;
        default:
          throw { code: 'INTERNAL', message: `unexpected command ${cmd}` };
      }
    },
    { shouldMockEvents: true },
  );
  render(TvApp);
}

const boardShown = () => screen.getByTestId('tv-board').dataset.board;
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  contests = {};
  resetState();
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

describe('TvApp', () => {
  it('syncs the state, joins tv-display and shows the leaderboard as text', async () => {
    setup();
    await advance(0);
    expect(calls.map((c) => c.cmd)).toEqual(expect.arrayContaining(['settings', 'app_state']));
    // A wall needs a few patches a second, not the engine's thirty.
    expect(calls.filter((c) => c.cmd === 'state_feed').map((c) => c.args)).toEqual([
      { feed: { paused: false, minIntervalMs: 250 } },
    ]);
    expect(calls.filter((c) => c.cmd === 'send_event').map((c) => c.args)).toEqual([
      { namespace: '/leaderboard', name: 'join:tv-display', payload: null },
      { namespace: '/leaderboard', name: 'leaderboard:request', payload: { metric: 'revenue', range: 'today', limit: 10 } },
    ]);
    expect(boardShown()).toBe('leaderboard');
    const rows = screen.getAllByTestId('tv-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(rows[0]?.querySelector('img')).toBeNull();
    expect(screen.getByTestId('tv-updated-at').textContent).toContain('Updated 14:30:00');
  });

  it('rotates through the configured boards on schedule', async () => {
    setup({ tv: { boards: ['presence', 'leaderboard', 'contests'], secondsPerBoard: 5 } });
    await advance(0);
    expect(boardShown()).toBe('presence');
    await advance(4_900);
    expect(boardShown()).toBe('presence');
    await advance(100);
    expect(boardShown()).toBe('leaderboard');
    await advance(5_000);
    expect(boardShown()).toBe('contests');
    await advance(5_000);
    expect(boardShown()).toBe('presence');
  });

  it("shows a contest's name and counts its time left down", async () => {
    contests = {
      c1: {
        name: 'Q4 push',
        endsAt: new Date(T0 + 65_000).toISOString(),
        standings: [{ userId: 'u2', userName: 'Bea', total: 7, rank: 1, previousRank: 0 }],
        entries: 1,
        updatedAt: null,
        endedAt: null,
      },
    };
    setup({ tv: { boards: ['contests'] } });
    await advance(0);
    expect(boardShown()).toBe('contests');
    expect(screen.getByTestId('tv-board').querySelector('h3')?.textContent).toBe('Q4 push');
    expect(screen.getByTestId('tv-contest-countdown').textContent).toBe('01:05');
    await advance(1_000);
    expect(screen.getByTestId('tv-contest-countdown').textContent).toBe('01:04');
    await advance(64_000);
    expect(screen.queryByTestId('tv-contest-countdown')).toBeNull();
    expect(screen.getByTestId('tv-board').textContent).toContain('Final');
  });

  it('takes the duration from ?tvSeconds=N', async () => {
    window.history.replaceState(null, '', '/?tvSeconds=2');
    setup({ tv: { secondsPerBoard: 60 } });
    await advance(0);
    expect(boardShown()).toBe('leaderboard');
    await advance(2_000);
    expect(boardShown()).toBe('contests');
  });

  it('follows settings changes', async () => {
    setup({ tv: { secondsPerBoard: 30 } });
    await advance(0);
    await emit('settings', { tv: { ...DEFAULT_TV_SETTINGS, boards: ['achievements', 'leaderboard'], secondsPerBoard: 3 } });
    await advance(3_000);
    expect(boardShown()).toBe('achievements');
  });

  it('interrupts the rotation for celebrations and resumes the same board with its time left', async () => {
    setup({ tv: { secondsPerBoard: 10 } });
    await advance(4_000);
    const celebration = (eventId: number, title: string): Celebration => ({
      kind: 'achievement',
      userId: 'u2',
      userName: 'Bea',
      title,
      detail: 'Closed 10 deals',
      icon: null,
      eventId,
    });
    await emit('celebration', celebration(7, 'Deal Machine'));
    await emit('celebration', celebration(8, 'On Fire'));
    await advance(0);
    expect(screen.getByTestId('tv-celebration').textContent).toContain('Deal Machine');
    expect(boardShown()).toBe('leaderboard');
    await advance(6_000);
    // 4 s were shown before the interruption: the same board gets its 6 s left before the
    // next celebration.
    expect(screen.queryByTestId('tv-celebration')).toBeNull();
    expect(boardShown()).toBe('leaderboard');
    await advance(5_900);
    expect(screen.queryByTestId('tv-celebration')).toBeNull();
    expect(boardShown()).toBe('leaderboard');
    await advance(100);
    expect(screen.getByTestId('tv-celebration').textContent).toContain('On Fire');
    expect(boardShown()).toBe('contests');
    await advance(6_000);
    expect(screen.queryByTestId('tv-celebration')).toBeNull();
    // The next board was covered from its start: it gets its whole turn.
    await advance(9_900);
    expect(boardShown()).toBe('contests');
    await advance(100);
    expect(boardShown()).toBe('achievements');
  });

  it('keeps rotating under a constant stream of celebrations', async () => {
    setup({ tv: { secondsPerBoard: 3 } });
    await advance(0);
    const shown = new Set<string>([boardShown()!]);
    let celebrations = 0;
    let maxOnScreenInARow = 0;
    let onScreenFor = 0;
    for (let t = 0; t < 60_000; t += 500) {
      if (t % 2_000 === 0) {
        await emit('celebration', {
          kind: 'achievement', userId: 'u2', userName: 'Bea', title: `Feat ${t}`,
          detail: '', icon: null, eventId: 1000 + t,
        } satisfies Celebration);
      }
      await advance(500);
      if (screen.queryByTestId('tv-celebration')) {
        onScreenFor += 500;
        maxOnScreenInARow = Math.max(maxOnScreenInARow, onScreenFor);
        celebrations++;
      } else {
        onScreenFor = 0;
        shown.add(boardShown()!);
      }
    }
    expect([...shown].sort()).toEqual(['achievements', 'contests', 'leaderboard', 'presence']);
    // Celebrations still show, one at a time (6 s), with board time between them.
    expect(celebrations).toBeGreaterThan(0);
    expect(maxOnScreenInARow).toBeLessThanOrEqual(6_000);
  });

  it('warns after 30 s without a live connection, keeps the data, and recovers', async () => {
    setup();
    await advance(60_000);
    await emit('state', { version: 2, sections: ['session'], me: null, connection: { state: 'offline' }, lastEventIds: {} });
    await advance(29_000);
    expect(screen.queryByTestId('tv-stale')).toBeNull();
    await advance(1_000);
    // The last patch came at 14:31; the data stays on screen under the banner.
    expect(screen.getByTestId('tv-stale').textContent).toBe('Reconnecting… showing data from 14:31');
    expect(screen.getByTestId('tv-updated-at').textContent).toContain('14:31:00');
    expect(screen.getByTestId('tv-board')).toBeTruthy();
    const joins = () => calls.filter((c) => c.cmd === 'send_event' && (c.args as { name: string }).name === 'join:tv-display').length;
    const before = joins();
    await emit('state', { version: 3, sections: ['session'], me: null, connection: { state: 'live' }, lastEventIds: {} });
    await advance(0);
    expect(screen.queryByTestId('tv-stale')).toBeNull();
    expect(joins()).toBe(before + 1);
  });

  it('starts over from a new snapshot when the active profile changes', async () => {
    setup();
    await advance(0);
    await emit('state', { version: 9, sections: ['leaderboard'], leaderboard: { ...snapshot().state.leaderboard, boards: {} } });
    await advance(500);
    expect(screen.queryAllByTestId('tv-row')).toHaveLength(0);
    // The new engine counts from 1 again: without a reset its snapshot would be ignored.
    appStateVersion = 2;
    await emit('session', { profiles: [], activeId: 'p2', demo: false, keychain: { state: 'available' }, needsPassword: null, error: null });
    await advance(500);
    expect(screen.getAllByTestId('tv-row')).toHaveLength(2);
    expect(calls.filter((c) => c.cmd === 'app_state')).toHaveLength(2);
  });

  it('goes stale when the connection never comes up', async () => {
    setup({ connection: { state: 'connecting' } });
    await advance(30_000);
    expect(screen.getByTestId('tv-stale')).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'send_event')).toBe(false);
  });

  it('asks before leaving on Esc and closes the window on confirm', async () => {
    setup();
    await advance(0);
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.getByTestId('tv-exit-confirm')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('tv-exit-cancel'));
    expect(screen.queryByTestId('tv-exit-confirm')).toBeNull();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('tv-exit-confirm')).toBeNull();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await fireEvent.click(screen.getByTestId('tv-exit-submit'));
    await advance(0);
    expect(calls.map((c) => c.cmd)).toContain('close_window');
    expect(calls.map((c) => c.cmd)).not.toContain('verify_tv_pin');
  });

  it('checks the exit PIN when one is set', async () => {
    setup({ tv: { exitPin: true }, pin: '4321' });
    await advance(0);
    await fireEvent.keyDown(window, { key: 'Escape' });
    const input = screen.getByTestId('tv-exit-pin') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '1111' } });
    await fireEvent.click(screen.getByTestId('tv-exit-submit'));
    await advance(0);
    expect(screen.getByTestId('tv-exit-error').textContent).toBe('Wrong PIN');
    expect(calls.map((c) => c.cmd)).not.toContain('close_window');
    await fireEvent.input(input, { target: { value: '4321' } });
    await fireEvent.click(screen.getByTestId('tv-exit-submit'));
    await advance(0);
    expect(calls.filter((c) => c.cmd === 'verify_tv_pin').map((c) => c.args)).toEqual([{ pin: '1111' }, { pin: '4321' }]);
    expect(calls.map((c) => c.cmd)).toContain('close_window');
  });

  it('hides the pointer after 3 s without movement', async () => {
    setup();
    await advance(0);
    const root = document.querySelector('.tv');
    expect(root?.classList.contains('hide-pointer')).toBe(false);
    await advance(3_000);
    expect(root?.classList.contains('hide-pointer')).toBe(true);
    await fireEvent.pointerMove(window);
    expect(root?.classList.contains('hide-pointer')).toBe(false);
  });

  it('blanks the screen during the night window', async () => {
    setup({ tv: { nightStart: '14:00', nightEnd: '14:31', nightMode: 'blank' } });
    await advance(1_000);
    expect(screen.getByTestId('tv-night-blank')).toBeTruthy();
    await advance(60_000);
    expect(screen.queryByTestId('tv-night-blank')).toBeNull();
  });

  it('dims the screen during the night window in dim mode', async () => {
    setup({ tv: { nightStart: '14:00', nightEnd: '15:00', nightMode: 'dim' } });
    await advance(1_000);
    expect(screen.getByTestId('tv-night-dim')).toBeTruthy();
    expect(screen.queryByTestId('tv-night-blank')).toBeNull();
  });

  it('shifts the content and swaps the corner elements over time', async () => {
    setup();
    await advance(1_000);
    const frame = document.querySelector<HTMLElement>('.frame');
    const header = document.querySelector('header.top');
    const before = frame?.style.transform;
    const swappedBefore = header?.classList.contains('swapped');
    // Jump the wall clock (no timers run), then let the one-second tick see it.
    vi.setSystemTime(Date.now() + 15 * 60_000);
    await advance(1_000);
    expect(frame?.style.transform).toMatch(/^translate\(-?\d+px, -?\d+px\)$/);
    expect(frame?.style.transform).not.toBe(before);
    expect(header?.classList.contains('swapped')).toBe(!swappedBefore);
  });

  it('counts animation frames for the fps bench', async () => {
    setup();
    await advance(1_000);
    const bench = (window as unknown as { __sidelineTv: { frames: number } }).__sidelineTv;
    expect(bench.frames).toBeGreaterThan(10);
  });
});
