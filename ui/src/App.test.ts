import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { defaultSettings } from './lib/settings/fixtures';
import { profile, sessionWith } from './lib/session/fixtures';
import { sessionInfo, setSession } from './lib/session/session.svelte';
import type { SessionInfo } from './lib/state/types';
import { emptyState } from './lib/state/fixtures';
import { navigate } from './lib/shell/nav.svelte';

afterEach(() => {
  clearMocks();
  navigate('leaderboard');
  // The next test starts from "not loaded yet", as a fresh window does.
  setSession(sessionWith(null));
  sessionInfo.loaded = false;
});

let calls: string[] = [];

function mockShell(activeId: string | null, session: SessionInfo = sessionWith(activeId)) {
  calls = [];
  mockIPC(
    (cmd) => {
      calls.push(cmd);
      switch (cmd) {
        case 'session':
          return session;
        case 'settings':
          return defaultSettings();
        case 'app_state':
          return { version: 1, sections: [], state: emptyState() };
        case 'start_demo':
          return sessionWith('demo', { demo: true });
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
}

describe('App', () => {
  it('shows the welcome screen without an active profile, the views once one is active', async () => {
    mockShell(null);
    render(App);
    expect(await screen.findByTestId('welcome')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('explore-demo'));
    expect(await screen.findByTestId('view-leaderboard')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('connection-status').textContent).toBe('live'));
  });

  it('switches views from the navigation and on navigate events', async () => {
    mockShell('p1');
    render(App);
    await screen.findByTestId('view-leaderboard');
    await fireEvent.click(screen.getByTestId('nav-team'));
    expect(screen.getByTestId('view-team')).toBeTruthy();
    await emit('navigate', { view: 'notifications', id: null });
    expect(await screen.findByTestId('view-notifications')).toBeTruthy();
    await emit('navigate', { view: 'nonsense', id: null });
    expect(screen.getByTestId('view-notifications')).toBeTruthy();
    for (const view of ['analysis', 'notes', 'activity', 'settings']) {
      await fireEvent.click(screen.getByTestId(`nav-${view}`));
      expect(screen.getByTestId(`view-${view}`)).toBeTruthy();
    }
  });

  it('goes back to the welcome screen when the session event says signed out', async () => {
    mockShell('p1');
    render(App);
    await screen.findByTestId('view-leaderboard');
    await emit('session', sessionWith(null));
    expect(await screen.findByTestId('welcome')).toBeTruthy();
  });

  it('offers TV mode and no capture forms when the active profile is a wall display', async () => {
    const wall = profile('d1', { kind: 'display', username: 'display', server: 'https://hub.example' });
    mockShell('d1', sessionWith('d1', { profiles: [wall] }));
    render(App);
    await screen.findByTestId('view-leaderboard');
    expect(screen.getByTestId('display-mode').textContent).toContain('https://hub.example');
    await fireEvent.click(screen.getByTestId('open-tv'));
    expect(calls).toContain('open_tv');
    await fireEvent.click(screen.getByTestId('nav-notes'));
    expect(screen.getByTestId('view-notes')).toBeTruthy();
    expect(screen.queryByTestId('note-form')).toBeNull();
    expect(screen.queryByTestId('action-form')).toBeNull();
    expect(screen.getByTestId('read-only-notice')).toBeTruthy();
  });

  it('warns in the main window when there is no keychain while signed in', async () => {
    mockShell('p1', sessionWith('p1', { keychain: { state: 'unavailable', message: 'no Secret Service' } }));
    render(App);
    await screen.findByTestId('view-leaderboard');
    const warning = screen.getByTestId('keychain-warning');
    expect(warning.textContent).toContain('No system keychain: your sign-in is kept in memory only');
    expect(warning.textContent).toContain("you'll be asked for your password next launch");
    expect(warning.textContent).toContain('no Secret Service');
    await emit('session', sessionWith('p1'));
    await waitFor(() => expect(screen.queryByTestId('keychain-warning')).toBeNull());
  });

  it('shows no keychain warning in the main window when the keychain works', async () => {
    mockShell('p1');
    render(App);
    await screen.findByTestId('view-leaderboard');
    expect(screen.queryByTestId('keychain-warning')).toBeNull();
  });

  it('keeps the capture forms for a user profile', async () => {
    mockShell('p1');
    render(App);
    await screen.findByTestId('view-leaderboard');
    expect(screen.queryByTestId('display-mode')).toBeNull();
    await fireEvent.click(screen.getByTestId('nav-notes'));
    expect(screen.getByTestId('note-form')).toBeTruthy();
    expect(screen.getByTestId('action-form')).toBeTruthy();
  });
});
