// The app's state as the Rust engine holds it, mirrored: one full snapshot (`app_state`), then
// `state` patches that carry whole sections. Views read `appState.current` and re-render only
// the sections a patch replaced (each section is assigned on its own, so the fine-grained
// reactivity of `$state` keeps the others untouched).
import { listen, type EventTarget } from '@tauri-apps/api/event';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { call } from '../ipc/invoke';
import type { StateFeed } from '../ipc/bindings';
import type { AppState, StatePatch, StateUpdate } from './types';

class AppStateStore {
  /** The mirrored state; `null` until the first snapshot arrives. */
  current = $state<AppState | null>(null);
  /** The engine's version of `current` (patches at or below it are stale). */
  version = $state(0);
}

export const appState = new AppStateStore();

type Part = 'me' | 'connection' | 'lastEventIds' | 'leaderboard' | 'training' | 'team' | 'work';

/** Which state fields a section's change carries (the contract's table). */
function partsOf(patch: StatePatch): Set<Part> {
  const parts = new Set<Part>();
  for (const section of patch.sections) {
    switch (section) {
      case 'session':
        parts.add('me').add('connection').add('lastEventIds');
        break;
      case 'leaderboard':
        parts.add('leaderboard');
        break;
      case 'training':
        parts.add('training');
        break;
      case 'team':
        parts.add('team');
        break;
      case 'analyses':
      case 'notes':
      case 'notifications':
        parts.add('work');
        break;
    }
  }
  return parts;
}

/**
 * The state after `patch`: every part the patch's sections name and the patch carries replaces
 * the held one; the rest is kept as is (same object). Pure.
 */
export function mergePatch(state: AppState, patch: StatePatch): AppState {
  const next = { ...state };
  const carried = patch as Partial<Record<Part, unknown>>;
  for (const part of partsOf(patch)) {
    const value = carried[part];
    // `me` and `connection` may legitimately become null (signed out, engine stopped); the
    // other parts are objects, so a null there means "not carried".
    if (value === undefined) continue;
    if (value === null && part !== 'me' && part !== 'connection') continue;
    (next as Record<Part, unknown>)[part] = value;
  }
  return next;
}

/**
 * Applies one `state` patch to `appState`: ignored when its version is not newer than the
 * held one, or before the first snapshot (the snapshot will include it). A gap in versions is
 * fine: patches carry whole sections.
 */
export function applyPatch(patch: StatePatch): void {
  const current = appState.current;
  if (current === null || patch.version <= appState.version) return;
  const carried = patch as Partial<Record<Part, unknown>>;
  // Assign part by part so readers of untouched parts are not re-run.
  const merged = mergePatch(current, patch);
  for (const part of partsOf(patch)) {
    if (carried[part] === undefined) continue;
    if (merged[part] !== current[part]) (current as Record<Part, unknown>)[part] = merged[part];
  }
  appState.version = patch.version;
}

/** Replaces the held state with a full snapshot (unless a newer one is held). */
export function applySnapshot(update: StateUpdate): void {
  if (appState.current !== null && update.version < appState.version) return;
  appState.current = update.state;
  appState.version = update.version;
}

/** How often this window wants `state` patches (see src-tauri/feeds.rs). */
export interface FeedOptions {
  /** At least this long between two patches (0: every publication, up to 30 a second). */
  minIntervalMs: number;
}

/**
 * Keeps `appState` in sync: listens to `state` first, then asks for the snapshot, so no patch
 * falls between the two; patches that arrive before the snapshot are applied after it when
 * newer. With `feed`, also tells the engine's forwarder this window's pace, and pauses the feed
 * while the window is hidden (a hidden window re-rendering 30 patches a second is wasted work);
 * on showing again the forwarder sends every section at once. Returns the stop function.
 */
export async function startStateSync(feed?: FeedOptions): Promise<() => void> {
  let early: StatePatch[] | null = [];
  const unlisten = await listen<StatePatch>(
    'state',
    (event) => {
      if (early) early.push(event.payload);
      else applyPatch(event.payload);
    },
    { target: thisWindow() },
  );
  const stopFeed = feed ? followVisibility(feed) : () => undefined;
  try {
    applySnapshot(await call<StateUpdate>('app_state'));
  } finally {
    const waiting = early ?? [];
    early = null;
    for (const patch of waiting) applyPatch(patch);
  }
  return () => {
    stopFeed();
    // Tauri's unlisten returns a promise despite its type: hand it on to whoever stops us.
    return unlisten();
  };
}

/**
 * This window as an event target. The forwarder sends each window its own patches, at its own
 * pace; a listener for any target would also take, apply and render every other window's.
 */
function thisWindow(): EventTarget {
  try {
    return { kind: 'WebviewWindow', label: getCurrentWindow().label };
  } catch {
    // Outside Tauri (a plain browser while developing): nothing else is listening anyway.
    return { kind: 'Any' };
  }
}

/** Sends this window's feed request now and whenever its visibility changes. */
function followVisibility(feed: FeedOptions): () => void {
  const request = () => {
    const wanted: StateFeed = { paused: document.visibilityState === 'hidden', minIntervalMs: feed.minIntervalMs };
    call<null>('state_feed', { feed: wanted }).catch(() => undefined);
  };
  document.addEventListener('visibilitychange', request);
  request();
  return () => document.removeEventListener('visibilitychange', request);
}

/** How many captures (notes and action items) wait for the hub. */
export function pendingCount(state: AppState): number {
  let count = 0;
  for (const note of Object.values(state.work.notes)) if (note?.state === 'pending') count++;
  for (const item of Object.values(state.work.actionItems)) if (item?.state === 'pending') count++;
  return count;
}

/** The values of a generated map type (`{ [key in string]?: T }`), without the holes. */
export function valuesOf<T>(map: { [key in string]?: T }): T[] {
  return Object.values(map).filter((v): v is T => v !== undefined);
}

/** Forgets the held state (another profile became active: its engine counts versions anew). */
export function resetState(): void {
  appState.current = null;
  appState.version = 0;
}

/** Fetches a fresh snapshot (after sign-in or a profile switch). */
export async function reloadState(): Promise<void> {
  applySnapshot(await call<StateUpdate>('app_state'));
}

/** The entries of a generated map type, without the holes. */
export function entriesOf<T>(map: { [key in string]?: T }): [string, T][] {
  return Object.entries(map).filter((e): e is [string, T] => e[1] !== undefined);
}
