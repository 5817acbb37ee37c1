// The signed-in profiles and the active session, mirrored from the shell: `session` (command)
// once, then the `session` event whenever profiles or the active session change.
import { listen } from '@tauri-apps/api/event';
import { call } from '../ipc/invoke';
import type { DisplaySignInRequest, Profile, SessionInfo, SignInRequest } from '../state/types';

/** The shell's session; `loaded` turns true once the first answer came (no welcome flash). */
export const sessionInfo = $state<SessionInfo & { loaded: boolean }>({
  profiles: [],
  activeId: null,
  demo: false,
  keychain: { state: 'available' },
  needsPassword: null,
  error: null,
  loaded: false,
});

/** Takes the shell's latest answer. */
export function setSession(info: SessionInfo): void {
  Object.assign(sessionInfo, info, { loaded: true });
}

/** The active profile, if it is a stored one (the demo is not). */
export function activeProfile(): Profile | null {
  return sessionInfo.profiles.find((p) => p.id === sessionInfo.activeId) ?? null;
}

/**
 * Whether the active profile is a wall display: read-only (the hub refuses its creates), so
 * the app offers TV mode instead of capture forms.
 */
export function isDisplaySession(): boolean {
  return activeProfile()?.kind === 'display';
}

/** Follows the `session` event, then reads the current session. Returns the unlisten. */
export async function startSessionSync(): Promise<() => void> {
  const unlisten = await listen<SessionInfo>('session', (event) => setSession(event.payload));
  setSession(await call<SessionInfo>('session'));
  return unlisten;
}

// Each action returns the shell's new session and applies it at once (the event follows too).
export const signIn = async (request: SignInRequest) =>
  setSession(await call<SessionInfo>('sign_in', { request }));
export const signInDisplay = async (request: DisplaySignInRequest) =>
  setSession(await call<SessionInfo>('sign_in_display', { request }));
export const startDemo = async () => setSession(await call<SessionInfo>('start_demo'));
export const switchProfile = async (id: string, password: string | null = null) =>
  setSession(await call<SessionInfo>('switch_profile', { id, password }));
export const signOut = async (id: string) => setSession(await call<SessionInfo>('sign_out', { id }));
export const removeProfile = async (id: string) =>
  setSession(await call<SessionInfo>('remove_profile', { id }));
