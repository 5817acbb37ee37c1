//! `records:create`, at the hub's default rate limit: a batch is stored in its order and each
//! record answered as if it had come alone; a batch breaking its own rules is refused whole;
//! batches beyond the socket's budget are refused with `retryAfterMs`, and taken after it.

mod support;

use serde_json::{Value, json};
use support::{TestClient, client_id, start_hub};

fn note(agent: &str, content: &str) -> Value {
    json!({ "event": "quickNote:create", "data": {
        "clientId": client_id(), "agentId": agent, "noteType": "COACHING",
        "content": content, "priority": "LOW" } })
}

fn action_item(agent: &str, title: &str) -> Value {
    json!({ "event": "actionItem:create", "data": {
        "clientId": client_id(), "agentId": agent, "title": title,
        "dueDate": "2026-12-31", "priority": "HIGH", "category": "calls" } })
}

fn client_id_of(record: &Value) -> String {
    record["data"]["clientId"].as_str().unwrap().to_owned()
}

/// The answers to `expected` records, by clientId: `Ok(event name)` or `Err(error code)`.
async fn answers(lead: &mut TestClient, expected: usize) -> Vec<(String, Result<String, String>)> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + support::DEADLINE;
    while out.len() < expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "answers stopped at {} of {expected}: {out:?}",
            out.len()
        );
        for (name, payload) in lead
            .drain_within(std::time::Duration::from_millis(50))
            .await
        {
            let id = payload["clientId"].as_str().unwrap_or_default().to_owned();
            match name.as_str() {
                "quickNote:created" | "actionItem:created" => out.push((id, Ok(name))),
                "error" => out.push((id, Err(payload["code"].as_str().unwrap().to_owned()))),
                _ => {}
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_stored_in_order_and_each_record_answered_alone() {
    let hub = start_hub().await;
    let token = hub.login("lead").await;
    let mut lead = hub.connect_as("lead", "/").await;
    let connected = lead.expect_event("connected").await;
    assert!(connected["protocolVersion"].as_u64().unwrap() >= 2);
    lead.expect_event("sync:done").await;

    let repeat = note("agent01", "sent before, alone");
    lead.emit("quickNote:create", repeat["data"].clone()).await;
    lead.expect_event("quickNote:created").await;
    let records = vec![
        note("agent01", "first"),
        action_item("agent02", "second"),
        // Not the leader's agent: refused alone, the batch goes on.
        note("lead", "third"),
        repeat.clone(),
        note("agent01", "fifth"),
    ];
    lead.emit("records:create", json!({ "records": records }))
        .await;
    // One answer per record; the order of the answers is not promised (new records are
    // announced as the batch commits, repeats and refusals after it).
    let mut got = answers(&mut lead, records.len()).await;
    got.sort_by_key(|(id, _)| records.iter().position(|r| client_id_of(r) == *id));
    let expected: Vec<(String, Result<String, String>)> = vec![
        (client_id_of(&records[0]), Ok("quickNote:created".into())),
        (client_id_of(&records[1]), Ok("actionItem:created".into())),
        (client_id_of(&records[2]), Err("FORBIDDEN".into())),
        (client_id_of(&records[3]), Ok("quickNote:created".into())),
        (client_id_of(&records[4]), Ok("quickNote:created".into())),
    ];
    assert_eq!(got, expected);
    let (status, notes) = hub.get("/api/v1/notes?agentId=agent01", &token).await;
    assert_eq!(status, 200);
    let contents: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["sent before, alone", "first", "fifth"]);
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_breaking_its_own_rules_is_refused_whole_and_the_socket_stays_up() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let too_many: Vec<Value> = (0..101)
        .map(|i| note("agent01", &format!("n{i}")))
        .collect();
    let mut blank = note("agent01", "ok");
    blank["data"]["content"] = json!("   ");
    let cases = [
        (
            json!({ "records": [] }),
            "VALIDATION_FAILED",
            Some("records"),
        ),
        (
            json!({ "records": too_many }),
            "VALIDATION_FAILED",
            Some("records"),
        ),
        (
            json!({ "records": [note("agent01", "fine"), blank] }),
            "VALIDATION_FAILED",
            Some("records[1].data.content"),
        ),
        (
            json!({ "records": [{ "event": "comment:create", "data": {} }] }),
            "INVALID_PAYLOAD",
            None,
        ),
        (json!("junk"), "INVALID_PAYLOAD", None),
    ];
    for (payload, code, field) in cases {
        lead.emit("records:create", payload.clone()).await;
        let error = lead.expect_event("error").await;
        assert_eq!(error["code"], code, "{payload}");
        assert_eq!(error["event"], "records:create");
        if let Some(field) = field {
            assert_eq!(error["field"], field, "{payload}");
        }
    }
    lead.expect_no_event("quickNote:created", std::time::Duration::from_millis(300))
        .await;
    // Still up: a good batch is taken.
    lead.emit(
        "records:create",
        json!({ "records": [note("agent01", "good")] }),
    )
    .await;
    assert_eq!(
        lead.expect_event("quickNote:created").await["content"],
        "good"
    );
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_beyond_the_default_budget_are_refused_with_when_to_come_back() {
    let hub = start_hub().await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    // 15 full batches cost 60 tokens; a socket has 40 at first.
    let batch = || json!({ "records": (0..100).map(|i| note("agent01", &format!("n{i}"))).collect::<Vec<_>>() });
    let mut refused = None;
    for _ in 0..15 {
        lead.emit("records:create", batch()).await;
    }
    for (name, payload) in lead.drain_within(std::time::Duration::from_secs(3)).await {
        if name == "error" {
            refused = Some(payload);
            break;
        }
    }
    let refused = refused.expect("a batch past the budget is refused");
    assert_eq!(refused["code"], "RATE_LIMITED");
    assert_eq!(refused["event"], "records:create");
    assert!(refused.get("clientId").is_none(), "{refused}");
    let wait = refused["retryAfterMs"].as_u64().expect("retryAfterMs");
    assert!(
        wait > 0 && wait <= 200,
        "4 tokens at 20 a second: {wait} ms"
    );

    // After the wait, a batch is taken again.
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    let again = batch();
    let first = client_id_of(&again["records"][0]);
    lead.emit("records:create", again).await;
    let deadline = tokio::time::Instant::now() + support::DEADLINE;
    loop {
        let created = lead.expect_event("quickNote:created").await;
        if created["clientId"] == first.as_str() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never taken");
    }
    lead.disconnect().await;
    hub.stop().await;
}
