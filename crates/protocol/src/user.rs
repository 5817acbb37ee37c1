//! People as they appear inside payloads: [`UserRef`] and [`PresenceStatus`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::Id;

/// A user named in an event: the author of a note, the editor of a session, the sender of a
/// broadcast. Filled in by the hub from the authenticated socket, never taken from a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UserRef {
    /// The user's id.
    pub id: Id,
    /// The user's display name.
    pub name: String,
}

/// Whether a user is reachable (seeds 001 and 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    /// Connected and active.
    Online,
    /// Connected but idle.
    Away,
    /// Not connected (or wishing to appear so).
    Offline,
}
