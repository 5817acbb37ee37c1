import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { sessionInfo, signIn, startSessionSync } from './session.svelte';
import { sessionWith } from './fixtures';

afterEach(() => clearMocks());

describe('session store', () => {
  it('loads the session, then follows the session event', async () => {
    mockIPC((cmd) => (cmd === 'session' ? sessionWith(null) : undefined), { shouldMockEvents: true });
    const unlisten = await startSessionSync();
    expect(sessionInfo.loaded).toBe(true);
    expect(sessionInfo.activeId).toBeNull();
    await emit('session', sessionWith('p1'));
    expect(sessionInfo.activeId).toBe('p1');
    unlisten();
  });

  it('sends sign_in with the request and takes the answer', async () => {
    let args: unknown;
    mockIPC((cmd, payload) => {
      if (cmd === 'sign_in') {
        args = payload;
        return sessionWith('p2');
      }
    });
    await signIn({ server: 'https://hub.example', username: 'ann', password: 'pw' });
    expect(args).toEqual({ request: { server: 'https://hub.example', username: 'ann', password: 'pw' } });
    expect(sessionInfo.activeId).toBe('p2');
  });
});
