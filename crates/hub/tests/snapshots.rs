//! Past the retention window, and on a first connection (no `lastEventId`), `/` and
//! `/training` clients get full state snapshots (`sync:snapshot`, `training:snapshot`) before
//! `sync:done { snapshot: true }`.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sideline_hub::clock::ManualClock;
use support::{TestClient, client_id, start_hub_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_retention_main_and_training_clients_get_state_snapshots_before_sync_done() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| c.clock = Arc::new(shared)).await;
    let lead_token = hub.login("lead").await;

    // State the agent must find in its snapshots: a note about it, a notification it read,
    // XP on /training.
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let note_id = client_id();
    lead.emit(
        "quickNote:create",
        json!({
            "clientId": note_id, "agentId": "agent01", "noteType": "COACHING",
            "content": "Keep the opening short", "priority": "HIGH",
        }),
    )
    .await;
    let first_event = lead.expect_event("quickNote:created").await["eventId"]
        .as_u64()
        .unwrap();
    lead.disconnect().await;
    let (status, notification) = hub
        .post(
            "/api/v1/notifications",
            &lead_token,
            json!({ "clientId": client_id(), "userId": "agent01", "type": "info", "message": "Welcome" }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = hub
        .post(
            "/api/v1/training/xp",
            &lead_token,
            json!({ "userId": "agent01", "amount": 120, "source": "Course" }),
        )
        .await;
    assert_eq!(status, 200);

    clock.advance(chrono::Duration::days(31));
    assert!(hub.hub.state().prune_events().await.unwrap() >= 3);

    // `/`: one sync:snapshot, before sync:done.
    let token = hub.login("agent01").await;
    let mut main = TestClient::connect(
        &hub.url(),
        "/",
        json!({ "token": token, "lastEventId": first_event }),
    )
    .await
    .unwrap();
    let done = main.expect_event("sync:done").await;
    assert_eq!(
        (done["snapshot"].as_bool(), done["replayed"].as_u64()),
        (Some(true), Some(0))
    );
    // expect_event keeps what came before sync:done in the backlog: a zero wait finds the
    // snapshot only if it arrived first.
    let snapshot = main
        .try_event_within("sync:snapshot", Duration::ZERO)
        .await
        .expect("sync:snapshot before sync:done");
    assert_eq!(snapshot["userId"], "agent01");
    let contents: Vec<&Value> = snapshot["quickNotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["content"])
        .collect();
    assert_eq!(contents, vec!["Keep the opening short"]);
    assert_eq!(snapshot["quickNotes"][0]["clientId"], note_id.as_str());
    assert_eq!(snapshot["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(snapshot["notifications"][0]["id"], notification["id"]);
    assert_eq!(snapshot["notifications"][0]["read"], false);
    assert!(snapshot["openAnalyses"].is_array());
    let me = snapshot["presence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["userId"] == "agent01")
        .expect("the agent is in its team's presence");
    assert_eq!(me["status"], "online");
    assert!(
        snapshot["presence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["userId"] == "lead"),
        "the whole team is listed"
    );
    assert_eq!(
        main.try_event_within("quickNote:created", Duration::from_millis(200))
            .await,
        None,
        "nothing is replayed"
    );

    // `/training`: one training:snapshot, before sync:done.
    let mut training = TestClient::connect(
        &hub.url(),
        "/training",
        json!({ "token": token, "lastEventId": first_event }),
    )
    .await
    .unwrap();
    let done = training.expect_event("sync:done").await;
    assert_eq!(done["snapshot"], true);
    let snapshot = training
        .try_event_within("training:snapshot", Duration::ZERO)
        .await
        .expect("training:snapshot before sync:done");
    assert_eq!(snapshot["userId"], "agent01");
    assert_eq!(snapshot["totalXp"], 120);
    assert_eq!(snapshot["level"], 2, "level 2 needs 100 XP");
    assert!(snapshot["achievements"].is_array());
    assert!(snapshot["currentStreak"].is_u64());

    // A first connection (no `lastEventId`: a new machine) has nothing to replay from either.
    let mut first = TestClient::connect(&hub.url(), "/training", json!({ "token": token }))
        .await
        .unwrap();
    let done = first.expect_event("sync:done").await;
    assert_eq!(done["snapshot"], true);
    let snapshot = first
        .try_event_within("training:snapshot", Duration::ZERO)
        .await
        .expect("training:snapshot before sync:done");
    assert_eq!(snapshot["totalXp"], 120);

    // An up-to-date client gets neither snapshot.
    let mut current = TestClient::connect(
        &hub.url(),
        "/training",
        json!({ "token": token, "lastEventId": done["lastEventId"] }),
    )
    .await
    .unwrap();
    assert_eq!(current.expect_event("sync:done").await["snapshot"], false);
    assert_eq!(
        current
            .try_event_within("training:snapshot", Duration::from_millis(200))
            .await,
        None
    );

    main.disconnect().await;
    training.disconnect().await;
    first.disconnect().await;
    current.disconnect().await;
    hub.stop().await;
}
