//! Leaderboard and training over HTTP: integrations record sales, award XP and report quizzes;
//! users read their team's leaderboard.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sideline_protocol::Id;
use sideline_protocol::leaderboard::{LeaderboardRefresh, TimeRange};
use sideline_protocol::training::QuizCompleted;

use crate::domain::TrainingProgress;
use crate::error::{HubError, Result};
use crate::flows::{leaderboard, training};
use crate::http::caller::Caller;
use crate::state::HubState;

fn id(raw: &str, field: &str) -> Result<Id> {
    Id::new(raw).map_err(|e| HubError::invalid(field, e.rule))
}

/// The largest amount one sale may add to a metric, either way (a trillion).
const SALE_VALUE_MAX: f64 = 1e12;

/// A sale to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordSale {
    /// The seller.
    pub seller_id: String,
    /// What the sale adds per metric (`{"revenue": 1200, "deals": 1}`).
    pub values: BTreeMap<String, f64>,
    /// When it happened (default: now).
    pub at: Option<DateTime<Utc>>,
}

/// What a recorded sale changed.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaleRecorded {
    /// Rank changes sent (`rankings:update` + `rank:changed` each).
    pub rank_changes: usize,
}

/// Records a sale (service key or leader): ranks are recomputed per metric and range.
#[utoipa::path(post, path = "/api/v1/sales", security(("bearer" = [])), request_body = RecordSale,
    responses((status = 201, body = SaleRecorded), (status = 400, body = crate::http::ApiError)))]
pub async fn record_sale(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<RecordSale>,
) -> Result<(StatusCode, Json<SaleRecorded>)> {
    caller.ensure_service_or_leader()?;
    let seller = id(&body.seller_id, "sellerId")?;
    if let Caller::User(p) = &caller {
        let db = hub.store.lock().await;
        let user = crate::store::users::by_id(db.conn(), &seller)?
            .ok_or_else(|| HubError::NotFound(format!("no user {seller}")))?;
        if user.team_id != p.team_id {
            return Err(HubError::Forbidden("the seller is not in your team".into()));
        }
    }
    if body.values.is_empty() {
        return Err(HubError::invalid("values", "must name at least one metric"));
    }
    // Totals add up sales: a bound per sale keeps every total finite (JSON has no infinity,
    // and a board with a `null` value decodes nowhere), with room for any real sale.
    for (metric, value) in &body.values {
        if !value.is_finite() || value.abs() > SALE_VALUE_MAX {
            return Err(HubError::invalid(
                format!("values.{metric}"),
                format!("must be a number from -{SALE_VALUE_MAX:e} to {SALE_VALUE_MAX:e}"),
            ));
        }
    }
    if let Some(at) = body.at {
        crate::http::check_storable_instant("at", at)?;
    }
    let updates =
        leaderboard::record_sale(&hub, &seller, body.values.into_iter().collect(), body.at).await?;
    Ok((
        StatusCode::CREATED,
        Json(SaleRecorded {
            rank_changes: updates
                .iter()
                .filter(|u| u.previous_rank != u.new_rank)
                .count(),
        }),
    ))
}

/// `?metric=revenue&range=week&limit=50`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BoardQuery {
    /// One of the hub's configured metrics (default `revenue`, `deals`, `calls`).
    pub metric: String,
    /// `today`, `week`, `month`, `quarter` or `year`.
    #[param(value_type = String)]
    pub range: TimeRange,
    /// Rows (default 50).
    pub limit: Option<u32>,
}

/// The caller's team leaderboard (the `leaderboard:refresh` payload).
#[utoipa::path(get, path = "/api/v1/leaderboard", security(("bearer" = [])), params(BoardQuery),
    responses((status = 200, description = "`LeaderboardRefresh` as in docs/protocol.md", body = Object)))]
pub async fn get_leaderboard(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Query(query): Query<BoardQuery>,
) -> Result<Json<LeaderboardRefresh>> {
    let principal = caller.user()?;
    let limit = query.limit.unwrap_or(50).clamp(1, 500) as usize;
    Ok(Json(
        leaderboard::refresh_for(&hub, &principal.team_id, &query.metric, query.range, limit)
            .await?,
    ))
}

