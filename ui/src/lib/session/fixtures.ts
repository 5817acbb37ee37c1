// Test data shaped like the shell's `SessionInfo`.
import type { Profile, SessionInfo } from '../state/types';

export function profile(id: string, fields: Partial<Profile> = {}): Profile {
  return {
    id,
    name: `Profile ${id}`,
    server: 'https://hub.example',
    username: 'ann',
    kind: 'user',
    signedIn: true,
    ...fields,
  } as Profile;
}

export function sessionWith(activeId: string | null, fields: Partial<SessionInfo> = {}): SessionInfo {
  return {
    profiles: activeId ? [profile(activeId)] : [],
    activeId,
    demo: false,
    keychain: { state: 'available' },
    needsPassword: null,
    error: null,
    ...fields,
  } as SessionInfo;
}
