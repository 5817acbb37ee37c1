// The app's settings as the shell keeps them: `settings` once, then the `settings` event (the
// tray's do-not-disturb toggle changes them too).
import { listen } from '@tauri-apps/api/event';
import { call } from '../ipc/invoke';
import type { Settings } from '../state/types';

export const settingsStore = $state<{ current: Settings | null }>({ current: null });

export function setSettings(settings: Settings): void {
  settingsStore.current = settings;
}

export async function startSettingsSync(): Promise<() => void> {
  const unlisten = await listen<Settings>('settings', (event) => setSettings(event.payload));
  setSettings(await call<Settings>('settings'));
  return unlisten;
}

/**
 * Saves `settings`, showing them at once (so a second change made before the answer builds on
 * the first); on failure the shell's current settings come back.
 */
export async function saveSettings(settings: Settings): Promise<void> {
  setSettings(settings);
  try {
    setSettings(await call<Settings>('set_settings', { settings }));
  } catch (err) {
    await call<Settings>('settings').then(setSettings, () => {});
    throw err;
  }
}

export async function setDoNotDisturb(on: boolean): Promise<void> {
  setSettings(await call<Settings>('set_do_not_disturb', { on }));
}

/** "22:00:00" (chrono's NaiveTime) → "22:00" for a time input; and back. */
export const toInputTime = (t: string | null | undefined) => (t ? t.slice(0, 5) : '');
export const fromInputTime = (t: string) => (t.length === 5 ? `${t}:00` : t);
