//! [`ConnectionStatus`]: where the engine stands with its hub, published on a
//! `tokio::sync::watch` channel. Serialised for the desktop app's status bar as
//! `{"state": "retrying", "attempt": 2, "nextTryAt": "<ISO>"}`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// Where the engine stands with its hub. The desktop app's UI receives it as is (its
/// TypeScript type is generated from this one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ConnectionStatus {
    /// The first connection attempt is under way.
    Connecting,
    /// Connected and receiving events.
    Live,
    /// The connection was lost (or the first attempt failed); the next attempt is scheduled.
    #[serde(rename_all = "camelCase")]
    Retrying {
        /// 1 for the first retry.
        attempt: u32,
        /// When the next attempt starts (ISO-8601, UTC), so the UI can count down.
        next_try_at: String,
    },
    /// Not trying: no hub configured, or the engine was taken offline.
    Offline,
    /// The hub refused our token (UNAUTHORIZED / TOKEN_EXPIRED): retrying stops until new
    /// credentials arrive.
    SignInNeeded,
}

impl ConnectionStatus {
    /// A `Retrying` status for an attempt at `at`.
    pub fn retrying(attempt: u32, at: DateTime<Utc>) -> Self {
        ConnectionStatus::Retrying {
            attempt,
            next_try_at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }

    /// One line for the CLI (`live`, `retrying (attempt 3) at ...`).
    pub fn describe(&self) -> String {
        match self {
            ConnectionStatus::Connecting => "connecting".into(),
            ConnectionStatus::Live => "live".into(),
            ConnectionStatus::Retrying {
                attempt,
                next_try_at,
            } => format!("retrying (attempt {attempt}) at {next_try_at}"),
            ConnectionStatus::Offline => "offline".into(),
            ConnectionStatus::SignInNeeded => "sign-in needed".into(),
        }
    }

    /// The status of the whole engine from those of its namespaces: sign-in needed if any
    /// namespace needs it, live only when all are live, otherwise the least advanced state
    /// (a retrying namespace shows its attempt and the earliest next try).
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a ConnectionStatus>) -> ConnectionStatus {
        let parts: Vec<&ConnectionStatus> = parts.into_iter().collect();
        if parts.is_empty() {
            return ConnectionStatus::Offline;
        }
        if parts.iter().any(|s| **s == ConnectionStatus::SignInNeeded) {
            return ConnectionStatus::SignInNeeded;
        }
        if parts.iter().all(|s| **s == ConnectionStatus::Live) {
            return ConnectionStatus::Live;
        }
        let earliest_retry = parts
            .iter()
            .filter_map(|s| match s {
                ConnectionStatus::Retrying { next_try_at, .. } => Some((*s, next_try_at.clone())),
                _ => None,
            })
            .min_by(|a, b| a.1.cmp(&b.1));
        if let Some((status, _)) = earliest_retry {
            return status.clone();
        }
        if parts.iter().any(|s| **s == ConnectionStatus::Connecting) {
            return ConnectionStatus::Connecting;
        }
        ConnectionStatus::Offline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn serialises_like_the_app_status() {
        let at = Utc.with_ymd_and_hms(2025, 1, 24, 10, 0, 3).unwrap();
        assert_eq!(
            serde_json::to_value(ConnectionStatus::retrying(2, at)).unwrap(),
            json!({"state": "retrying", "attempt": 2, "nextTryAt": "2025-01-24T10:00:03.000Z"})
        );
        assert_eq!(
            serde_json::to_value(ConnectionStatus::SignInNeeded).unwrap(),
            json!({"state": "signInNeeded"})
        );
        assert_eq!(
            serde_json::to_value(ConnectionStatus::Live).unwrap(),
            json!({"state": "live"})
        );
    }

    #[test]
    fn combine_prefers_sign_in_then_retrying() {
        let at = Utc.with_ymd_and_hms(2025, 1, 24, 10, 0, 3).unwrap();
        let retry = ConnectionStatus::retrying(1, at);
        use ConnectionStatus::*;
        assert_eq!(ConnectionStatus::combine([&Live, &Live]), Live);
        assert_eq!(ConnectionStatus::combine([&Live, &retry]), retry);
        assert_eq!(ConnectionStatus::combine([&Live, &Connecting]), Connecting);
        assert_eq!(
            ConnectionStatus::combine([&retry, &SignInNeeded]),
            SignInNeeded
        );
        assert_eq!(ConnectionStatus::combine([]), Offline);
    }
}
