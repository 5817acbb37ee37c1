import { describe, expect, it } from 'vitest';
import { describeStatus } from './status';

const now = new Date('2026-11-22T10:00:00Z');

describe('describeStatus', () => {
  it('names each state', () => {
    expect(describeStatus({ state: 'live' }, now)).toEqual({ label: 'Live', tone: 'ok' });
    expect(describeStatus({ state: 'offline' }, now).label).toBe('Offline');
    expect(describeStatus({ state: 'signInNeeded' }, now).label).toBe('Sign-in needed');
    expect(describeStatus({ state: 'connecting' }, now).tone).toBe('busy');
  });

  it('counts down to the next retry, rounding up and never below zero', () => {
    const retry = (at: string) =>
      describeStatus({ state: 'retrying', attempt: 3, nextTryAt: at }, now).label;
    expect(retry('2026-11-22T10:00:02.100Z')).toBe('Retrying in 3 s');
    expect(retry('2026-11-22T09:59:59Z')).toBe('Retrying in 0 s');
  });
});
