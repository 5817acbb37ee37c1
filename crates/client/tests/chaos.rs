//! Chaos with real processes at the hub's default settings: four `sideline` clients capture 500
//! notes each while a fault-injecting proxy between them and the hub cycles through latency,
//! bandwidth caps, resets, cuts and black holes; the `sideline-hub` process is SIGKILLed and
//! started again 10 times; each client's `sideline sync` is SIGKILLed mid-drain at least once.
//! At the end every note is on the hub exactly once, each client's notes in capture order, and
//! every client's outbox is empty.
//!
//! Needs both binaries built: `cargo test --workspace` builds them (`cargo build -p sideline-hub
//! -p sideline-client` before testing this crate alone).

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use sideline_client::engine::open_store;
use sideline_client::outbox::{NoteInput, prepare_note};
use sideline_client::store::OutboxState;
use sideline_protocol::Id;
use sideline_protocol::notes::{NoteType, Priority};
use sideline_testkit::{CyclePlan, Fault, FaultProxy, HubProcess};
use support::{assert_exactly_once_in_order, eventually_blocking};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

const CLIENTS: usize = 4;
const NOTES_PER_CLIENT: usize = 500;
/// Captured before the first sync starts, so that sync has a backlog to be killed in.
const CAPTURED_FIRST: usize = 300;
const HUB_KILLS: usize = 10;
/// A generous bound for anything the chaos should not stop from happening.
const PATIENCE: Duration = Duration::from_secs(60);

