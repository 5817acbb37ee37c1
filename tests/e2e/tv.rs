//! TV mode (S5): fullscreen, rotating boards, celebrations that interrupt and resume the
//! rotation, the stale-data banner, and a display token the hub keeps read-only.
//!
//! Short rotations come from the TV UI's test override: the `tvSeconds=N` URL query.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::flows::RECONNECT_DEADLINE;
use crate::harness::{RunningApp, TestEnv, UI_DEADLINE, poll};
use crate::hub::TestHub;

const BOARD: &str = "[data-testid=tv-board]";

/// Seconds per board in these tests.
const SECONDS_PER_BOARD: u64 = 3;

/// Reloads the TV window with `?tvSeconds=N` and waits for a board.
async fn short_rotation(app: &RunningApp) {
    let mut url = app.client.current_url().await.expect("the TV window's URL");
    url.set_query(Some(&format!("tvSeconds={SECONDS_PER_BOARD}")));
    app.client
        .goto(url.as_str())
        .await
        .expect("reload the TV window");
    app.wait_for(BOARD).await;
}

/// The board shown now, if any.
async fn board(app: &RunningApp) -> Option<String> {
    app.try_attr(BOARD, "data-board").await
}

/// Watches the rotation until `distinct` boards were shown (in order of appearance), taking
/// a screenshot of each the first time it shows.
async fn watch_rotation(
    app: &RunningApp,
    distinct: usize,
    within: Duration,
    shots: bool,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut celebrating = false;
    let deadline = Instant::now() + within;
    while seen.iter().collect::<BTreeSet<_>>().len() < distinct {
        let now_celebrating = app.count("[data-testid=tv-celebration]").await > 0;
        if now_celebrating != celebrating {
            println!(
                "celebration {}",
                if now_celebrating { "shown" } else { "over" }
            );
            celebrating = now_celebrating;
        }
        if let Some(now) = board(app).await
            && seen.last() != Some(&now)
        {
            println!("board: {now}");
            if shots && !seen.contains(&now) {
                app.screenshot(&format!("tv-{now}")).await;
            }
            seen.push(now);
        }
        assert!(
            Instant::now() < deadline,
            "the boards did not rotate through {distinct} boards within {within:?}: saw {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tv_mode_fills_the_screen_and_rotates_its_boards() {
    let env = TestEnv::new("tv_rotation");
    // A quiet simulator: each celebration pauses the rotation for several seconds, and at the
    // demo's default rate they queue up faster than they are shown.
    let app = env
        .launch(&["--tv", "--demo"], &[("SIDELINE_DEMO_RATE", "0.2")], BOARD)
        .await;

    let screen = app
        .js("return [screen.width, screen.height];", vec![])
        .await;
    let (x, y, width, height) = app.client.get_window_rect().await.expect("window rect");
    println!("screen {screen}, window at ({x}, {y}) size {width}x{height}");
    assert_eq!(
        json!([width, height]),
        screen,
        "the TV window covers the whole screen"
    );
    assert_eq!(
        (x, y),
        (0, 0),
        "the TV window starts at the screen's corner"
    );

    short_rotation(&app).await;
    let seen = watch_rotation(
        &app,
        4,
        Duration::from_secs(SECONDS_PER_BOARD * 4 + 40),
        true,
    )
    .await;
    println!("rotation: {seen:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tv_display_celebrates_warns_when_stale_and_cannot_write() {
    let mut env = TestEnv::new("tv_display");
    env.start_keyring("e2e-keyring-password").await;
    let mut hub = TestHub::start(&env.root.join("hub")).await;
    let lead = hub.login("lead").await;
    let (status, display) = hub
        .post(
            "/api/v1/admin/display-tokens",
            &lead,
            json!({ "name": "E2E wall" }),
        )
        .await;
    assert_eq!(status, 201, "a display token: {display}");
    let token = display["token"].as_str().expect("display token").to_owned();

    // Sign the display in (the command behind the display sign-in) and open TV mode.
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    let session = app
        .invoke(
            "sign_in_display",
            json!({ "request": { "server": hub.url(), "token": token } }),
        )
        .await
        .unwrap_or_else(|e| panic!("sign_in_display failed: {e}"));
    println!("display session: {session}");
    let main = app.client.window().await.expect("main window handle");
    let known = app.client.windows().await.expect("window handles");
    app.invoke("open_tv", json!({}))
        .await
        .unwrap_or_else(|e| panic!("open_tv failed: {e}"));
    let tv = app
        .switch_to_new_window(&known, Duration::from_secs(20))
        .await;
    app.wait_for(BOARD).await;
    short_rotation(&app).await;
    watch_rotation(
        &app,
        2,
        Duration::from_secs(SECONDS_PER_BOARD * 2 + 15),
        false,
    )
    .await;

    // A level-up is celebrated on the wall, then the rotation goes on.
    let (status, body) = hub
        .post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent01", "amount": 500, "source": "E2E course" }),
        )
        .await;
    assert_eq!(status, 200, "award XP: {body}");
    app.wait_for("[data-testid=tv-celebration]").await;
    app.screenshot("tv-celebration").await;
    app.wait_gone("[data-testid=tv-celebration]", Duration::from_secs(30))
        .await;
    app.wait_for(BOARD).await;
    watch_rotation(
        &app,
        2,
        Duration::from_secs(SECONDS_PER_BOARD * 2 + 15),
        false,
    )
    .await;

    // No hub: the banner within 30 s (plus slack), data still on screen; back: it clears.
    hub.stop().await;
    let stopped = Instant::now();
    app.wait_for_within("[data-testid=tv-stale]", Duration::from_secs(45))
        .await;
    println!("stale banner after {:?}", stopped.elapsed());
    assert!(app.count(BOARD).await > 0, "the last data stays on screen");
    app.wait_for("[data-testid=tv-updated-at]").await;
    app.screenshot("tv-stale").await;
    hub.restart().await;
    app.wait_gone("[data-testid=tv-stale]", RECONNECT_DEADLINE)
        .await;

    // The display's token is read-only: the hub refuses a note from it.
    app.client
        .switch_to_window(main)
        .await
        .expect("main window");
    let content = "A note from the wall display";
    let captured = app
        .invoke(
            "capture_note",
            json!({ "note": { "agentId": "agent01", "noteType": "COACHING",
                              "priority": "LOW", "category": null, "content": content } }),
        )
        .await;
    println!("capture_note as the display: {captured:?}");
    if let Ok(client_id) = &captured {
        // Accepted into the outbox: the hub must refuse it (the note ends rejected).
        let client_id = client_id.as_str().expect("a clientId").to_owned();
        poll(
            "the hub's refusal of the display's note",
            UI_DEADLINE,
            async || {
                let state = app.invoke("app_state", json!({})).await.ok()?;
                let text = state.to_string();
                let at = text.find(&client_id)?;
                let window = &text[at.saturating_sub(400)..(at + 400).min(text.len())];
                window.contains("rejected").then_some(())
            },
        )
        .await;
    }
    let notes = hub.notes_about("agent01").await;
    assert!(
        notes.iter().all(|n| n["content"] != content),
        "the hub stored a note from a display token: {notes:?}"
    );
    let _ = tv;
    app.stop().await;
}
