//! The connection status shown in the status bar.
//!
//! The client engine (crates/client) will own and publish this on a watch channel; until a hub
//! is configured the app is honestly `Offline`.

use serde::Serialize;

/// Where the app stands with its hub, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ConnectionStatus {
    /// The first connection attempt is under way.
    Connecting,
    /// Connected and receiving events.
    Live,
    /// The connection was lost; the next attempt is scheduled.
    #[serde(rename_all = "camelCase")]
    Retrying {
        attempt: u32,
        /// When the next attempt starts (ISO-8601), so the UI can count down.
        next_try_at: String,
    },
    /// No hub is configured, or the user took the app offline.
    Offline,
    /// The hub refused our token: the user must sign in again.
    SignInNeeded,
}
