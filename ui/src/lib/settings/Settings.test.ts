import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { setSession } from '../session/session.svelte';
import { profile, sessionWith } from '../session/fixtures';
import type { Settings as SettingsType } from '../state/types';
import { defaultSettings } from './fixtures';
import Settings from './Settings.svelte';
import { setSettings, settingsStore } from './settings.svelte';

let saved: SettingsType[];
let calls: { cmd: string; args: unknown }[];

beforeEach(() => {
  saved = [];
  calls = [];
  setSettings(defaultSettings());
  setSession(sessionWith('p1', { profiles: [profile('p1'), profile('p2', { signedIn: false })] }));
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === 'set_settings') {
      const s = (args as { settings: SettingsType }).settings;
      saved.push(s);
      return s;
    }
    if (cmd === 'app_info') return { version: '1.0.0', dataDir: '/tmp/x', protocolEvents: 1 };
    if (cmd === 'switch_profile' || cmd === 'sign_out' || cmd === 'remove_profile') return sessionWith('p2');
    return null;
  });
});
afterEach(() => clearMocks());

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('Settings', () => {
  it('saves an alert category switch at once', async () => {
    render(Settings);
    const rank = screen.getByTestId('settings-alerts-rank') as HTMLInputElement;
    expect(rank.checked).toBe(true);
    await fireEvent.click(rank);
    await flush();
    expect(saved.at(-1)?.alerts.categories).toEqual({ rank: false });
    expect(settingsStore.current?.alerts.categories.rank).toBe(false);
  });

  it('saves quiet hours once both ends are set, with seconds', async () => {
    render(Settings);
    await fireEvent.input(screen.getByTestId('quiet-start'), { target: { value: '22:00' } });
    await fireEvent.change(screen.getByTestId('quiet-start'));
    await flush();
    expect(saved.at(-1)?.alerts.quietHours).toBeNull();
    await fireEvent.input(screen.getByTestId('quiet-end'), { target: { value: '07:00' } });
    await fireEvent.change(screen.getByTestId('quiet-end'));
    await flush();
    expect(saved.at(-1)?.alerts.quietHours).toEqual({ start: '22:00:00', end: '07:00:00' });
  });

  it('saves autostart, idle minutes and TV seconds per board', async () => {
    render(Settings);
    await fireEvent.click(screen.getByTestId('autostart'));
    await flush();
    expect(saved.at(-1)?.autostart).toBe(true);
    await fireEvent.change(screen.getByTestId('idle-away-minutes'), { target: { value: '15' } });
    await flush();
    expect(saved.at(-1)?.idleAwayMinutes).toBe(15);
    await fireEvent.change(screen.getByTestId('tv-seconds-per-board'), { target: { value: '30' } });
    await flush();
    expect(saved.at(-1)?.tv.secondsPerBoard).toBe(30);
  });

  it('lists profiles with switch, sign out and add', async () => {
    render(Settings);
    const items = screen.getAllByTestId('profile-item');
    expect(items.map((i) => i.dataset.profileId)).toEqual(['p1', 'p2']);
    expect(screen.getAllByTestId('profile-switch')).toHaveLength(1);
    await fireEvent.click(screen.getAllByTestId('sign-out')[0]!);
    await flush();
    expect(calls.find((c) => c.cmd === 'sign_out')?.args).toEqual({ id: 'p1' });
    expect(screen.getByTestId('add-profile')).toBeTruthy();
  });

  it('sets the TV exit PIN through set_tv_pin', async () => {
    render(Settings);
    await fireEvent.input(screen.getByLabelText(/Exit PIN/), { target: { value: '1234' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Set PIN' }));
    await flush();
    expect(calls.find((c) => c.cmd === 'set_tv_pin')?.args).toEqual({ pin: '1234' });
    expect(saved.at(-1)?.tv.exitPin).toBe(true);
  });
});

describe('saveSettings', () => {
  it('puts back the shell settings when saving fails', async () => {
    const { saveSettings } = await import('./settings.svelte');
    mockIPC((cmd) => {
      if (cmd === 'set_settings') throw { code: 'STORAGE', message: 'disk full' };
      if (cmd === 'settings') return defaultSettings();
    });
    const changed = defaultSettings();
    changed.autostart = true;
    await expect(saveSettings(changed)).rejects.toMatchObject({ code: 'STORAGE' });
    expect(settingsStore.current?.autostart).toBe(false);
  });
});
