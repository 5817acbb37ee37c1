//! Benchmarks of the client engine (a plain binary: `cargo bench -p sideline-client --bench
//! client_bench`), results recorded in docs/benchmarks.md:
//! 1. ingest: decode + reduce rate of durable events (target ≥ 200,000 events/s);
//! 2. durable capture p50/p99 beside a raw SQLite FULL commit p99 on the same disk
//!    (target ≤ 1.2×);
//! 3. a backlog captured offline (half notes, half action items) drained after reconnect to a
//!    local in-process hub at its default settings, rate limit included: 2,000 records (target
//!    ≤ 5 s, exactly once), then 10,000 (no target: past the default budget's first 1,000
//!    records a socket's batches are taken at 500 records a second), then 10,000 with the rate
//!    limit lifted, which measures what the hub itself can store (target ≤ 2 s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sideline_client::engine::{Engine, EngineConfig};
use sideline_client::outbox::{ActionItemInput, NoteInput, prepare_action_item, prepare_note};
use sideline_client::state::AppState;
use sideline_client::store::{Store, StoreOptions};
use sideline_client::tokens::{Credentials, StaticTokens};
use sideline_protocol::notes::{NoteType, Priority};
use sideline_protocol::{Id, Namespace, ServerEvent};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn note(i: usize) -> NoteInput {
    NoteInput {
        agent_id: Id::new("agent01").unwrap(),
        note_type: NoteType::Coaching,
        priority: Priority::Medium,
        category: None,
        content: format!("bench note {i}"),
    }
}

fn action_item(i: usize) -> ActionItemInput {
    ActionItemInput {
        agent_id: Id::new(if i % 4 < 2 { "agent01" } else { "agent02" }).unwrap(),
        title: format!("bench action item {i}"),
        description: None,
        due_date: sideline_protocol::CalendarDate::from_ymd(2026, 12, 31).unwrap(),
        priority: Priority::High,
        category: "calls".into(),
    }
}

fn ingest() {
    let n = 200_000u64;
    let events: Vec<(String, serde_json::Value)> = (1..=n)
        .map(|i| {
            let name = if i % 2 == 0 {
                "rank:changed"
            } else {
                "rankings:update"
            };
            (
                name.to_owned(),
                json!({"eventId": i, "userId": format!("agent{:02}", i % 40), "userName": "A",
                "previousRank": (i % 40) + 1, "newRank": ((i + 7) % 40) + 1, "metric": "revenue",
                "value": i as f64, "range": "week", "timestamp": "2025-01-24T10:00:00Z"}),
            )
        })
        .collect();
    let mut state = AppState::default();
    let started = Instant::now();
    for (name, data) in events {
        let (id, event) = ServerEvent::decode_durable(Namespace::Leaderboard, &name, data).unwrap();
        state.apply(id, &event);
    }
    let elapsed = started.elapsed();
    println!(
        "ingest: {n} events (decode + reduce) in {elapsed:?} = {:.0} events/s",
        n as f64 / elapsed.as_secs_f64()
    );
}

fn capture() {
    let dir =
        tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let store = Store::open(dir.path().join("client.db"), &StoreOptions::default()).unwrap();
    let raw_conn = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
    raw_conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw_conn.pragma_update(None, "synchronous", "FULL").unwrap();
    raw_conn
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .unwrap();
    // Interleaved, one capture then one raw commit, so both see the same disk conditions (a
    // slow patch of the disk lands on both series, not on whichever ran at the time).
    let n: usize = std::env::var("BENCH_CAPTURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let mut capture = Vec::with_capacity(n);
    let mut raw = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        let record = prepare_note(note(i), chrono::Utc::now()).unwrap();
        store.capture(&record).unwrap();
        capture.push(started.elapsed());

        let started = Instant::now();
        raw_conn
            .execute(
                "INSERT INTO t (v) VALUES (?1)",
                [format!(
                    "raw row {i} with a payload of about the same size as a note's JSON, {i}"
                )],
            )
            .unwrap();
        raw.push(started.elapsed());
    }
    capture.sort();
    raw.sort();
    let (c50, c99, r50, r99) = (
        percentile(&capture, 0.5),
        percentile(&capture, 0.99),
        percentile(&raw, 0.5),
        percentile(&raw, 0.99),
    );
    println!(
        "capture ({n} interleaved samples): p50 {c50:?} p99 {c99:?}; raw SQLite FULL commit: p50 {r50:?} p99 {r99:?}; capture p99 / raw p99 = {:.2}",
        c99.as_secs_f64() / r99.as_secs_f64()
    );
}

