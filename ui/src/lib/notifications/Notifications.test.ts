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
