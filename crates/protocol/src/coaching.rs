//! Coaching sessions: seed 000's session room and live edits, merged with seed 003's
//! participants, cursors and activity.
//!
//! Seeds 000 and 003 both define `join-session` and `leave-session`. Merged shapes:
//! `join-session` is `{ sessionId, userInfo? }` (seed 000's payload plus seed 003's optional
//! participant hints) and `leave-session` is `{ sessionId }` *or no payload at all* (seed 003
//! emits it bare: the hub then leaves the socket's current session).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::Id;
use crate::user::UserRef;
use crate::validate::{Validate, ValidationError, check_len, check_range, check_text, limits};

/// The part a participant plays in a session (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantRole {
    /// Leads the session (the team leader / coach).
    Instructor,
    /// Is coached.
    Learner,
}

/// A caret position in a shared document, zero-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CursorPosition {
    /// Line, 0 to 1,000,000.
    pub line: u32,
    /// Column, 0 to 1,000,000.
    pub column: u32,
}

impl Validate for CursorPosition {
    fn validate(&self) -> Result<(), ValidationError> {
        check_range("line", self.line, 0, limits::CURSOR_MAX)?;
        check_range("column", self.column, 0, limits::CURSOR_MAX)
    }
}

/// A participant of a coaching session (seed 003's `ParticipantInfo`).
///
/// In `join-session` it is a *hint*: the hub takes `id` and `name` from the authenticated user
/// and decides the role itself (it may honour the hint for instructors it knows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ParticipantInfo {
    /// The user's id.
    pub id: Id,
    /// Display name, 1 to 100 characters.
    pub name: String,
    /// Role in this session.
    pub role: ParticipantRole,
    /// Whether the participant is active (tab focused, typing recently); defaults to `true`
    /// when a client leaves it out.
    #[serde(default = "default_true")]
    pub is_active: bool,
    /// Last known caret position, if the participant has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<CursorPosition>,
    /// When the participant joined (set by the hub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
}

fn default_true() -> bool {
    true
}

impl Validate for ParticipantInfo {
    fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", &self.name, limits::NAME_MAX)?;
        self.cursor.validate().map_err(|e| e.within("cursor"))
    }
}

/// `join-session`: join a coaching session's room (`session:{sessionId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct JoinSession {
    /// The session to join.
    pub session_id: Id,
    /// Seed 003's participant hints (see [`ParticipantInfo`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<ParticipantInfo>,
}

impl Validate for JoinSession {
    fn validate(&self) -> Result<(), ValidationError> {
        self.user_info.validate().map_err(|e| e.within("userInfo"))
    }
}

/// `leave-session`: leave a coaching session. The event's payload is `LeaveSession | null`: a
/// bare emit (seed 003) leaves the socket's current session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct LeaveSession {
    /// The session to leave.
    pub session_id: Id,
}

impl Validate for LeaveSession {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// Lifecycle of a coaching session. Setting `COMPLETED` or `CANCELLED` closes it: the hub
/// empties its room, and joins are refused from then on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionStatus {
    /// Planned.
    Scheduled,
    /// Running now.
    InProgress,
    /// Finished (also what the hub sets when it closes an idle session).
    Completed,
    /// Called off.
    Cancelled,
}

impl SessionStatus {
    /// Whether the session is over (closed on the hub).
    pub const fn is_closed(self) -> bool {
        matches!(self, SessionStatus::Completed | SessionStatus::Cancelled)
    }
}

/// The editable fields of a coaching session; only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SessionChanges {
    /// Free notes of the discussion, at most 20,000 characters (may be emptied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_notes: Option<String>,
    /// Topics covered (replaces the list): at most 50 entries of 1 to 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics_covered: Option<Vec<String>>,
    /// How engaged the agent was, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_score: Option<u8>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// Agreed next steps, at most 5000 characters (may be emptied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_plan: Option<String>,
    /// When the follow-up session is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_session_at: Option<DateTime<Utc>>,
}

impl SessionChanges {
    /// Whether no field is present (an update that changes nothing).
    pub fn is_empty(&self) -> bool {
        *self == SessionChanges::default()
    }
}

