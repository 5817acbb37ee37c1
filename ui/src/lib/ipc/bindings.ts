// Generated from src-tauri (the app's command types) — do not edit.
// Regenerate: cargo xtask codegen

export type AppInfo = { 
/**
 * The app's version, from `Cargo.toml`.
 */
version: string, 
/**
 * Where the app keeps its outbox, event cache and settings.
 */
dataDir: string, 
/**
 * How many events the protocol defines, a quick check the UI and core agree.
 */
protocolEvents: number, };

export type ErrorCode = "DATA_DIR_UNAVAILABLE" | "INTERNAL";

export type CommandError = { code: ErrorCode, message: string, };

export type ConnectionStatus = { "state": "connecting" } | { "state": "live" } | { "state": "retrying", 
/**
 * 1 for the first retry.
 */
attempt: number, 
/**
 * When the next attempt starts (ISO-8601, UTC), so the UI can count down.
 */
nextTryAt: string, } | { "state": "offline" } | { "state": "signInNeeded" };
