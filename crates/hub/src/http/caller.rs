//! Who is calling an HTTP endpoint: `Authorization: Bearer <JWT>` (a user or display) or
//! `Authorization: Bearer sk_...` (a service API key of an integration).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{Principal, hash_api_key};
use crate::error::HubError;
use crate::state::HubState;
use crate::store::users;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A user or display token.
    User(Principal),
    /// A service API key (its name).
    Service(String),
}

impl Caller {
    /// The user, or `FORBIDDEN` for a service key.
    pub fn user(&self) -> Result<&Principal, HubError> {
        match self {
            Caller::User(p) => Ok(p),
            Caller::Service(_) => Err(HubError::Forbidden(
                "this endpoint needs a user token".into(),
            )),
        }
    }

    /// A service key, or a team leader (integrations and leaders may ingest).
    pub fn ensure_service_or_leader(&self) -> Result<(), HubError> {
        match self {
            Caller::Service(_) => Ok(()),
            Caller::User(p) => p.ensure_leader(),
        }
    }
}

/// The bearer credential of a request.
pub fn bearer(parts: &Parts) -> Result<&str, HubError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| HubError::Unauthorized("missing `Authorization: Bearer ...` header".into()))
}

impl FromRequestParts<Arc<HubState>> for Caller {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<HubState>) -> Result<Self, HubError> {
        let credential = bearer(parts)?;
        if credential.starts_with("sk_") {
            let digest = hash_api_key(credential);
            let db = hub.store.lock().await;
            return users::api_key_name(db.conn(), &digest)?
                .map(Caller::Service)
                .ok_or_else(|| HubError::Unauthorized("unknown API key".into()));
        }
        hub.keys.verify(credential, hub.now()).map(Caller::User)
    }
}
