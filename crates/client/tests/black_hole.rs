//! A black-holed link, end to end: the real hub in-process and the engine, both at their
//! default settings, with a [`FaultProxy`] between them. See docs/reliability.md, "A
//! black-holed connection", for the silence limit these tests exercise.
//!
//! These tests wait on the real engine.io ping cycle (25 s interval, 20 s timeout), so they
//! take about a minute each; they poll with bounded deadlines and assert no timings.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sideline_client::ConnectionStatus;
use sideline_client::engine::{Engine, EngineConfig};
use sideline_client::tokens::StaticTokens;
use sideline_hub::{Hub, HubConfig, RunningHub};
use sideline_testkit::{Fault, FaultProxy};
use tokio::time::Instant;

/// The JWT secret of the test hub.
const SECRET: &str = "black-hole-test-secret-black-hole-test-secret";

/// The hub's engine.io ping interval + ping timeout at its defaults (socketioxide's 25 s +
/// 20 s): the longest a dead link goes unnoticed.
const SILENCE_LIMIT: Duration = Duration::from_secs(45);

/// Generous for anything that should happen at once (a connect, a replay).
const SOON: Duration = Duration::from_secs(30);

/// The hub at its defaults, except: loopback port 0, a temp database, a fixed JWT secret, and
/// the demo team seeded (users to sign in as) with its simulator off, so the link is idle.
async fn start_hub(dir: &std::path::Path) -> RunningHub {
    let mut config = HubConfig::ephemeral(dir.join("hub.db"));
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.jwt_secret = Some(SECRET.to_owned());
    config.demo = true;
    config.demo_rate = 0.0;
    Hub::start(config).await.expect("hub starts")
}

/// Polls `check` every 50 ms until it returns `Some`, or panics with `what` after `limit`.
async fn within<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn status_of(engine: &Engine) -> ConnectionStatus {
    engine.status().borrow().clone()
}

/// Sends `user` a notification straight to the hub (not through the proxy).
async fn notify(hub: &RunningHub, token: &str, user: &str, message: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", hub.url()))
        .bearer_auth(token)
        .json(
            &json!({"clientId": uuid::Uuid::now_v7().to_string(), "userId": user,
                      "type": "info", "title": "Heads up", "message": message}),
        )
        .send()
        .await
        .expect("POST a notification");
    assert!(response.status().is_success(), "{}", response.status());
}

