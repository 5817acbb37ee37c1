// Notification actions: each is a client event the engine sends to the hub; the hub's answer
// (`notification:read`, `notification:cleared`) updates the state for every window.
import { call } from '../ipc/invoke';
import type { NoPayload, NotificationRead } from '../protocol';

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
