//! Presence, coaching sessions with the cursor throttle, notifications across devices, and the
//! analysis cancel round trip.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use sideline_hub::store::org;
use sideline_protocol::Id;
use support::{TestClient, client_id, start_hub, start_hub_with};

fn id(text: &str) -> Id {
    Id::new(text).expect("id")
}

/// The next `presence:changed` about `user`.
async fn presence_of(client: &mut TestClient, user: &str) -> String {
    loop {
        let changed = client.expect_event("presence:changed").await;
        if changed["userId"] == user {
            return changed["status"].as_str().unwrap().to_owned();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_online_away_offline_after_the_grace() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;

    let agent = hub.connect_as("agent02", "/").await;
    let online = loop {
        let changed = lead.expect_event("presence:changed").await;
        if changed["userId"] == "agent02" {
            break changed;
        }
    };
    assert_eq!(online["status"], "online");
    assert_eq!(online["onlineCount"], 2, "lead and agent02: {online}");
    // A second socket (another namespace) changes nothing for others.
    let board = hub.connect_as("agent02", "/leaderboard").await;
    agent
        .emit("presence:update", json!({ "status": "away" }))
        .await;
    assert_eq!(presence_of(&mut lead, "agent02").await, "away");
    // Reported activity brings them back; reported idleness makes them away.
    agent
        .emit("activity-status", json!({ "isActive": true }))
        .await;
    assert_eq!(presence_of(&mut lead, "agent02").await, "online");
    agent
        .emit("activity-status", json!({ "isActive": false }))
        .await;
    assert_eq!(presence_of(&mut lead, "agent02").await, "away");

    agent.disconnect().await;
    // Still connected on /leaderboard: no offline.
    lead.expect_no_event("presence:changed", Duration::from_millis(700))
        .await;
    board.disconnect().await;
    assert_eq!(presence_of(&mut lead, "agent02").await, "offline");

    // A reconnect within the grace (300 ms in tests) is invisible.
    let again = hub.connect_as("agent02", "/").await;
    assert_eq!(presence_of(&mut lead, "agent02").await, "online");
    again.disconnect().await;
    let back = hub.connect_as("agent02", "/").await;
    lead.expect_no_event("presence:changed", Duration::from_millis(800))
        .await;
    back.disconnect().await;
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_participants_updates_and_a_throttled_cursor() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let mut agent = hub.connect_as("agent01", "/").await;
    let mut outsider = hub.connect_as("agent07", "/").await;
    for c in [&mut lead, &mut agent, &mut outsider] {
        c.expect_event("sync:done").await;
    }
    lead.emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    let joined = lead.expect_event("session-joined").await;
    assert_eq!(joined["participants"].as_array().unwrap().len(), 1);
    assert_eq!(joined["participants"][0]["role"], "instructor");

    agent
        .emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    let joined = agent.expect_event("session-joined").await;
    assert_eq!(joined["participants"].as_array().unwrap().len(), 2);
    let user_joined = lead.expect_event("user-joined").await;
    assert_eq!(user_joined["user"]["id"], "agent01");
    assert_eq!(user_joined["user"]["role"], "learner");

    outsider
        .emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    assert_eq!(outsider.expect_event("error").await["code"], "FORBIDDEN");

    // 30 moves in a burst: fewer relayed, the last one relayed is the latest (line 30).
    for line in 1..=30 {
        agent
            .emit("cursor-update", json!({ "line": line, "column": 1 }))
            .await;
    }
    let mut lines = Vec::new();
    loop {
        let moved = lead.expect_event("cursor-moved").await;
        assert_eq!(moved["userId"], "agent01");
        let line = moved["cursor"]["line"].as_u64().unwrap();
        lines.push(line);
        if line == 30 {
            break;
        }
    }
    assert!(lines.len() < 30, "not throttled: {lines:?}");
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "out of order: {lines:?}"
    );
    agent
        .expect_no_event("cursor-moved", Duration::from_millis(100))
        .await;

    agent
        .emit("activity-status", json!({ "isActive": false }))
        .await;
    let activity = lead.expect_event("user-activity-changed").await;
    assert_eq!(activity["isActive"], false);

    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo", "updates": { "engagementScore": 8 } }),
    )
    .await;
    let updated = agent.expect_event("session:updated").await;
    assert_eq!(updated["updates"]["engagementScore"], 8);
    assert!(
        updated["eventId"].as_u64().is_some(),
        "session:updated is durable"
    );
    agent
        .emit(
            "session:update",
            json!({ "sessionId": "session-demo", "updates": { "engagementScore": 9 } }),
        )
        .await;
    assert_eq!(agent.expect_event("error").await["code"], "FORBIDDEN");

    agent.emit("leave-session", serde_json::Value::Null).await;
    let left = lead.expect_event("user-left").await;
    assert_eq!(left["userId"], "agent01");
    assert_eq!(left["participants"].as_array().unwrap().len(), 1);
    for c in [lead, agent, outsider] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_completing_a_session_closes_it_for_everyone() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let mut agent = hub.connect_as("agent01", "/").await;
    for c in [&mut lead, &mut agent] {
        c.expect_event("sync:done").await;
    }
    agent
        .emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    agent.expect_event("session-joined").await;
    // Another status is an edit like any other: the session stays open.
    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo", "updates": { "status": "IN_PROGRESS" } }),
    )
    .await;
    assert_eq!(
        agent.expect_event("session:updated").await["updates"]["status"],
        "IN_PROGRESS"
    );
    support::wait_in_room(&hub, "/", "agent01", "session:session-demo").await;

    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo", "updates": { "status": "COMPLETED" } }),
    )
    .await;
    let ended = agent.expect_event("session:updated").await;
    assert_eq!(ended["updates"]["status"], "COMPLETED");
    assert_eq!(ended["updatedBy"]["id"], "lead");
    support::wait_out_of_room(&hub, "/", "agent01", "session:session-demo").await;
    assert!(
        hub.hub
            .state()
            .live
            .participants(&id("session-demo"))
            .is_empty(),
        "nobody is in a closed session"
    );
    for client in [&mut agent, &mut lead] {
        client
            .emit("join-session", json!({ "sessionId": "session-demo" }))
            .await;
        assert_eq!(client.expect_event("error").await["code"], "CONFLICT");
    }
    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo", "updates": { "engagementScore": 5 } }),
    )
    .await;
    assert_eq!(lead.expect_event("error").await["code"], "NOT_FOUND");
    lead.disconnect().await;
    agent.disconnect().await;
    hub.stop().await;
}

