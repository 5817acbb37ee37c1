//! Test support: an in-process hub (demo team, simulator off) on 127.0.0.1:0 with a temp
//! database, HTTP helpers, and polling with a deadline (never sleep-then-hope).

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sideline_client::engine::{Engine, EngineConfig};
use sideline_client::supervisor::SupervisorConfig;
use sideline_client::tokens::StaticTokens;
use sideline_hub::{Hub, HubConfig, RunningHub};

/// The JWT secret of every test hub (kept across restarts so tokens stay valid).
pub const SECRET: &str = "client-test-secret-client-test-secret";

/// How long a test waits for something that should happen.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// A hub and the directory holding its database.
pub struct TestHub {
    pub hub: RunningHub,
    pub dir: Arc<tempfile::TempDir>,
}

fn config(dir: &Path, addr: SocketAddr) -> HubConfig {
    let mut config = HubConfig::ephemeral(dir.join("hub.db"));
    config.addr = addr;
    config.jwt_secret = Some(SECRET.to_owned());
    config.demo = true;
    config.demo_rate = 0.0;
    config.presence_grace = Duration::from_millis(200);
    // The rate limit stays at its default: the drain tests prove the outbox drains within
    // what a user's hub allows.
    config
}

impl TestHub {
    pub async fn start() -> TestHub {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let hub = Hub::start(config(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0))))
            .await
            .expect("hub starts");
        TestHub { hub, dir }
    }

    pub fn url(&self) -> String {
        self.hub.url()
    }

    /// A hub whose "now" is `clock` (tests that move past the retention window).
    pub async fn start_with_clock(clock: sideline_hub::clock::ManualClock) -> TestHub {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let mut config = config(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0)));
        config.clock = Arc::new(clock);
        let hub = Hub::start(config).await.expect("hub starts");
        TestHub { hub, dir }
    }

    /// Stops the hub; returns what is needed to start it again on the same port and file.
    pub async fn stop(self) -> (Arc<tempfile::TempDir>, SocketAddr) {
        let addr = self.hub.local_addr();
        self.hub.shutdown().await.expect("shutdown");
        (self.dir, addr)
    }

    /// Starts a hub again on the same database and port.
    pub async fn restart(dir: Arc<tempfile::TempDir>, addr: SocketAddr) -> TestHub {
        let hub = Hub::start(config(dir.path(), addr))
            .await
            .expect("hub restarts");
        TestHub { hub, dir }
    }

    pub async fn login(&self, user: &str) -> String {
        sideline_client::tokens::login(&self.url(), user, "demo")
            .await
            .expect("login")
            .token
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.expect("json")
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {body}");
        body
    }

    /// The clientIds of the notes the hub holds about `agent`, in the order it stored them.
    pub async fn note_client_ids(&self, token: &str, agent: &str) -> Vec<String> {
        let notes = self
            .get(&format!("/api/v1/notes?agentId={agent}"), token)
            .await;
        notes
            .as_array()
            .expect("notes array")
            .iter()
            .map(|n| n["clientId"].as_str().expect("clientId").to_owned())
            .collect()
    }

    /// Sends a notification to `user` over HTTP (as `token`'s owner).
    pub async fn notify(&self, token: &str, user: &str, message: &str) -> Value {
        self.post(
            "/api/v1/notifications",
            token,
            json!({"clientId": uuid::Uuid::now_v7().to_string(), "userId": user,
                   "type": "info", "title": "Heads up", "message": message}),
        )
        .await
    }
}

/// A URL where nothing listens (a port that was free a moment ago).
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// Engine settings for tests: quick retries.
pub fn engine_config() -> EngineConfig {
    EngineConfig {
        supervisor: SupervisorConfig {
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(5),
            watchdog: None,
        },
        ..EngineConfig::default()
    }
}

pub async fn open_engine(dir: &Path, tokens: &StaticTokens) -> Engine {
    Engine::open(dir, engine_config(), Arc::new(tokens.clone()))
        .await
        .expect("engine opens")
}

