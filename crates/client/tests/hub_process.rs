//! The real `sideline-hub` binary as a child process ([`HubProcess`]): killed with SIGKILL
//! under a live engine, then started again on the same port and database, the engine comes
//! back by itself and what the hub stored before the crash is still there.

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sideline_client::ConnectionStatus;
use sideline_client::engine::Engine;
use sideline_client::tokens::StaticTokens;
use sideline_testkit::HubProcess;
use support::{data_dir, engine_config, eventually};

/// The `sideline-hub` binary of this build: beside this test's own executable's directory
/// (`target/debug/deps/..`), where `cargo test --workspace` puts it. Built on demand when a
/// narrower `cargo test` left it out (minutes: `-p sideline-hub` unifies features differently,
/// so dependencies are rebuilt); an older binary left there by another build is used as is.
fn hub_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let binary = debug.join(format!("sideline-hub{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "sideline-hub", "--bin", "sideline-hub"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building sideline-hub failed");
    }
    assert!(binary.exists(), "no {}", binary.display());
    binary
}

async fn wait_status(engine: &Engine, want: fn(&ConnectionStatus) -> bool, what: &str) {
    let status = engine.status();
    eventually(what, || {
        let s = status.borrow().clone();
        async move { want(&s).then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_with_sigkill_restarts_on_the_same_port_and_database() {
    let mut hub = HubProcess::start(hub_binary(), &["--demo", "--demo-rate", "0"])
        .await
        .expect("the hub starts");
    let addr = hub.addr();
    let first_pid = hub.pid().expect("running");
    let token = sideline_client::tokens::login(&hub.url(), "lead", "demo")
        .await
        .expect("login")
        .token;
    let (_tmp, dir) = data_dir();
    let engine = Engine::open(
        &dir,
        engine_config(),
        Arc::new(StaticTokens::new(hub.url(), token.clone())),
    )
    .await
    .expect("engine opens");
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;

    // Something durable on the hub before the crash.
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications", hub.url()))
        .bearer_auth(&token)
        .json(
            &json!({"clientId": uuid::Uuid::now_v7().to_string(), "userId": "lead",
                      "type": "info", "title": "Heads up", "message": "before the crash"}),
        )
        .send()
        .await
        .expect("POST");
    assert!(response.status().is_success(), "{}", response.status());

    hub.kill().await.expect("SIGKILL");
    assert!(!hub.is_running());
    wait_status(
        &engine,
        |s| matches!(s, ConnectionStatus::Retrying { .. }),
        "retrying after the crash",
    )
    .await;

    hub.restart().await.expect("the hub starts again");
    assert_eq!(hub.addr(), addr, "the same port");
    assert_ne!(hub.pid(), Some(first_pid), "a new process");
    // The same database and JWT secret: the old token is still good, the notification is
    // still stored.
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live again").await;
    eventually("the notification stored before the crash", || {
        let seen = engine
            .state()
            .work
            .notifications
            .iter()
            .any(|n| n.message == "before the crash");
        async move { seen.then_some(()) }
    })
    .await;
    let listed = reqwest::Client::new()
        .get(format!("{}/api/v1/notifications", hub.url()))
        .bearer_auth(&token)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("GET");
    assert!(listed.status().is_success(), "{}", listed.status());
    engine.shutdown().await;
    hub.kill().await.expect("SIGKILL");
}
