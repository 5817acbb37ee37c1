import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { profile, sessionWith } from './fixtures';
import { sessionInfo, setSession } from './session.svelte';
import Welcome from './Welcome.svelte';

beforeEach(() => setSession(sessionWith(null)));
afterEach(() => clearMocks());

async function fillAndSubmit() {
  await fireEvent.input(screen.getByTestId('signin-server'), { target: { value: 'https://hub.example' } });
  await fireEvent.input(screen.getByTestId('signin-username'), { target: { value: 'ann' } });
  await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'secret' } });
  await fireEvent.submit(screen.getByTestId('signin-submit').closest('form')!);
}

describe('Welcome', () => {
  it('signs in and takes the new session', async () => {
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'sign_in') {
        sent = args;
        return sessionWith('p1');
      }
    });
    render(Welcome);
    expect(screen.getByTestId('welcome')).toBeTruthy();
    expect(screen.queryByTestId('keychain-warning')).toBeNull();
    await fillAndSubmit();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual({ request: { server: 'https://hub.example', username: 'ann', password: 'secret' } });
    expect(sessionInfo.activeId).toBe('p1');
  });

  it('shows a refusal as code: message', async () => {
    mockIPC(() => {
      throw { code: 'SIGN_IN_REFUSED', message: 'wrong username or password' };
    });
    render(Welcome);
    await fillAndSubmit();
    expect((await screen.findByTestId('signin-error')).textContent).toBe(
      'SIGN_IN_REFUSED: wrong username or password',
    );
  });

  it('explains a missing keychain', () => {
    setSession(sessionWith(null, { keychain: { state: 'unavailable', message: 'no Secret Service' } }));
    render(Welcome);
    expect(screen.getByTestId('keychain-warning').textContent).toContain('ask for your password each time');
  });

  it('starts the demo', async () => {
    mockIPC((cmd) => (cmd === 'start_demo' ? sessionWith('demo', { demo: true }) : undefined));
    render(Welcome);
    await fireEvent.click(screen.getByTestId('explore-demo'));
    await new Promise((r) => setTimeout(r, 0));
    expect(sessionInfo.demo).toBe(true);
  });

  it('asks the password of a profile whose token could not be read', async () => {
    setSession(sessionWith(null, { profiles: [profile('p9', { signedIn: false })], needsPassword: 'p9' }));
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'switch_profile') {
        sent = args;
        return sessionWith('p9');
      }
    });
    render(Welcome);
    expect(screen.getByTestId('password-prompt')).toBeTruthy();
    await fireEvent.input(screen.getByTestId('signin-password'), { target: { value: 'pw' } });
    await fireEvent.click(screen.getByTestId('signin-submit'));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual({ id: 'p9', password: 'pw' });
  });

  it('sets up a wall display with a display token', async () => {
    let sent: unknown;
    mockIPC((cmd, args) => {
      if (cmd === 'sign_in_display') {
        sent = args;
        return sessionWith('d1', { profiles: [profile('d1', { kind: 'display', username: 'display' })] });
      }
    });
    render(Welcome);
    await fireEvent.input(screen.getByTestId('display-server'), { target: { value: ' https://hub.example ' } });
    await fireEvent.input(screen.getByTestId('display-token'), { target: { value: 'dt-123' } });
    await fireEvent.click(screen.getByTestId('display-submit'));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual({ request: { server: 'https://hub.example', token: 'dt-123' } });
    expect(sessionInfo.activeId).toBe('d1');
    expect(screen.queryByTestId('display-error')).toBeNull();
  });

  it('shows a refused display token as code: message', async () => {
    mockIPC(() => {
      throw { code: 'SIGN_IN_REFUSED', message: 'unknown display token' };
    });
    render(Welcome);
    await fireEvent.input(screen.getByTestId('display-server'), { target: { value: 'https://hub.example' } });
    await fireEvent.input(screen.getByTestId('display-token'), { target: { value: 'nope' } });
    await fireEvent.click(screen.getByTestId('display-submit'));
    expect((await screen.findByTestId('display-error')).textContent).toBe('SIGN_IN_REFUSED: unknown display token');
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  it('tags display profiles and asks a display for a new token', () => {
    setSession(
      sessionWith(null, {
        profiles: [profile('p1'), profile('d1', { kind: 'display', username: 'display', signedIn: false })],
        needsPassword: 'd1',
      }),
    );
    render(Welcome);
    const tags = screen.getAllByTestId('profile-kind');
    expect(tags).toHaveLength(1);
    expect(tags[0]!.closest('[data-testid="profile-item"]')!.getAttribute('data-profile-id')).toBe('d1');
    expect(screen.getByTestId('password-prompt').textContent).toContain('Display token');
  });
});
