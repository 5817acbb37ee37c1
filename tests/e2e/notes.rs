//! Notes: captured offline they wait in the outbox and reach the hub exactly once, and the
//! app reads an agent's history back from the hub; their content is always text. Older
//! notifications than the app keeps are read back from the hub the same way.

use std::time::Duration;

use serde_json::json;

use crate::flows::{
    RECONNECT_DEADLINE, STATUS, capture_note, open_view, sign_in, wait_not_live, wait_note_state,
};
use crate::harness::{TestEnv, UI_DEADLINE, poll};
use crate::hub::{PASSWORD, TestHub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn note_captured_offline_syncs_exactly_once() {
    let mut env = TestEnv::new("offline_note");
    env.start_keyring("e2e-keyring-password").await;
    let mut hub = TestHub::start(&env.root.join("hub")).await;
    // The note form offers the agents the app knows of (presence, training, leaderboard): a
    // sale puts agent01 on the board.
    let lead = hub.login("lead").await;
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent01", "values": { "revenue": 500.0 } }),
        )
        .await;
    assert_eq!(status, 201, "record a sale: {body}");
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "lead", PASSWORD).await;
    open_view(&app, "notes").await;

    hub.stop().await;
    let status = wait_not_live(&app, UI_DEADLINE).await;
    println!("hub stopped; status {status:?}");

    let content = "Call back about the renewal (written offline)";
    capture_note(&app, Some("agent01"), content).await;
    let pending = wait_note_state(&app, content, "pending", UI_DEADLINE).await;
    app.wait_text("[data-testid=pending-count]", "1", UI_DEADLINE)
        .await;
    app.screenshot("note-pending").await;

    hub.restart().await;
    let synced = wait_note_state(&app, content, "synced", RECONNECT_DEADLINE).await;
    assert_eq!(synced.client_id, pending.client_id, "the same note synced");
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    app.wait_text("[data-testid=pending-count]", "0", UI_DEADLINE)
        .await;
    app.screenshot("note-synced").await;

    let notes = hub.notes_about("agent01").await;
    let same: Vec<_> = notes
        .iter()
        .filter(|n| n["clientId"] == pending.client_id.as_str())
        .collect();
    assert_eq!(
        same.len(),
        1,
        "the hub holds the note exactly once: {notes:?}"
    );
    assert_eq!(same[0]["content"], content);
    assert_eq!(notes.len(), 1, "and nothing else about agent01: {notes:?}");

    app.stop().await;
}

