//! Seed 000: quick notes and action items a team leader writes about an agent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::date::CalendarDate;
use crate::id::{ClientId, Id};
use crate::user::UserRef;
use crate::validate::{
    Validate, ValidationError, check_client_id, check_optional_text, check_text, limits,
};

/// The kind of a quick note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoteType {
    /// Something to coach the agent on.
    Coaching,
    /// Praise.
    Positive,
    /// Needs attention now.
    Urgent,
}

/// Priority of a quick note or an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

/// `quickNote:create`: a team leader writes a quick note about an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct QuickNoteCreate {
    /// Idempotency key: re-sent unchanged on retry, echoed in `quickNote:created`.
    pub client_id: ClientId,
    /// The agent the note is about.
    pub agent_id: Id,
    /// Kind of note.
    pub note_type: NoteType,
    /// The note, 1 to 5000 characters, not blank.
    pub content: String,
    /// Priority.
    pub priority: Priority,
    /// Optional free category, 1 to 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Validate for QuickNoteCreate {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_text("content", &self.content, limits::NOTE_CONTENT_MAX)?;
        check_optional_text("category", self.category.as_deref(), limits::CATEGORY_MAX)
    }
}

/// `quickNote:created`: a quick note was stored (seed 000's payload plus `clientId`).
///
/// Seed 000 types `noteType` and `priority` as plain strings here; we use the same enums as
/// the create payload. `category` is absent when the author gave none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct QuickNote {
    /// Server id of the note.
    pub id: Id,
    /// The author's idempotency key from `quickNote:create`.
    pub client_id: ClientId,
    /// The agent the note is about.
    pub agent_id: Id,
    /// The agent's team leader.
    pub team_leader_id: Id,
    /// Kind of note.
    pub note_type: NoteType,
    /// The note.
    pub content: String,
    /// Priority.
    pub priority: Priority,
    /// Free category, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// When the hub stored the note.
    pub created_at: DateTime<Utc>,
    /// The author.
    pub created_by: UserRef,
}

/// Progress of an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionItemStatus {
    /// Not started (every new item).
    Pending,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
    /// Dropped.
    Cancelled,
}

/// `actionItem:create`: a team leader assigns an action item to an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ActionItemCreate {
    /// Idempotency key: re-sent unchanged on retry, echoed in `actionItem:created`.
    pub client_id: ClientId,
    /// The agent who should do it.
    pub agent_id: Id,
    /// Short title, 1 to 200 characters.
    pub title: String,
    /// Optional details, 1 to 5000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Due day, `"YYYY-MM-DD"` (a full ISO datetime is accepted and cut to its date).
    pub due_date: CalendarDate,
    /// Priority.
    pub priority: Priority,
    /// Category, 1 to 64 characters.
    pub category: String,
}

impl Validate for ActionItemCreate {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_text("title", &self.title, limits::TITLE_MAX)?;
        check_optional_text(
            "description",
            self.description.as_deref(),
            limits::DESCRIPTION_MAX,
        )?;
        check_text("category", &self.category, limits::CATEGORY_MAX)
    }
}

/// One record of a `records:create` batch: the event it stands for and that event's payload,
/// exactly as it would be sent alone (`{"event": "quickNote:create", "data": {...}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "event", content = "data")]
pub enum RecordCreate {
    /// A `quickNote:create`.
    #[serde(rename = "quickNote:create")]
    QuickNote(QuickNoteCreate),
    /// An `actionItem:create`.
    #[serde(rename = "actionItem:create")]
    ActionItem(ActionItemCreate),
}

impl RecordCreate {
    /// The event this record stands for.
    pub fn event(&self) -> &'static str {
        match self {
            RecordCreate::QuickNote(_) => "quickNote:create",
            RecordCreate::ActionItem(_) => "actionItem:create",
        }
    }

    /// The record's idempotency key.
    pub fn client_id(&self) -> ClientId {
        match self {
            RecordCreate::QuickNote(note) => note.client_id,
            RecordCreate::ActionItem(item) => item.client_id,
        }
    }
}

impl Validate for RecordCreate {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            RecordCreate::QuickNote(note) => note.validate(),
            RecordCreate::ActionItem(item) => item.validate(),
        }
    }
}

/// `records:create` (our addition; hubs that announce `protocolVersion` 2 or later in
/// `connected`): quick notes and action items captured offline, sent in capture order in one
/// event. The hub stores them in that order, each exactly as if it had come alone, and answers
/// each alone (in no promised order): `quickNote:created` / `actionItem:created` (durable, or to
/// the sender only for a repeat), or an `error` naming the record's event and `clientId`. A
/// batch breaking a rule of its own (no records, too many, one malformed) is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordsCreate {
    /// 1 to `RECORDS_BATCH_MAX` records, oldest capture first.
    pub records: Vec<RecordCreate>,
}

impl Validate for RecordsCreate {
    fn validate(&self) -> Result<(), ValidationError> {
        if self.records.is_empty() || self.records.len() > limits::RECORDS_BATCH_MAX {
            return Err(ValidationError::new(
                "records",
                format!("must have 1 to {} entries", limits::RECORDS_BATCH_MAX),
            ));
        }
        for (i, record) in self.records.iter().enumerate() {
            record
                .validate()
                .map_err(|e| e.within(&format!("records[{i}].data")))?;
        }
        Ok(())
    }
}

/// `actionItem:created`: an action item was stored (the create fields plus server fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ActionItem {
    /// Server id of the item.
    pub id: Id,
    /// The author's idempotency key from `actionItem:create`.
    pub client_id: ClientId,
    /// The agent who should do it.
    pub agent_id: Id,
    /// The agent's team leader.
    pub team_leader_id: Id,
    /// Short title.
    pub title: String,
    /// Details, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Due day, `"YYYY-MM-DD"`.
    pub due_date: CalendarDate,
    /// Priority.
    pub priority: Priority,
    /// Category.
    pub category: String,
    /// Progress; `PENDING` for a new item.
    pub status: ActionItemStatus,
    /// When the hub stored the item.
    pub created_at: DateTime<Utc>,
    /// The author.
    pub created_by: UserRef,
}
