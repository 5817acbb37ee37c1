import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { KEPT } from '../protocol';
import { emptyState } from '../state/fixtures';
import { applySnapshot, resetState } from '../state/store.svelte';
import Notifications from './Notifications.svelte';

type Sent = { namespace: string; name: string; payload: unknown };
let sent: Sent[];

beforeEach(() => {
  resetState();
  sent = [];
  mockIPC((cmd, args) => {
    if (cmd === 'send_event') sent.push(args as Sent);
    return null;
  });
  const state = emptyState();
  state.work.notifications = [
    { id: 'n2', userId: 'u-me', type: 'warning', title: 'Heads up', message: '<b>hi</b>', read: false, createdAt: '2026-11-22T10:01:00Z' },
    { id: 'n1', userId: 'u-me', type: 'info', message: 'Old news', read: true, createdAt: '2026-11-22T10:00:00Z' },
  ];
  state.work.unreadCount = 1;
  applySnapshot({ version: 1, sections: [], state });
});
afterEach(() => clearMocks());

describe('Notifications', () => {
  it('lists notifications with their read state and the unread count', () => {
    const { container } = render(Notifications);
    const items = screen.getAllByTestId('notification-item');
    expect(items.map((i) => [i.dataset.id, i.dataset.read])).toEqual([['n2', 'false'], ['n1', 'true']]);
    expect(screen.getByTestId('unread-count').textContent).toBe('1');
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getAllByTestId('mark-read')).toHaveLength(1);
  });

  it('says when it lists only the newest, as many as the engine keeps', () => {
    const { unmount } = render(Notifications);
    expect(screen.queryByTestId('older-notifications')).toBeNull();
    unmount();
    const state = emptyState();
    state.work.notifications = Array.from({ length: KEPT.NOTIFICATIONS }, (_, i) => ({
      id: `n${i}`, userId: 'u-me', type: 'info', message: 'm', read: true, createdAt: '2026-11-22T10:00:00Z',
    }));
    applySnapshot({ version: 2, sections: [], state });
    render(Notifications);
    expect(screen.getByTestId('older-notifications').textContent).toContain(`newest ${KEPT.NOTIFICATIONS}`);
  });

  it('reads older notifications from the hub below the list, as text, without read state', async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== 'notification_history') throw new Error(`unexpected command ${cmd}`);
      asked.push(args);
      return {
        entries: [
          { id: 'old1', userId: 'u-me', type: 'info', message: 'first', read: false, createdAt: '2026-10-01T09:00:00Z' },
          { id: 'old2', userId: 'u-me', type: 'error', title: '<img src=x onerror=alert(1)>', message: 'second', read: true, createdAt: '2026-10-02T09:00:00Z' },
        ],
        more: false,
      };
    });
    // The newest first, as the engine keeps them: the last is the oldest it keeps.
    const state = emptyState();
    state.work.notifications = Array.from({ length: KEPT.NOTIFICATIONS }, (_, i) => ({
      id: `n${KEPT.NOTIFICATIONS - i}`, userId: 'u-me', type: 'info', message: 'm', read: true, createdAt: '2026-11-22T10:00:00Z',
    }));
    applySnapshot({ version: 2, sections: [], state });
    const { container } = render(Notifications);
    await fireEvent.click(screen.getByTestId('show-history'));
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([{ before: 'n1' }]);
    const older = screen.getAllByTestId('history-notification');
    expect(older.map((i) => i.dataset.id)).toEqual(['old2', 'old1']);
    expect(older[0]!.querySelector('strong')?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(container.querySelector('img')).toBeNull();
    // The live list's unread count and "Mark all read" are the ones that count.
    expect(older.some((i) => i.classList.contains('unread') || i.querySelector('[data-testid=mark-read]'))).toBe(false);

    // Cleared (here or on another device): nothing is older any more, the panel goes.
    state.work.notifications = [];
    applySnapshot({ version: 3, sections: [], state });
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId('history')).toBeNull();
    expect(screen.queryByTestId('show-history')).toBeNull();
  });

  it('marks one read, all read, and clears, through send_event', async () => {
    render(Notifications);
    await fireEvent.click(screen.getByTestId('mark-read'));
    await fireEvent.click(screen.getByTestId('mark-all-read'));
    await fireEvent.click(screen.getByTestId('clear-notifications'));
    expect(sent).toEqual([
      { namespace: '/', name: 'notification:read', payload: { notificationId: 'n2' } },
      { namespace: '/', name: 'notification:read-all', payload: null },
      { namespace: '/', name: 'notification:clear', payload: null },
    ]);
  });
});
