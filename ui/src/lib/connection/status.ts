// How a connection status reads in the status bar. Kept apart from the component so the
// wording and the countdown are tested without a DOM.
import type { ConnectionStatus } from '../ipc/bindings';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'bad';

export interface StatusView {
  label: string;
  tone: StatusTone;
}

export function describeStatus(status: ConnectionStatus, now: Date): StatusView {
  switch (status.state) {
    case 'live':
      return { label: 'Live', tone: 'ok' };
    case 'connecting':
      return { label: 'Connecting…', tone: 'busy' };
    case 'retrying': {
      const seconds = Math.max(0, Math.ceil((Date.parse(status.nextTryAt) - now.getTime()) / 1000));
      return { label: `Retrying in ${seconds} s`, tone: 'warn' };
    }
    case 'offline':
      return { label: 'Offline', tone: 'bad' };
    case 'signInNeeded':
      return { label: 'Sign-in needed', tone: 'bad' };
  }
}
