//! Seed 004 on `/`: project rooms, live analysis runs, comments. Its presence events live in
//! [`realtime`](crate::realtime), its notifications in [`notifications`](crate::notifications),
//! its `connected` / `error` events in [`connection`](crate::connection).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::{ClientId, Id};
use crate::user::{PresenceStatus, UserRef};
use crate::validate::{
    Validate, ValidationError, check_client_id, check_len, check_range, check_text, limits,
};

/// `project:join` / `project:leave`: enter or leave a project's room (`project:{projectId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ProjectRoom {
    /// The project.
    pub project_id: Id,
}

impl Validate for ProjectRoom {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// A user present in a project room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct OnlineUser {
    /// The user's id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Current presence.
    pub status: PresenceStatus,
}

/// `project:user:joined`: someone entered the project room (the joiner receives it too, which
/// gives it the current list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ProjectUserJoined {
    /// The project.
    pub project_id: Id,
    /// Who joined.
    pub user: UserRef,
    /// Everyone in the room now, the joiner included.
    pub online_users: Vec<OnlineUser>,
    /// When.
    pub joined_at: DateTime<Utc>,
}

/// `project:user:left`: someone left the project room (or disconnected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ProjectUserLeft {
    /// The project.
    pub project_id: Id,
    /// Who left.
    pub user: UserRef,
    /// Everyone still in the room.
    pub online_users: Vec<OnlineUser>,
    /// When.
    pub left_at: DateTime<Utc>,
}

/// `project:update`: project fields changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct ProjectUpdate {
    /// The project.
    pub project_id: Id,
    /// The changed fields with their new values (a JSON object, e.g. `{"name": "..."}`).
    pub changes: serde_json::Value,
    /// Who changed them; absent when the hub did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<UserRef>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// `analysis:started`: an analysis run began on a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisStarted {
    /// The run.
    pub analysis_id: Id,
    /// The project analysed.
    pub project_id: Id,
    /// The detectors that will run, in order.
    pub detectors: Vec<String>,
    /// Who started it; absent when scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<UserRef>,
    /// When.
    pub started_at: DateTime<Utc>,
}

/// State of one detector within an analysis run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DetectorStatus {
    /// Not started yet.
    Pending,
    /// Running.
    Running,
    /// Finished.
    Complete,
    /// Failed (the run may go on with the next detector).
    Failed,
}

/// `analysis:progress`: one detector advanced (seed 004's per-detector progress).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisProgress {
    /// The run.
    pub analysis_id: Id,
    /// The project analysed.
    pub project_id: Id,
    /// The detector reporting.
    pub detector: String,
    /// That detector's state.
    pub detector_status: DetectorStatus,
    /// That detector's progress, 0 to 100.
    pub detector_progress: f64,
    /// Progress of the whole run, 0 to 100.
    pub progress: f64,
    /// Issues found so far by the whole run.
    pub issues_found: u32,
    /// Estimated seconds until the run completes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_time_remaining: Option<u32>,
    /// When this progress was measured.
    pub timestamp: DateTime<Utc>,
}

/// The outcome of one detector in a finished run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct DetectorResult {
    /// The detector.
    pub detector: String,
    /// Final state (`complete` or `failed`).
    pub status: DetectorStatus,
    /// Issues it found.
    pub issues_found: u32,
    /// How long it ran, in milliseconds.
    pub duration_ms: u32,
}

/// `analysis:complete`: an analysis run finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisComplete {
    /// The run.
    pub analysis_id: Id,
    /// The project analysed.
    pub project_id: Id,
    /// Issues found in total.
    pub issues_found: u32,
    /// Per-detector outcome.
    pub detectors: Vec<DetectorResult>,
    /// How long the run took, in milliseconds.
    pub duration_ms: u32,
    /// When.
    pub completed_at: DateTime<Utc>,
}

/// `analysis:error`: an analysis run failed and stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisError {
    /// The run.
    pub analysis_id: Id,
    /// The project analysed.
    pub project_id: Id,
    /// What went wrong, for humans.
    pub message: String,
    /// The detector that failed, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// When.
    pub failed_at: DateTime<Utc>,
}

/// `analysis:cancelled`: an analysis run was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisCancelled {
    /// The run.
    pub analysis_id: Id,
    /// The project analysed.
    pub project_id: Id,
    /// Who cancelled it; absent when the hub did (timeout, shutdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<UserRef>,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// `analysis:cancel`: ask the hub to cancel a running analysis (answered by
/// `analysis:cancelled`, or `error` if it already finished).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct AnalysisCancel {
    /// The run.
    pub analysis_id: Id,
}

impl Validate for AnalysisCancel {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `comment:create`: comment on a project, optionally on a line of a file or as a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CommentCreate {
    /// Idempotency key: re-sent unchanged on retry, echoed in `comment:created`.
    pub client_id: ClientId,
    /// The project.
    pub project_id: Id,
    /// The comment, 1 to 5000 characters, not blank.
    pub content: String,
    /// The file commented on, 1 to 1024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// The line commented on (1-based, at most 1,000,000); needs `filePath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The comment this replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Id>,
}

impl Validate for CommentCreate {
    fn validate(&self) -> Result<(), ValidationError> {
        check_client_id("clientId", &self.client_id)?;
        check_text("content", &self.content, limits::COMMENT_MAX)?;
        if let Some(path) = &self.file_path {
            check_len("filePath", path, 1, limits::FILE_PATH_MAX)?;
        }
        if let Some(line) = self.line {
            if self.file_path.is_none() {
                return Err(ValidationError::new("line", "needs filePath"));
            }
            check_range("line", line, 1, limits::CURSOR_MAX)?;
        }
        Ok(())
    }
}

/// `comment:created`: a comment was stored (seed 004's `CommentCreatedPayload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct Comment {
    /// Server id of the comment.
    pub id: Id,
    /// The author's idempotency key from `comment:create`.
    pub client_id: ClientId,
    /// The project.
    pub project_id: Id,
    /// The comment.
    pub content: String,
    /// The file commented on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// The line commented on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The comment this replies to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Id>,
    /// The author.
    pub author: UserRef,
    /// Whether it is resolved (`false` when created).
    pub resolved: bool,
    /// When the hub stored it.
    pub created_at: DateTime<Utc>,
}

/// `comment:resolve`: mark a comment resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CommentResolve {
    /// The comment.
    pub comment_id: Id,
}

impl Validate for CommentResolve {
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// `comment:resolved`: a comment was resolved (seed 004's `CommentResolvedPayload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct CommentResolved {
    /// The comment.
    pub comment_id: Id,
    /// Its project.
    pub project_id: Id,
    /// Who resolved it.
    pub resolved_by: UserRef,
    /// When.
    pub resolved_at: DateTime<Utc>,
}

/// An analysis run that has not finished yet, as listed in a `sync:snapshot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct OpenAnalysis {
    /// The run.
    pub analysis_id: Id,
    /// Its project.
    pub project_id: Id,
    /// The detectors it runs, in order.
    pub detectors: Vec<String>,
    /// A member asked to cancel it; the runner has not confirmed yet.
    pub cancel_requested: bool,
    /// When it started.
    pub started_at: DateTime<Utc>,
}