fn has_notification(engine: &Engine, message: &str) -> bool {
    engine
        .state()
        .work
        .notifications
        .iter()
        .any(|n| n.message == message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_black_holed_link_is_noticed_within_the_ping_timeout_and_recovers_with_replay() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = start_hub(hub_dir.path()).await;
    let proxy = FaultProxy::start(hub.local_addr()).await.unwrap();
    let token = sideline_client::tokens::login(&hub.url(), "lead", "demo")
        .await
        .expect("login")
        .token;
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(
        data.path(),
        EngineConfig::default(),
        Arc::new(StaticTokens::new(proxy.url(), token.clone())),
    )
    .await
    .expect("engine opens");
    within(SOON, "live", || {
        (status_of(&engine) == ConnectionStatus::Live).then_some(())
    })
    .await;
    notify(&hub, &token, "lead", "before the black hole").await;
    within(SOON, "the live notification", || {
        has_notification(&engine, "before the black hole").then_some(())
    })
    .await;

    let before = proxy.stats();
    proxy.set(Fault::BlackHole);
    let dark = Instant::now();
    // Nothing reaches the engine now, and nothing tells it so: no close, no reset.
    notify(&hub, &token, "lead", "during the black hole").await;

    // The ping check fires at most SILENCE_LIMIT after the last ping, which came before the
    // black hole; the margin covers a loaded machine.
    let left = within(
        SILENCE_LIMIT + SOON,
        "the engine to notice the dead link",
        || {
            let status = status_of(&engine);
            (status != ConnectionStatus::Live).then_some(status)
        },
    )
    .await;
    let noticed_after = dark.elapsed();
    assert!(
        matches!(
            left,
            ConnectionStatus::Retrying { .. } | ConnectionStatus::Connecting
        ),
        "{left:?}"
    );
    // A reconnect attempt reaches the proxy (which accepts it into the black hole).
    within(SOON, "a reconnect attempt", || {
        (proxy.stats().accepted > before.accepted).then_some(())
    })
    .await;
    assert!(
        !has_notification(&engine, "during the black hole"),
        "nothing crossed the black hole"
    );

    proxy.heal();
    let healed = Instant::now();
    // The attempt under way may be waiting out its connect timeout (10 s), then the backoff
    // (at most 30 s).
    within(SOON + SOON, "live again", || {
        (status_of(&engine) == ConnectionStatus::Live).then_some(())
    })
    .await;
    within(SOON, "the missed notification replayed", || {
        has_notification(&engine, "during the black hole").then_some(())
    })
    .await;
    eprintln!(
        "black hole noticed after {noticed_after:?}; live again {:?} after healing; proxy {:?}",
        healed.elapsed(),
        proxy.stats()
    );
    engine.shutdown().await;
    hub.shutdown().await.expect("hub stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_healthy_link_stays_live_past_the_silence_limit() {
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = start_hub(hub_dir.path()).await;
    let proxy = FaultProxy::start(hub.local_addr()).await.unwrap();
    let token = sideline_client::tokens::login(&hub.url(), "lead", "demo")
        .await
        .expect("login")
        .token;
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(
        data.path(),
        EngineConfig::default(),
        Arc::new(StaticTokens::new(proxy.url(), token)),
    )
    .await
    .expect("engine opens");
    within(SOON, "live", || {
        (status_of(&engine) == ConnectionStatus::Live).then_some(())
    })
    .await;
    let before = proxy.stats();
    let mut status = engine.status();
    status.borrow_and_update();
    // Idle (the hub sends no event) for longer than the ping check's limit: the pings keep
    // the link alive, and nothing may reconnect it.
    let idle = SILENCE_LIMIT + Duration::from_secs(15);
    let changed = tokio::time::timeout(idle, status.changed()).await;
    assert!(
        changed.is_err(),
        "the status changed while idle: {:?}",
        status.borrow().clone()
    );
    let after = proxy.stats();
    assert_eq!(after.accepted, before.accepted, "no reconnect while idle");
    assert!(
        after.bytes_to_client > before.bytes_to_client,
        "the hub's pings crossed the proxy"
    );
    engine.shutdown().await;
    hub.shutdown().await.expect("hub stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emit_stuck_behind_a_black_hole_ends_the_link_instead_of_wedging_it() {
    use sideline_client::connection::{CLOSE_TIMEOUT, EMIT_TIMEOUT};
    use sideline_client::{ConnectionEvent, HubConnection, Link};
    use sideline_protocol::{HandshakeAuth, Namespace};

    let hub_dir = tempfile::tempdir().unwrap();
    let hub = start_hub(hub_dir.path()).await;
    let proxy = FaultProxy::start(hub.local_addr()).await.unwrap();
    let token = sideline_client::tokens::login(&hub.url(), "lead", "demo")
        .await
        .expect("login")
        .token;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let auth = HandshakeAuth {
        token,
        last_event_id: None,
    };
    let link = Arc::new(
        HubConnection::open(&proxy.url(), Namespace::Main, &auth, tx)
            .await
            .expect("transport opens"),
    );
    let first = tokio::time::timeout(SOON, events.recv()).await;
    assert!(
        matches!(first, Ok(Some(ConnectionEvent::Connected))),
        "{first:?}"
    );

    proxy.set(Fault::BlackHole);
    // Emit until the kernel's buffers (a few MB on loopback) are full and a write blocks.
    // Before EMIT_TIMEOUT, that write held the library's transport lock for good: neither its
    // ping check nor a close ever returned (measured: nothing after 80 s, close stuck).
    let payload = serde_json::Value::String("x".repeat(60_000));
    let emitter = {
        let link = link.clone();
        tokio::spawn(async move {
            for sent in 0..2_000u32 {
                if link.emit("probe:filler", payload.clone()).await.is_err() {
                    return Some(sent);
                }
            }
            None
        })
    };
    let reason = tokio::time::timeout(SILENCE_LIMIT + SOON, async {
        loop {
            match events.recv().await {
                Some(ConnectionEvent::Disconnected { reason }) => return reason,
                Some(_) => {}
                None => panic!("the events channel closed without a disconnect"),
            }
        }
    })
    .await
    .expect("the dead link is reported");
    let sent = emitter.await.unwrap();
    assert!(sent.is_some(), "an emit failed once the buffers were full");
    let closing = Instant::now();
    link.close().await;
    assert!(closing.elapsed() < CLOSE_TIMEOUT + SOON, "close returns");
    eprintln!(
        "stuck after {sent:?} emits of 60 kB; reported: {reason} (emit bound {EMIT_TIMEOUT:?})"
    );
    hub.shutdown().await.expect("hub stops");
}
