//! Comments, `data:update`, `broadcast`, action items, idle coaching sessions, training
//! progress, and the `/leaderboard` snapshot after the retention window.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sideline_hub::clock::ManualClock;
use support::{TestClient, client_id, start_hub, start_hub_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_idempotent_and_resolved_for_the_project() {
    let hub = start_hub().await;
    let mut author = hub.connect_as("agent01", "/").await;
    let mut member = hub.connect_as("agent02", "/").await;
    let mut outsider = hub.connect_as("agent07", "/").await;
    for c in [&mut author, &mut member, &mut outsider] {
        c.expect_event("sync:done").await;
    }
    let create = json!({ "clientId": client_id(), "projectId": "project-alpha", "content": "Check line 3", "filePath": "a.rs", "line": 3 });
    author.emit("comment:create", create.clone()).await;
    let created = member.expect_event("comment:created").await;
    assert_eq!(created["clientId"], create["clientId"]);
    author.expect_event("comment:created").await;
    author.emit("comment:create", create).await;
    let echo = author.expect_event("comment:created").await;
    assert_eq!(
        (echo["id"].clone(), echo.get("eventId")),
        (created["id"].clone(), None)
    );
    member
        .expect_no_event("comment:created", Duration::from_millis(300))
        .await;
    outsider
        .emit(
            "comment:create",
            json!({ "clientId": client_id(), "projectId": "project-alpha", "content": "x" }),
        )
        .await;
    assert_eq!(outsider.expect_event("error").await["code"], "FORBIDDEN");

    // Over HTTP with a user token (the author), idempotent the same way.
    let token = hub.login("agent02").await;
    let body =
        json!({ "clientId": client_id(), "projectId": "project-alpha", "content": "From the web" });
    let (status, first) = hub.post("/api/v1/comments", &token, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        author.expect_event("comment:created").await["content"],
        "From the web"
    );
    assert_eq!(
        hub.post("/api/v1/comments", &token, body).await,
        (200, first)
    );

    member
        .emit("comment:resolve", json!({ "commentId": created["id"] }))
        .await;
    let resolved = author.expect_event("comment:resolved").await;
    assert_eq!(resolved["resolvedBy"]["id"], "agent02");
    for c in [author, member, outsider] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_updates_and_broadcasts_reach_the_room() {
    let hub = start_hub().await;
    let mut a = hub.connect_as("agent01", "/").await;
    let mut b = hub.connect_as("agent02", "/").await;
    a.expect_event("sync:done").await;
    b.expect_event("sync:done").await;
    let create = json!({ "entity": "task", "action": "create", "room": "team:demo-team", "clientId": client_id(), "data": { "title": "Call back" } });
    a.emit("data:update", create.clone()).await;
    let created = b.expect_event("data:update").await;
    assert_eq!(created["data"]["title"], "Call back");
    a.expect_event("data:update").await;
    a.emit("data:update", create).await;
    assert!(
        a.expect_event("data:update").await.get("eventId").is_none(),
        "a repeat is echoed, not re-logged"
    );
    b.expect_no_event("data:update", Duration::from_millis(300))
        .await;
    a.emit("data:update", json!({ "entity": "task", "action": "update", "room": "team:demo-team", "id": created["id"], "data": { "title": "Done" } }))
        .await;
    assert_eq!(b.expect_event("data:update").await["data"]["title"], "Done");
    a.emit("data:update", json!({ "entity": "task", "action": "update", "room": "team:other", "id": "x", "data": {} })).await;
    assert_eq!(a.expect_event("error").await["code"], "FORBIDDEN");

    b.emit("broadcast", json!({ "clientId": client_id(), "room": "team:demo-team", "topic": "hello", "data": { "n": 1 } })).await;
    let message = a.expect_event("broadcast").await;
    assert_eq!(
        (message["topic"].as_str(), message["from"]["id"].as_str()),
        (Some("hello"), Some("agent02"))
    );
    b.emit("broadcast", json!({ "clientId": client_id(), "room": "project:project-beta", "topic": "x", "data": {} })).await;
    assert_eq!(b.expect_event("error").await["code"], "FORBIDDEN");
    a.disconnect().await;
    b.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_items_are_stored_once_and_readable_by_the_agent() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let mut agent = hub.connect_as("agent01", "/").await;
    lead.expect_event("sync:done").await;
    agent.expect_event("sync:done").await;
    let item = json!({ "clientId": client_id(), "agentId": "agent01", "title": "Shadow a call", "dueDate": "2026-12-01", "priority": "MEDIUM", "category": "skills" });
    lead.emit("actionItem:create", item.clone()).await;
    let created = agent.expect_event("actionItem:created").await;
    assert_eq!(created["status"], "PENDING");
    lead.emit("actionItem:create", item).await;
    lead.expect_event("actionItem:created").await;
    let token = hub.login("agent01").await;
    let (status, items) = hub
        .get("/api/v1/action-items?agentId=agent01", &token)
        .await;
    assert_eq!(status, 200);
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["clientId"], created["clientId"]);
    lead.disconnect().await;
    agent.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_close_after_thirty_minutes_of_hub_time() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| c.clock = Arc::new(shared)).await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    lead.emit("join-session", json!({ "sessionId": "fresh-session" }))
        .await;
    lead.expect_event("session-joined").await;
    let state = hub.hub.state().clone();

    clock.advance(chrono::Duration::minutes(29));
    let closed = sideline_hub::flows::main::close_idle_sessions(&state)
        .await
        .unwrap();
    assert!(closed.is_empty(), "{closed:?}");
    clock.advance(chrono::Duration::minutes(2));
    let closed: Vec<String> = sideline_hub::flows::main::close_idle_sessions(&state)
        .await
        .unwrap()
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert!(closed.contains(&"fresh-session".to_owned()), "{closed:?}");
    // Its room heard it end, from the hub itself, and is empty now.
    // (The demo's session, whose room the lead is in too, closed as well.)
    let ended = loop {
        let ended = lead.expect_event("session:updated").await;
        if ended["sessionId"] == "fresh-session" {
            break ended;
        }
    };
    assert_eq!(ended["updates"]["status"], "COMPLETED", "{ended}");
    assert!(ended.get("updatedBy").is_none(), "no editor: {ended}");
    assert!(ended["eventId"].as_u64().is_some(), "durable: {ended}");
    support::wait_out_of_room(&hub, "/", "lead", "session:fresh-session").await;
    // A closed session cannot be joined any more, by an agent or by a leader (whose join of
    // an unknown id would open a new session: a closed id is not unknown).
    let mut agent = hub.connect_as("agent01", "/").await;
    agent.expect_event("sync:done").await;
    for client in [&mut agent, &mut lead] {
        client
            .emit("join-session", json!({ "sessionId": "fresh-session" }))
            .await;
        let error = client.expect_event("error").await;
        assert_eq!(
            (error["code"].as_str(), error["event"].as_str()),
            (Some("CONFLICT"), Some("join-session")),
            "{error}"
        );
        assert!(
            error["message"].as_str().unwrap().contains("closed"),
            "{error}"
        );
    }
    lead.disconnect().await;
    agent.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_progress_goes_to_the_user_and_the_module_room() {
    let hub = start_hub().await;
    let mut learner = hub.connect_as("agent05", "/training").await;
    let mut follower = hub.connect_as("lead", "/training").await;
    learner.expect_event("sync:done").await;
    follower.expect_event("sync:done").await;
    follower.emit("join:module", json!("module-1")).await;
    learner.emit("join:session", json!("roleplay-1")).await;
    support::wait_in_room(&hub, "/training", "lead", "module:module-1").await;
    learner
        .emit(
            "progress:update",
            json!({ "moduleId": "module-1", "progress": 100.0 }),
        )
        .await;
    let mine = learner.expect_event("progress:update").await;
    assert_eq!(mine["completed"], true);
    assert_eq!(
        follower.expect_event("progress:update").await["userId"],
        "agent05"
    );
    // The training session is the learner's: a colleague may not join it.
    let mut colleague = hub.connect_as("agent06", "/training").await;
    colleague.expect_event("sync:done").await;
    colleague.emit("join:session", json!("roleplay-1")).await;
    assert_eq!(colleague.expect_event("error").await["code"], "FORBIDDEN");
    for c in [learner, follower, colleague] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_retention_leaderboard_clients_get_refresh_snapshots() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| c.clock = Arc::new(shared)).await;
    let lead = hub.login("lead").await;
    for seller in ["agent01", "agent02"] {
        let (status, _) = hub
            .post(
                "/api/v1/sales",
                &lead,
                json!({ "sellerId": seller, "values": { "revenue": 10.0 } }),
            )
            .await;
        assert_eq!(status, 201);
    }
    clock.advance(chrono::Duration::days(31));
    assert!(hub.hub.state().prune_events().await.unwrap() > 0);
    // Fresh sales in the new periods, so the refresh has rows.
    hub.post(
        "/api/v1/sales",
        &lead,
        json!({ "sellerId": "agent03", "values": { "revenue": 5.0 } }),
    )
    .await;
    let token = hub.login("agent01").await;
    let mut client = TestClient::connect(
        &hub.url(),
        "/leaderboard",
        json!({ "token": token, "lastEventId": 1 }),
    )
    .await
    .unwrap();
    let refresh = client.expect_event("leaderboard:refresh").await;
    assert!(refresh["metric"].is_string());
    let done = client.expect_event("sync:done").await;
    assert_eq!(
        (done["snapshot"].as_bool(), done["replayed"].as_u64()),
        (Some(true), Some(0))
    );
    client.disconnect().await;
    hub.stop().await;
}
