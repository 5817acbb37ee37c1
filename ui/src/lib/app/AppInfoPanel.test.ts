import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import AppInfoPanel from './AppInfoPanel.svelte';

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('AppInfoPanel', () => {
  it('shows the version and data directory the app_info command returns', async () => {
    mockIPC((cmd) => {
      if (cmd !== 'app_info') throw new Error(`unexpected command ${cmd}`);
      return { version: '1.2.3', dataDir: '/home/lee/.local/share/sideline', protocolEvents: 90 };
    });
    render(AppInfoPanel);
    expect((await screen.findByTestId('app-version')).textContent).toBe('1.2.3');
    expect(screen.getByTestId('data-dir').textContent).toBe('/home/lee/.local/share/sideline');
  });

  it('shows the error code when the command fails', async () => {
    mockIPC(() => {
      throw { code: 'DATA_DIR_UNAVAILABLE', message: 'no home directory' };
    });
    render(AppInfoPanel);
    const alert = await screen.findByTestId('app-info-error');
    expect(alert.textContent).toContain('DATA_DIR_UNAVAILABLE');
  });

  it('renders user-controlled text as text, never as markup', async () => {
    mockIPC(() => ({ version: '<img src=x onerror=alert(1)>', dataDir: '<b>x</b>', protocolEvents: 1 }));
    render(AppInfoPanel);
    const version = await screen.findByTestId('app-version');
    expect(version.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(version.querySelector('img')).toBeNull();
  });
});
