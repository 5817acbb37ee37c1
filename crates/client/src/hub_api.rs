//! Reads of the hub's HTTP API that the live state does not cover: an agent's note and
//! action-item history and the user's own notification history, a page at a time (the state
//! keeps only the newest, [`kept`](sideline_protocol::realtime::kept)), and all of the user's
//! notifications at once (the CLI).

use serde::Serialize;
use serde::de::DeserializeOwned;
use sideline_protocol::Id;
use sideline_protocol::notes::{ActionItem, QuickNote};
use sideline_protocol::notifications::Notification;

use crate::error::{ClientError, Result};
use crate::state::work::{ActionItemView, NoteView};
use crate::tokens::Credentials;

/// How many entries a page of history holds.
pub const HISTORY_PAGE: usize = 50;

/// One page of a history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage<T> {
    /// At most [`HISTORY_PAGE`] entries, oldest first.
    pub entries: Vec<T>,
    /// Whether the hub holds entries older than the first.
    pub more: bool,
}

/// A list of the hub's that holds records about an agent, and pages back through them.
pub trait AgentHistory: DeserializeOwned {
    /// Its HTTP path.
    const PATH: &'static str;
    /// The record as the app's lists show it (the hub stored it, so it is synced).
    type View: for<'a> From<&'a Self>;
}

impl AgentHistory for QuickNote {
    const PATH: &'static str = "/api/v1/notes";
    type View = NoteView;
}

impl AgentHistory for ActionItem {
    const PATH: &'static str = "/api/v1/action-items";
    type View = ActionItemView;
}

/// The newest page of `T`s about `agent` older than the record `before` (the newest of all
/// when `None`), as the lists show them.
pub async fn history<T: AgentHistory>(
    credentials: &Credentials,
    agent: &Id,
    before: Option<&Id>,
) -> Result<HistoryPage<T::View>> {
    let page: HistoryPage<T> = page(credentials, T::PATH, Some(agent), before).await?;
    Ok(HistoryPage {
        entries: page.entries.iter().map(T::View::from).collect(),
        more: page.more,
    })
}

/// The newest page of the signed-in user's notifications older than the one `before` (the
/// newest of all when `None`).
pub async fn notification_history(
    credentials: &Credentials,
    before: Option<&Id>,
) -> Result<HistoryPage<Notification>> {
    page(credentials, "/api/v1/notifications", None, before).await
}

/// One page of the list at `path`: about `agent` when given, else the caller's own.
async fn page<T: DeserializeOwned>(
    credentials: &Credentials,
    path: &str,
    agent: Option<&Id>,
    before: Option<&Id>,
) -> Result<HistoryPage<T>> {
    // Ids are `[A-Za-z0-9_-]`: nothing in the query needs escaping. One more than a page tells
    // whether there is more.
    let mut path = format!("{path}?limit={}", HISTORY_PAGE + 1);
    for (name, value) in [("agentId", agent), ("before", before)] {
        if let Some(value) = value {
            path.push_str(&format!("&{name}={value}"));
        }
    }
    let mut entries: Vec<T> = get_json(credentials, &path).await?;
    let more = entries.len() > HISTORY_PAGE;
    if more {
        entries.remove(0);
    }
    Ok(HistoryPage { entries, more })
}

/// Every notification of the signed-in user, oldest first.
pub async fn notifications(credentials: &Credentials) -> Result<Vec<Notification>> {
    get_json(credentials, "/api/v1/notifications").await
}

/// `GET` of `path` on the hub with the bearer token. A refusal comes back with the hub's
/// `{ code, message }`.
async fn get_json<T: DeserializeOwned>(credentials: &Credentials, path: &str) -> Result<T> {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", credentials.server))
        .bearer_auth(&credentials.token)
        .send()
        .await
        .map_err(|e| ClientError::Network(e.without_url().to_string()))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(ClientError::NotSignedIn);
    }
    if !status.is_success() {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        return Err(match (body["code"].as_str(), body["message"].as_str()) {
            (Some(code), Some(message)) => ClientError::Refused {
                code: code.to_owned(),
                message: message.to_owned(),
            },
            _ => ClientError::Network(format!("the hub answered {status}")),
        });
    }
    response
        .json()
        .await
        .map_err(|e| ClientError::Network(format!("unreadable answer: {e}")))
}