/// XP to award.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwardXp {
    /// The learner.
    pub user_id: String,
    /// 1 to 1,000,000.
    pub amount: u32,
    /// Why (`"Course: objection handling"`).
    pub source: String,
}

/// A learner's counters.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Total XP.
    pub total_xp: u32,
    /// Level (from the documented curve: level n needs 50·n·(n−1) XP).
    pub level: u32,
    /// Quizzes passed.
    pub quizzes_passed: u32,
}

impl From<TrainingProgress> for Progress {
    fn from(p: TrainingProgress) -> Self {
        Progress {
            total_xp: p.total_xp,
            level: crate::domain::level_for_xp(p.total_xp),
            quizzes_passed: p.quizzes_passed,
        }
    }
}

/// Awards XP (service key or leader): `xp:gained`, `level:up` / `level:celebration`,
/// achievements.
#[utoipa::path(post, path = "/api/v1/training/xp", security(("bearer" = [])), request_body = AwardXp,
    responses((status = 200, body = Progress), (status = 400, body = crate::http::ApiError)))]
pub async fn award_xp(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<AwardXp>,
) -> Result<Json<Progress>> {
    caller.ensure_service_or_leader()?;
    let learner = id(&body.user_id, "userId")?;
    Ok(Json(
        training::grant_xp(&hub, &learner, body.amount, &body.source)
            .await?
            .into(),
    ))
}

/// A quiz result.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuizResult {
    /// The learner.
    pub user_id: String,
    /// The quiz.
    pub quiz_id: String,
    /// Its module, if any.
    pub module_id: Option<String>,
    /// 0 to 100.
    pub score: f64,
}

/// Reports a finished quiz (service key or leader): `quiz:completed` and its XP.
#[utoipa::path(post, path = "/api/v1/training/quizzes", security(("bearer" = [])), request_body = QuizResult,
    responses((status = 201, description = "`QuizCompleted` as in docs/protocol.md", body = Object)))]
pub async fn complete_quiz(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<QuizResult>,
) -> Result<(StatusCode, Json<QuizCompleted>)> {
    caller.ensure_service_or_leader()?;
    let learner = id(&body.user_id, "userId")?;
    let quiz = id(&body.quiz_id, "quizId")?;
    let module = body
        .module_id
        .as_deref()
        .map(|m| id(m, "moduleId"))
        .transpose()?;
    Ok((
        StatusCode::CREATED,
        Json(training::complete_quiz(&hub, &learner, quiz, module, body.score).await?),
    ))
}

/// Roleplay messages waiting for the responder integration (service key), oldest first.
#[utoipa::path(get, path = "/api/v1/roleplay/pending", security(("bearer" = [])),
    responses((status = 200, body = [training::PendingRoleplay])))]
pub async fn pending_roleplay(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
) -> Result<Json<Vec<training::PendingRoleplay>>> {
    caller.ensure_service_or_leader()?;
    Ok(Json(training::pending_roleplay(&hub).await?))
}

/// The responder's answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleplayAnswer {
    /// What the AI partner says.
    pub message: String,
    /// Optional coaching feedback (protocol `RoleplayFeedback`).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<sideline_protocol::training::RoleplayFeedback>,
}

/// Answers a pending roleplay message: `roleplay:response` to the session room.
#[utoipa::path(post, path = "/api/v1/roleplay/{id}/response", security(("bearer" = [])), request_body = RoleplayAnswer,
    params(("id" = String, Path, description = "messageId from the pending list")),
    responses((status = 201, description = "`RoleplayResponse` as in docs/protocol.md", body = Object), (status = 409, body = crate::http::ApiError)))]
pub async fn respond_roleplay(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    axum::extract::Path(message): axum::extract::Path<String>,
    Json(body): Json<RoleplayAnswer>,
) -> Result<(
    StatusCode,
    Json<sideline_protocol::training::RoleplayResponse>,
)> {
    caller.ensure_service_or_leader()?;
    if body.message.trim().is_empty() {
        return Err(HubError::invalid("message", "must not be blank"));
    }
    let message = id(&message, "id")?;
    Ok((
        StatusCode::CREATED,
        Json(training::respond_roleplay(&hub, &message, body.message, body.metadata).await?),
    ))
}
