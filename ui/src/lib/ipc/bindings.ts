// Generated from src-tauri and crates/client (the app's command and state types) — do not edit.
// Regenerate: cargo xtask codegen

import type { ActionItemStatus, BroadcastMessage, CalendarDate, ClientId, Comment, CursorPosition, DetectorStatus, Id, LeaderboardEntry, ModuleProgress, NoteType, Notification, OnlineUser, ParticipantInfo, PresenceStatus, Priority, QuizCompleted, RankingUpdate, RoleplayResponse, SessionChanges, SessionMember, TimeRange, TvUpdate, UserRef } from "../protocol";

/** An action item as the user writes it. */
export type ActionItemInput = {
  /** The agent who should do it. */
  agentId: Id,
  /** Title. */
  title: string,
  /** Details. */
  description?: string,
  /** Due day. */
  dueDate: CalendarDate,
  /** Priority. */
  priority: Priority,
  /** Category. */
  category: string,
};

/** An action item. */
export type ActionItemView = {
  /** Idempotency key. */
  clientId: ClientId,
  /** Sync state. */
  state: SyncState,
  /** The hub's refusal, when rejected. */
  reason: string | null,
  /** The hub's id, once synced. */
  id: Id | null,
  /** The agent. */
  agentId: Id,
  /** Title. */
  title: string,
  /** Details. */
  description: string | null,
  /** Due day. */
  dueDate: CalendarDate,
  /** Priority. */
  priority: Priority,
  /** Category. */
  category: string,
  /** Progress (`None` until the hub stored it). */
  status: ActionItemStatus | null,
  /** Author, once synced. */
  createdBy: UserRef | null,
  /** Capture or storage time. */
  createdAt: string,
};

/** A native alert to show. */
export type Alert = {
  /** Title line. */
  title: string,
  /** Body text. */
  body: string,
  /** Category. */
  category: AlertCategory,
  /** Click target. */
  target: AlertTarget,
};

/** What an alert is about; each has its own switch. */
export type AlertCategory = "rank" | "achievement" | "notification" | "analysis" | "contest" | "summary";

/** The user's alert preferences (stored in the engine's database). */
export type AlertSettings = {
  /** Per-category switches; a missing category is on. */
  categories: { [key in AlertCategory]?: boolean },
  /** Do not disturb: nothing alerts. */
  doNotDisturb: boolean,
  /** Quiet hours, if any. */
  quietHours: QuietHours | null,
  /** Alerts allowed within `storm_window` before coalescing. */
  stormThreshold: number,
  /** The storm window, in milliseconds. */
  stormWindowMs: number,
};

/** Where a click on the alert leads. */
export type AlertTarget = {
  /** The app view (`leaderboard`, `team`, `analysis`, `notifications`). */
  view: string,
  /** The record in that view, if any. */
  id: string | null,
};

/** How an analysis run stands. */
export type AnalysisStatus = "running" | "complete" | "failed" | "cancelled";

/** One analysis run. */
export type AnalysisView = {
  /** The project. */
  projectId: Id,
  /** State. */
  status: AnalysisStatus,
  /** Detectors in run order. */
  detectors: Array<[string, DetectorView]>,
  /** Overall 0 to 100. */
  progress: number,
  /** Issues found so far. */
  issuesFound: number,
  /** Seconds left, when known. */
  etaSeconds: number | null,
  /** Start. */
  startedAt: string | null,
  /** End (complete, failed, cancelled). */
  finishedAt: string | null,
  /** Why it failed. */
  message: string | null,
};

/** What the About line and the diagnostics show. */
export type AppInfo = {
  /** The app's version, from `Cargo.toml`. */
  version: string,
  /** Where the app keeps its profiles, outboxes, event caches and settings. */
  dataDir: string,
  /** How many events the protocol defines, a quick check the UI and core agree. */
  protocolEvents: number,
};

/** Everything the app shows, built from events (and the outbox for unconfirmed notes). */
export type AppState = {
  /** The signed-in user, from `connected` (or the token). */
  me: UserRef | null,
  /** The engine's connection status. */
  connection: ConnectionStatus | null,
  /** Last applied `eventId` per namespace path. */
  lastEventIds: Record<string, number>,
  /** Rankings, contests, TV and the achievements feed. */
  leaderboard: LeaderboardState,
  /** XP, levels, streaks and the rest of `/training`. */
  training: TrainingState,
  /** Presence, coaching sessions, projects. */
  team: TeamState,
  /** Notes, action items, analyses, notifications. */
  work: WorkState,
};

