//! `POST /api/v1/auth/login` and `POST /api/v1/auth/refresh`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::{Role, TokenKind, verify_password};
use crate::error::{HubError, Result};
use crate::http::caller::Caller;
use crate::state::HubState;
use crate::store::users::{self, UserRecord};

/// Login credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The user a token acts for.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team id.
    pub team_id: String,
}

impl From<&UserRecord> for SessionUser {
    fn from(user: &UserRecord) -> Self {
        SessionUser {
            id: user.id.to_string(),
            name: user.name.clone(),
            role: user.role,
            team_id: user.team_id.to_string(),
        }
    }
}

/// A signed token and whom it is for.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The JWT, for `Authorization: Bearer` and the Socket.IO handshake `auth.token`.
    pub token: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The user.
    pub user: SessionUser,
}

/// Exchanges a username and password for a token.
#[utoipa::path(
    post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown user or wrong password", body = crate::http::ApiError),
    )
)]
pub async fn login(
    State(hub): State<Arc<HubState>>,
    Json(request): Json<LoginRequest>,
) -> Result<Json<TokenResponse>> {
    let user = {
        let db = hub.store.lock().await;
        users::by_username(db.conn(), &request.username)?
    };
    let refused = || HubError::Unauthorized("unknown user or wrong password".into());
    let Some(user) = user else {
        return Err(refused());
    };
    let Some(hash) = user.password_hash.clone() else {
        return Err(refused());
    };
    // argon2 is slow on purpose: keep it off the async workers.
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| HubError::Internal(format!("password check: {e}")))?;
    if !matches {
        return Err(refused());
    }
    // A display that logs in (demo `wall`) gets a display token: read-only, like one issued
    // by an admin, but with the user lifetime.
    let kind = if user.role == Role::Display {
        TokenKind::Display
    } else {
        TokenKind::User
    };
    let (token, expires_at) =
        hub.keys
            .issue(&user.subject(), kind, hub.now(), hub.config.token_ttl)?;
    Ok(Json(TokenResponse {
        token,
        expires_at,
        user: SessionUser::from(&user),
    }))
}

/// Renews a valid (not yet expired) user token. The user is re-read, so a changed name or
/// team is reflected.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh",
    security(("bearer" = [])),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Missing, invalid or expired token", body = crate::http::ApiError),
    )
)]
pub async fn refresh(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
) -> Result<Json<TokenResponse>> {
    let principal = caller.user()?;
    let user = {
        let db = hub.store.lock().await;
        users::by_id(db.conn(), &principal.user_id)?
    }
    .ok_or_else(|| HubError::Unauthorized("the user no longer exists".into()))?;
    let (kind, ttl) = if user.role == Role::Display {
        (TokenKind::Display, hub.config.display_token_ttl)
    } else {
        (TokenKind::User, hub.config.token_ttl)
    };
    let (token, expires_at) = hub.keys.issue(&user.subject(), kind, hub.now(), ttl)?;
    Ok(Json(TokenResponse {
        token,
        expires_at,
        user: SessionUser::from(&user),
    }))
}
