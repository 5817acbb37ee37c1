//! Reads and ingestion of `/` records: quick notes, action items, notifications.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use sideline_protocol::notes::{ActionItem, QuickNote};
use sideline_protocol::notifications::Notification;
use sideline_protocol::validate::limits::HISTORY_LIMIT_MAX;
use sideline_protocol::{Id, MainClientEvent};

use crate::auth::{Principal, Role};
use crate::error::{HubError, Result};
use crate::http::caller::Caller;
use crate::realtime::main_ns::{self, Created};
use crate::state::HubState;
use crate::store::records::{self, RecordKind};
use crate::store::users;

/// `?agentId=ID`: whose records.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct AgentQuery {
    /// The agent the records are about.
    pub agent_id: String,
}

/// `?before=ID&limit=N`: a page of a history. Read from the same query string as
/// [`AgentQuery`] where both apply.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct PageQuery {
    /// Only records older than this one (its `id`): the next page back.
    pub before: Option<String>,
    /// Only the newest this many (1 to `HISTORY_LIMIT_MAX`) of those. Without it, all of them.
    pub limit: Option<usize>,
}

/// The records of a kind about `subject`, oldest first: all of them, or the page that `before`
/// and `limit` ask for.
fn page_of<T: serde::de::DeserializeOwned>(
    conn: &rusqlite::Connection,
    kind: RecordKind,
    subject: &Id,
    page: &PageQuery,
) -> Result<Vec<T>> {
    let before = page
        .before
        .as_deref()
        .map(|id| Id::new(id).map_err(|e| HubError::invalid("before", e.rule)))
        .transpose()?;
    let limit = match page.limit {
        None => usize::MAX,
        Some(n @ 1..=HISTORY_LIMIT_MAX) => n,
        Some(_) => {
            return Err(HubError::invalid(
                "limit",
                format!("limit must be 1 to {HISTORY_LIMIT_MAX}"),
            ));
        }
    };
    records::page_by_subject(conn, kind, subject.as_str(), before.as_ref(), limit)?.ok_or_else(
        || {
            let before = before.map(|id| id.to_string()).unwrap_or_default();
            HubError::NotFound(format!("no record {before} about {subject}"))
        },
    )
}

/// The records of a kind about the queried agent, oldest first (see [`page_of`]).
async fn agent_records<T: serde::de::DeserializeOwned>(
    hub: &HubState,
    caller: &Caller,
    agent: &AgentQuery,
    page: &PageQuery,
    kind: RecordKind,
) -> Result<Vec<T>> {
    let agent = readable_agent(hub, caller, &agent.agent_id).await?;
    let db = hub.store.lock().await;
    page_of(db.conn(), kind, &agent, page)
}

/// The agent themself, or a leader of the agent's team, may read records about an agent.
async fn readable_agent(hub: &HubState, caller: &Caller, agent: &str) -> Result<Id> {
    let agent = Id::new(agent).map_err(|e| HubError::invalid("agentId", e.rule))?;
    if let Caller::User(p) = caller {
        let db = hub.store.lock().await;
        let user = users::by_id(db.conn(), &agent)?
            .ok_or_else(|| HubError::NotFound(format!("no user {agent}")))?;
        let own = p.user_id == agent;
        let leads = p.role == Role::Leader && p.team_id == user.team_id;
        if !own && !leads {
            return Err(HubError::Forbidden(
                "you may not read this agent's records".into(),
            ));
        }
    }
    Ok(agent)
}

/// The quick notes about an agent, oldest first, each with its `clientId`: all of them, or a page
/// of the agent's history (`before`, `limit`).
#[utoipa::path(
    get, path = "/api/v1/notes", params(AgentQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "`QuickNote[]` as in docs/protocol.md", body = Object))
)]
pub async fn list_notes(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Query(agent): Query<AgentQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Vec<QuickNote>>> {
    Ok(Json(
        agent_records(&hub, &caller, &agent, &page, RecordKind::QuickNote).await?,
    ))
}

/// The action items of an agent, oldest first, each with its `clientId`: all of them, or a page
/// of the agent's history (`before`, `limit`).
#[utoipa::path(
    get, path = "/api/v1/action-items", params(AgentQuery, PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "`ActionItem[]` as in docs/protocol.md", body = Object))
)]
pub async fn list_action_items(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Query(agent): Query<AgentQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Vec<ActionItem>>> {
    Ok(Json(
        agent_records(&hub, &caller, &agent, &page, RecordKind::ActionItem).await?,
    ))
}

/// The caller's notifications, oldest first: all of them, or a page of their history
/// (`before`, `limit`).
#[utoipa::path(
    get, path = "/api/v1/notifications", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "`Notification[]` as in docs/protocol.md", body = Object))
)]
pub async fn list_notifications(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> Result<Json<Vec<Notification>>> {
    let principal: &Principal = caller.user()?;
    let db = hub.store.lock().await;
    Ok(Json(page_of(
        db.conn(),
        RecordKind::Notification,
        &principal.user_id,
        &page,
    )?))
}

/// Sends a notification (a service key or a team leader). The body is the protocol's
/// `notification:send` payload; a repeated `clientId` answers 200 with the original.
#[utoipa::path(
    post, path = "/api/v1/notifications", security(("bearer" = [])),
    request_body(content = Object, description = "`NotificationSend` as in docs/protocol.md"),
    responses(
        (status = 201, description = "Stored and delivered", body = Object),
        (status = 200, description = "Already stored with this clientId", body = Object),
    )
)]
pub async fn send_notification(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<Notification>)> {
    caller.ensure_service_or_leader()?;
    let MainClientEvent::NotificationSend(send) =
        decode_http(MainClientEvent::decode_valid("notification:send", body))?
    else {
        return Err(HubError::Internal("decoded the wrong event".into()));
    };
    let from = match &caller {
        Caller::User(p) => Some(p),
        Caller::Service(_) => None,
    };
    Ok(match main_ns::send_notification(&hub, from, send).await? {
        Created::New(n) => (StatusCode::CREATED, Json(n)),
        Created::Repeat(n) => (StatusCode::OK, Json(n)),
    })
}

/// Maps a protocol decode error to an HTTP 400 naming the field.
pub fn decode_http<T>(result: std::result::Result<T, sideline_protocol::DecodeError>) -> Result<T> {
    result.map_err(|err| {
        let payload = sideline_protocol::error_payload(&err);
        HubError::Invalid {
            code: payload.code,
            message: payload.message,
            field: payload.field,
        }
    })
}

/// Comments on a project (a user token: the comment has an author). The body is the
/// protocol's `comment:create` payload; a repeated `clientId` answers 200 with the original.
#[utoipa::path(
    post, path = "/api/v1/comments", security(("bearer" = [])),
    request_body(content = Object, description = "`CommentCreate` as in docs/protocol.md"),
    responses(
        (status = 201, description = "Stored; `comment:created` sent to the project", body = Object),
        (status = 200, description = "Already stored with this clientId", body = Object),
    )
)]
pub async fn create_comment(
    State(hub): State<Arc<HubState>>,
    caller: Caller,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<sideline_protocol::projects::Comment>)> {
    let author = caller.user()?;
    author.ensure_can_write()?;
    let MainClientEvent::CommentCreate(create) =
        decode_http(MainClientEvent::decode_valid("comment:create", body))?
    else {
        return Err(HubError::Internal("decoded the wrong event".into()));
    };
    Ok(
        match crate::flows::main::create_comment(&hub, author, create).await? {
            Created::New(c) => (StatusCode::CREATED, Json(c)),
            Created::Repeat(c) => (StatusCode::OK, Json(c)),
        },
    )
}
