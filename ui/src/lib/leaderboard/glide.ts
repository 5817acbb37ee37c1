// Rows glide to their new place when a list reorders (the FLIP technique), drawn frame by
// frame with `requestAnimationFrame` and an inline `transform`.
//
// Why not Svelte's `animate:flip`: it runs each move as a Web Animation, and a busy
// leaderboard re-sorts several times a second, cancelling the moves still running. WebKitGTK
// keeps every cancelled Web Animation: the demo's web process grew by about 0.5 MiB a second
// on the leaderboard, without bound (`docs/benchmarks.md`). Here a move is a number per row,
// and an interrupted move continues from where the row is on screen.
import type { Attachment } from 'svelte/attachments';
import { cubicOut } from 'svelte/easing';

/** A row on its way: how far from its place it started and is drawn now, and since when. */
interface Move {
  from: number;
  shown: number;
  /** The first frame's timestamp (`null` until it is drawn). */
  start: number | null;
}

/**
 * Makes the list's children glide over `durationMs` when their order changes (none when
 * `durationMs` is 0, for reduced motion).
 */
export function glide(durationMs: number): Attachment<HTMLElement> {
  return (list) => {
    if (durationMs <= 0) return;
    // Where each row's place is in the list (without its move), as of the last reorder.
    const places = new WeakMap<Element, number>();
    const moving = new Map<HTMLElement, Move>();
    let frame: number | null = null;

    const show = (row: HTMLElement, move: Move, offset: number) => {
      move.shown = offset;
      row.style.transform = offset === 0 ? '' : `translateY(${offset}px)`;
    };

    const draw = (now: number) => {
      frame = null;
      for (const [row, move] of moving) {
        move.start ??= now;
        const t = Math.min(1, (now - move.start) / durationMs);
        show(row, move, move.from * (1 - cubicOut(t)));
        if (t === 1) moving.delete(row);
      }
      if (moving.size > 0) frame = requestAnimationFrame(draw);
    };

    const rows = () => [...list.children].filter((c): c is HTMLElement => c instanceof HTMLElement);

    // The row's place in the list: where it is drawn, less the move it is drawn with.
    const placeOf = (row: HTMLElement, listTop: number) =>
      row.getBoundingClientRect().top - listTop - (moving.get(row)?.shown ?? 0);

    const reordered = () => {
      const listTop = list.getBoundingClientRect().top;
      for (const row of rows()) {
        const place = placeOf(row, listTop);
        const before = places.get(row);
        places.set(row, place);
        if (before === undefined || before === place) continue;
        // Start from where the row is drawn now: its old place plus any move under way.
        const from = before + (moving.get(row)?.shown ?? 0) - place;
        const move: Move = { from, shown: 0, start: null };
        moving.set(row, move);
        show(row, move, from);
      }
      if (moving.size > 0 && frame === null) frame = requestAnimationFrame(draw);
    };

    const listTop = list.getBoundingClientRect().top;
    for (const row of rows()) places.set(row, placeOf(row, listTop));
    const observer = new MutationObserver(reordered);
    observer.observe(list, { childList: true });
    return () => {
      observer.disconnect();
      if (frame !== null) cancelAnimationFrame(frame);
    };
  };
}
