import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { shortTime } from '../shell/format';
import { emptyState } from '../state/fixtures';
import { applySnapshot, resetState } from '../state/store.svelte';
import Team from './Team.svelte';

beforeEach(() => resetState());
afterEach(() => clearMocks());

describe('Team', () => {
  it('shows presence with XP and level, the online count and sessions', () => {
    const state = emptyState();
    state.team.presence = {
      a: { userName: 'Ann', status: 'online', changedAt: null },
      b: { userName: 'Bob', status: 'away', changedAt: null },
    };
    state.team.onlineCount = 2;
    state.training.users = {
      a: { userName: 'Ann', xp: 1500, level: 4, currentStreak: 6, longestStreak: 9, lastActivityDate: null },
    };
    state.team.sessions = {
      s1: {
        members: [
          { user: { id: 'a', name: 'Ann' }, role: 'instructor' },
          { user: { id: 'b', name: 'Bob' }, role: 'learner' },
          { user: { id: 'c', name: 'Cy' }, role: 'learner' },
        ],
        lastActivityAt: '2026-11-22T09:00:00Z',
        participants: [
          { id: 'a', name: 'Ann', role: 'instructor', isActive: true },
          { id: 'b', name: 'Bob', role: 'learner', isActive: true },
        ],
        participantsAsOf: null,
        activity: { b: false },
        cursors: {},
        fields: { topicsCovered: ['objections'], engagementScore: 7, discussionNotes: '<script>x</script>' },
        updatedBy: { id: 'a', name: 'Ann' },
        updatedAt: '2026-11-22T10:00:00Z',
      },
    };
    applySnapshot({ version: 1, sections: [], state });
    const { container } = render(Team);
    const rows = screen.getAllByTestId('presence-row');
    expect(rows.map((r) => [r.dataset.userId, r.dataset.status])).toEqual([['a', 'online'], ['b', 'away']]);
    expect(rows[0]!.textContent).toContain('1500');
    expect(screen.getByTestId('online-count').textContent).toBe('2');
    expect(screen.getByTestId('away-count').textContent).toBe('1');
    const card = screen.getByTestId('session-card');
    const people = screen.getAllByTestId('session-person');
    expect(people.map((p) => [p.dataset.userId, p.dataset.presence])).toEqual([
      ['a', 'active'],
      ['b', 'idle'],
      ['c', 'absent'],
    ]);
    expect(people[0]!.textContent).toContain('instructor');
    expect(people[1]!.textContent).toContain('idle');
    expect(people[2]!.textContent).toContain('not in the session');
    expect(card.textContent).toContain('objections');
    expect(container.querySelector('script')).toBeNull();
    expect(screen.queryByTestId('participants-as-of')).toBeNull();
  });

  it('joins a session the user is not in, leaves one they are in, and says why it failed', async () => {
    const state = emptyState();
    const session = (inIt: boolean) => ({
      members: [{ user: { id: 'u-me', name: 'Me Myself' }, role: 'instructor' as const }],
      participants: inIt ? [{ id: 'u-me', name: 'Me Myself', role: 'instructor' as const, isActive: true }] : [],
      participantsAsOf: null,
      activity: {}, cursors: {}, fields: {}, updatedBy: null, updatedAt: null, lastActivityAt: null,
    });
    state.team.sessions = { out: session(false), in: session(true) };
    applySnapshot({ version: 1, sections: [], state });
    const sent: unknown[] = [];
    let fail = false;
    mockIPC((cmd, args) => {
      if (cmd !== 'send_event') return null;
      if (fail) throw { code: 'NOT_CONNECTED', message: 'the hub is not connected' };
      sent.push(args);
      return null;
    });
    render(Team);
    await fireEvent.click(screen.getByTestId('session-join'));
    await fireEvent.click(screen.getByTestId('session-leave'));
    expect(sent).toEqual([
      { namespace: '/', name: 'join-session', payload: { sessionId: 'out' } },
      { namespace: '/', name: 'leave-session', payload: { sessionId: 'in' } },
    ]);
    fail = true;
    await fireEvent.click(screen.getByTestId('session-join'));
    expect((await screen.findByRole('alert')).textContent).toContain('not connected');
  });

  it('shows a closed session after the open ones, without a join button', () => {
    const state = emptyState();
    const session = (status: 'IN_PROGRESS' | 'COMPLETED', updatedBy: { id: string; name: string } | null) => ({
      members: [], participants: [], participantsAsOf: null, activity: {}, cursors: {},
      fields: { status }, updatedBy, updatedAt: '2026-11-22T10:05:00Z', lastActivityAt: null,
    });
    state.team.sessions = { a: session('COMPLETED', null), b: session('IN_PROGRESS', { id: 'l', name: 'Lea' }) };
    applySnapshot({ version: 1, sections: [], state });
    render(Team);
    const cards = screen.getAllByTestId('session-card');
    expect(cards.map((c) => [c.dataset.sessionId, c.dataset.closed])).toEqual([['b', 'false'], ['a', 'true']]);
    expect(cards[1]!.textContent).toContain('Completed');
    expect(cards[1]!.textContent).toContain('ended');
    expect(cards[1]!.textContent).toContain('(idle)');
    expect(cards[0]!.textContent).toContain('In progress');
    expect(screen.getAllByTestId('session-join')).toHaveLength(1);
  });

  it('says since when a list is not heard live', () => {
    const state = emptyState();
    const asOf = '2026-11-22T10:05:00Z';
    state.team.sessions = {
      s1: {
        members: [], participants: [{ id: 'b', name: 'Bob', role: 'learner', isActive: true }],
        participantsAsOf: asOf, activity: {}, cursors: {}, fields: {},
        updatedBy: null, updatedAt: null, lastActivityAt: null,
      },
    };
    applySnapshot({ version: 1, sections: [], state });
    render(Team);
    expect(screen.getByTestId('participants-as-of').textContent).toContain(shortTime(asOf));
    expect(screen.getAllByTestId('session-person').map((p) => p.dataset.userId)).toEqual(['b']);
  });
});