/// Movers of the race below, and how many times each joins and leaves.
const MOVERS: [&str; 3] = ["agent01", "agent02", "agent03"];
const ROUNDS: usize = 60;

/// The ids in a `participants` list.
fn ids(participants: &serde_json::Value) -> BTreeSet<String> {
    participants
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn participant_lists_reach_the_room_in_the_order_people_came_and_went() {
    // The movers are as fast as the hub answers, far above what a person does.
    let hub = start_hub_with(|config| config.rate_limit_per_sec = 10_000.0).await;
    {
        let db = hub.hub.state().store.lock().await;
        for mover in &MOVERS[1..] {
            org::add_participant(db.conn(), &id("session-demo"), &id(mover), "learner")
                .expect("participant");
        }
    }
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    lead.emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    lead.expect_event("session-joined").await;

    // Three people come and go at once, each as fast as the hub answers; the last round
    // ends in a disconnect instead of a leave.
    let mut movers = Vec::new();
    for name in MOVERS {
        let mut mover = hub.connect_as(name, "/").await;
        mover.expect_event("sync:done").await;
        movers.push(tokio::spawn(async move {
            for round in 0..ROUNDS {
                mover
                    .emit("join-session", json!({ "sessionId": "session-demo" }))
                    .await;
                mover.expect_event("session-joined").await;
                if round + 1 < ROUNDS {
                    mover
                        .emit("leave-session", json!({ "sessionId": "session-demo" }))
                        .await;
                }
            }
            mover.disconnect().await;
        }));
    }
    for mover in movers {
        mover.await.expect("mover");
    }

    // Every join and every leave (or disconnect) tells the lead, in the order they happened:
    // each list is the one before it with the mover added or gone. Lists that overtook each
    // other would undo or skip a move.
    let expected = 2 * ROUNDS * MOVERS.len();
    let deadline = tokio::time::Instant::now() + support::DEADLINE;
    let mut heard = Vec::new();
    while heard.len() < expected && tokio::time::Instant::now() < deadline {
        heard.extend(
            lead.drain_within(Duration::from_millis(100))
                .await
                .into_iter()
                .filter(|(name, _)| name == "user-joined" || name == "user-left"),
        );
    }
    assert_eq!(heard.len(), expected, "the lead missed moves");
    let mut present = BTreeSet::from(["lead".to_owned()]);
    for (i, (name, event)) in heard.iter().enumerate() {
        let mover = if name == "user-joined" {
            event["user"]["id"].as_str()
        } else {
            event["userId"].as_str()
        }
        .expect("who moved")
        .to_owned();
        if name == "user-joined" {
            present.insert(mover);
        } else {
            present.remove(&mover);
        }
        assert_eq!(
            ids(&event["participants"]),
            present,
            "move {i} ({name}) out of order: {event}"
        );
    }
    assert_eq!(present, BTreeSet::from(["lead".to_owned()]));
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_and_their_read_state_reach_every_device() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let mut phone = hub.connect_as("agent01", "/").await;
    let mut laptop = hub.connect_as("agent01", "/").await;
    for c in [&mut lead, &mut phone, &mut laptop] {
        c.expect_event("sync:done").await;
    }
    let id = client_id();
    lead.emit(
        "notification:send",
        json!({ "clientId": id, "userId": "agent01", "type": "success", "message": "Nice deal" }),
    )
    .await;
    let on_phone = phone.expect_event("notification").await;
    let on_laptop = laptop.expect_event("notification").await;
    assert_eq!(on_phone["id"], on_laptop["id"]);
    assert_eq!(on_phone["read"], false);
    assert_eq!(on_phone["from"]["id"], "lead");

    phone
        .emit(
            "notification:read",
            json!({ "notificationId": on_phone["id"] }),
        )
        .await;
    let read = laptop.expect_event("notification:read").await;
    assert_eq!(read["notificationId"], on_phone["id"]);
    phone.expect_event("notification:read").await;

    let token = hub.login("agent01").await;
    let (status, list) = hub.get("/api/v1/notifications", &token).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["read"], true);

    laptop
        .emit("notification:clear", serde_json::Value::Null)
        .await;
    phone.expect_event("notification:cleared").await;
    assert_eq!(hub.get("/api/v1/notifications", &token).await.1, json!([]));

    // Over HTTP with a service key; a repeated clientId answers 200 with the original.
    let lead_token = hub.login("lead").await;
    let (status, key) = hub
        .post(
            "/api/v1/admin/api-keys",
            &lead_token,
            json!({ "name": "crm" }),
        )
        .await;
    assert_eq!(status, 201);
    let key = key["key"].as_str().unwrap().to_owned();
    let body = json!({ "clientId": client_id(), "userId": "agent01", "type": "info", "message": "From the CRM" });
    let (status, first) = hub.post("/api/v1/notifications", &key, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        phone.expect_event("notification").await["message"],
        "From the CRM"
    );
    let (status, again) = hub.post("/api/v1/notifications", &key, body).await;
    assert_eq!((status, &again["id"]), (200, &first["id"]));
    let (status, error) = hub
        .post(
            "/api/v1/notifications",
            &key,
            json!({ "clientId": client_id(), "userId": "agent01", "type": "loud", "message": "x" }),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str(), error["field"].as_str()),
        (400, Some("INVALID_PAYLOAD"), Some("type"))
    );
    for c in [lead, phone, laptop] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analysis_cancel_reaches_the_runner_and_ends_in_cancelled() {
    let hub = start_hub().await;
    let lead_token = hub.login("lead").await;
    let (_, key) = hub
        .post(
            "/api/v1/admin/api-keys",
            &lead_token,
            json!({ "name": "runner" }),
        )
        .await;
    let runner = key["key"].as_str().unwrap().to_owned();
    let mut member = hub.connect_as("agent01", "/").await;
    let mut outsider = hub.connect_as("agent07", "/").await;
    member.expect_event("sync:done").await;
    outsider.expect_event("sync:done").await;

    let (status, job) = hub
        .post("/api/v1/analyses", &runner, json!({ "analysisId": "run-1", "projectId": "project-alpha", "detectors": ["secrets", "style"] }))
        .await;
    assert_eq!(status, 201, "{job}");
    assert_eq!(
        member.expect_event("analysis:started").await["detectors"],
        json!(["secrets", "style"])
    );
    let (status, _) = hub
        .post("/api/v1/analyses/run-1/progress", &runner, json!({ "detector": "secrets", "detectorStatus": "running", "detectorProgress": 50.0, "progress": 25.0, "issuesFound": 1 }))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        member.expect_event("analysis:progress").await["progress"],
        25.0
    );

    outsider
        .emit("analysis:cancel", json!({ "analysisId": "run-1" }))
        .await;
    assert_eq!(outsider.expect_event("error").await["code"], "FORBIDDEN");
    assert_eq!(
        hub.get("/api/v1/analyses/run-1", &runner).await.1["cancelRequested"],
        false
    );

    member
        .emit("analysis:cancel", json!({ "analysisId": "run-1" }))
        .await;
    // The runner polls until it sees the request.
    let deadline = tokio::time::Instant::now() + support::DEADLINE;
    while hub.get("/api/v1/analyses/run-1", &runner).await.1["cancelRequested"] != true {
        assert!(
            tokio::time::Instant::now() < deadline,
            "cancel request never visible"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, _) = hub
        .post("/api/v1/analyses/run-1/cancelled", &runner, json!({}))
        .await;
    assert_eq!(status, 204);
    let cancelled = member.expect_event("analysis:cancelled").await;
    assert_eq!(cancelled["analysisId"], "run-1");
    assert_eq!(
        hub.get("/api/v1/analyses/run-1", &runner).await.1["state"],
        "cancelled"
    );
    let (status, error) = hub.post("/api/v1/analyses/run-1/progress", &runner, json!({ "detector": "x", "detectorStatus": "running", "detectorProgress": 1.0, "progress": 1.0, "issuesFound": 0 })).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("CONFLICT")));
    member.disconnect().await;
    outsider.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_with_a_webhook_is_told_about_the_cancel() {
    use axum::routing::post;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let app = axum::Router::new().route(
        "/cancel",
        post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webhook = format!("http://{}/cancel", listener.local_addr().unwrap());
    let runner_server = tokio::spawn(async move { axum::serve(listener, app).await });

    let hub = start_hub().await;
    let lead = hub.login("lead").await;
    let (_, key) = hub
        .post("/api/v1/admin/api-keys", &lead, json!({ "name": "runner" }))
        .await;
    let runner = key["key"].as_str().unwrap().to_owned();
    let (status, _) = hub
        .post("/api/v1/analyses", &runner, json!({ "analysisId": "run-2", "projectId": "project-alpha", "detectors": ["x"], "webhookUrl": webhook }))
        .await;
    assert_eq!(status, 201);
    let mut member = hub.connect_as("agent01", "/").await;
    member.expect_event("sync:done").await;
    member
        .emit("analysis:cancel", json!({ "analysisId": "run-2" }))
        .await;
    let call = tokio::time::timeout(support::DEADLINE, rx.recv())
        .await
        .expect("webhook called")
        .unwrap();
    assert_eq!(
        call,
        json!({ "analysisId": "run-2", "cancelRequested": true })
    );
    member.disconnect().await;
    hub.stop().await;
    runner_server.abort();
}
