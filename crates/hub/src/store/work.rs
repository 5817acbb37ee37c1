//! Analysis jobs (seed 004) and the generic entity feed of `data:update` (seed 001).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sideline_protocol::Id;

use crate::error::{HubError, Result};

/// Where an analysis job stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisState {
    /// Started, not finished.
    Running,
    /// Finished.
    Complete,
    /// Failed.
    Failed,
    /// Cancelled (confirmed by the runner).
    Cancelled,
}

impl AnalysisState {
    fn as_str(self) -> &'static str {
        match self {
            AnalysisState::Running => "running",
            AnalysisState::Complete => "complete",
            AnalysisState::Failed => "failed",
            AnalysisState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> AnalysisState {
        match s {
            "complete" => AnalysisState::Complete,
            "failed" => AnalysisState::Failed,
            "cancelled" => AnalysisState::Cancelled,
            _ => AnalysisState::Running,
        }
    }
}

/// A stored analysis job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisJob {
    /// Id.
    pub id: String,
    /// Project.
    pub project_id: String,
    /// State.
    pub state: AnalysisState,
    /// A project member asked to cancel; the runner should stop and confirm.
    pub cancel_requested: bool,
    /// Where the hub POSTs `{analysisId, cancelRequested: true}` on a cancel request.
    pub webhook_url: Option<String>,
}

/// Creates a running job (a repeated start of the same id is a `CONFLICT`).
pub fn start_analysis(
    conn: &Connection,
    id: &Id,
    project: &Id,
    detectors: &[String],
    webhook_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO analyses (id, project_id, state, webhook_url, detectors, started_at, updated_at)
         VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?5)",
        params![id.as_str(), project.as_str(), webhook_url, serde_json::to_string(detectors)?, now.to_rfc3339()],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            HubError::Conflict(format!("analysis {id} exists (or its project does not)"))
        }
        other => other.into(),
    })?;
    Ok(())
}

/// One job.
pub fn analysis(conn: &Connection, id: &Id) -> Result<Option<AnalysisJob>> {
    Ok(conn
        .query_row(
            "SELECT id, project_id, state, cancel_requested, webhook_url FROM analyses WHERE id = ?1",
            params![id.as_str()],
            |r| {
                Ok(AnalysisJob {
                    id: r.get(0)?,
                    project_id: r.get(1)?,
                    state: AnalysisState::parse(&r.get::<_, String>(2)?),
                    cancel_requested: r.get(3)?,
                    webhook_url: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Sets a job's state.
pub fn set_analysis_state(
    conn: &Connection,
    id: &Id,
    state: AnalysisState,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE analyses SET state = ?2, updated_at = ?3 WHERE id = ?1",
        params![id.as_str(), state.as_str(), now.to_rfc3339()],
    )?;
    Ok(())
}

/// Marks a job cancel-requested.
pub fn request_cancel(conn: &Connection, id: &Id, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE analyses SET cancel_requested = 1, updated_at = ?2 WHERE id = ?1",
        params![id.as_str(), now.to_rfc3339()],
    )?;
    Ok(())
}

/// Writes an entity row (create, update or delete); returns its new version.
pub fn put_entity(
    conn: &Connection,
    entity: &str,
    id: &Id,
    data: &serde_json::Value,
    room: Option<&str>,
    deleted: bool,
    now: DateTime<Utc>,
) -> Result<i64> {
    let version: i64 = conn.query_row(
        "INSERT INTO entities (entity, id, data, version, room, deleted, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)
         ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, version = version + 1,
             room = excluded.room, deleted = excluded.deleted, updated_at = excluded.updated_at
         RETURNING version",
        params![
            entity,
            id.as_str(),
            data.to_string(),
            room,
            deleted,
            now.to_rfc3339()
        ],
        |r| r.get(0),
    )?;
    Ok(version)
}

/// The runs of a project that are still running, oldest first.
pub fn open_analyses(
    conn: &Connection,
    project: &Id,
) -> Result<Vec<sideline_protocol::projects::OpenAnalysis>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, project_id, detectors, cancel_requested, started_at FROM analyses
         WHERE project_id = ?1 AND state = 'running' ORDER BY started_at, id",
    )?;
    let rows = stmt.query_map(params![project.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut open = Vec::new();
    for row in rows {
        let (id, project_id, detectors, cancel_requested, started_at) = row?;
        let stored = |what: &str, e: &dyn std::fmt::Display| {
            HubError::Internal(format!("stored analysis {id}: {what}: {e}"))
        };
        open.push(sideline_protocol::projects::OpenAnalysis {
            analysis_id: Id::new(&id).map_err(|e| stored("id", &e))?,
            project_id: Id::new(&project_id).map_err(|e| stored("project", &e))?,
            detectors: serde_json::from_str(&detectors)?,
            cancel_requested,
            started_at: DateTime::parse_from_rfc3339(&started_at)
                .map_err(|e| stored("startedAt", &e))?
                .with_timezone(&Utc),
        });
    }
    Ok(open)
}
