//! Seed 001's generic real-time layer on `/`: re-authentication, room membership, presence,
//! entity change feeds (`data:update`) and room broadcasts. Presence changes are announced with
//! seed 004's `presence:changed`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::{ClientId, Id};
use crate::room::Room;
use crate::user::{PresenceStatus, UserRef};
use crate::validate::{
    Validate, ValidationError, check_client_id, check_json_size, check_len, check_token, limits,
};

/// `auth:request`: re-authenticate a live socket with a fresh token (after a token refresh),
/// without reconnecting. Answered by `auth:success` or `auth:error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AuthRequest {
    /// Bearer token (JWT), 1 to 8192 characters.
    pub token: String,
}

impl Validate for AuthRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        check_len("token", &self.token, 1, limits::TOKEN_MAX)
    }
}

/// `auth:success`: the socket is (re-)authenticated as `user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AuthSuccess {
    /// Who the socket now acts for.
    pub user: UserRef,
    /// When the token expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// `room:join` / `room:leave`: join or leave a room by name. The hub checks the sender may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct RoomRequest {
    /// The room, e.g. `"project:123"`.
    pub room: Room,
}

impl Validate for RoomRequest {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `presence:update`: set the sender's presence (seeds 001 and 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct PresenceUpdate {
    /// New status.
    pub status: PresenceStatus,
    /// Announce only in this room (e.g. `project:123`); absent: in every room the socket is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Room>,
}

impl Validate for PresenceUpdate {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `presence:changed`: a user's presence changed (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct PresenceChanged {
    /// Whose presence.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// New status.
    pub status: PresenceStatus,
    /// The room this announcement is for, if it was scoped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Room>,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// How many members of the user's team are online or away after this change (seed 004's
    /// online count), when the hub knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_count: Option<u32>,
}

/// What a `data:update` does to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DataAction {
    /// A new record (needs `clientId`).
    Create,
    /// Changed fields of an existing record (needs `id`).
    Update,
    /// Removal of an existing record (needs `id`).
    Delete,
}

/// `data:update` (client to server): change a record of a generic entity feed (seed 001's
/// `useRealtimeUpdates`), relayed to `room` or to the sender's other sockets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DataUpdate {
    /// Entity name (`tasks`), 1 to 64 characters of `[A-Za-z0-9_.:-]`.
    pub entity: String,
    /// What happens.
    pub action: DataAction,
    /// Where to relay it; absent: the sender's own `user:` room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Room>,
    /// The record; required for `update` and `delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Idempotency key; required for `create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// The record (create), the changed fields (update) or anything (delete), at most 16 KiB.
    pub data: serde_json::Value,
}

impl Validate for DataUpdate {
    fn validate(&self) -> Result<(), ValidationError> {
        check_token("entity", &self.entity, limits::ENTITY_MAX)?;
        match (self.action, &self.client_id, &self.id) {
            (DataAction::Create, None, _) => {
                return Err(ValidationError::new(
                    "clientId",
                    "is required when action is create",
                ));
            }
            (DataAction::Update | DataAction::Delete, _, None) => {
                return Err(ValidationError::new(
                    "id",
                    "is required when action is update or delete",
                ));
            }
            _ => {}
        }
        if let Some(client_id) = &self.client_id {
            check_client_id("clientId", client_id)?;
        }
        check_json_size("data", &self.data)
    }
}

/// `data:update` (server to client): a record of an entity feed changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DataUpdated {
    /// Entity name.
    pub entity: String,
    /// What happened.
    pub action: DataAction,
    /// The room it was relayed to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Room>,
    /// The record (assigned by the hub for a create).
    pub id: Id,
    /// The author's idempotency key, for a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// The record or the changed fields.
    pub data: serde_json::Value,
    /// Who changed it.
    pub updated_by: UserRef,
    /// When the hub applied it.
    pub updated_at: DateTime<Utc>,
}