/** One leaderboard. */
export type Board = {
  /** The metric. */
  metric: string,
  /** The period, if any. */
  range: TimeRange | null,
  /** Rows, best first. */
  rows: Array<LeaderboardEntry>,
  /** When the hub computed the last full refresh. */
  generatedAt: string | null,
};

/** The `celebration` event (TV mode shows it). */
export type Celebration = { kind: CelebrationKind, userId: string, userName: string, title: string, detail: string, icon: string | null, eventId: number | null, };

/** What a celebration is about. */
export type CelebrationKind = "achievement" | "level" | "rank";

/** A command failure as the UI receives it: `{ "code": "…", "message": "…" }`. */
export type CommandError = { code: ErrorCode, message: string, };

/**
 * Where the engine stands with its hub. The desktop app's UI receives it as is (its
 * TypeScript type is generated from this one).
 */
export type ConnectionStatus = { "state": "connecting" } | { "state": "live" } | { "state": "retrying",
/** 1 for the first retry. */
attempt: number,
/** When the next attempt starts (ISO-8601, UTC), so the UI can count down. */
nextTryAt: string, } | { "state": "offline" } | { "state": "signInNeeded" };

/** One contest. */
export type Contest = {
  /** Its name, once an event carried it. */
  name: string | null,
  /** When it ends, once an event carried it (countdowns). */
  endsAt: string | null,
  /** Standings, best first. */
  standings: Array<Standing>,
  /** Entries recorded. */
  entries: number,
  /** Last change. */
  updatedAt: string | null,
  /** When it ended (`contest:ended`); `None` while it runs. */
  endedAt: string | null,
};

/** One detector of a run. */
export type DetectorView = {
  /** State. */
  status: DetectorStatus,
  /** 0 to 100. */
  progress: number,
  /** Issues it found, when finished. */
  issuesFound: number | null,
};

/** `sign_in_display`'s argument: a display token issued by the hub (TV mode). */
export type DisplaySignInRequest = { server: string, token: string, };

/** What went wrong, as a code the UI can act on. Serialised in `SCREAMING_SNAKE_CASE`. */
export type ErrorCode = "DATA_DIR_UNAVAILABLE" | "KEYCHAIN_UNAVAILABLE" | "NOT_SIGNED_IN" | "SIGN_IN_REFUSED" | "HUB_UNREACHABLE" | "INVALID_INPUT" | "STORAGE_BUSY" | "STORAGE_FULL" | "STORAGE" | "NOT_CONNECTED" | "REFUSED" | "NO_PROFILE" | "DEMO_FAILED" | "INTERNAL";

/** An achievement in the feed. */
export type FeedItem = {
  /** Who. */
  userId: Id,
  /** Display name. */
  userName: string,
  /** Headline. */
  title: string,
  /** Explanation. */
  description: string,
  /** Icon, if any. */
  icon: string | null,
  /** `leaderboard` or `training`. */
  source: string,
  /** When. */
  at: string,
  /** The event that announced it. */
  eventId: number | null,
};

/** One page of a history, oldest first. */
export type HistoryPage<T> = {
  /** At most `HISTORY_PAGE` entries, oldest first. */
  entries: Array<T>,
  /** Whether the hub holds entries older than the first. */
  more: boolean,
};

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/** Whether the OS keychain could hold the token. */
export type KeychainState = { "state": "available" } | { "state": "unavailable",
/** Why (the platform's sentence). */
message: string, };

/** Everything from `/leaderboard`. */
export type LeaderboardState = {
  /** Boards by `board_key`. */
  boards: { [key in string]: Board },
  /** Recent rank changes, newest first. */
  recentChanges: Array<RankingUpdate>,
  /** Contests by id. */
  contests: { [key in string]: Contest },
  /** What TV displays show. */
  tv: TvUpdate | null,
  /** Achievements, newest first (leaderboard and training). */
  achievements: Array<FeedItem>,
};

/** The `navigate` event: show `view` (and the record `id`) in the main window. */
export type Navigate = { view: string, id: string | null, };

/** What the night schedule does to the screen. */
export type NightMode = "dim" | "blank";

/** A quick note as the user writes it. */
export type NoteInput = {
  /** The agent it is about. */
  agentId: Id,
  /** Kind. */
  noteType: NoteType,
  /** Priority. */
  priority: Priority,
  /** Optional category. */
  category?: string,
  /** The text. */
  content: string,
};

/** A quick note. */
export type NoteView = {
  /** Idempotency key (also the sort key: v7 ids sort by capture time). */
  clientId: ClientId,
  /** Sync state. */
  state: SyncState,
  /** The hub's refusal, when rejected. */
  reason: string | null,
  /** The hub's id, once synced. */
  id: Id | null,
  /** The agent. */
  agentId: Id,
  /** Kind. */
  noteType: NoteType,
  /** Priority. */
  priority: Priority,
  /** Category. */
  category: string | null,
  /** Text. */
  content: string,
  /** Author, once synced. */
  createdBy: UserRef | null,
  /** Capture or storage time. */
  createdAt: string,
};

