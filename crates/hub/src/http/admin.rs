//! Basic administration, for team leaders within their own team: users, teams, display tokens,
//! service API keys.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sideline_protocol::{Id, Namespace, Room};

use crate::auth::{Role, TokenKind, generate_api_key, hash_api_key, hash_password};
use crate::error::{HubError, Result};
use crate::http::caller::Caller;
use crate::http::session::{SessionUser, TokenResponse};
use crate::realtime::main_ns::new_id;
use crate::realtime::rooms;
use crate::state::HubState;
use crate::store::users::{self, UserRecord};

/// A user to create in the caller's team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// `leader` or `agent` (displays are created with a display token).
    pub role: Role,
    /// Password (argon2id-hashed before it is stored).
    pub password: String,
}

/// The users of the caller's team.
#[utoipa::path(get, path = "/api/v1/admin/users", security(("bearer" = [])),
    responses((status = 200, body = [SessionUser])))]
pub async fn list_users(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
) -> Result<Json<Vec<SessionUser>>> {
    let leader = caller.user()?;
    leader.ensure_leader()?;
    let db = hub.store.lock().await;
    let list = users::list(db.conn(), Some(&leader.team_id))?;
    Ok(Json(list.iter().map(SessionUser::from).collect()))
}

/// Creates a user in the caller's team.
#[utoipa::path(post, path = "/api/v1/admin/users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = SessionUser), (status = 409, body = crate::http::ApiError)))]
pub async fn create_user(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<SessionUser>)> {
    let leader = caller.user()?.clone();
    leader.ensure_leader()?;
    if new.role == Role::Display {
        return Err(HubError::invalid(
            "role",
            "displays are created with POST /api/v1/admin/display-tokens",
        ));
    }
    if new.username.trim().is_empty() || new.password.is_empty() {
        return Err(HubError::invalid(
            "username",
            "username and password must not be empty",
        ));
    }
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| HubError::Internal(e.to_string()))??;
    let user = UserRecord {
        id: new_id(),
        username: new.username,
        name: new.name,
        role: new.role,
        team_id: leader.team_id.clone(),
        password_hash: Some(hash),
    };
    let db = hub.store.lock().await;
    users::insert_user(db.conn(), &user, hub.now())?;
    // The team's leaders' `/training` sockets follow every member's XP and streaks: those
    // connected join the newcomer's room now, still under the store lock.
    let leaders = users::list(db.conn(), Some(&user.team_id))?
        .into_iter()
        .filter(|member| member.role == Role::Leader && member.id != user.id)
        .map(|leader| leader.id);
    rooms::join_connected(
        &hub,
        Namespace::Training,
        leaders,
        Room::User(user.id.clone()),
    )
    .await;
    drop(db);
    Ok((StatusCode::CREATED, Json(SessionUser::from(&user))))
}

/// A team.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Team {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// Every team.
#[utoipa::path(get, path = "/api/v1/admin/teams", security(("bearer" = [])), responses((status = 200, body = [Team])))]
pub async fn list_teams(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
) -> Result<Json<Vec<Team>>> {
    caller.user()?.ensure_leader()?;
    let db = hub.store.lock().await;
    Ok(Json(
        users::teams(db.conn())?
            .into_iter()
            .map(|(id, name)| Team {
                id: id.to_string(),
                name,
            })
            .collect(),
    ))
}

/// Creates (or renames) a team.
#[utoipa::path(post, path = "/api/v1/admin/teams", security(("bearer" = [])), request_body = Team,
    responses((status = 201, body = Team)))]
pub async fn create_team(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(team): Json<Team>,
) -> Result<(StatusCode, Json<Team>)> {
    caller.user()?.ensure_leader()?;
    let id = Id::new(team.id.clone()).map_err(|e| HubError::invalid("id", e.rule))?;
    let db = hub.store.lock().await;
    users::upsert_team(db.conn(), &id, &team.name)?;
    Ok((StatusCode::CREATED, Json(team)))
}

/// A wall display to create in the caller's team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewDisplay {
    /// Display name shown in presence and logs.
    pub name: String,
}

/// Creates a display account in the caller's team and returns its long-lived, read-only
/// token.
#[utoipa::path(post, path = "/api/v1/admin/display-tokens", security(("bearer" = [])), request_body = NewDisplay,
    responses((status = 201, body = TokenResponse)))]
pub async fn create_display_token(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(new): Json<NewDisplay>,
) -> Result<(StatusCode, Json<TokenResponse>)> {
    let leader = caller.user()?.clone();
    leader.ensure_leader()?;
    let id = new_id();
    let user = UserRecord {
        username: format!("display-{id}"),
        id,
        name: new.name,
        role: Role::Display,
        team_id: leader.team_id.clone(),
        password_hash: None,
    };
    {
        let db = hub.store.lock().await;
        users::insert_user(db.conn(), &user, hub.now())?;
    }
    let (token, expires_at) = hub.keys.issue(
        &user.subject(),
        TokenKind::Display,
        hub.now(),
        hub.config.display_token_ttl,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            expires_at,
            user: SessionUser::from(&user),
        }),
    ))
}

/// A service API key request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewApiKey {
    /// What the key is for (`crm-sync`).
    pub name: String,
}

/// A created API key: shown once, stored only as a digest.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiKey {
    /// Key id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The key (`sk_...`).
    pub key: String,
}

/// Creates a service API key for an integration.
#[utoipa::path(post, path = "/api/v1/admin/api-keys", security(("bearer" = [])), request_body = NewApiKey,
    responses((status = 201, body = ApiKey)))]
pub async fn create_api_key(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(new): Json<NewApiKey>,
) -> Result<(StatusCode, Json<ApiKey>)> {
    caller.user()?.ensure_leader()?;
    let key = generate_api_key();
    let id = new_id();
    let db = hub.store.lock().await;
    users::insert_api_key(
        db.conn(),
        id.as_str(),
        &new.name,
        &hash_api_key(&key),
        hub.now(),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(ApiKey {
            id: id.to_string(),
            name: new.name,
            key,
        }),
    ))
}
