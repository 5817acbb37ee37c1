//! A live socket whose token expires (hub clock) is told `TOKEN_EXPIRED` and disconnected,
//! unless it renewed its identity with `auth:request` in time.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sideline_hub::clock::ManualClock;
use support::{DEADLINE, TestHub, start_hub_with};

/// How many sockets of `user` are connected on `namespace`, read from the hub.
fn sockets_of(hub: &TestHub, namespace: &str, user: &str) -> usize {
    let ns = hub.hub.state().io.of(namespace).expect("namespace");
    ns.sockets()
        .iter()
        .filter(|s| {
            s.extensions
                .get::<sideline_hub::realtime::SocketContext>()
                .is_some_and(|ctx| ctx.principal().user_id.as_str() == user)
        })
        .count()
}

async fn wait_gone(hub: &TestHub, namespace: &str, user: &str) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while sockets_of(hub, namespace, user) > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{user} still connected on {namespace}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_ends_the_socket_unless_it_was_renewed() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| {
        c.clock = Arc::new(shared);
        c.token_ttl = Duration::from_secs(60);
        c.token_check = Duration::from_millis(50);
    })
    .await;
    let mut stale = hub.connect_as("agent01", "/").await;
    let mut stale_board = hub.connect_as("agent01", "/leaderboard").await;
    let renewing_token = hub.login("agent02").await;
    let mut renewing = hub.connect_as("agent02", "/").await;
    stale.expect_event("sync:done").await;
    stale_board.expect_event("sync:done").await;
    renewing.expect_event("sync:done").await;

    // Half-way, agent02 refreshes its token and re-authenticates the live socket.
    clock.advance(chrono::Duration::seconds(30));
    let (status, refreshed) = hub
        .post("/api/v1/auth/refresh", &renewing_token, json!({}))
        .await;
    assert_eq!(status, 200, "{refreshed}");
    renewing
        .emit("auth:request", json!({ "token": refreshed["token"] }))
        .await;
    renewing.expect_event("auth:success").await;
    // Not expired yet: everyone stays.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sockets_of(&hub, "/", "agent01"), 1);

    // The first token expires: agent01 is told and disconnected on every namespace.
    clock.advance(chrono::Duration::seconds(31));
    let told = stale.expect_event("auth:error").await;
    assert_eq!(told["code"], "TOKEN_EXPIRED");
    let told = stale_board.expect_event("error").await;
    assert_eq!(told["code"], "TOKEN_EXPIRED");
    wait_gone(&hub, "/", "agent01").await;
    wait_gone(&hub, "/leaderboard", "agent01").await;

    // agent02 renewed: still connected and served.
    renewing
        .expect_no_event("auth:error", Duration::from_millis(300))
        .await;
    assert_eq!(sockets_of(&hub, "/", "agent02"), 1);
    renewing
        .emit("presence:update", json!({ "status": "away" }))
        .await;
    loop {
        let changed = renewing.expect_event("presence:changed").await;
        if changed["userId"] == "agent02" {
            assert_eq!(changed["status"], "away");
            break;
        }
    }

    // Until its renewed token expires too.
    clock.advance(chrono::Duration::seconds(30));
    assert_eq!(
        renewing.expect_event("auth:error").await["code"],
        "TOKEN_EXPIRED"
    );
    wait_gone(&hub, "/", "agent02").await;

    stale.disconnect().await;
    stale_board.disconnect().await;
    renewing.disconnect().await;
    hub.stop().await;
}
