import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { call, CommandError } from './invoke';

afterEach(() => clearMocks());

describe('call', () => {
  it('returns what the command returns', async () => {
    mockIPC((cmd) => (cmd === 'app_info' ? { version: '9.9.9' } : undefined));
    await expect(call<{ version: string }>('app_info')).resolves.toEqual({ version: '9.9.9' });
  });

  it('turns a { code, message } rejection into a CommandError with that code', async () => {
    mockIPC(() => {
      throw { code: 'DATA_DIR_UNAVAILABLE', message: 'no home directory' };
    });
    const err = await call('app_info').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).code).toBe('DATA_DIR_UNAVAILABLE');
    expect((err as CommandError).message).toBe('no home directory');
  });

  it('reports any other failure as IPC_FAILED', async () => {
    mockIPC(() => {
      throw 'command app_info not allowed';
    });
    const err = await call('app_info').catch((e: unknown) => e);
    expect((err as CommandError).code).toBe('IPC_FAILED');
    expect((err as CommandError).message).toContain('not allowed');
  });
});
