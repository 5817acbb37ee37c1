//! State feeds per window: a hidden main window takes no `state` patches (nothing re-renders
//! behind the tray) and, shown again, catches up at once with everything it missed.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::flows::sign_in;
use crate::harness::{TestEnv, UI_DEADLINE, poll};
use crate::hub::{PASSWORD, TestHub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_a_hidden_main_window_pauses_and_catches_up_when_shown() {
    let env = TestEnv::new("feeds_hidden_main");
    let hub = TestHub::start(&env.root).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "agent01", PASSWORD).await;
    let lead = hub.login("lead").await;
    let notify = async |n: u32| {
        let (status, body) = hub
            .post(
                "/api/v1/notifications",
                &lead,
                json!({
                    "clientId": format!("0190bbbb-0000-7000-8000-00000000000{n}"),
                    "userId": "agent01",
                    "type": "info",
                    "message": format!("Feed test notification {n}"),
                }),
            )
            .await;
        assert!(status == 201, "send notification {n} to agent01: {body}");
    };
    // Shown: the window follows the engine.
    notify(1).await;
    app.wait_text("[data-testid=unread-badge]", "1", UI_DEADLINE)
        .await;

    // Hidden: the page knows it, and its copy of the state stops moving while the engine's
    // does (the engine's own count comes from `app_state`, the window's from its badge).
    app.invoke("close_window", json!({}))
        .await
        .unwrap_or_else(|e| panic!("close_window: {e}"));
    poll("the hidden page to say so", UI_DEADLINE, async || {
        (app.js("return document.visibilityState;", vec![]).await == "hidden").then_some(())
    })
    .await;
    notify(2).await;
    poll("the engine to count 2 unread", UI_DEADLINE, async || {
        let state = app.invoke("app_state", json!({})).await.ok()?;
        (state["state"]["work"]["unreadCount"] == 2).then_some(())
    })
    .await;
    // One more publication after the engine's count, so a window still fed would have it.
    notify(3).await;
    poll("the engine to count 3 unread", UI_DEADLINE, async || {
        let state = app.invoke("app_state", json!({})).await.ok()?;
        (state["state"]["work"]["unreadCount"] == 3).then_some(())
    })
    .await;
    assert_eq!(
        app.text("[data-testid=unread-badge]").await,
        "1",
        "a hidden main window takes no state patches"
    );

    // Shown again (a second launch hands over to this one): everything it missed, at once.
    let mut second = tokio::process::Command::new(app.app_binary())
        .envs(env.env())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start a second instance");
    tokio::time::timeout(Duration::from_secs(30), second.wait())
        .await
        .expect("the second instance hands over and exits")
        .expect("wait for the second instance");
    app.wait_main_window_visible(true, UI_DEADLINE).await;
    app.wait_text("[data-testid=unread-badge]", "3", UI_DEADLINE)
        .await;
    app.stop().await;
}
