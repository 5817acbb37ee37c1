//! Each socket's event worker ends when its socket disconnects, and shutdown waits for the
//! workers' last writes: nothing leaks per connection, and a hub restarted on the same file
//! never races a stopped one.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{DEADLINE, client_id, start_hub};

async fn wait_for_workers(hub: &support::TestHub, expected: usize) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let running = hub.hub.state().socket_workers.len();
        if running == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{running} socket workers running, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_end_with_their_sockets() {
    let hub = start_hub().await;
    let lead = hub.connect_as("lead", "/").await;
    let agent = hub.connect_as("agent01", "/").await;
    wait_for_workers(&hub, 2).await;

    lead.disconnect().await;
    wait_for_workers(&hub, 1).await;
    agent.disconnect().await;
    wait_for_workers(&hub, 0).await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_after_queued_writes_commit() {
    let hub = start_hub_with_rate_limit().await;
    let lead = hub.connect_as("lead", "/").await;
    for n in 0..200 {
        lead.emit(
            "quickNote:create",
            json!({
                "clientId": client_id(),
                "agentId": "agent01",
                "noteType": "COACHING",
                "content": format!("note {n}"),
                "priority": "LOW",
            }),
        )
        .await;
    }
    // Stop while the socket's queue is still being worked through.
    let db_path = hub.dir.path().join("hub.db");
    let dir = hub.dir;
    let state = hub.hub.state().clone();
    hub.hub.shutdown().await.expect("shutdown");
    // Shutdown stops the workers itself: none is left running (its 5 s safety timeout would
    // return with workers still stuck).
    assert!(
        state.socket_workers.is_empty(),
        "{} socket workers still running after shutdown",
        state.socket_workers.len()
    );
    let count = || -> i64 {
        let conn = rusqlite::Connection::open(&db_path).expect("open the stopped hub's db");
        conn.query_row("SELECT COUNT(*) FROM records", [], |row| row.get(0))
            .expect("count records")
    };
    let at_return = count();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(),
        at_return,
        "the hub kept writing after shutdown returned"
    );
    drop(dir);
}

async fn start_hub_with_rate_limit() -> support::TestHub {
    support::start_hub_with(|config| {
        config.rate_limit_per_sec = 1_000.0;
        config.rate_limit_burst = 1_000;
    })
    .await
}
