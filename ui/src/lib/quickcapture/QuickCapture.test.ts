import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emptyState } from '../state/fixtures';
import { resetState } from '../state/store.svelte';
import QuickCapture from './QuickCapture.svelte';
import { profile, sessionWith } from '../session/fixtures';
import { setSession } from '../session/session.svelte';

let calls: { cmd: string; args: unknown }[];

beforeEach(() => {
  resetState();
  setSession(sessionWith(null));
  calls = [];
  const state = emptyState();
  state.team.presence = { 'u-agent': { userName: 'Alex', status: 'online', changedAt: null } };
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === 'app_state') return { version: 1, sections: [], state };
      if (cmd === 'capture_note') return 'c-1';
      return null;
    },
    { shouldMockEvents: true },
  );
});
afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe('QuickCapture', () => {
  it('saves on Enter, says so, then closes its window', async () => {
    render(QuickCapture);
    expect(screen.getByTestId('quick-capture')).toBeTruthy();
    await vi.waitFor(() => expect(screen.getByRole('option', { name: 'Alex' })).toBeTruthy());
    const input = screen.getByTestId('note-input');
    await fireEvent.input(input, { target: { value: 'Offline note' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(await screen.findByText('Saved — will sync.')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'capture_note')?.args).toMatchObject({
      note: { agentId: 'u-agent', content: 'Offline note' },
    });
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === 'close_window')).toBe(true), { timeout: 3000 });
  });

  it('Shift+Enter does not save; Esc closes', async () => {
    render(QuickCapture);
    const input = screen.getByTestId('note-input');
    await fireEvent.input(input, { target: { value: 'two\nlines' } });
    await fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(calls.some((c) => c.cmd === 'capture_note')).toBe(false);
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(calls.some((c) => c.cmd === 'close_window')).toBe(true);
  });

  it('has no form on a wall display (the hub would refuse the note)', async () => {
    clearMocks();
    mockIPC(
      (cmd) => {
        if (cmd === 'session') return sessionWith('d1', { profiles: [profile('d1', { kind: 'display' })] });
        if (cmd === 'app_state') return { version: 1, sections: [], state: emptyState() };
        return null;
      },
      { shouldMockEvents: true },
    );
    render(QuickCapture);
    expect(await screen.findByTestId('read-only-notice')).toBeTruthy();
    expect(screen.queryByTestId('note-form')).toBeNull();
  });
});