/// Polls `check` until it returns `Some`, or panics with `what` after the deadline.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the engine's published state shows the note captured as `client_id` in
/// `state`. The published state follows the store at the publish rate, so it is polled.
pub async fn wait_note_state(
    engine: &Engine,
    client_id: impl std::fmt::Display,
    state: sideline_client::state::work::SyncState,
    what: &str,
) {
    let client_id = client_id.to_string();
    eventually(what, || {
        let reached = engine
            .state()
            .work
            .notes
            .get(&client_id)
            .is_some_and(|n| n.state == state);
        async move { reached.then_some(()) }
    })
    .await;
}

pub fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    (dir, path)
}

impl TestHub {
    /// How many quick notes the hub has stored, read straight from its database (cheap enough
    /// to poll during a drain; the hub's WAL lets a reader in while it writes).
    pub fn stored_note_count(&self) -> usize {
        stored_note_count(self.dir.path())
    }
}

/// How many quick notes the hub database in `hub_dir` holds.
pub fn stored_note_count(hub_dir: &Path) -> usize {
    let conn = rusqlite::Connection::open_with_flags(
        hub_dir.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the hub's database");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.query_row(
        "SELECT count(*) FROM records WHERE kind = 'quick_note'",
        [],
        |row| row.get::<_, i64>(0),
    )
    .expect("count notes") as usize
}

/// Queues `count` notes about `agent` in the outbox of `data_dir` through the public capture
/// path (validated, one FULL commit each); returns their clientIds in capture order.
pub fn fill_outbox(data_dir: &Path, agent: &str, count: usize) -> Vec<String> {
    use sideline_client::outbox::{NoteInput, prepare_note};
    use sideline_protocol::Id;
    use sideline_protocol::notes::{NoteType, Priority};
    let store = sideline_client::engine::open_store(data_dir, &Default::default())
        .expect("open the client store");
    (0..count)
        .map(|i| {
            let record = prepare_note(
                NoteInput {
                    agent_id: Id::new(agent).unwrap(),
                    note_type: NoteType::Positive,
                    priority: Priority::Low,
                    category: None,
                    content: format!("backlog note {i}"),
                },
                chrono::Utc::now(),
            )
            .expect("valid note");
            store.capture(&record).expect("captured");
            record.client_id.to_string()
        })
        .collect()
}

/// Polls a blocking `check` until it returns `Some`, or panics with `what` after `within`.
pub fn eventually_blocking<T>(
    what: &str,
    within: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return value;
        }
        if std::time::Instant::now() >= deadline {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Asserts that the hub holds exactly `captured`, once each, in capture order; on failure says
/// how (missing, duplicated, or where the order first differs) instead of dumping both lists.
#[track_caller]
pub fn assert_exactly_once_in_order(on_hub: &[String], captured: &[String]) {
    use std::collections::HashSet;
    let distinct: HashSet<&String> = on_hub.iter().collect();
    let wanted: HashSet<&String> = captured.iter().collect();
    let missing = wanted.difference(&distinct).count();
    let unexpected = distinct.difference(&wanted).count();
    let duplicates = on_hub.len() - distinct.len();
    let first_out_of_order = on_hub.iter().zip(captured).position(|(a, b)| a != b);
    assert!(
        missing == 0 && unexpected == 0 && duplicates == 0 && first_out_of_order.is_none(),
        "hub holds {} notes for {} captured: {missing} missing, {unexpected} unexpected, \
         {duplicates} duplicated, first difference in order at index {first_out_of_order:?}",
        on_hub.len(),
        captured.len()
    );
}

/// The clientIds of the quick notes in the hub database in `hub_dir`, in the order the hub
/// inserted them (rowid), which is the order it processed the creates.
pub fn stored_note_client_ids(hub_dir: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(
        hub_dir.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the hub's database");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    let mut query = conn
        .prepare("SELECT client_id FROM records WHERE kind = 'quick_note' ORDER BY rowid")
        .expect("query");
    query
        .query_map([], |row| row.get::<_, String>(0))
        .expect("rows")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("client ids")
}