/// How many records the app captures offline in the backlog test: a day on the road.
const BACKLOG: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_captured_offline_drains_at_the_hubs_defaults_exactly_once_in_order() {
    let mut env = TestEnv::new("offline_backlog");
    env.start_keyring("e2e-keyring-password").await;
    // The test hub keeps the default per-socket rate limit (20 events a second).
    let mut hub = TestHub::start(&env.root.join("hub")).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "lead", PASSWORD).await;
    open_view(&app, "notes").await;
    hub.stop().await;
    wait_not_live(&app, UI_DEADLINE).await;

    // One through the form, the rest through the commands the form and the action item form
    // call: notes and action items about two agents, alternating.
    let first = "Backlog note 0 (written offline)";
    capture_note(&app, Some("agent01"), first).await;
    let mut captured = vec![
        wait_note_state(&app, first, "pending", UI_DEADLINE)
            .await
            .client_id,
    ];
    for i in 1..BACKLOG {
        let agent = if i % 3 == 0 { "agent02" } else { "agent01" };
        let (command, args) = if i % 2 == 0 {
            (
                "capture_note",
                json!({ "note": { "agentId": agent, "noteType": "COACHING", "priority": "LOW",
                                  "content": format!("Backlog note {i}") } }),
            )
        } else {
            (
                "capture_action_item",
                json!({ "item": { "agentId": agent, "title": format!("Backlog item {i}"),
                                  "dueDate": "2026-12-31", "priority": "HIGH",
                                  "category": "calls" } }),
            )
        };
        let client_id = app
            .invoke(command, args)
            .await
            .unwrap_or_else(|err| panic!("{command} offline: {err}"));
        captured.push(client_id.as_str().expect("a clientId").to_owned());
    }
    app.wait_text(
        "[data-testid=pending-count]",
        &BACKLOG.to_string(),
        UI_DEADLINE,
    )
    .await;

    hub.restart().await;
    app.wait_text(STATUS, "live", RECONNECT_DEADLINE).await;
    app.wait_text("[data-testid=pending-count]", "0", RECONNECT_DEADLINE)
        .await;
    app.screenshot("backlog-synced").await;

    // Everything the leader wrote, as the hub lists it (oldest first): each list holds its
    // records once, in capture order, and together they hold the whole backlog.
    let lead = hub.login("lead").await;
    let mut on_hub = std::collections::HashSet::new();
    for kind in ["notes", "action-items"] {
        for agent in ["agent01", "agent02"] {
            let (status, body) = hub
                .get(&format!("/api/v1/{kind}?agentId={agent}&limit=500"), &lead)
                .await;
            assert_eq!(status, 200, "list {kind} about {agent}: {body}");
            let listed: Vec<String> = body
                .as_array()
                .expect("a list")
                .iter()
                .map(|r| r["clientId"].as_str().expect("clientId").to_owned())
                .collect();
            let in_capture_order: Vec<String> = captured
                .iter()
                .filter(|id| listed.contains(id))
                .cloned()
                .collect();
            assert_eq!(
                listed, in_capture_order,
                "{kind} about {agent}: once each, in capture order"
            );
            on_hub.extend(listed);
        }
    }
    assert_eq!(on_hub.len(), BACKLOG, "the whole backlog reached the hub");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn note_content_renders_as_text() {
    let env = TestEnv::new("note_as_text");
    // The simulator's activity makes agents known to the note form.
    let app = env
        .launch(&["--demo"], &[("SIDELINE_DEMO_RATE", "4")], STATUS)
        .await;
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    open_view(&app, "notes").await;

    let content = "<img src=x onerror=alert(1)>";
    capture_note(&app, None, content).await;
    // Found by its textContent: if the markup had been parsed there would be no such text.
    wait_note_state(&app, content, "synced", UI_DEADLINE).await;
    let texts = app
        .js(
            "return [...document.querySelectorAll('[data-testid=note-text]')].map((e) => e.textContent);",
            vec![],
        )
        .await;
    assert!(
        texts
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == content)),
        "no note-text reads exactly {content:?}: {texts}"
    );
    assert_eq!(
        app.count("[data-testid=note-item] img").await,
        0,
        "an <img> element was created inside the note list"
    );
    assert_eq!(app.count("[data-testid=view-notes] img").await, 0);
    // Had the onerror handler run, an alert dialog would be open now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    if let Ok(text) = app.client.get_alert_text().await {
        panic!("an alert dialog opened: {text:?}");
    }
    app.screenshot("note-as-text").await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_older_than_the_app_keeps_are_read_back_from_the_hub() {
    use sideline_protocol::realtime::kept::NOTES_PER_AGENT;

    let mut env = TestEnv::new("note_history");
    env.start_keyring("e2e-keyring-password").await;
    let hub = TestHub::start(&env.root.join("hub")).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "lead", PASSWORD).await;
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    open_view(&app, "notes").await;

    // Two more than the app keeps, through the command the note form uses.
    for i in 0..NOTES_PER_AGENT + 2 {
        let note = json!({ "agentId": "agent01", "noteType": "COACHING", "priority": "LOW",
                           "content": format!("note {i:02}") });
        app.invoke("capture_note", json!({ "note": note }))
            .await
            .unwrap_or_else(|e| panic!("capture note {i}: {e}"));
    }
    app.wait_text("[data-testid=pending-count]", "0", RECONNECT_DEADLINE)
        .await;
    assert_eq!(hub.notes_about("agent01").await.len(), NOTES_PER_AGENT + 2);
    poll("only the newest notes listed", UI_DEADLINE, async || {
        (app.count("[data-testid=note-item]").await == NOTES_PER_AGENT).then_some(())
    })
    .await;
    app.wait_for("[data-testid=older-notes]").await;

    // The history panel starts older than the oldest listed: the two the app let go.
    app.click("[data-testid=show-history]").await;
    poll(
        "the two older notes from the hub",
        UI_DEADLINE,
        async || {
            let texts = app
                .texts("[data-testid=history-note] [data-testid=note-text]")
                .await;
            (texts == ["note 01", "note 00"]).then_some(())
        },
    )
    .await;
    assert_eq!(
        app.count("[data-testid=history-more]").await,
        0,
        "nothing older"
    );
    // A newer note pushes the oldest listed out of the live list: the open panel reads it.
    let note = json!({ "agentId": "agent01", "noteType": "COACHING", "priority": "LOW",
                       "content": format!("note {:02}", NOTES_PER_AGENT + 2) });
    app.invoke("capture_note", json!({ "note": note }))
        .await
        .expect("capture one more");
    poll(
        "the note pushed out, in the panel",
        UI_DEADLINE,
        async || {
            let texts = app
                .texts("[data-testid=history-note] [data-testid=note-text]")
                .await;
            (texts == ["note 02", "note 01", "note 00"]).then_some(())
        },
    )
    .await;
    assert_eq!(
        app.count("[data-testid=note-item]").await,
        NOTES_PER_AGENT,
        "the live list keeps its bound"
    );
    app.js(
        "document.querySelector('[data-testid=history]').scrollIntoView({ block: 'end' })",
        vec![],
    )
    .await;
    app.screenshot("notes-history").await;

    // A refusal reaches the UI as the command's { code, message }.
    let refused = app
        .invoke(
            "action_item_history",
            json!({ "agentId": "agent01", "before": "nosuch" }),
        )
        .await
        .expect_err("no such action item on the hub");
    assert_eq!(refused["code"], "REFUSED", "{refused}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_older_than_the_app_keeps_are_read_back_from_the_hub() {
    use sideline_protocol::realtime::kept::NOTIFICATIONS;

    let env = TestEnv::new("notification_history");
    let hub = TestHub::start(&env.root.join("hub")).await;
    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    sign_in(&app, &hub.url(), "agent01", PASSWORD).await;
    app.wait_text(STATUS, "live", UI_DEADLINE).await;
    open_view(&app, "notifications").await;

    // Two more than the app keeps, sent by the team's leader.
    let lead = hub.login("lead").await;
    for i in 0..NOTIFICATIONS + 2 {
        let (status, body) = hub
            .post(
                "/api/v1/notifications",
                &lead,
                json!({ "clientId": format!("0190cccc-0000-7000-8000-{i:012}"),
                        "userId": "agent01", "type": "info",
                        "message": format!("notification {i:03}") }),
            )
            .await;
        assert_eq!(status, 201, "notification {i}: {body}");
    }
    let newest = format!("notification {:03}", NOTIFICATIONS + 1);
    poll(
        "only the newest notifications listed",
        UI_DEADLINE,
        async || {
            let listed = app.count("[data-testid=notification-item]").await;
            let texts = app
                .texts("[data-testid=notification-item] [data-testid=notification-text]")
                .await;
            (listed == NOTIFICATIONS && texts.first() == Some(&newest)).then_some(())
        },
    )
    .await;
    app.wait_for("[data-testid=older-notifications]").await;

    app.click("[data-testid=show-history]").await;
    poll("the two older ones from the hub", UI_DEADLINE, async || {
        let texts = app
            .texts("[data-testid=history-notification] [data-testid=notification-text]")
            .await;
        (texts == ["notification 001", "notification 000"]).then_some(())
    })
    .await;
    assert_eq!(
        app.count("[data-testid=history-more]").await,
        0,
        "nothing older"
    );
    app.js(
        "document.querySelector('[data-testid=history]').scrollIntoView({ block: 'end' })",
        vec![],
    )
    .await;
    app.screenshot("notifications-history").await;
    app.stop().await;
}
