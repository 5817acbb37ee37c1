//! Bad input: each case gets an `error` naming the event (and field), and the connection stays
//! up (a good event afterwards works).

mod support;

use serde_json::{Value, json};
use support::{TestClient, client_id, start_hub, start_hub_with};

fn note(content: &str) -> Value {
    json!({ "clientId": client_id(), "agentId": "agent01", "noteType": "COACHING", "content": content, "priority": "LOW" })
}

async fn still_works(lead: &mut TestClient) {
    lead.emit("quickNote:create", note("still here")).await;
    let created = lead.expect_event("quickNote:created").await;
    assert_eq!(created["content"], "still here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_invalid_unknown_and_oversized_events_are_answered_and_survived() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;

    // (event, payload, code, field)
    let mut wrong_enum = note("x");
    wrong_enum["noteType"] = json!("coaching");
    let mut missing = note("x");
    missing.as_object_mut().unwrap().remove("agentId");
    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        (
            "quickNote:create",
            wrong_enum,
            "INVALID_PAYLOAD",
            Some("noteType"),
        ),
        (
            "quickNote:create",
            missing,
            "INVALID_PAYLOAD",
            Some("agentId"),
        ),
        (
            "quickNote:create",
            json!("a string"),
            "INVALID_PAYLOAD",
            None,
        ),
        (
            "quickNote:create",
            note("   "),
            "VALIDATION_FAILED",
            Some("content"),
        ),
        (
            "session:update",
            json!({ "sessionId": "session-demo", "updates": { "engagementScore": 99 } }),
            "VALIDATION_FAILED",
            Some("updates.engagementScore"),
        ),
        ("quickNote:delete", json!({}), "UNKNOWN_EVENT", None),
        (
            "quickNote:create",
            note(&"y".repeat(70 * 1024)),
            "PAYLOAD_TOO_LARGE",
            None,
        ),
    ];
    for (event, payload, code, field) in cases {
        lead.emit(event, payload).await;
        let error = lead.expect_event("error").await;
        assert_eq!(error["code"], code, "{event}: {error}");
        assert_eq!(error["event"], event, "{error}");
        assert_eq!(error["field"].as_str(), field, "{event}: {error}");
        still_works(&mut lead).await;
    }
    // A malformed payload's clientId is echoed so the client can settle its outbox entry.
    let mut bad = note("x");
    bad["priority"] = json!("URGENT!");
    let id = bad["clientId"].clone();
    lead.emit("quickNote:create", bad).await;
    assert_eq!(lead.expect_event("error").await["clientId"], id);
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_over_its_rate_is_refused_then_recovers() {
    let hub = start_hub_with(|c| {
        c.rate_limit_burst = 5;
        c.rate_limit_per_sec = 5.0;
    })
    .await;
    let mut agent = hub.connect_as("agent01", "/").await;
    agent.expect_event("sync:done").await;
    for _ in 0..15 {
        agent
            .emit("presence:update", json!({ "status": "online" }))
            .await;
    }
    let error = agent.expect_event("error").await;
    assert_eq!(error["code"], "RATE_LIMITED");
    assert_eq!(error["event"], "presence:update");
    // Tokens refill: a later event is handled again (an unknown event answers UNKNOWN_EVENT,
    // which proves it went past the rate limit).
    let deadline = tokio::time::Instant::now() + support::DEADLINE;
    loop {
        agent.emit("nope", json!({})).await;
        let error = agent.expect_event("error").await;
        if error["code"] == "UNKNOWN_EVENT" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never recovered");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    agent.disconnect().await;
    hub.stop().await;
}
