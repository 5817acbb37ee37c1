// Which view the main window shows. Alert clicks and the tray send `navigate` ({ view, id }).
import { listen } from '@tauri-apps/api/event';
import type { Navigate } from '../state/types';

/** The views, in navigation order (the contract's names). */
export const VIEWS = [
  'leaderboard',
  'team',
  'analysis',
  'notes',
  'notifications',
  'activity',
  'settings',
] as const;

export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  leaderboard: 'Leaderboard',
  team: 'Team',
  analysis: 'Analysis',
  notes: 'Notes',
  notifications: 'Notifications',
  activity: 'Activity',
  settings: 'Settings',
};

export function isView(value: unknown): value is View {
  return typeof value === 'string' && (VIEWS as readonly string[]).includes(value);
}

/** The shown view and the record it should bring into sight, if any. */
export const navigation = $state<{ view: View; id: string | null }>({ view: 'leaderboard', id: null });

export function navigate(view: View, id: string | null = null): void {
  navigation.view = view;
  navigation.id = id;
}

/** Follows `navigate`; an unknown view name is ignored. Returns the unlisten. */
export function startNavigateSync(): Promise<() => void> {
  return listen<Navigate>('navigate', (event) => {
    if (isView(event.payload.view)) navigate(event.payload.view, event.payload.id ?? null);
  });
}

/** Brings the record `id` of the shown view into sight (an alert's target), if it is there. */
export function revealRecord(root: ParentNode, id: string): void {
  const quoted = JSON.stringify(id);
  const selector = ['data-id', 'data-analysis-id', 'data-client-id', 'data-user-id', 'data-contest-id', 'data-session-id']
    .map((attr) => `[${attr}=${quoted}]`)
    .join(',');
  const target = root.querySelector(selector);
  if (target && 'scrollIntoView' in target && typeof target.scrollIntoView === 'function')
    target.scrollIntoView({ block: 'center', behavior: 'smooth' });
}