fn binary(name: &str) -> PathBuf {
    let path = assert_cmd::cargo::cargo_bin(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build -p sideline-hub -p sideline-client` (or `cargo test --workspace`)",
        path.display()
    );
    path
}

/// The proxy's faults: each lasts 1 to 3 seconds, then another.
fn faults() -> Vec<Fault> {
    vec![
        Fault::Healthy,
        Fault::Latency {
            delay: Duration::from_millis(150),
            jitter: Duration::from_millis(100),
        },
        Fault::Bandwidth {
            bytes_per_sec: 16 * 1024,
        },
        Fault::Reset,
        Fault::CutAfter { bytes: 4096 },
        Fault::BlackHole,
        Fault::Refuse,
    ]
}

/// `sideline sync` for one client, through the proxy.
fn sync_command(data_dir: &Path, server: &str, token: &str, timeout: Duration) -> Command {
    let mut cmd = Command::new(binary("sideline"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["sync", "--timeout", &timeout.as_secs().to_string()])
        .env("SIDELINE_SERVER", server)
        .env("SIDELINE_TOKEN", token)
        .env_remove("SIDELINE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Captures one note in the client's data directory, as the app or `sideline note add` does
/// (validated, one FULL commit), while that client's `sideline sync` may be draining.
async fn capture(data_dir: PathBuf, client: usize, n: usize) -> String {
    tokio::task::spawn_blocking(move || {
        let record = prepare_note(
            NoteInput {
                agent_id: Id::new(format!("agent{:02}", client + 1)).unwrap(),
                note_type: NoteType::Coaching,
                priority: Priority::Medium,
                category: None,
                content: format!("client {client} note {n}"),
            },
            chrono::Utc::now(),
        )
        .expect("a valid note");
        let store = open_store(&data_dir, &Default::default()).expect("the client's store");
        store.capture(&record).expect("captured");
        record.client_id.to_string()
    })
    .await
    .unwrap()
}

/// The clientIds of notes about `agent` in the hub's database, in the order it stored them.
fn stored_about(db: &Path, agent: &str) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the hub's database");
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut query = conn
        .prepare(
            "SELECT client_id FROM records WHERE kind = 'quick_note' AND subject_id = ?1 \
             ORDER BY rowid",
        )
        .unwrap();
    query
        .query_map([agent], |row| row.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

fn pending(data_dir: &Path) -> usize {
    let store = open_store(data_dir, &Default::default()).expect("the client's store");
    store.outbox(&[OutboxState::Pending]).unwrap().len()
}

/// Starts a sync over a backlog and SIGKILLs it once the hub holds some of the backlog but not
/// all: mid-drain. Returns whether it got there (a fault can hold the drain back for a while;
/// the caller tries again with the next backlog).
async fn kill_mid_drain(
    data_dir: &Path,
    server: &str,
    token: &str,
    db: &Path,
    agent: &str,
    hub_lock: &Mutex<()>,
) -> bool {
    // The hub stays up while this client is being killed, so "mid-drain" is the client's doing.
    let _hub_up = hub_lock.lock().await;
    let before = stored_about(db, agent).len();
    let backlog = pending(data_dir);
    let mut sync: Child = sync_command(data_dir, server, token, PATIENCE)
        .spawn()
        .expect("spawn sideline sync");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mid = loop {
        let stored = stored_about(db, agent).len() - before;
        if stored > 0 && stored < backlog {
            break true;
        }
        if stored >= backlog || tokio::time::Instant::now() >= deadline {
            break false;
        }
        if let Ok(Some(_)) = sync.try_wait() {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    // SIGKILL on Unix: no chance to clean up.
    sync.kill().await.expect("kill sideline sync");
    mid && pending(data_dir) > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_survive_faults_hub_kills_and_client_kills_exactly_once_in_order() {
    let mut hub = HubProcess::start(binary("sideline-hub"), &["--demo", "--demo-rate", "0"])
        .await
        .expect("the hub starts");
    let db = hub.db_path();
    let proxy = FaultProxy::start_seeded(hub.addr(), 6)
        .await
        .expect("proxy");
    let server = proxy.url();
    let token = sideline_client::tokens::login(&hub.url(), "lead", "demo")
        .await
        .expect("login")
        .token;
    let dirs: Vec<tempfile::TempDir> = (0..CLIENTS)
        .map(|_| tempfile::tempdir().expect("temp dir"))
        .collect();
    // Held while the hub is down or restarting, and by a client while it kills its own sync.
    let hub_lock = Arc::new(Mutex::new(()));

    // The hub killer: SIGKILL, a moment down, start again on the same port and database.
    let killer = {
        let hub_lock = hub_lock.clone();
        tokio::spawn(async move {
            for _ in 0..HUB_KILLS {
                tokio::time::sleep(Duration::from_millis(2500)).await;
                let _down = hub_lock.lock().await;
                hub.kill().await.expect("SIGKILL the hub");
                tokio::time::sleep(Duration::from_millis(300)).await;
                hub.restart().await.expect("the hub starts again");
            }
            hub
        })
    };
    let cycle = proxy.cycle(CyclePlan::new(
        faults(),
        Duration::from_secs(2),
        Duration::from_secs(40),
        6,
    ));

    let mut clients = Vec::new();
    for (client, dir) in dirs.iter().enumerate() {
        let data_dir = dir.path().to_path_buf();
        let (server, token, db) = (server.clone(), token.clone(), db.clone());
        let hub_lock = hub_lock.clone();
        clients.push(tokio::spawn(async move {
            let agent = format!("agent{:02}", client + 1);
            let mut captured = Vec::with_capacity(NOTES_PER_CLIENT);
            let mut killed_mid_drain = 0;
            // A backlog, then a sync killed in it; again with the next notes if a fault kept
            // the kill from landing mid-drain.
            while captured.len() < CAPTURED_FIRST {
                captured.push(capture(data_dir.clone(), client, captured.len()).await);
            }
            if kill_mid_drain(&data_dir, &server, &token, &db, &agent, &hub_lock).await {
                killed_mid_drain += 1;
            }
            // The rest captured while syncs run (and are SIGKILLed now and then).
            let mut sync = sync_command(&data_dir, &server, &token, Duration::from_secs(15))
                .spawn()
                .expect("spawn sideline sync");
            while captured.len() < NOTES_PER_CLIENT {
                captured.push(capture(data_dir.clone(), client, captured.len()).await);
                if captured.len() % 50 == 0 && killed_mid_drain == 0 {
                    sync.kill().await.expect("kill");
                    if kill_mid_drain(&data_dir, &server, &token, &db, &agent, &hub_lock).await {
                        killed_mid_drain += 1;
                    }
                }
                if let Ok(Some(_)) = sync.try_wait() {
                    sync = sync_command(&data_dir, &server, &token, Duration::from_secs(15))
                        .spawn()
                        .expect("spawn sideline sync");
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            sync.kill().await.expect("kill");
            (data_dir, agent, captured, killed_mid_drain)
        }));
    }
    let mut results = Vec::new();
    for client in clients {
        results.push(client.await.expect("a client's run"));
    }
    let hub = killer.await.expect("the hub killer");
    let steps = cycle.finished().await;
    proxy.heal();
    let stats = proxy.stats();
    println!(
        "faults applied: {steps:?}\nproxy: {stats:?}\nhub killed {HUB_KILLS} times; log {}",
        hub.log_path().display()
    );
    assert!(
        stats.resets + stats.cuts > 0,
        "connections were torn down mid-stream: {stats:?}"
    );

    // The network is back: each client's last sync must empty its outbox.
    for (data_dir, agent, captured, killed_mid_drain) in &results {
        assert!(
            *killed_mid_drain >= 1,
            "{agent}'s client was SIGKILLed mid-drain at least once"
        );
        let status = sync_command(data_dir, &server, &token, Duration::from_secs(120))
            .status()
            .await
            .expect("the last sync runs");
        assert!(status.success(), "{agent}'s last sync: {status}");
        assert_eq!(pending(data_dir), 0, "{agent}'s outbox is empty");
        let on_hub = eventually_blocking("the hub to hold every note", PATIENCE, || {
            let stored = stored_about(&db, agent);
            (stored.len() >= captured.len()).then_some(stored)
        });
        assert_exactly_once_in_order(&on_hub, captured);
    }
    drop(hub);
}
