// Celebrations (achievements, level-ups, big rank jumps) shown briefly in the main window.
import { listen } from '@tauri-apps/api/event';
import type { Celebration } from '../state/types';

/** How long a toast stays. */
export const TOAST_MS = 6000;
/** At most this many at once (a burst keeps the newest). */
export const MAX_TOASTS = 3;

export const toasts = $state<{ list: (Celebration & { key: number })[] }>({ list: [] });
let next = 0;

export function showCelebration(c: Celebration): void {
  const key = next++;
  toasts.list = [...toasts.list, { ...c, key }].slice(-MAX_TOASTS);
  setTimeout(() => dismiss(key), TOAST_MS);
}

export function dismiss(key: number): void {
  toasts.list = toasts.list.filter((t) => t.key !== key);
}

export function startCelebrationSync(): Promise<() => void> {
  return listen<Celebration>('celebration', (event) => showCelebration(event.payload));
}
