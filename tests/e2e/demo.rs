//! `--demo`: the embedded hub and its simulator, straight into live data.

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
    app.stop().await;
}
