//! A screenshot of every main-window view and of the quick-capture window, in demo mode.

use std::time::Duration;

use crate::flows::{STATUS, VIEWS, open_view};
use crate::harness::{TestEnv, UI_DEADLINE, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_every_view_and_quick_capture() {
    let env = TestEnv::new("screenshots");
    let app = env
        .launch(&["--demo"], &[("SIDELINE_DEMO_RATE", "4")], STATUS)
        .await;
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    // Some data on the boards before the pictures are taken.
    poll("leaderboard rows", UI_DEADLINE, async || {
        (app.count("[data-testid=leaderboard-row]").await > 0).then_some(())
    })
    .await;

    for view in VIEWS {
        open_view(&app, view).await;
        if *view == "team" {
            // The hub's training snapshot gives the leader every member's level, agents too.
            poll("every member's level", UI_DEADLINE, async || {
                let rows = app.count("[data-testid=presence-row]").await;
                let levels = app
                    .js(
                        "return [...document.querySelectorAll('[data-testid=member-level]')]
                            .filter((cell) => /^[0-9]+$/.test(cell.textContent.trim())).length",
                        vec![],
                    )
                    .await;
                (rows > 1 && levels.as_u64() == Some(rows as u64)).then_some(())
            })
            .await;
            // The demo's agents are at their desks, and the count in the heading agrees: the
            // simulator's presence is the hub's.
            poll("the demo team at work", UI_DEADLINE, async || {
                let at_work = app
                    .count(
                        "[data-testid=presence-row][data-status=online], \
                         [data-testid=presence-row][data-status=away]",
                    )
                    .await;
                let heading = app.try_text("[data-testid=online-count]").await?;
                (at_work == 11 && heading.trim() == "11").then_some(())
            })
            .await;
            // The hub's sync:snapshot gives the demo's coaching session, with its roster:
            // nobody has joined it, so both are "not in the session".
            let people = poll(
                "the demo's coaching session and its roster",
                UI_DEADLINE,
                async || {
                    let people = app
                        .js(
                            "return [...document.querySelectorAll(
                            '[data-session-id=session-demo] [data-testid=session-person]')]
                            .map((p) => [p.dataset.userId, p.dataset.presence])",
                            vec![],
                        )
                        .await;
                    people.as_array().filter(|p| p.len() == 2).cloned()
                },
            )
            .await;
            assert_eq!(
                serde_json::Value::Array(people),
                serde_json::json!([["lead", "absent"], ["agent01", "absent"]]),
                "the instructor, then the learner"
            );
            // Joining goes through the engine to the hub, and its answer back to the card.
            app.click("[data-session-id=session-demo] [data-testid=session-join]")
                .await;
            app.wait_for(
                "[data-session-id=session-demo] [data-testid=session-person][data-user-id=lead][data-presence=active]",
            )
            .await;
            app.wait_for("[data-session-id=session-demo] [data-testid=session-leave]")
                .await;
        }
        app.screenshot(&format!("view-{view}")).await;
    }

    let main = app.client.window().await.expect("the main window's handle");
    let known = app.client.windows().await.expect("window handles");
    app.invoke("open_quick_capture", serde_json::json!({}))
        .await
        .unwrap_or_else(|e| panic!("open_quick_capture failed: {e}"));
    app.switch_to_new_window(&known, Duration::from_secs(20))
        .await;
    app.wait_for("[data-testid=quick-capture]").await;
    app.wait_for("[data-testid=note-input]").await;
    app.screenshot("quick-capture").await;
    app.client
        .switch_to_window(main)
        .await
        .expect("back to the main window");
    app.stop().await;
}
