//! Contests over HTTP: a team leader (for their own team) or an integration (naming the
//! team) creates one; the team's members list them with their status and standings. The
//! leaderboard flow reads contests from the store on every sale and tick, so a created
//! contest takes entries and is closed like any other (`contest:*` on `/leaderboard`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sideline_protocol::{Id, Namespace, Room};

use crate::auth::Role;
use crate::error::{HubError, Result};
use crate::flows::leaderboard;
use crate::http::caller::Caller;
use crate::realtime::main_ns::new_id;
use crate::realtime::rooms;
use crate::state::HubState;
use crate::store::{org, users};

/// A contest to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewContest {
    /// Id (default: generated).
    pub id: Option<String>,
    /// The team: required for a service key; a leader may only name their own.
    pub team_id: Option<String>,
    /// Name.
    pub name: String,
    /// One of the leaderboard metrics (`revenue`, `deals`, `calls`).
    pub metric: String,
    /// Start (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End (exclusive), after `startsAt`.
    pub ends_at: DateTime<Utc>,
    /// The entrants: at least one, all users of the team.
    pub entrant_ids: Vec<String>,
}

/// Where a contest stands at the time of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContestPhase {
    /// Before `startsAt`.
    Upcoming,
    /// Taking entries.
    Running,
    /// At or after `endsAt` (its result is produced by the next leaderboard tick).
    Ended,
}

/// One entrant's place.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContestStanding {
    /// 1 is first; ties share a rank.
    pub rank: u32,
    /// The entrant.
    pub user_id: String,
    /// Display name.
    pub user_name: String,
    /// Total on the contest's metric.
    pub value: f64,
}

/// A contest, its status and its current standings.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContestView {
    /// Id (the room is `contest:{id}` on `/leaderboard`).
    pub id: String,
    /// Team.
    pub team_id: String,
    /// Name.
    pub name: String,
    /// Metric contested.
    pub metric: String,
    /// Start (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Entrants, by id.
    pub entrant_ids: Vec<String>,
    /// `upcoming`, `running` or `ended`.
    pub status: ContestPhase,
    /// Every entrant, best first.
    pub standings: Vec<ContestStanding>,
}

fn phase(now: DateTime<Utc>, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> ContestPhase {
    if now < starts_at {
        ContestPhase::Upcoming
    } else if now < ends_at {
        ContestPhase::Running
    } else {
        ContestPhase::Ended
    }
}

fn stored_time(raw: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| HubError::Internal(format!("stored contest time: {e}")))
}

/// The view of a stored contest at `now`, standings rebuilt as the leaderboard flow does.
fn view(
    conn: &rusqlite::Connection,
    team: &Id,
    row: &org::ContestRow,
    now: DateTime<Utc>,
) -> Result<ContestView> {
    let (starts_at, ends_at) = (stored_time(&row.starts_at)?, stored_time(&row.ends_at)?);
    let standings = leaderboard::contest_standings(conn, team, row)?
        .into_iter()
        .map(|r| ContestStanding {
            rank: r.rank,
            user_id: r.competitor.user_id.to_string(),
            user_name: r.competitor.user_name,
            value: r.value,
        })
        .collect();
    Ok(ContestView {
        id: row.id.to_string(),
        team_id: team.to_string(),
        name: row.name.clone(),
        metric: row.metric.clone(),
        starts_at,
        ends_at,
        entrant_ids: row.entrant_ids.iter().map(ToString::to_string).collect(),
        status: phase(now, starts_at, ends_at),
        standings,
    })
}

/// Creates a contest (a team leader for their own team, or a service key naming `teamId`).
#[utoipa::path(post, path = "/api/v1/contests", security(("bearer" = [])), request_body = NewContest,
    responses((status = 201, body = ContestView), (status = 400, body = crate::http::ApiError),
        (status = 403, body = crate::http::ApiError), (status = 404, body = crate::http::ApiError),
        (status = 409, body = crate::http::ApiError)))]
