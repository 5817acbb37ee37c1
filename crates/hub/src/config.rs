//! [`HubConfig`]: everything `Hub::start` needs. Built by the binary from flags, environment
//! and an optional TOML file, or directly by an embedding app or a test.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::clock::{Clock, SystemClock};

/// Configuration of one hub.
///
/// Durations in the TOML file are whole seconds (`retention_secs = 2592000`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// Where to listen. `127.0.0.1:0` picks a free port (tests, embedded demo).
    pub addr: SocketAddr,
    /// The SQLite database file. Its directory is the hub's data directory (the generated JWT
    /// secret is kept there).
    pub db_path: PathBuf,
    /// HS256 signing secret. When absent, read from (or generated into) `jwt.secret` in the
    /// data directory.
    pub jwt_secret: Option<String>,
    /// Origins allowed by CORS for the HTTP API and the Socket.IO polling transport. Empty:
    /// same-origin only (desktop app and native clients do not need CORS).
    pub cors_origins: Vec<String>,
    /// Lifetime of a user token.
    #[serde(rename = "token_ttl_secs", with = "secs")]
    pub token_ttl: Duration,
    /// Lifetime of a display token issued by an admin.
    #[serde(rename = "display_token_ttl_secs", with = "secs")]
    pub display_token_ttl: Duration,
    /// Durable events older than this are pruned; a client whose `lastEventId` predates the
    /// pruned part gets snapshots instead of a replay.
    #[serde(rename = "retention_secs", with = "secs")]
    pub retention: Duration,
    /// How long a user stays online after their last socket left (reconnects within it are
    /// invisible to others).
    #[serde(rename = "presence_grace_secs", with = "secs")]
    pub presence_grace: Duration,
    /// A connected user none of whose sockets sent anything for this long appears `away`
    /// (until their next event). Zero disables the idle rule.
    #[serde(rename = "presence_idle_secs", with = "secs")]
    pub presence_idle: Duration,
    /// How often the hub checks for ended contests (their result) and leaderboard periods
    /// that rolled over (a `leaderboard:refresh` for the new period).
    #[serde(rename = "leaderboard_tick_secs", with = "secs")]
    pub leaderboard_tick: Duration,
    /// How often live sockets' tokens are checked against the clock; a socket whose token
    /// expired (and was not renewed with `auth:request`) is sent `TOKEN_EXPIRED` and
    /// disconnected. Zero disables the check.
    #[serde(rename = "token_check_secs", with = "secs")]
    pub token_check: Duration,
    /// Coaching sessions without activity for this long are closed.
    #[serde(rename = "session_idle_secs", with = "secs")]
    pub session_idle: Duration,
    /// Largest accepted Socket.IO packet / HTTP body, in bytes.
    pub max_payload: u64,
    /// Per-socket send buffer, in packets (socketioxide's default of 128 drops bursts).
    pub max_buffer_size: usize,
    /// Per-socket token bucket: sustained events per second.
    pub rate_limit_per_sec: f64,
    /// Per-socket token bucket: burst size.
    pub rate_limit_burst: u32,
    /// Per-user cap on relayed `cursor-moved` events per second (latest wins).
    pub cursor_max_per_sec: u32,
    /// The leaderboard's metrics (what a sale adds to, what contests rank by). TOML
    /// `leaderboard_metrics = ["revenue", "deals", "calls"]`; each an id-like name.
    pub leaderboard_metrics: Vec<String>,
    /// First start of a real (non-demo) hub: create this team leader (and its team) if no
    /// user of that name exists. The password comes from `bootstrap_password`.
    pub bootstrap_leader: Option<String>,
    /// The bootstrap leader's password (env `SIDELINE_HUB_BOOTSTRAP_PASSWORD`; never logged).
    pub bootstrap_password: Option<String>,
    /// The bootstrap leader's team id.
    pub bootstrap_team: String,
    /// Seed the demo team and run the simulator.
    pub demo: bool,
    /// Simulator events per second (0 disables the simulator but keeps the demo seed).
    pub demo_rate: f64,
    /// Source of "now".
    #[serde(skip)]
    pub clock: Arc<dyn Clock>,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 4600)),
            db_path: PathBuf::from("sideline-hub.db"),
            jwt_secret: None,
            cors_origins: Vec::new(),
            leaderboard_metrics: crate::domain::DEFAULT_METRICS
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
            token_ttl: Duration::from_secs(12 * 3600),
            display_token_ttl: Duration::from_secs(365 * 24 * 3600),
            retention: Duration::from_secs(30 * 24 * 3600),
            presence_grace: Duration::from_secs(10),
            presence_idle: Duration::from_secs(10 * 60),
            leaderboard_tick: Duration::from_secs(30),
            token_check: Duration::from_secs(1),
            session_idle: Duration::from_secs(30 * 60),
            max_payload: 64 * 1024,
            max_buffer_size: 4096,
            rate_limit_per_sec: 20.0,
            rate_limit_burst: 40,
            cursor_max_per_sec: 20,
            bootstrap_leader: None,
            bootstrap_password: None,
            bootstrap_team: "team-1".to_owned(),
            demo: false,
            demo_rate: 2.0,
            clock: Arc::new(SystemClock),
        }
    }
}

impl HubConfig {
    /// A configuration for tests and embedding: loopback, a free port, the given database.
    pub fn ephemeral(db_path: impl Into<PathBuf>) -> Self {
        HubConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_path: db_path.into(),
            ..HubConfig::default()
        }
    }

    /// Reads a TOML file; keys left out keep their defaults.
    pub fn from_toml(text: &str) -> crate::Result<Self> {
        toml::from_str(text).map_err(|e| crate::HubError::Config(e.to_string()))
    }

    /// Refuses a configuration the hub cannot run with, naming the setting.
    pub fn validate(&self) -> crate::Result<()> {
        if self.leaderboard_metrics.is_empty() {
            return Err(crate::HubError::Config(
                "leaderboard_metrics: name at least one metric".into(),
            ));
        }
        for metric in &self.leaderboard_metrics {
            sideline_protocol::validate::check_id("leaderboard_metrics", metric)
                .map_err(|e| crate::HubError::Config(e.to_string()))?;
        }
        Ok(())
    }

    /// The directory holding the database (and the generated JWT secret).
    pub fn data_dir(&self) -> PathBuf {
        match self.db_path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaderboard_metrics_must_be_named_and_id_like() {
        assert!(HubConfig::default().validate().is_ok());
        let mut config = HubConfig::default();
        config.leaderboard_metrics.clear();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("leaderboard_metrics")
        );
        config.leaderboard_metrics = vec!["revenue".into(), "new meetings".into()];
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("leaderboard_metrics")
        );
        let config = HubConfig::from_toml(r#"leaderboard_metrics = ["revenue", "meetings"]"#)
            .expect("parse");
        assert_eq!(config.leaderboard_metrics, ["revenue", "meetings"]);
    }

    #[test]
    fn toml_overrides_only_what_it_names() {
        let config = HubConfig::from_toml(
            "addr = \"0.0.0.0:9000\"\nretention_secs = 60\ncors_origins = [\"http://x\"]\n",
        )
        .unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.retention, Duration::from_secs(60));
        assert_eq!(config.cors_origins, vec!["http://x".to_owned()]);
        assert_eq!(config.max_payload, 64 * 1024);
        assert!(HubConfig::from_toml("nope = 1").is_err());
    }
}
