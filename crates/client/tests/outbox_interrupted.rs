//! The outbox interrupted mid-drain: the hub restarted while a large backlog drains, and the
//! real `sideline` process SIGKILLed while it drains. Both must end with every note on the hub
//! exactly once, in capture order. "Mid-drain" is established by polling the hub's own database
//! with a deadline (some notes stored, not all), never by sleeping.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sideline_client::ConnectionStatus;
use sideline_client::tokens::{Credentials, StaticTokens};
use support::*;

/// Large enough that the drain takes a while on loopback, small enough to queue quickly.
const BACKLOG: usize = 2_000;

/// How many notes must be on the hub before we interrupt (so the interruption is mid-drain).
const INTERRUPT_AFTER: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_restart_mid_drain_loses_and_duplicates_nothing() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let fill_dir = dir.clone();
    let captured = tokio::task::spawn_blocking(move || fill_outbox(&fill_dir, "agent01", BACKLOG))
        .await
        .unwrap();

    let tokens = StaticTokens::new(dead_url(), token.clone());
    let engine = open_engine(&dir, &tokens).await;
    tokens.set(Some(Credentials {
        server: hub.url(),
        token: token.clone(),
    }));
    engine.retry_now();

    // Wait until the drain is under way, then take the hub down under it.
    let hub_dir = hub.dir.clone();
    let stored = tokio::task::spawn_blocking(move || {
        eventually_blocking("the drain to start", DEADLINE, || {
            let n = stored_note_count(hub_dir.path());
            (n >= INTERRUPT_AFTER).then_some(n)
        })
    })
    .await
    .unwrap();
    let (hub_dir, addr) = tokio::time::timeout(DEADLINE, hub.stop())
        .await
        .expect("the hub stops within the deadline");
    // `shutdown()` returns only once every socket's event worker has stopped, so nothing
    // more reaches the database after this count.
    let at_stop = stored_note_count(hub_dir.path());
    assert!(
        at_stop < BACKLOG,
        "the hub must stop mid-drain ({stored} stored when polled, {at_stop} at stop)"
    );
    let status = engine.status();
    eventually("the engine notices the hub is gone", || {
        let s = status.borrow().clone();
        async move { (s != ConnectionStatus::Live).then_some(()) }
    })
    .await;
    assert!(
        engine.store().outbox_counts().unwrap().pending > 0,
        "records left to drain after the restart"
    );

    let hub = tokio::time::timeout(DEADLINE, TestHub::restart(Arc::clone(&hub_dir), addr))
        .await
        .expect("the hub restarts within the deadline");
    let counts = match engine.sync(Duration::from_secs(60)).await {
        Ok(counts) => counts,
        Err(err) => panic!(
            "drain after the restart: {err} (outbox: {})",
            outbox_summary(&dir)
        ),
    };
    assert_eq!((counts.pending, counts.confirmed), (0, BACKLOG as u64));
    // The order the hub processed the creates (its insert order) and the order it lists them.
    assert_exactly_once_in_order(&stored_note_client_ids(hub.dir.path()), &captured);
    assert_exactly_once_in_order(&hub.note_client_ids(&token, "agent01").await, &captured);
    tokio::time::timeout(DEADLINE, engine.shutdown())
        .await
        .expect("the engine shuts down within the deadline");
    tokio::time::timeout(DEADLINE, hub.stop())
        .await
        .expect("the hub stops within the deadline");
}

fn sideline_sync(data_dir: &std::path::Path, server: &str, token: &str) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("sideline"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["sync", "--timeout", "60"])
        .env("SIDELINE_SERVER", server)
        .env("SIDELINE_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_mid_drain_loses_and_duplicates_nothing() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let url = hub.url();
    let hub_dir = hub.dir.clone();
    let (d, tok) = (dir.clone(), token.clone());
    let (captured, at_kill) = tokio::task::spawn_blocking(move || {
        let captured = fill_outbox(&d, "agent01", BACKLOG);
        let mut child = sideline_sync(&d, &url, &tok)
            .spawn()
            .expect("spawn sideline");
        eventually_blocking("the drain to start", DEADLINE, || {
            if let Ok(Some(exit)) = child.try_wait() {
                panic!("sideline sync exited before it was killed: {exit}");
            }
            (stored_note_count(hub_dir.path()) >= INTERRUPT_AFTER).then_some(())
        });
        // SIGKILL on Unix, TerminateProcess on Windows: no chance to clean up.
        child.kill().expect("kill");
        child.wait().expect("reap");
        (captured, stored_note_count(hub_dir.path()))
    })
    .await
    .unwrap();
    assert!(
        at_kill < BACKLOG,
        "the client must die mid-drain ({at_kill} of {BACKLOG} stored)"
    );

    let (url, tok, d) = (hub.url(), token.clone(), dir.clone());
    let out = tokio::task::spawn_blocking(move || sideline_sync(&d, &url, &tok).output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "second sync: {} (outbox: {}; the hub holds {})",
        String::from_utf8_lossy(&out.stderr),
        outbox_summary(&dir),
        hub.stored_note_count()
    );
    assert_exactly_once_in_order(&hub.note_client_ids(&token, "agent01").await, &captured);
    hub.stop().await;
}

/// Pending records by last failure reason, for failure messages.
fn outbox_summary(data_dir: &std::path::Path) -> String {
    let store = sideline_client::engine::open_store(data_dir, &Default::default()).unwrap();
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for record in store
        .outbox(&[sideline_client::store::OutboxState::Pending])
        .unwrap()
    {
        let key = format!(
            "attempts={} reason={:?}",
            record.attempts,
            record.reason.as_deref().unwrap_or("-")
        );
        *reasons.entry(key).or_default() += 1;
    }
    format!("{reasons:?}")
}
