import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emptyState } from '../state/fixtures';
import { applyPatch, applySnapshot, appState, resetState } from '../state/store.svelte';
import { patch } from '../state/fixtures';
import type { AppState } from '../state/types';
import { flushSync } from 'svelte';
import Leaderboard from './Leaderboard.svelte';
import { picked } from './leaderboard.svelte';

type Sent = { namespace: string; name: string; payload: unknown };
let sent: Sent[] = [];

beforeEach(() => {
  resetState();
  picked.metric = 'revenue';
  picked.range = 'week';
  sent = [];
  mockIPC((cmd, args) => {
    if (cmd === 'send_event') sent.push(args as Sent);
    return null;
  });
});
afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

function withBoard(n: number, meRank: number) {
  const state = emptyState();
  const rows = Array.from({ length: n }, (_, i) => ({
    rank: i + 1,
    userId: i + 1 === meRank ? 'u-me' : `u${i + 1}`,
    userName: `User ${i + 1}`,
    value: 1000 - i,
    previousRank: i + 2,
  }));
  state.leaderboard.boards['revenue/week'] = { metric: 'revenue', range: 'week', rows, generatedAt: null };
  state.leaderboard.contests = {
    c1: { standings: [{ userId: 'u1', userName: 'User 1', total: 5, rank: 1, previousRank: 2 }], entries: 3, updatedAt: null, endedAt: null, name: null, endsAt: null },
  };
  state.leaderboard.achievements = [
    { userId: 'u1', userName: 'User 1', title: 'First sale', description: 'd', icon: null, source: 'leaderboard', at: '2026-11-22T10:00:00Z', eventId: 1 },
  ];
  applySnapshot({ version: 1, sections: [], state });
}

describe('Leaderboard', () => {
  it('renders the picked board with my row marked, around me, contests and achievements', () => {
    withBoard(20, 15);
    render(Leaderboard);
    const rows = screen.getAllByTestId('leaderboard-row');
    expect(rows.slice(0, 10).map((r) => r.dataset.rank)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const around = screen.getByTestId('around-me');
    const mine = around.querySelector('[data-user-id="u-me"]')!;
    expect(mine.classList.contains('me')).toBe(true);
    expect(around.querySelectorAll('[data-testid="leaderboard-row"]')).toHaveLength(5);
    expect(screen.getAllByTestId('contest-card')).toHaveLength(1);
    expect(screen.getByTestId('contest-meta').textContent!.trim()).toBe('1 in the running · 3 new entries');
    expect(screen.getAllByTestId('achievement-item')).toHaveLength(1);
  });

  it('has no around-me block when I am in the top rows', () => {
    withBoard(20, 3);
    render(Leaderboard);
    expect(screen.queryByTestId('around-me')).toBeNull();
    expect(document.querySelector('[data-user-id="u-me"]')!.classList.contains('me')).toBe(true);
  });

  it('asks the hub for the board when shown and when the pickers change', async () => {
    withBoard(3, 1);
    render(Leaderboard);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent[0]).toEqual({ namespace: '/leaderboard', name: 'leaderboard:request', payload: { metric: 'revenue', range: 'week' } });
    await fireEvent.change(screen.getByTestId('range-picker'), { target: { value: 'month' } });
    await fireEvent.change(screen.getByTestId('metric-picker'), { target: { value: 'deals' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.at(-1)?.payload).toEqual({ metric: 'deals', range: 'month' });
    expect(screen.queryAllByTestId('leaderboard-row')).toHaveLength(0);
  });

  it('does not ask while offline', async () => {
    withBoard(3, 1);
    appState.current!.connection = { state: 'offline' };
    render(Leaderboard);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([]);
    expect(screen.getAllByTestId('leaderboard-row')).toHaveLength(3);
  });

  it('flashes a row whose rank changed', () => {
    withBoard(3, 1);
    render(Leaderboard);
    const leaderboard = JSON.parse(JSON.stringify(appState.current!.leaderboard)) as AppState["leaderboard"];
    const rows = leaderboard.boards['revenue/week']!.rows;
    [rows[0], rows[2]] = [{ ...rows[2]!, rank: 1, previousRank: 3 }, { ...rows[0]!, rank: 3, previousRank: 1 }];
    applyPatch(patch(2, { sections: ['leaderboard'], leaderboard }));
    flushSync();
    const moved = document.querySelector('[data-user-id="u3"]')!;
    expect(moved.getAttribute('data-rank')).toBe('1');
    expect(moved.classList.contains('moved-up')).toBe(true);
    expect(document.querySelector('[data-user-id="u-me"]')!.classList.contains('moved-down')).toBe(true);
  });

  it('does not count entries for a contest first met in a snapshot', () => {
    withBoard(3, 1);
    appState.current!.leaderboard.contests = {
      c1: {
        name: 'Spring sprint', endsAt: null, entries: 0, updatedAt: null, endedAt: null,
        standings: [
          { userId: 'u1', userName: 'User 1', total: 300, rank: 1, previousRank: 1 },
          { userId: 'u2', userName: 'User 2', total: 0, rank: 2, previousRank: 2 },
        ],
      },
    };
    render(Leaderboard);
    expect(screen.getByTestId('contest-meta').textContent!.trim()).toBe('2 in the running');
    appState.current!.leaderboard.contests.c1!.entries = 1;
    flushSync();
    expect(screen.getByTestId('contest-meta').textContent!.trim()).toBe('2 in the running · 1 new entry');
  });

  it('names the contests and counts their time left down each second', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: Date.parse('2026-11-22T10:00:00Z') });
    withBoard(3, 1);
    appState.current!.leaderboard.contests = {
      c1: { name: 'Q4 push', endsAt: '2026-11-22T10:01:05Z', standings: [], entries: 0, updatedAt: null, endedAt: null },
      c2: { name: null, endsAt: null, standings: [], entries: 0, updatedAt: null, endedAt: null },
      c3: { name: 'Autumn', endsAt: '2026-11-21T18:00:00Z', standings: [], entries: 9, updatedAt: null, endedAt: '2026-11-21T18:00:00Z' },
    };
    render(Leaderboard);
    const cards = () => screen.getAllByTestId('contest-card');
    expect(cards().map((c) => c.querySelector('[data-testid="contest-name"]')!.textContent)).toEqual([
      'Q4 push',
      'Contest c2',
      'Autumn',
    ]);
    const left = () => screen.getByTestId('contest-time-left').textContent;
    expect(left()).toBe('01:05 left');
    vi.advanceTimersByTime(1000);
    flushSync();
    expect(left()).toBe('01:04 left');
    vi.advanceTimersByTime(64_000);
    flushSync();
    // Its end passed: it shows as ended (after the open-ended one) even before `contest:ended`.
    expect(screen.queryByTestId('contest-time-left')).toBeNull();
    expect(cards().map((c) => [c.dataset.contestId, c.dataset.ended])).toEqual([
      ['c2', 'false'],
      ['c1', 'true'],
      ['c3', 'true'],
    ]);
  });
});