impl Validate for SessionChanges {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.is_empty() {
            return Err(ValidationError::new("", "must change at least one field"));
        }
        if let Some(notes) = &self.discussion_notes {
            check_len("discussionNotes", notes, 0, limits::DISCUSSION_NOTES_MAX)?;
        }
        if let Some(topics) = &self.topics_covered {
            if topics.len() > limits::TOPICS_MAX_COUNT {
                return Err(ValidationError::new(
                    "topicsCovered",
                    format!("must have at most {} entries", limits::TOPICS_MAX_COUNT),
                ));
            }
            for (i, topic) in topics.iter().enumerate() {
                check_text(&format!("topicsCovered[{i}]"), topic, limits::TOPIC_MAX)?;
            }
        }
        if let Some(score) = self.engagement_score {
            check_range(
                "engagementScore",
                score,
                limits::ENGAGEMENT_SCORE_MIN,
                limits::ENGAGEMENT_SCORE_MAX,
            )?;
        }
        if let Some(plan) = &self.action_plan {
            check_len("actionPlan", plan, 0, limits::DESCRIPTION_MAX)?;
        }
        Ok(())
    }
}

/// Someone enrolled in a coaching session, in it right now or not (in a
/// [`CoachingSessionState`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SessionMember {
    /// Who.
    pub user: UserRef,
    /// Their part in the session.
    pub role: ParticipantRole,
}

/// An open coaching session as it stands, in `sync:snapshot`: who is enrolled, who is in it
/// now, and its fields so far. What `session-joined` and every `session:updated` since the
/// session opened would have told a client that was there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CoachingSessionState {
    /// The session.
    pub session_id: Id,
    /// Everyone enrolled, the instructor first, in the session now or not.
    pub members: Vec<SessionMember>,
    /// Who is in the session now (joined with `join-session`), as `session-joined` lists
    /// them; empty when nobody is.
    pub participants: Vec<ParticipantInfo>,
    /// The session's fields: every `session:update` so far, merged.
    pub fields: SessionChanges,
    /// The last edit or join (a session idle for long is closed).
    pub last_activity_at: DateTime<Utc>,
}

/// `session:update`: edit a coaching session live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SessionUpdate {
    /// The session to edit.
    pub session_id: Id,
    /// The fields to change; at least one.
    pub updates: SessionChanges,
}

impl Validate for SessionUpdate {
    fn validate(&self) -> Result<(), ValidationError> {
        self.updates.validate().map_err(|e| e.within("updates"))
    }
}

/// `session:updated`: a coaching session was edited, or closed (`status` `COMPLETED` or
/// `CANCELLED`; the last event its room gets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SessionUpdated {
    /// The session.
    pub session_id: Id,
    /// The fields that changed, with their new values.
    pub updates: SessionChanges,
    /// Who edited; absent when the hub itself closed the session for idleness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<UserRef>,
    /// When the hub applied the edit.
    pub updated_at: DateTime<Utc>,
}

/// `cursor-update`: the sender's caret moved (seed 003; debounce on the client).
///
/// Seed 003 sends only `{ line, column }`; the hub then uses the socket's current session.
/// `sessionId` names the session explicitly when a socket is in several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CursorUpdate {
    /// Line, 0 to 1,000,000.
    pub line: u32,
    /// Column, 0 to 1,000,000.
    pub column: u32,
    /// The session, when the socket is in several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}

impl Validate for CursorUpdate {
    fn validate(&self) -> Result<(), ValidationError> {
        CursorPosition {
            line: self.line,
            column: self.column,
        }
        .validate()
    }
}

/// `activity-status`: the sender became active or idle (seed 003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ActivityStatus {
    /// Whether the sender is active.
    pub is_active: bool,
    /// The session, when the socket is in several (as in [`CursorUpdate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}

impl Validate for ActivityStatus {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `session-joined`: sent to the joiner with everyone present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct SessionJoined {
    /// The session joined.
    pub session_id: Id,
    /// Everyone in the session, the joiner included.
    pub participants: Vec<ParticipantInfo>,
}

/// `user-joined`: someone else joined the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UserJoined {
    /// The newcomer.
    pub user: ParticipantInfo,
    /// Everyone in the session now.
    pub participants: Vec<ParticipantInfo>,
    /// The session (always set by our hub; absent in seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}

/// `user-left`: someone left the session (or disconnected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UserLeft {
    /// Who left.
    pub user_id: Id,
    /// Who left, as last known.
    pub user: ParticipantInfo,
    /// Everyone still in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The session (always set by our hub; absent in seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}

/// `cursor-moved`: another participant's caret moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CursorMoved {
    /// Whose caret.
    pub user_id: Id,
    /// Where it is now.
    pub cursor: CursorPosition,
    /// The session (always set by our hub; absent in seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}

/// `user-activity-changed`: another participant became active or idle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct UserActivityChanged {
    /// Who.
    pub user_id: Id,
    /// Whether they are active now.
    pub is_active: bool,
    /// The session (always set by our hub; absent in seed 003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Id>,
}
