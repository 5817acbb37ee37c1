// The night schedule: between `nightStart` and `nightEnd` (local wall-clock times "HH:MM",
// the window may cross midnight) the screen dims or blanks. Pure; the time is an input.
import type { TvSettings } from './types';

export type NightState = 'day' | 'dim' | 'blank';

/** Minutes after midnight for "HH:MM", or `null` when it is not a valid time. */
export function parseClock(value: string | null): number | null {
  if (value === null) return null;
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
}

/**
 * Whether `now` (local time) falls in the night window. The start is inclusive and the end
 * exclusive; a missing or invalid bound, or start equal to end, means no night.
 */
export function nightState(now: Date, settings: Pick<TvSettings, 'nightStart' | 'nightEnd' | 'nightMode'>): NightState {
  const start = parseClock(settings.nightStart);
  const end = parseClock(settings.nightEnd);
  if (start === null || end === null || start === end) return 'day';
  const minute = now.getHours() * 60 + now.getMinutes();
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return 'day';
  return settings.nightMode === 'blank' ? 'blank' : 'dim';
}