/// `broadcast` (client to server): send a message to everyone in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct BroadcastSend {
    /// Idempotency key (broadcasts are durable, so retries must not repeat them).
    pub client_id: ClientId,
    /// Target room; the sender must be in it.
    pub room: Room,
    /// What kind of message, 1 to 64 characters of `[A-Za-z0-9_.:-]` (`team:goal-reached`).
    pub topic: String,
    /// The message, at most 16 KiB of JSON.
    pub data: serde_json::Value,
}

impl Validate for BroadcastSend {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_token("topic", &self.topic, limits::ENTITY_MAX)?;
        check_json_size("data", &self.data)
    }
}

/// `broadcast` (server to client): a message sent to a room the receiver is in (by a user, or
/// by the hub itself, e.g. seed 002's `notifyTeam`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct BroadcastMessage {
    /// The room it was sent to.
    pub room: Room,
    /// What kind of message.
    pub topic: String,
    /// The message.
    pub data: serde_json::Value,
    /// The sender; absent when the hub itself sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<UserRef>,
    /// The sender's idempotency key, when a user sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// When the hub relayed it.
    pub sent_at: DateTime<Utc>,
}

/// One team member's presence in a [`MainSnapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TeamPresence {
    /// The member.
    pub user_id: Id,
    /// Their display name.
    pub user_name: String,
    /// Their status now.
    pub status: PresenceStatus,
}

/// How much of each growing list a [`MainSnapshot`] lists and a client keeps: the newest
/// entries only, so that a year of use costs no more memory, and no longer snapshots, than a
/// week. Older entries stay on the hub, and its HTTP API lists them all. The UI gets the same
/// numbers as `KEPT` in `protocol.ts`, to say when a list shows only the newest.
pub mod kept {
    crate::validate::declare_limits! {
        /// Notifications of the user, the newest (`GET /api/v1/notifications` lists them all).
        NOTIFICATIONS: usize = 100;
        /// Quick notes per agent, the newest (`GET /api/v1/notes?agentId=` lists them all).
        NOTES_PER_AGENT: usize = 50;
        /// Action items per agent, the newest (`GET /api/v1/action-items?agentId=` lists them all).
        ACTION_ITEMS_PER_AGENT: usize = 50;
    }
}

/// `sync:snapshot`: the full `/` state of the connecting user, sent instead of a replay when
/// the client sent no `lastEventId` or one that predates the hub's retention window (then
/// `sync:done` follows with `snapshot: true`). The client replaces its cached notes, action
/// items, notifications, open analyses, presence and coaching sessions with these lists. Not
/// durable: it is a view, not a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct MainSnapshot {
    /// Whose state this is.
    pub user_id: Id,
    /// Quick notes about the user (an agent) or about every agent of the user's team (a
    /// leader): the newest 50 per agent ([`kept::NOTES_PER_AGENT`]), oldest first. Empty for a
    /// display.
    pub quick_notes: Vec<crate::notes::QuickNote>,
    /// Action items, with the same scope as `quickNotes`: the newest 50 per agent
    /// ([`kept::ACTION_ITEMS_PER_AGENT`]), oldest first.
    pub action_items: Vec<crate::notes::ActionItem>,
    /// The user's newest notifications (at most 100, [`kept::NOTIFICATIONS`]) with their read
    /// state, oldest first.
    pub notifications: Vec<crate::notifications::Notification>,
    /// Analysis runs still running in the user's projects.
    pub open_analyses: Vec<crate::projects::OpenAnalysis>,
    /// Every member of the user's team and their presence.
    pub presence: Vec<TeamPresence>,
    /// The open coaching sessions the user is enrolled in (those whose rooms a `/` socket
    /// joins at connect). Empty for a display. Absent from a hub before it: read as empty.
    #[serde(default)]
    pub coaching_sessions: Vec<crate::coaching::CoachingSessionState>,
    /// The hub's clock when the snapshot was taken.
    pub taken_at: DateTime<Utc>,
}
