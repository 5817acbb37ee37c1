//! [`HubState`]: what every socket handler, HTTP handler and background task shares.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use socketioxide::SocketIo;

use crate::auth::TokenKeys;
use crate::config::HubConfig;
use crate::metrics::HubMetrics;
use crate::presence::PresenceTracker;
use crate::store::Store;

/// The shared state of one running hub.
#[derive(Debug)]
pub struct HubState {
    /// Configuration it was started with.
    pub config: HubConfig,
    /// The database.
    pub store: Arc<Store>,
    /// JWT keys.
    pub keys: TokenKeys,
    /// The Socket.IO server, to emit from anywhere.
    pub io: SocketIo,
    /// Metrics.
    pub metrics: HubMetrics,
    /// Who is online.
    pub presence: PresenceTracker,
    /// Live coaching sessions and the cursor throttle.
    pub live: crate::flows::main::LiveSessions,
    /// Leaderboards per team.
    pub boards: crate::flows::leaderboard::TeamBoards,
    /// The served OpenAPI document (set once at start).
    pub openapi: OnceLock<serde_json::Value>,
    /// Every socket's event worker, so shutdown can wait until the writes they started have
    /// committed (a hub restarted on the same file must not race a stopped one's writes).
    pub socket_workers: tokio_util::task::TaskTracker,
    /// Cancelled by shutdown; every socket worker's stop token is a child of it.
    pub stopping: tokio_util::sync::CancellationToken,
}

impl HubState {
    /// The hub's current time (from the configured clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }
}
