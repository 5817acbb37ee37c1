// Small display helpers shared by the views.
import { CommandError } from '../ipc/invoke';

/** "code: message", how every command failure is shown. */
export function errorText(err: unknown): string {
  if (err instanceof CommandError) return `${err.code}: ${err.message}`;
  if (err && typeof err === 'object' && 'code' in err && 'message' in err)
    return `${String(err.code)}: ${String(err.message)}`;
  return `INTERNAL: ${err instanceof Error ? err.message : String(err)}`;
}

/** A short local time ("14:05") or date and time when not today. */
export function shortTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === now.toDateString()
    ? time
    : `${at.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** "2 min", "1 h 5 min", "45 s": a duration for ETAs and time left. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** Numbers as the boards show them (1,234.5). */
export function score(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
}