/// The per-socket rate limit of the hub under test.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Limit {
    /// The hub's default, as a user's hub has it.
    Default,
    /// Lifted, to measure the hub's own storing rate (said so in the output).
    Lifted,
}

async fn drain(n: usize, limit: Limit) {
    let hub_dir = tempfile::tempdir().unwrap();
    // The hub's defaults (a demo team to write about, its simulator off).
    let mut config = sideline_hub::HubConfig::ephemeral(hub_dir.path().join("hub.db"));
    config.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    config.demo = true;
    config.demo_rate = 0.0;
    if limit == Limit::Lifted {
        config.rate_limit_per_sec = 1_000_000.0;
        config.rate_limit_burst = 1_000_000;
    }
    let hub = sideline_hub::Hub::start(config).await.unwrap();
    let url = hub.url();
    let token = sideline_client::tokens::login(&url, "lead", "demo")
        .await
        .unwrap()
        .token;
    let data = tempfile::tempdir().unwrap();
    let tokens = StaticTokens::new("http://127.0.0.1:9", token.clone());
    let engine = Engine::open(
        data.path(),
        EngineConfig {
            namespaces: vec![Namespace::Main],
            ..EngineConfig::default()
        },
        Arc::new(tokens.clone()),
    )
    .await
    .unwrap();
    engine.set_online(false);
    // Queue while offline (setup, not measured): notes and action items, alternating.
    let store = engine.store().clone();
    tokio::task::spawn_blocking(move || {
        for i in 0..n {
            let record = if i % 2 == 0 {
                prepare_note(note(i), chrono::Utc::now())
            } else {
                prepare_action_item(action_item(i), chrono::Utc::now())
            };
            store.capture(&record.unwrap()).unwrap();
        }
    })
    .await
    .unwrap();
    tokens.set(Some(Credentials {
        server: url.clone(),
        token: token.clone(),
    }));
    let started = Instant::now();
    // Where the time goes: when the hub stored its first and its last note (read from its
    // database every 5 ms), beside when the client saw the last confirmation.
    let hub_db = hub_dir.path().join("hub.db");
    let total = i64::try_from(n).unwrap();
    let sampler = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open_with_flags(
            hub_db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let count = || -> i64 {
            conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))
                .unwrap_or(0)
        };
        let mut first = None;
        loop {
            let n = count();
            if n > 0 && first.is_none() {
                first = Some(started.elapsed());
            }
            if n >= total || started.elapsed() > Duration::from_secs(120) {
                return (first, started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    engine.set_online(true);
    let counts = engine.sync(Duration::from_secs(120)).await.unwrap();
    let elapsed = started.elapsed();
    let (first_stored, last_stored) = sampler.join().unwrap();
    if let Some(first) = first_stored {
        println!(
            "drain timeline ({n}, rate limit {limit:?}): first record stored by the hub at {first:?}, last at \
             {last_stored:?} (hub storing rate {:.0} records/s), last confirmation seen by the \
             client at {elapsed:?}",
            n as f64 / (last_stored - first).as_secs_f64()
        );
    }
    let mut ids = Vec::new();
    // Everything the hub stored, read from its database (the API pages by 500).
    let conn = rusqlite::Connection::open_with_flags(
        hub_dir.path().join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut query = conn.prepare("SELECT client_id FROM records").unwrap();
    ids.extend(
        query
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap),
    );
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    println!(
        "drain ({n}, rate limit {limit:?}): {} records confirmed in {elapsed:?} after reconnect (connect + replay included); hub holds {} records, {} distinct clientIds",
        counts.confirmed,
        ids.len(),
        unique.len()
    );
    engine.shutdown().await;
    hub.shutdown().await.unwrap();
}

fn main() {
    ingest();
    capture();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            drain(2_000, Limit::Default).await;
            drain(10_000, Limit::Default).await;
            drain(10_000, Limit::Lifted).await;
        });
}
