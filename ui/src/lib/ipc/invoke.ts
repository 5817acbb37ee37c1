// The one way the UI calls Rust: every failure becomes a `CommandError` with the `{ code,
// message }` the Rust side sends, so callers branch on `code`, never on message text.
import { invoke } from '@tauri-apps/api/core';
import type { CommandError as CommandErrorPayload, ErrorCode } from './bindings';

export class CommandError extends Error {
  readonly code: ErrorCode | 'IPC_FAILED';

  constructor(code: ErrorCode | 'IPC_FAILED', message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}

function isErrorPayload(value: unknown): value is CommandErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (isErrorPayload(err)) throw new CommandError(err.code, err.message);
    // Not from our commands: the bridge itself failed (command not granted, app shutting down).
    throw new CommandError('IPC_FAILED', err instanceof Error ? err.message : String(err));
  }
}
