// Notification actions: each is a client event the engine sends to the hub; the hub's answer
// (`notification:read`, `notification:cleared`) updates the state for every window. And
// `notificationHistory`, which reads the older ones the engine does not keep.
import { call } from '../ipc/invoke';
import type { NoPayload, Notification, NotificationRead } from '../protocol';
import type { HistoryPage } from '../state/types';

const send = (name: string, payload: unknown) => call('send_event', { namespace: '/', name, payload });

export function markRead(notificationId: string): Promise<unknown> {
  const payload: NotificationRead = { notificationId };
  return send('notification:read', payload);
}

export function markAllRead(): Promise<unknown> {
  const payload: NoPayload = null;
  return send('notification:read-all', payload);
}

export function clearNotifications(): Promise<unknown> {
  const payload: NoPayload = null;
  return send('notification:clear', payload);
}

/**
 * One page of the user's notifications from the hub, oldest first: the newest when `before` is
 * null, else those older than the notification with that id. The engine keeps only the newest
 * (`KEPT`); this is how the rest is read.
 */
export function notificationHistory(before: string | null): Promise<HistoryPage<Notification>> {
  return call<HistoryPage<Notification>>('notification_history', { before });
}
