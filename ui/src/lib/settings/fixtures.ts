// Test data shaped like the shell's `Settings`.
import type { Settings } from '../state/types';

export function defaultSettings(): Settings {
  return {
    alerts: { categories: {}, doNotDisturb: false, quietHours: null, stormThreshold: 3, stormWindowMs: 5000 },
    autostart: false,
    idleAwayMinutes: 10,
    tv: {
      boards: ['leaderboard', 'contests', 'achievements', 'presence'],
      secondsPerBoard: 20,
      topN: 10,
      nightStart: null,
      nightEnd: null,
      nightMode: 'dim',
      sound: false,
      exitPin: false,
    },
  } as Settings;
}