pub async fn create_contest(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(new): Json<NewContest>,
) -> Result<(StatusCode, Json<ContestView>)> {
    caller.ensure_service_or_leader()?;
    let named_team = new
        .team_id
        .as_deref()
        .map(|t| Id::new(t).map_err(|e| HubError::invalid("teamId", e.rule)))
        .transpose()?;
    let team = match (&caller, named_team) {
        (Caller::User(leader), Some(team)) if team != leader.team_id => {
            return Err(HubError::Forbidden(
                "a leader may only create contests for their own team".into(),
            ));
        }
        (Caller::User(leader), _) => leader.team_id.clone(),
        (Caller::Service(_), Some(team)) => team,
        (Caller::Service(_), None) => {
            return Err(HubError::invalid(
                "teamId",
                "a service key must name the team",
            ));
        }
    };
    let id = match new.id.as_deref() {
        Some(raw) => Id::new(raw).map_err(|e| HubError::invalid("id", e.rule))?,
        None => new_id(),
    };
    if new.name.trim().is_empty() {
        return Err(HubError::invalid("name", "must not be empty"));
    }
    if !hub.config.leaderboard_metrics.contains(&new.metric) {
        return Err(HubError::invalid(
            "metric",
            format!(
                "unknown metric `{}`; known: {}",
                new.metric,
                hub.config.leaderboard_metrics.join(", ")
            ),
        ));
    }
    crate::http::check_storable_instant("startsAt", new.starts_at)?;
    crate::http::check_storable_instant("endsAt", new.ends_at)?;
    if new.ends_at <= new.starts_at {
        return Err(HubError::invalid("endsAt", "must be after startsAt"));
    }
    if new.entrant_ids.is_empty() {
        return Err(HubError::invalid("entrantIds", "name at least one entrant"));
    }
    let entrants = new
        .entrant_ids
        .iter()
        .map(|e| Id::new(e.as_str()).map_err(|err| HubError::invalid("entrantIds", err.rule)))
        .collect::<Result<Vec<Id>>>()?;

    let db = hub.store.lock().await;
    let conn = db.conn();
    if !users::teams(conn)?.iter().any(|(t, _)| *t == team) {
        return Err(HubError::NotFound(format!("no team {team}")));
    }
    for entrant in &entrants {
        let user = users::by_id(conn, entrant)?
            .ok_or_else(|| HubError::NotFound(format!("no user {entrant}")))?;
        if user.team_id != team {
            return Err(HubError::invalid(
                "entrantIds",
                format!("{entrant} is not in team {team}"),
            ));
        }
    }
    if org::contest_team(conn, &id)?.is_some() {
        return Err(HubError::Conflict(format!("contest {id} already exists")));
    }
    org::insert_contest(
        conn,
        &id,
        &team,
        new.name.trim(),
        &new.metric,
        new.starts_at,
        new.ends_at,
        &entrants,
    )?;
    let row = org::team_contests(conn, &team)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| HubError::Internal(format!("contest {id} not stored")))?;
    let created = view(conn, &team, &row, hub.now())?;
    // Its followers (the entrants and the team's leaders) are in a contest's room from
    // connect: those connected already join it now, still under the store lock.
    let leaders = users::list(conn, Some(&team))?
        .into_iter()
        .filter(|user| user.role == Role::Leader)
        .map(|user| user.id);
    let followers = entrants.into_iter().chain(leaders);
    rooms::join_connected(&hub, Namespace::Leaderboard, followers, Room::Contest(id)).await;
    drop(db);
    Ok((StatusCode::CREATED, Json(created)))
}

/// The contests of the caller's team (any member), latest start first, with their status and
/// current standings.
#[utoipa::path(get, path = "/api/v1/contests", security(("bearer" = [])),
    responses((status = 200, body = [ContestView])))]
pub async fn list_contests(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
) -> Result<Json<Vec<ContestView>>> {
    let member = caller.user()?;
    let now = hub.now();
    let db = hub.store.lock().await;
    let conn = db.conn();
    let list = org::team_contests(conn, &member.team_id)?
        .iter()
        .map(|row| view(conn, &member.team_id, row, now))
        .collect::<Result<Vec<_>>>()?;
    Ok(Json(list))
}
