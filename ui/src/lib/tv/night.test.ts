import { describe, expect, it } from 'vitest';
import { nightState, parseClock } from './night';

const at = (hours: number, minutes = 0) => new Date(2026, 10, 22, hours, minutes);

describe('nightState', () => {
  const overnight = { nightStart: '22:00', nightEnd: '07:00', nightMode: 'dim' as const };

  it('covers a window that crosses midnight, start inclusive, end exclusive', () => {
    expect(nightState(at(21, 59), overnight)).toBe('day');
    expect(nightState(at(22, 0), overnight)).toBe('dim');
    expect(nightState(at(3, 0), overnight)).toBe('dim');
    expect(nightState(at(6, 59), overnight)).toBe('dim');
    expect(nightState(at(7, 0), overnight)).toBe('day');
  });

  it('covers a window within one day', () => {
    const early = { nightStart: '01:30', nightEnd: '05:00', nightMode: 'blank' as const };
    expect(nightState(at(1, 29), early)).toBe('day');
    expect(nightState(at(1, 30), early)).toBe('blank');
    expect(nightState(at(5, 0), early)).toBe('day');
  });

  it('has no night without both bounds, with equal bounds or with invalid times', () => {
    expect(nightState(at(23), { ...overnight, nightEnd: null })).toBe('day');
    expect(nightState(at(23), { ...overnight, nightEnd: '22:00' })).toBe('day');
    expect(nightState(at(23), { ...overnight, nightStart: '25:00' })).toBe('day');
  });

  it('parses HH:MM', () => {
    expect(parseClock('7:05')).toBe(425);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('12:60')).toBeNull();
    expect(parseClock('noon')).toBeNull();
  });
});
