// The status bar's words for a connection status (the E2E tests read them exactly).
import type { ConnectionStatus } from '../ipc/bindings';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'bad';

/** Whole seconds until `nextTryAt`, rounded up, never below zero. */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}

export function statusText(status: ConnectionStatus | null | undefined, now: number): string {
  switch (status?.state) {
    case 'live':
      return 'live';
    case 'retrying':
      return `retrying in ${secondsUntil(status.nextTryAt, now)} s`;
    case 'offline':
      return 'offline';
    case 'signInNeeded':
      return 'sign-in needed';
    default:
      return 'connecting';
  }
}

export function statusTone(status: ConnectionStatus | null | undefined): StatusTone {
  switch (status?.state) {
    case 'live':
      return 'ok';
    case 'retrying':
      return 'warn';
    case 'offline':
    case 'signInNeeded':
      return 'bad';
    default:
      return 'busy';
  }
}
