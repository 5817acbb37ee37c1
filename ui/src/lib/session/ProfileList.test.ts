import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { profile, sessionWith } from './fixtures';
import ProfileList from './ProfileList.svelte';
import { sessionInfo, setSession } from './session.svelte';
import type { SessionInfo } from '../state/types';

const ann = profile('p1');
const bob = profile('p2', { name: 'bob @ other', username: 'bob', signedIn: false });
const wall = profile('d1', { name: 'display @ hub', username: 'display', kind: 'display', signedIn: false });
const profiles = [ann, bob, wall];

let calls: { cmd: string; args: unknown }[];

/** The shell: no token for p2 or d1 (the current session stays, `needsPassword` names it). */
function mockShell() {
  calls = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd !== 'switch_profile') return null;
    const { id, password } = args as { id: string; password: string | null };
    if (password === null) {
      return sessionWith('p1', {
        profiles,
        needsPassword: id,
        error: { code: 'NOT_SIGNED_IN', message: 'no token stored for this profile' },
      });
    }
    if (password === 'wrong') throw { code: 'SIGN_IN_REFUSED', message: 'wrong username or password' };
    return sessionWith(id, { profiles });
  });
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const item = (id: string) => document.querySelector(`[data-testid="profile-item"][data-profile-id="${id}"]`)!;
const switchButton = (id: string) => item(id).querySelector<HTMLButtonElement>('[data-testid="profile-switch"]')!;

beforeEach(() => {
  setSession(sessionWith('p1', { profiles }) as SessionInfo);
  mockShell();
});
afterEach(() => clearMocks());

describe('ProfileList', () => {
  it('tags display profiles', () => {
    render(ProfileList);
    expect(item('d1').querySelector('[data-testid="profile-kind"]')?.textContent).toBe('display');
    expect(item('p2').querySelector('[data-testid="profile-kind"]')).toBeNull();
  });

  it('asks the password when the switch finds no token, then switches with it', async () => {
    render(ProfileList);
    expect(screen.queryByTestId('password-prompt')).toBeNull();
    await fireEvent.click(switchButton('p2'));
    await settle();
    expect(calls.at(-1)?.args).toEqual({ id: 'p2', password: null });
    expect(sessionInfo.activeId).toBe('p1');
    const prompt = await screen.findByTestId('password-prompt');
    expect(prompt.textContent).toContain('password for bob');
    expect(screen.getByText('NOT_SIGNED_IN: no token stored for this profile')).toBeTruthy();

    await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'wrong' } });
    await fireEvent.submit(prompt);
    expect((await screen.findByTestId('signin-error')).textContent).toBe('SIGN_IN_REFUSED: wrong username or password');

    await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'pw' } });
    await fireEvent.submit(prompt);
    await settle();
    expect(calls.at(-1)?.args).toEqual({ id: 'p2', password: 'pw' });
    expect(sessionInfo.activeId).toBe('p2');
    expect(screen.queryByTestId('password-prompt')).toBeNull();
  });

  it('asks a display for its token, and a cancelled prompt comes back on the next switch', async () => {
    render(ProfileList);
    await fireEvent.click(switchButton('d1'));
    await settle();
    expect((await screen.findByTestId('password-prompt')).textContent).toContain('Display token');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('password-prompt')).toBeNull();
    await fireEvent.click(switchButton('d1'));
    await settle();
    expect(await screen.findByTestId('password-prompt')).toBeTruthy();
  });
});
