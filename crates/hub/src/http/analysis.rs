//! Analysis runners (seed 004) report over HTTP with a service API key: started, per-detector
//! progress, complete, error, and the confirmation of a cancel. Clients in `project:{id}` get
//! the durable events. A cancel requested by a client is visible in `GET
//! /api/v1/analyses/{id}` (`cancelRequested`) and, if the runner registered a `webhookUrl`,
//! POSTed to it as `{analysisId, cancelRequested: true}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use sideline_protocol::projects::{
    AnalysisComplete, AnalysisError, AnalysisProgress, AnalysisStarted, DetectorResult,
    DetectorStatus,
};
use sideline_protocol::{Id, Namespace, Room};

use crate::error::{HubError, Result};
use crate::http::caller::Caller;
use crate::realtime::main_ns::new_id;
use crate::state::HubState;
use crate::store::work::{self, AnalysisJob, AnalysisState};

fn id_param(raw: &str, field: &str) -> Result<Id> {
    Id::new(raw).map_err(|e| HubError::invalid(field, e.rule))
}

/// A runner starts a job.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartAnalysis {
    /// Job id (generated when absent).
    pub analysis_id: Option<String>,
    /// Project.
    pub project_id: String,
    /// Detectors that will run.
    pub detectors: Vec<String>,
    /// `http://` URL to POST cancel requests to.
    pub webhook_url: Option<String>,
}

/// Starts a job: `analysis:started` to the project.
#[utoipa::path(post, path = "/api/v1/analyses", security(("bearer" = [])), request_body = StartAnalysis,
    responses((status = 201, body = AnalysisJob)))]
pub async fn start(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<StartAnalysis>,
) -> Result<(StatusCode, Json<AnalysisJob>)> {
    caller.ensure_service_or_leader()?;
    let id = match &body.analysis_id {
        Some(raw) => id_param(raw, "analysisId")?,
        None => new_id(),
    };
    let project = id_param(&body.project_id, "projectId")?;
    let now = hub.now();
    let started_by = match &caller {
        Caller::User(p) => Some(p.user_ref()),
        Caller::Service(_) => None,
    };
    let job = hub
        .commit(|tx, outbox| {
            work::start_analysis(
                tx,
                &id,
                &project,
                &body.detectors,
                body.webhook_url.as_deref(),
                now,
            )?;
            outbox.push(
                Namespace::Main,
                vec![Room::Project(project.clone())],
                "analysis:started",
                &AnalysisStarted {
                    analysis_id: id.clone(),
                    project_id: project.clone(),
                    detectors: body.detectors.clone(),
                    started_by,
                    started_at: now,
                },
            )?;
            work::analysis(tx, &id)?.ok_or_else(|| HubError::Internal("job vanished".into()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(job)))
}

/// The job's state; a runner polls `cancelRequested`.
#[utoipa::path(get, path = "/api/v1/analyses/{id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "Analysis id")),
    responses((status = 200, body = AnalysisJob), (status = 404, body = crate::http::ApiError)))]
pub async fn get(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AnalysisJob>> {
    let id = id_param(&id, "id")?;
    let db = hub.store.lock().await;
    let job = work::analysis(db.conn(), &id)?
        .ok_or_else(|| HubError::NotFound(format!("no analysis {id}")))?;
    if let Caller::User(p) = &caller {
        let project = id_param(&job.project_id, "projectId")?;
        crate::access::may_join(p, &Room::Project(project), Namespace::Main, db.conn())?;
    }
    Ok(Json(job))
}

/// Progress of one detector.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressReport {
    /// Detector name.
    pub detector: String,
    /// `pending`, `running`, `complete` or `failed`.
    #[schema(value_type = String)]
    pub detector_status: DetectorStatus,
    /// 0 to 100.
    pub detector_progress: f64,
    /// Overall, 0 to 100.
    pub progress: f64,
    /// Issues so far.
    pub issues_found: u32,
    /// Seconds left, if known.
    pub estimated_time_remaining: Option<u32>,
}

async fn running_project(hub: &HubState, id: &Id) -> Result<Id> {
    let db = hub.store.lock().await;
    let job = work::analysis(db.conn(), id)?
        .ok_or_else(|| HubError::NotFound(format!("no analysis {id}")))?;
    if job.state != AnalysisState::Running {
        return Err(HubError::Conflict(format!("analysis {id} is not running")));
    }
    id_param(&job.project_id, "projectId")
}

/// A detector advanced: `analysis:progress`.
#[utoipa::path(post, path = "/api/v1/analyses/{id}/progress", security(("bearer" = [])), request_body = ProgressReport,
    params(("id" = String, Path, description = "Analysis id")),
    responses((status = 204), (status = 409, body = crate::http::ApiError)))]
