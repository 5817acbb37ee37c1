//! Past the retention window, and on a first connection (no `lastEventId`), `/` and
//! `/training` clients get full state snapshots (`sync:snapshot`, `training:snapshot`) before
//! `sync:done { snapshot: true }`. What a snapshot leaves out (the older notes, action items
//! and notifications) stays on the hub, and its HTTP API pages back through it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sideline_hub::clock::ManualClock;
use support::{TestClient, TestHub, client_id, start_hub_with};

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

/// A first connection finds the open coaching sessions it is enrolled in: the roster with
/// roles, who is in the session now, and the fields edited so far. Others find none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_connection_finds_its_coaching_sessions_in_the_snapshot() {
    let hub = support::start_hub().await;
    let mut agent = hub.connect_as("agent01", "/").await;
    let mut lead = hub.connect_as("lead", "/").await;
    for client in [&mut agent, &mut lead] {
        client.expect_event("sync:done").await;
    }
    agent
        .emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    agent.expect_event("session-joined").await;
    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo",
                "updates": { "topicsCovered": ["pricing"], "engagementScore": 7 } }),
    )
    .await;
    lead.expect_event("session:updated").await;
    lead.emit(
        "session:update",
        json!({ "sessionId": "session-demo", "updates": { "engagementScore": 8 } }),
    )
    .await;
    lead.expect_event("session:updated").await;

    // Who is in a session of a snapshot now, by id.
    let present = |session: &Value| -> Vec<String> {
        session["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let snapshot = first_snapshot(&hub, "lead").await;
    let sessions = snapshot["coachingSessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let session = &sessions[0];
    assert_eq!(session["sessionId"], "session-demo");
    let roster: Vec<(&str, &str)> = session["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["id"].as_str().unwrap(),
                m["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roster,
        [("lead", "instructor"), ("agent01", "learner")],
        "the instructor first"
    );
    assert_eq!(
        present(session),
        ["agent01"],
        "only the agent joined the session"
    );
    assert_eq!(
        session["fields"],
        json!({ "topicsCovered": ["pricing"], "engagementScore": 8 }),
        "both edits, merged"
    );
    assert!(session["lastActivityAt"].is_string());

    let agent_view = first_snapshot(&hub, "agent01").await;
    assert_eq!(
        agent_view["coachingSessions"][0]["sessionId"], "session-demo",
        "the learner is enrolled too"
    );
    let outsider = first_snapshot(&hub, "agent07").await;
    assert_eq!(
        outsider["coachingSessions"],
        json!([]),
        "agent07 is not enrolled"
    );

    // Once the agent leaves, the next snapshot has nobody in the session, and still its roster.
    agent
        .emit("leave-session", json!({ "sessionId": "session-demo" }))
        .await;
    // The lead's socket is in the session's room from connect: it hears the leave.
    assert_eq!(lead.expect_event("user-left").await["userId"], "agent01");
    lead.emit("join-session", json!({ "sessionId": "session-demo" }))
        .await;
    lead.expect_event("session-joined").await;
    let snapshot = first_snapshot(&hub, "lead").await;
    let session = &snapshot["coachingSessions"][0];
    assert_eq!(present(session), ["lead"]);
    assert_eq!(session["members"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_lists_the_newest_notifications_only() {
    use sideline_protocol::realtime::kept::NOTIFICATIONS as NOTIFICATIONS_KEPT;

    let hub = support::start_hub().await;
    let lead_token = hub.login("lead").await;
    let sent = NOTIFICATIONS_KEPT + 3;
    for i in 0..sent {
        let (status, _) = hub
            .post(
                "/api/v1/notifications",
                &lead_token,
                json!({ "clientId": client_id(), "userId": "agent01", "type": "info",
                        "message": format!("n{i}") }),
            )
            .await;
        assert_eq!(status, 201, "notification {i}");
    }

    let snapshot = first_snapshot(&hub, "agent01").await;
    let messages: Vec<&str> = snapshot["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    let newest: Vec<String> = (sent - NOTIFICATIONS_KEPT..sent)
        .map(|i| format!("n{i}"))
        .collect();
    assert_eq!(messages, newest, "the newest, oldest first");

    // The older ones are still the user's: the HTTP list has them all.
    let agent_token = hub.login("agent01").await;
    let (status, listed) = hub.get("/api/v1/notifications", &agent_token).await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(sent), "{listed}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_lists_the_newest_notes_and_action_items_of_each_agent() {
    use sideline_protocol::realtime::kept::{ACTION_ITEMS_PER_AGENT, NOTES_PER_AGENT};

    // Captures as a client drains its outbox: in batches, within the default rate limit.
    let hub = start_hub_with(|_| {}).await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    // agent01 gets more than a snapshot lists, agent02 fewer.
    let sent = [
        ("agent01", NOTES_PER_AGENT + 2, ACTION_ITEMS_PER_AGENT + 1),
        ("agent02", 2, 1),
    ];
    for (agent, note_count, item_count) in sent {
        let notes = (0..note_count).map(|i| {
            json!({ "event": "quickNote:create", "data": {
                "clientId": client_id(), "agentId": agent, "noteType": "COACHING",
                "content": format!("{agent} n{i}"), "priority": "LOW" } })
        });
        let items = (0..item_count).map(|i| {
            json!({ "event": "actionItem:create", "data": {
                "clientId": client_id(), "agentId": agent, "title": format!("{agent} a{i}"),
                "dueDate": "2026-12-01", "priority": "LOW", "category": "skills" } })
        });
        let records: Vec<Value> = notes.chain(items).collect();
        for batch in records.chunks(sideline_protocol::validate::limits::RECORDS_BATCH_MAX) {
            lead.emit("records:create", json!({ "records": batch }))
                .await;
        }
        for (event, count) in [
            ("quickNote:created", note_count),
            ("actionItem:created", item_count),
        ] {
            for _ in 0..count {
                lead.expect_event(event).await;
            }
        }
    }
    lead.disconnect().await;

    // What a snapshot lists about one agent: note contents or item titles, in order.
    let about = |snapshot: &Value, list: &str, agent: &str| -> Vec<String> {
        let text = if list == "quickNotes" {
            "content"
        } else {
            "title"
        };
        snapshot[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["agentId"] == agent)
            .map(|x| x[text].as_str().unwrap().to_owned())
            .collect()
    };
    let newest = |agent: &str, prefix: &str, sent: usize, kept: usize| -> Vec<String> {
        (sent.saturating_sub(kept)..sent)
            .map(|i| format!("{agent} {prefix}{i}"))
            .collect()
    };
    let leader_view = first_snapshot(&hub, "lead").await;
    for (agent, notes, items) in sent {
        assert_eq!(
            about(&leader_view, "quickNotes", agent),
            newest(agent, "n", notes, NOTES_PER_AGENT),
            "the newest notes about {agent}, oldest first"
        );
        assert_eq!(
            about(&leader_view, "actionItems", agent),
            newest(agent, "a", items, ACTION_ITEMS_PER_AGENT),
            "the newest action items for {agent}, oldest first"
        );
    }
    // An agent's own snapshot has the same bound.
    let agent_view = first_snapshot(&hub, "agent01").await;
    assert_eq!(
        about(&agent_view, "quickNotes", "agent01"),
        about(&leader_view, "quickNotes", "agent01")
    );
    assert_eq!(
        about(&agent_view, "actionItems", "agent01"),
        about(&leader_view, "actionItems", "agent01")
    );

    // The older ones are still on the hub: its HTTP lists have them all.
    let token = hub.login("lead").await;
    let (_, notes, items) = sent[0];
    for (path, count) in [
        ("/api/v1/notes?agentId=agent01", notes),
        ("/api/v1/action-items?agentId=agent01", items),
    ] {
        let (status, all) = hub.get(path, &token).await;
        assert_eq!(status, 200);
        assert_eq!(all.as_array().map(Vec::len), Some(count), "{path}");
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_api_pages_back_through_an_agents_notes_and_action_items() {
    use sideline_protocol::validate::limits::HISTORY_LIMIT_MAX;

    // A stopped clock: every record has the same time, so pages rest on the hub's tie-break.
    let clock = ManualClock::new(chrono::Utc::now());
    let hub = start_hub_with(move |config| config.clock = Arc::new(clock)).await;
    let mut lead = hub.connect_as("lead", "/").await;
    lead.expect_event("sync:done").await;
    let mut note_ids = Vec::new();
    for i in 0..7 {
        lead.emit(
            "quickNote:create",
            json!({ "clientId": client_id(), "agentId": "agent01", "noteType": "COACHING",
                    "content": format!("n{i}"), "priority": "LOW" }),
        )
        .await;
        note_ids.push(lead.expect_event("quickNote:created").await["id"].clone());
    }
    let mut item_ids = Vec::new();
    for (agent, i) in [
        ("agent01", 0),
        ("agent01", 1),
        ("agent01", 2),
        ("agent02", 0),
    ] {
        lead.emit(
            "actionItem:create",
            json!({ "clientId": client_id(), "agentId": agent, "title": format!("a{i}"),
                    "dueDate": "2026-12-01", "priority": "LOW", "category": "skills" }),
        )
        .await;
        item_ids.push(lead.expect_event("actionItem:created").await["id"].clone());
    }
    lead.disconnect().await;
    let token = hub.login("lead").await;
    let ids = |page: &Value| -> Vec<Value> {
        let page = page.as_array().unwrap_or_else(|| panic!("a list: {page}"));
        page.iter().map(|x| x["id"].clone()).collect()
    };

    // The newest page, then back from its oldest entry until a page comes back short.
    let (status, page) = hub
        .get("/api/v1/notes?agentId=agent01&limit=3", &token)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), note_ids[4..], "the newest three, oldest first");
    let mut walked = ids(&page);
    loop {
        let before = walked[0].as_str().unwrap().to_owned();
        let path = format!("/api/v1/notes?agentId=agent01&before={before}&limit=3");
        let (status, page) = hub.get(&path, &token).await;
        assert_eq!(status, 200, "{page}");
        let page = ids(&page);
        let short = page.len() < 3;
        walked.splice(0..0, page);
        if short {
            break;
        }
    }
    assert_eq!(walked, note_ids, "every note once, in order");
    // Without a limit, everything before the cursor.
    let path = format!(
        "/api/v1/notes?agentId=agent01&before={}",
        note_ids[2].as_str().unwrap()
    );
    let (status, page) = hub.get(&path, &token).await;
    assert_eq!((status, ids(&page)), (200, note_ids[..2].to_vec()));

    // Action items page the same way, about one agent only.
    let path = format!(
        "/api/v1/action-items?agentId=agent01&before={}&limit=1",
        item_ids[2].as_str().unwrap()
    );
    let (status, page) = hub.get(&path, &token).await;
    assert_eq!((status, ids(&page)), (200, vec![item_ids[1].clone()]));

    // A bad page is a clear error naming the field.
    let note0 = note_ids[0].as_str().unwrap();
    let agent02_item = item_ids[3].as_str().unwrap();
    for (path, code, field) in [
        (
            "/api/v1/notes?agentId=agent01&limit=0".to_owned(),
            400,
            Some("limit"),
        ),
        (
            format!(
                "/api/v1/notes?agentId=agent01&limit={}",
                HISTORY_LIMIT_MAX + 1
            ),
            400,
            Some("limit"),
        ),
        (
            "/api/v1/notes?agentId=agent01&before=no%20such".to_owned(),
            400,
            Some("before"),
        ),
        (
            "/api/v1/notes?agentId=agent01&before=nosuch".to_owned(),
            404,
            None,
        ),
        // The cursor must be a record of that kind about that agent.
        (
            format!("/api/v1/notes?agentId=agent02&before={note0}"),
            404,
            None,
        ),
        (
            format!("/api/v1/action-items?agentId=agent01&before={agent02_item}"),
            404,
            None,
        ),
        (
            format!("/api/v1/action-items?agentId=agent01&before={note0}"),
            404,
            None,
        ),
    ] {
        let (status, body) = hub.get(&path, &token).await;
        assert_eq!(status, code, "{path}: {body}");
        if let Some(field) = field {
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_api_pages_back_through_a_users_own_notifications() {
    // A stopped clock, as above: pages rest on the hub's tie-break.
    let clock = ManualClock::new(chrono::Utc::now());
    let hub = start_hub_with(move |config| config.clock = Arc::new(clock)).await;
    let lead_token = hub.login("lead").await;
    let mut sent = Vec::new();
    for (user, i) in [
        ("agent01", 0),
        ("agent02", 0),
        ("agent01", 1),
        ("agent01", 2),
        ("agent01", 3),
        ("agent01", 4),
    ] {
        let (status, created) = hub
            .post(
                "/api/v1/notifications",
                &lead_token,
                json!({ "clientId": client_id(), "userId": user, "type": "info",
                        "message": format!("{user} {i}") }),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        sent.push((user, created["id"].as_str().unwrap().to_owned()));
    }
    let own: Vec<String> = sent
        .iter()
        .filter(|(user, _)| *user == "agent01")
        .map(|(_, id)| id.clone())
        .collect();
    let token = hub.login("agent01").await;
    let ids = |page: &Value| -> Vec<String> {
        let page = page.as_array().unwrap_or_else(|| panic!("a list: {page}"));
        page.iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };

    // Back from the newest two until a page comes back short: each of the user's own, once.
    let (status, page) = hub.get("/api/v1/notifications?limit=2", &token).await;
    assert_eq!(status, 200, "{page}");
    let mut walked = ids(&page);
    assert_eq!(walked, own[3..], "the newest two, oldest first");
    loop {
        let path = format!("/api/v1/notifications?before={}&limit=2", walked[0]);
        let (status, page) = hub.get(&path, &token).await;
        assert_eq!(status, 200, "{page}");
        let page = ids(&page);
        let short = page.len() < 2;
        walked.splice(0..0, page);
        if short {
            break;
        }
    }
    assert_eq!(walked, own, "every one of agent01's, in order");

    // Someone else's notification is no cursor, and a bad page names its field.
    let others = &sent[1].1;
    for (path, code, field) in [
        (format!("/api/v1/notifications?before={others}"), 404, None),
        (
            "/api/v1/notifications?limit=0".to_owned(),
            400,
            Some("limit"),
        ),
        (
            "/api/v1/notifications?before=no%20such".to_owned(),
            400,
            Some("before"),
        ),
    ] {
        let (status, body) = hub.get(&path, &token).await;
        assert_eq!(status, code, "{path}: {body}");
        if let Some(field) = field {
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
    hub.stop().await;
}

/// The `sync:snapshot` a user's first `/` connection gets before `sync:done`.
async fn first_snapshot(hub: &TestHub, user: &str) -> Value {
    let mut client = hub.connect_as(user, "/").await;
    let done = client.expect_event("sync:done").await;
    assert_eq!(done["snapshot"], true, "a first connection");
    let snapshot = client
        .try_event_within("sync:snapshot", Duration::ZERO)
        .await
        .expect("sync:snapshot before sync:done");
    client.disconnect().await;
    snapshot
}
