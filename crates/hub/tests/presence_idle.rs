//! The idle rule of presence: a connected user whose sockets stay silent for the idle time
//! (hub clock) appears away; their next event makes them online again.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sideline_hub::clock::ManualClock;
use support::{TestClient, start_hub_with};

/// The next `presence:changed` about `user`: its status.
async fn presence_of(client: &mut TestClient, user: &str) -> String {
    loop {
        let changed = client.expect_event("presence:changed").await;
        if changed["userId"] == user {
            return changed["status"].as_str().unwrap().to_owned();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_user_turns_away_after_the_idle_time_and_online_on_activity() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| {
        c.clock = Arc::new(shared);
        // Short, so the sweeper (a tenth of the idle time) runs every 100 ms of real time;
        // the idle decision itself reads the manual hub clock.
        c.presence_idle = Duration::from_secs(1);
    })
    .await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let mut agent = hub.connect_as("agent03", "/").await;
    agent.expect_event("sync:done").await;
    assert_eq!(presence_of(&mut lead, "agent03").await, "online");

    // Not idle yet: nothing (hub time only moves when the test says so).
    clock.advance(chrono::Duration::milliseconds(900));
    lead.expect_no_event("presence:changed", Duration::from_millis(300))
        .await;

    // The lead keeps talking, the agent stays silent: only the agent turns away. The hub's
    // answer shows the lead's event was handled (its activity recorded) before time moves.
    lead.emit("notification:read-all", serde_json::Value::Null)
        .await;
    lead.expect_event("notification:read").await;
    clock.advance(chrono::Duration::milliseconds(200));
    assert_eq!(presence_of(&mut lead, "agent03").await, "away");
    assert!(
        lead.drain_within(Duration::from_millis(200))
            .await
            .iter()
            .all(|(name, v)| name != "presence:changed" || v["userId"] != "lead"),
        "the lead was active"
    );

    // Any event of the agent makes it online again.
    agent
        .emit("room:leave", json!({ "room": "project:none" }))
        .await;
    assert_eq!(presence_of(&mut lead, "agent03").await, "online");

    // Idle again; then a new socket (another namespace) is activity too.
    clock.advance(chrono::Duration::milliseconds(1100));
    assert_eq!(presence_of(&mut lead, "agent03").await, "away");
    let board = hub.connect_as("agent03", "/leaderboard").await;
    assert_eq!(presence_of(&mut lead, "agent03").await, "online");

    board.disconnect().await;
    agent.disconnect().await;
    lead.disconnect().await;
    hub.stop().await;
}