pub async fn progress(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ProgressReport>,
) -> Result<StatusCode> {
    caller.ensure_service_or_leader()?;
    let id = id_param(&id, "id")?;
    let project = running_project(&hub, &id).await?;
    let event = AnalysisProgress {
        analysis_id: id.clone(),
        project_id: project.clone(),
        detector: body.detector,
        detector_status: body.detector_status,
        detector_progress: body.detector_progress,
        progress: body.progress,
        issues_found: body.issues_found,
        estimated_time_remaining: body.estimated_time_remaining,
        timestamp: hub.now(),
    };
    hub.commit(|_, outbox| {
        outbox.push(
            Namespace::Main,
            vec![Room::Project(project.clone())],
            "analysis:progress",
            &event,
        )
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A finished run.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompleteReport {
    /// Issues found in total.
    pub issues_found: u32,
    /// Per-detector results (protocol `DetectorResult`).
    #[schema(value_type = Vec<Object>)]
    pub detectors: Vec<DetectorResult>,
    /// Run time.
    pub duration_ms: u32,
}

/// The run finished: `analysis:complete`.
#[utoipa::path(post, path = "/api/v1/analyses/{id}/complete", security(("bearer" = [])), request_body = CompleteReport,
    params(("id" = String, Path, description = "Analysis id")),
    responses((status = 204), (status = 409, body = crate::http::ApiError)))]
pub async fn complete(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CompleteReport>,
) -> Result<StatusCode> {
    caller.ensure_service_or_leader()?;
    let id = id_param(&id, "id")?;
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let project = finish(tx, &id, AnalysisState::Complete, now)?;
        outbox.push(
            Namespace::Main,
            vec![Room::Project(project.clone())],
            "analysis:complete",
            &AnalysisComplete {
                analysis_id: id.clone(),
                project_id: project,
                issues_found: body.issues_found,
                detectors: body.detectors,
                duration_ms: body.duration_ms,
                completed_at: now,
            },
        )
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn finish(
    tx: &rusqlite::Connection,
    id: &Id,
    state: AnalysisState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Id> {
    let job =
        work::analysis(tx, id)?.ok_or_else(|| HubError::NotFound(format!("no analysis {id}")))?;
    if job.state != AnalysisState::Running {
        return Err(HubError::Conflict(format!("analysis {id} is not running")));
    }
    work::set_analysis_state(tx, id, state, now)?;
    id_param(&job.project_id, "projectId")
}

/// A failed run.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    /// What failed.
    pub message: String,
    /// The failing detector, if one.
    pub detector: Option<String>,
}

/// The run failed: `analysis:error`.
#[utoipa::path(post, path = "/api/v1/analyses/{id}/error", security(("bearer" = [])), request_body = ErrorReport,
    params(("id" = String, Path, description = "Analysis id")),
    responses((status = 204), (status = 409, body = crate::http::ApiError)))]
pub async fn error(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ErrorReport>,
) -> Result<StatusCode> {
    caller.ensure_service_or_leader()?;
    let id = id_param(&id, "id")?;
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let project = finish(tx, &id, AnalysisState::Failed, now)?;
        outbox.push(
            Namespace::Main,
            vec![Room::Project(project.clone())],
            "analysis:error",
            &AnalysisError {
                analysis_id: id.clone(),
                project_id: project,
                message: body.message,
                detector: body.detector,
                failed_at: now,
            },
        )
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The runner stopped after a cancel request: `analysis:cancelled`.
#[utoipa::path(post, path = "/api/v1/analyses/{id}/cancelled", security(("bearer" = [])),
    params(("id" = String, Path, description = "Analysis id")),
    responses((status = 204), (status = 409, body = crate::http::ApiError)))]
pub async fn cancelled(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    caller.ensure_service_or_leader()?;
    let id = id_param(&id, "id")?;
    crate::flows::main::confirm_analysis_cancelled(&hub, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POSTs `{analysisId, cancelRequested: true}` to a runner's webhook in the background; a
/// failure is logged (the runner can still poll).
pub fn notify_cancel_webhook(url: String, analysis: Id) {
    tokio::spawn(async move {
        let body = serde_json::json!({ "analysisId": analysis, "cancelRequested": true });
        let result = reqwest::Client::new()
            .post(&url)
            .timeout(std::time::Duration::from_secs(10))
            .json(&body)
            .send()
            .await;
        match result {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => {
                tracing::warn!(%analysis, status = %response.status(), "cancel webhook refused")
            }
            Err(err) => tracing::warn!(%analysis, error = %err, "cancel webhook failed"),
        }
    });
}
