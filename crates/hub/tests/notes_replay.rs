//! Idempotent creation, replay after a disconnect, and the retention snapshot.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sideline_hub::clock::ManualClock;
use support::{TestClient, client_id, start_hub, start_hub_with};

fn note(client_id: &str, content: &str) -> Value {
    json!({
        "clientId": client_id,
        "agentId": "agent01",
        "noteType": "COACHING",
        "content": content,
        "priority": "HIGH",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_client_id_stores_once_and_echoes_the_original_to_the_sender_only() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let mut agent = hub.connect_as("agent01", "/").await;
    lead.expect_event("sync:done").await;
    agent.expect_event("sync:done").await;

    let id = client_id();
    lead.emit("quickNote:create", note(&id, "Great call opening"))
        .await;
    let first = lead.expect_event("quickNote:created").await;
    assert_eq!(first["clientId"], id.as_str());
    assert!(
        first["eventId"].as_u64().unwrap() > 0,
        "the first creation is durable"
    );
    let seen_by_agent = agent.expect_event("quickNote:created").await;
    assert_eq!(seen_by_agent["id"], first["id"]);

    lead.emit("quickNote:create", note(&id, "Great call opening"))
        .await;
    let echo = lead.expect_event("quickNote:created").await;
    assert_eq!(echo["id"], first["id"], "the original is returned");
    assert!(echo.get("eventId").is_none(), "a repeat is not re-logged");
    agent
        .expect_no_event("quickNote:created", Duration::from_millis(500))
        .await;

    let token = hub.login("lead").await;
    let (status, notes) = hub.get("/api/v1/notes?agentId=agent01", &token).await;
    assert_eq!(status, 200);
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["clientId"], id.as_str());
    // An agent reads their own notes, not a colleague's.
    let agent2 = hub.login("agent02").await;
    assert_eq!(
        hub.get("/api/v1/notes?agentId=agent01", &agent2).await.0,
        403
    );
    lead.disconnect().await;
    agent.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_events_are_replayed_in_order_then_sync_done() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    let agent_token = hub.login("agent01").await;
    let mut agent = TestClient::connect(&hub.url(), "/", json!({ "token": agent_token }))
        .await
        .unwrap();
    let done = agent.expect_event("sync:done").await;
    assert_eq!(done["replayed"], 0);

    lead.emit("quickNote:create", note(&client_id(), "one"))
        .await;
    let one = agent.expect_event("quickNote:created").await;
    let last_seen = one["eventId"].as_u64().unwrap();
    agent.disconnect().await;

    for content in ["two", "three"] {
        lead.emit("quickNote:create", note(&client_id(), content))
            .await;
        lead.expect_event("quickNote:created").await;
    }
    // An event for someone else must not be replayed to agent01.
    lead.emit(
        "quickNote:create",
        json!({ "clientId": client_id(), "agentId": "agent02", "noteType": "POSITIVE", "content": "x", "priority": "LOW" }),
    )
    .await;
    let other = lead.expect_event("quickNote:created").await;

    let mut agent = TestClient::connect(
        &hub.url(),
        "/",
        json!({ "token": agent_token, "lastEventId": last_seen }),
    )
    .await
    .unwrap();
    let two = agent.expect_event("quickNote:created").await;
    let three = agent.expect_event("quickNote:created").await;
    assert_eq!(
        (two["content"].as_str(), three["content"].as_str()),
        (Some("two"), Some("three"))
    );
    assert!(two["eventId"].as_u64() < three["eventId"].as_u64());
    let done = agent.expect_event("sync:done").await;
    assert_eq!(done["replayed"], 2);
    assert_eq!(done["snapshot"], false);
    assert!(done["lastEventId"].as_u64() >= other["eventId"].as_u64());
    // Order on the wire: both replayed events before sync:done (the backlog keeps order).
    agent.disconnect().await;
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_retention_window_the_client_gets_a_snapshot_instead() {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = start_hub_with(move |c| c.clock = Arc::new(shared)).await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let mut ids = Vec::new();
    for content in ["old one", "old two"] {
        lead.emit("quickNote:create", note(&client_id(), content))
            .await;
        ids.push(
            lead.expect_event("quickNote:created").await["eventId"]
                .as_u64()
                .unwrap(),
        );
    }
    lead.disconnect().await;

    clock.advance(chrono::Duration::days(31));
    let pruned = hub.hub.state().prune_events().await.unwrap();
    assert_eq!(pruned, 2);

    let token = hub.login("agent01").await;
    let mut agent = TestClient::connect(
        &hub.url(),
        "/",
        json!({ "token": token, "lastEventId": ids[0] }),
    )
    .await
    .unwrap();
    let done = agent.expect_event("sync:done").await;
    assert_eq!(done["snapshot"], true);
    assert_eq!(done["replayed"], 0);
    assert!(
        agent
            .try_event_within("quickNote:created", Duration::from_millis(300))
            .await
            .is_none()
    );
    agent.disconnect().await;

    // A client that was up to date when the prune happened still gets a plain replay.
    let mut fresh = TestClient::connect(
        &hub.url(),
        "/",
        json!({ "token": hub.login("agent01").await, "lastEventId": ids[1] }),
    )
    .await
    .unwrap();
    assert_eq!(fresh.expect_event("sync:done").await["snapshot"], false);
    fresh.disconnect().await;
    hub.stop().await;
}
