//! Notifications: seed 000's `notification:send` / `notification`, merged with seed 004's
//! notification centre (read, read-all, clear).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::{ClientId, Id};
use crate::user::UserRef;
use crate::validate::{
    Validate, ValidationError, check_client_id, check_json_size, check_optional_text, check_text,
    limits,
};

/// Severity of a notification, as in seed 000 (also used for colour coding, seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    /// Neutral information.
    Info,
    /// Something went well.
    Success,
    /// Needs attention.
    Warning,
    /// Something failed.
    Error,
}

/// `notification:send`: send a notification to one user (seed 000, plus `clientId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct NotificationSend {
    /// Idempotency key: re-sent unchanged on retry, echoed in `notification`.
    pub client_id: ClientId,
    /// The recipient.
    pub user_id: Id,
    /// Severity.
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    /// Text, 1 to 2000 characters.
    pub message: String,
    /// Optional heading, 1 to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Free JSON for the recipient's UI (a link target, ids), at most 16 KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl Validate for NotificationSend {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_text("message", &self.message, limits::MESSAGE_MAX)?;
        check_optional_text("title", self.title.as_deref(), limits::TITLE_MAX)?;
        if let Some(data) = &self.data {
            check_json_size("data", data)?;
        }
        Ok(())
    }
}

/// `notification`: a notification for the receiving user (seed 000's `notification`, seed
/// 004's `NotificationPayload`). Sent by the hub itself (analysis finished, comment on your
/// project) or relayed from a `notification:send`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct Notification {
    /// Server id, used by `notification:read`.
    pub id: Id,
    /// The recipient.
    pub user_id: Id,
    /// Severity.
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    /// Heading, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Text.
    pub message: String,
    /// Free JSON from the sender, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// Whether the recipient has read it (always `false` when first sent).
    pub read: bool,
    /// The sender, when a user sent it (absent for system notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<UserRef>,
    /// The sender's `clientId`, when a user sent it with `notification:send`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// When the hub created it.
    pub created_at: DateTime<Utc>,
}

/// `notification:read` (client to server): mark one notification as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct NotificationRead {
    /// The notification.
    pub notification_id: Id,
}

impl Validate for NotificationRead {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `notification:read` (server to client): notifications were marked read, sent to every
/// socket of the user so all windows agree. Answers `notification:read` (one id) and
/// `notification:read-all` (no id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct NotificationsMarkedRead {
    /// Whose notifications.
    pub user_id: Id,
    /// The notification marked read; absent when all were (`notification:read-all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<Id>,
    /// When.
    pub read_at: DateTime<Utc>,
}

/// `notification:cleared`: all the user's notifications were deleted (answers
/// `notification:clear`), sent to every socket of the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct NotificationsCleared {
    /// Whose notifications.
    pub user_id: Id,
    /// When.
    pub cleared_at: DateTime<Utc>,
}