/** One user's presence. */
export type Presence = {
  /** Display name. */
  userName: string,
  /** Status. */
  status: PresenceStatus,
  /** Since when. */
  changedAt: string | null,
};

/** One hub the app can sign in to. No secret: the token is in the keychain. */
export type Profile = {
  /** Stable id (also the name of its engine data directory). */
  id: string,
  /** What the UI shows (`lead @ 127.0.0.1:4600`). */
  name: string,
  /** The hub's base URL, normalised (no trailing slash). */
  server: string,
  /** The user name (`display` for a display profile). */
  username: string,
  /** User or display. */
  kind: ProfileKind,
  /**
   * Whether this profile's token is in the keychain (false after sign-out, or when the
   * keychain was unavailable at sign-in).
   */
  signedIn: boolean,
};

/** Who a profile signs in as. */
export type ProfileKind = "user" | "display";

/** A project room. */
export type ProjectView = {
  /** Fields merged from `project:update`. */
  fields: { [key in string]: JsonValue },
  /** Who is in the room. */
  onlineUsers: Array<OnlineUser>,
  /**
   * Comments, oldest first: the latest 100 (`FEED_LEN`; they arrive only live, and a
   * busy project's would otherwise grow all day).
   */
  comments: Array<Comment>,
};

/**
 * A local-time window in which alerts are suppressed; `start > end` crosses midnight
 * (22:00–07:00).
 */
export type QuietHours = {
  /** Start (inclusive). */
  start: string,
  /** End (exclusive). */
  end: string,
};

/** A part of the state, named in change notifications so a view re-renders only what moved. */
export type Section = "session" | "leaderboard" | "training" | "team" | "analyses" | "notes" | "notifications";

/** What the UI knows about profiles and the active session (the `session` event and command). */
export type SessionInfo = {
  /** Every stored profile. */
  profiles: Array<Profile>,
  /**
   * The active profile's id, `"demo"` in demo mode, `null` when signed out (the UI shows
   * the welcome screen).
   */
  activeId: string | null,
  /** Whether the embedded demo hub is running. */
  demo: boolean,
  /** Whether tokens can be kept in the OS keychain. */
  keychain: KeychainState,
  /** The profile whose token could not be read (ask for its password). */
  needsPassword: string | null,
  /** Why the last automatic sign-in failed. */
  error: CommandError | null,
};

/** A coaching session as seen live. */
export type SessionView = {
  /**
   * Everyone enrolled, in it now or not (from `sync:snapshot`; empty for a session only
   * heard of through its events).
   */
  members: Array<SessionMember>,
  /** Everyone in it now, as last heard. */
  participants: Array<ParticipantInfo>,
  /**
   * Since when no one's coming or going here reaches us, when that is so: we left the
   * session (the hub then sends its room's news to the others only), or the connection
   * dropped (what happened meanwhile is never replayed). The next list the hub sends (a
   * join, anyone's arrival or departure, a snapshot) is live again.
   */
  participantsAsOf: string | null,
  /** Active / idle per user id. */
  activity: { [key in string]: boolean },
  /** Carets per user id. */
  cursors: { [key in string]: CursorPosition },
  /** The session's fields, merged from every `session:updated`. */
  fields: SessionChanges,
  /** Who edited last (none when the hub closed it for idleness). */
  updatedBy: UserRef | null,
  /** When. */
  updatedAt: string | null,
  /** The last edit or join seen (the snapshot's, then the events'). */
  lastActivityAt: string | null,
};

/** The settings screen: the active profile's alert settings and the app-level ones. */
export type Settings = {
  /** Per profile (kept in that profile's engine database); defaults while signed out. */
  alerts: AlertSettings,
  /** Start the app at login. */
  autostart: boolean,
  /** Minutes without input before presence goes to away; 0 = never. */
  idleAwayMinutes: number,
  /** TV mode. */
  tv: TvSettings,
};

/** `sign_in`'s argument. */
export type SignInRequest = {
  /** The hub's URL (`http://host:4600`). */
  server: string, username: string, password: string,
};

/** A contestant's standing. */
export type Standing = {
  /** Who. */
  userId: Id,
  /** Display name. */
  userName: string,
  /** Total on the contest's metric. */
  total: number,
  /** Rank, 1-based. */
  rank: number,
  /** Rank before the last change (0: unranked). */
  previousRank: number,
};

