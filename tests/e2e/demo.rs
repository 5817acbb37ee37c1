//! `--demo`: the embedded hub and its simulator, straight into live data.

use std::time::Duration;

use crate::flows::STATUS;
use crate::harness::{TestEnv, UI_DEADLINE, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_shows_live_leaderboard_rows() {
    let env = TestEnv::new("demo_mode");
    let app = env
        .launch(&["--demo"], &[("SIDELINE_DEMO_RATE", "4")], STATUS)
        .await;

    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    // The demo team starts without sales: rows can only come from the simulator's sales,
    // through the embedded hub, the engine and the `state` events.
    let rows = poll(
        "leaderboard rows from the demo hub",
        UI_DEADLINE,
        async || {
            let n = app.count("[data-testid=leaderboard-row]").await;
            (n > 0).then_some(n)
        },
    )
    .await;
    println!("{rows} leaderboard rows");
    // The hub sends a sale's moves best new rank first, after any board it sent this client,
    // so a board on screen always has its #1. CI once read rank 2 here; the likely cause, now
    // fixed, was a board read between a sale's commit and the hub's in-memory update.
    let first_rank = app
        .try_attr("[data-testid=leaderboard-row]", "data-rank")
        .await;
    assert_eq!(first_rank.as_deref(), Some("1"), "the first row is rank 1");
    let user = app
        .try_attr("[data-testid=leaderboard-row]", "data-user-id")
        .await
        .unwrap_or_default();
    assert!(
        user.starts_with("agent"),
        "the first row is a demo agent, not {user:?}"
    );
    app.screenshot("demo-leaderboard").await;

    // The demo's celebrations hold still under the pointer: none goes, none comes, past a
    // toast's own six seconds; once the pointer leaves, they go.
    const TOAST: &str = "[data-testid=celebration-toast]";
    app.wait_for(TOAST).await;
    app.hover(&format!("{TOAST}:last-child")).await;
    let held = app.texts(TOAST).await;
    assert!(!held.is_empty(), "a toast under the pointer");
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        app.texts(TOAST).await,
        held,
        "the toasts held still under the pointer"
    );
    app.pointer_to(5.0, 5.0).await;
    poll("the held toasts to go", UI_DEADLINE, async || {
        let now = app.texts(TOAST).await;
        held.iter().all(|toast| !now.contains(toast)).then_some(())
    })
    .await;
    app.stop().await;
}
