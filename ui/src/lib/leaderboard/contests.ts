// The leaderboard view's contest cards, as pure functions of the contests and the time.
import { entriesOf } from '../state/store.svelte';
import type { Contest } from '../state/types';

export interface ContestCard {
  id: string;
  /** The hub's name, or `Contest <id>` until an event carried one. */
  name: string;
  contest: Contest;
  /** Milliseconds left while it runs and its end is known; `null` otherwise. */
  remainingMs: number | null;
  /** Ended (`contest:ended`), or its end time has passed. */
  ended: boolean;
}

/** Running contests first (soonest end first, open-ended after), then ended ones (latest first). */
export function contestCards(contests: { [key in string]?: Contest }, now: number): ContestCard[] {
  return entriesOf(contests)
    .map(([id, contest]) => {
      const ends = contest.endsAt ? Date.parse(contest.endsAt) : NaN;
      const known = Number.isFinite(ends);
      const ended = contest.endedAt !== null || (known && ends <= now);
      const sortKey = ended
        ? -(Date.parse(contest.endedAt ?? contest.endsAt ?? '') || 0)
        : known ? ends : Number.POSITIVE_INFINITY;
      const card: ContestCard = {
        id,
        name: contest.name?.trim() || `Contest ${id}`,
        contest,
        remainingMs: !ended && known ? ends - now : null,
        ended,
      };
      return { card, sortKey };
    })
    .sort(
      (a, b) =>
        Number(a.card.ended) - Number(b.card.ended) ||
        (a.sortKey === b.sortKey ? 0 : a.sortKey < b.sortKey ? -1 : 1) ||
        a.card.id.localeCompare(b.card.id),
    )
    .map(({ card }) => card);
}

/**
 * Time left as a ticking clock: `2 d 04:05:06`, `04:05:06`, `05:06` (whole seconds, never
 * negative).
 */
export function timeLeft(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock =
    days > 0 || hours > 0 ? `${two(hours)}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}