/** What a window asks of the state feed (`state_feed` command). */
export type StateFeed = {
  /** No patches until resumed (the window is hidden); resuming sends every section. */
  paused: boolean,
  /** At least this long between two patches (0: every publication). */
  minIntervalMs: number,
};

/** The `state` event: what changed since the previous version, whole sections at a time. */
export type StatePatch = {
  /** The publication's version (increasing). */
  version: number,
  /** The sections that changed. */
  sections: Array<Section>,
  /** With `session`: who we are. */
  me?: UserRef | null,
  /** With `session`: the connection status. */
  connection?: ConnectionStatus | null,
  /** With `session`: the cursors. */
  lastEventIds?: { [key in string]: number },
  /** With `leaderboard`. */
  leaderboard?: LeaderboardState,
  /** With `training`. */
  training?: TrainingState,
  /** With `team`. */
  team?: TeamState,
  /** With `analyses`, `notes` or `notifications`. */
  work?: WorkState,
};

/** A published state: the snapshot and which sections changed since the previous one. */
export type StateUpdate = {
  /** Increases with every publication. */
  version: number,
  /** What changed since the previous version. */
  sections: Array<Section>,
  /** The whole state. */
  state: AppState,
};

/** Where a note or action item stands from this user's point of view. */
export type SyncState = "pending" | "synced" | "rejected";

/** Everything collaborative on `/`. */
export type TeamState = {
  /** Presence by user id. */
  presence: { [key in string]: Presence },
  /** Users online or away. */
  onlineCount: number,
  /**
   * Coaching sessions by id: every open one, and the latest 10 closed
   * (`CLOSED_SESSIONS_KEPT`) until the next snapshot drops them all.
   */
  sessions: { [key in string]: SessionView },
  /** Projects by id. */
  projects: { [key in string]: ProjectView },
  /** Broadcasts, newest first. */
  broadcasts: Array<BroadcastMessage>,
  /** `data:update` feeds: entity → record id → record. */
  entities: { [key in string]: { [key in string]: JsonValue } },
};

/** Everything from `/training`. */
export type TrainingState = {
  /** Stats by user id. */
  users: { [key in string]: TrainingStats },
  /** Progress by `user/module`. */
  modules: { [key in string]: ModuleProgress },
  /** Finished quizzes, newest first. */
  quizzes: Array<QuizCompleted>,
  /** Roleplay answers, newest first. */
  roleplay: Array<RoleplayResponse>,
  /** Sessions where the AI partner is composing. */
  typing: { [key in string]: boolean },
  /**
   * Training achievements, newest first (also merged into the leaderboard feed by the
   * engine's view; kept here for the training view).
   */
  achievements: Array<FeedItem>,
};

/** One user's training numbers. */
export type TrainingStats = {
  /** Display name. */
  userName: string,
  /** XP total. */
  xp: number,
  /** Level (0 until a `level:up` is seen). */
  level: number,
  /** Current daily streak. */
  currentStreak: number,
  /** Longest streak. */
  longestStreak: number,
  /** Last day counted. */
  lastActivityDate: CalendarDate | null,
};

/** A TV board (S5). */
export type TvBoard = "leaderboard" | "contests" | "achievements" | "presence";

/** TV mode options. */
export type TvSettings = {
  /** Rotation order. */
  boards: Array<TvBoard>,
  /** Seconds each board is shown (default 20). */
  secondsPerBoard: number,
  /** Rows on the leaderboard board (default 10). */
  topN: number,
  /** Night schedule start, local `HH:MM` (`22:00`), if any. */
  nightStart: string | null,
  /** Night schedule end, local `HH:MM` (`07:00`), if any. */
  nightEnd: string | null,
  /** Dim or blank at night. */
  nightMode: NightMode,
  /** Play a sound on celebrations. */
  sound: boolean,
  /** Leaving TV mode asks for the PIN (the PIN itself is in the keychain). */
  exitPin: boolean,
};

/** Notes, action items, analyses and notifications. */
export type WorkState = {
  /**
   * Notes by clientId (capture order): every pending or rejected capture, and the newest 50
   * synced notes about each agent (`kept::NOTES_PER_AGENT`).
   */
  notes: { [key in string]: NoteView },
  /**
   * Action items by clientId: every pending or rejected capture, and the newest 50 synced
   * items for each agent (`kept::ACTION_ITEMS_PER_AGENT`).
   */
  actionItems: { [key in string]: ActionItemView },
  /** Analyses by id: every running one, and the latest 100 finished (`FEED_LEN`). */
  analyses: { [key in string]: AnalysisView },
  /** Notifications, newest first: the latest 100 (`kept::NOTIFICATIONS`). */
  notifications: Array<Notification>,
  /** How many of those are unread. */
  unreadCount: number,
};
