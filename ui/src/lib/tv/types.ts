// The generated types TV mode reads (src-tauri → ../ipc/bindings.ts), and the narrow slices of
// `AppState` its pure functions take, so tests build only what a board shows.
import type { Presence, TeamState, TrainingStats, TvBoard, TvSettings } from '../ipc/bindings';

export type {
  Board,
  Celebration,
  Contest,
  FeedItem,
  LeaderboardState,
  SessionInfo,
  Settings,
  TvBoard,
  TvSettings,
} from '../ipc/bindings';

/** A `BTreeMap<String, T>` as ts-rs writes it, or with holes (`{ [key in string]?: T }`). */
export type StringMap<T> = { [key in string]?: T };

/** The presence board's part of `TeamState`. */
export type TeamSlice = Pick<TeamState, 'onlineCount'> & { presence: StringMap<Presence> };

/** The part of `TrainingStats` the boards show. */
export type TrainingUserSlice = Pick<TrainingStats, 'userName' | 'level'>;

export const ALL_BOARDS: readonly TvBoard[] = ['leaderboard', 'contests', 'achievements', 'presence'];

/** What a display shows when settings cannot be read (the contract's defaults). */
export const DEFAULT_TV_SETTINGS: TvSettings = {
  boards: [...ALL_BOARDS],
  secondsPerBoard: 20,
  topN: 10,
  nightStart: null,
  nightEnd: null,
  nightMode: 'dim',
  sound: false,
  exitPin: false,
};
