//! Operations endpoints: health, Prometheus metrics, the OpenAPI document.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;

use crate::error::Result;
use crate::state::HubState;
use crate::store::events;

/// `/health` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Always `ok` when the hub answers and its database is readable.
    pub status: &'static str,
    /// The newest durable event id.
    pub last_event_id: u64,
}

/// Liveness and database check.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(hub): State<Arc<HubState>>) -> Result<Json<Health>> {
    let db = hub.store.lock().await;
    Ok(Json(Health {
        status: "ok",
        last_event_id: events::last_id(db.conn())?.0,
    }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(hub): State<Arc<HubState>>) -> Result<impl IntoResponse> {
    let size = {
        let db = hub.store.lock().await;
        events::count(db.conn())?
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        hub.metrics.render(size),
    ))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn openapi_json(State(hub): State<Arc<HubState>>) -> impl IntoResponse {
    Json(hub.openapi.get().cloned().unwrap_or_default())
}
