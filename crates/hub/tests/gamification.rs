//! Leaderboard (sale → rankings:update + rank:changed) and training (XP → level:up) flows.

mod support;

use serde_json::json;
use support::start_hub;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_recomputes_ranks_and_tells_the_team_the_wall_and_the_seller() {
    let hub = start_hub().await;
    let lead = hub.login("lead").await;
    let mut seller = hub.connect_as("agent03", "/leaderboard").await;
    let mut colleague = hub.connect_as("agent04", "/leaderboard").await;
    let mut wall = hub.connect_as("wall", "/leaderboard").await;
    // Past the boards each fresh connection gets as its snapshot.
    for c in [&mut seller, &mut colleague, &mut wall] {
        c.expect_event("sync:done").await;
        c.drain_within(std::time::Duration::ZERO).await;
    }

    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent04", "values": { "revenue": 500.0 } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["rankChanges"].as_u64().unwrap() >= 1);
    let mine = colleague.expect_event("rank:changed").await;
    assert_eq!(
        (mine["userId"].as_str(), mine["newRank"].as_u64()),
        (Some("agent04"), Some(1))
    );

    // agent03 overtakes agent04 on revenue: both move, on every range.
    let (status, _) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent03", "values": { "revenue": 1200.0, "deals": 1 } }),
        )
        .await;
    assert_eq!(status, 201);
    let update = loop {
        let u = wall.expect_event("rankings:update").await;
        if u["userId"] == "agent03" && u["metric"] == "revenue" {
            break u;
        }
    };
    assert_eq!(update["newRank"], 1);
    let tv = loop {
        let tv = wall.expect_event("tv:update").await;
        if tv["headline"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Agent 03")
        {
            break tv;
        }
    };
    assert_eq!(tv["rankings"][0]["userId"], "agent03");
    colleague
        .expect_no_event("tv:update", std::time::Duration::from_millis(100))
        .await;
    assert!(
        update["eventId"].as_u64().is_some(),
        "rankings:update is durable"
    );
    let changed = loop {
        let c = seller.expect_event("rank:changed").await;
        if c["metric"] == "revenue" {
            break c;
        }
    };
    assert_eq!(changed["userId"], "agent03");
    let demoted = loop {
        let c = colleague.expect_event("rank:changed").await;
        if c["metric"] == "revenue" && c["newRank"] == 2 {
            break c;
        }
    };
    assert_eq!(demoted["previousRank"], 1);

    // The board over HTTP and on request.
    let (status, board) = hub
        .get("/api/v1/leaderboard?metric=revenue&range=week", &lead)
        .await;
    assert_eq!(status, 200, "{board}");
    assert_eq!(board["rankings"][0]["userId"], "agent03");
    seller
        .emit(
            "leaderboard:request",
            json!({ "metric": "deals", "range": "today" }),
        )
        .await;
    let refresh = seller.expect_event("leaderboard:refresh").await;
    assert_eq!(refresh["rankings"][0]["userId"], "agent03");
    // A sale that moves nobody (agent03 leads already) still shows the seller's new total on
    // the wall, rank held; nothing reaches the seller as a rank change.
    seller
        .drain_within(std::time::Duration::from_millis(200))
        .await;
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            &lead,
            json!({ "sellerId": "agent03", "values": { "revenue": 100.0 } }),
        )
        .await;
    assert_eq!(
        (status, body["rankChanges"].as_u64()),
        (201, Some(0)),
        "{body}"
    );
    let held = loop {
        let u = wall.expect_event("rankings:update").await;
        if u["userId"] == "agent03" && u["metric"] == "revenue" && u["value"] == 1300.0 {
            break u;
        }
    };
    assert_eq!(
        (held["previousRank"].as_u64(), held["newRank"].as_u64()),
        (Some(1), Some(1))
    );
    seller
        .expect_no_event("rank:changed", std::time::Duration::from_millis(300))
        .await;
    // Agents cannot ingest sales.
    let agent = hub.login("agent03").await;
    assert_eq!(
        hub.post(
            "/api/v1/sales",
            &agent,
            json!({ "sellerId": "agent03", "values": { "revenue": 1.0 } })
        )
        .await
        .0,
        403
    );
    for c in [seller, colleague, wall] {
        c.disconnect().await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xp_levels_up_the_learner_and_the_team_celebrates() {
    let hub = start_hub().await;
    let lead = hub.login("lead").await;
    let mut learner = hub.connect_as("agent05", "/training").await;
    let mut team = hub.connect_as("agent06", "/training").await;
    learner.expect_event("sync:done").await;
    team.expect_event("sync:done").await;

    // Level 2 needs 100 XP (50·n·(n−1)).
    let (status, progress) = hub
        .post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent05", "amount": 60, "source": "Course" }),
        )
        .await;
    assert_eq!((status, progress["level"].as_u64()), (200, Some(1)));
    assert_eq!(learner.expect_event("xp:gained").await["newTotal"], 60);
    learner
        .expect_no_event("level:up", std::time::Duration::from_millis(300))
        .await;

    let (_, progress) = hub
        .post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent05", "amount": 60, "source": "Course" }),
        )
        .await;
    assert_eq!(progress["level"], 2);
    let up = learner.expect_event("level:up").await;
    assert_eq!(
        (up["previousLevel"].as_u64(), up["newLevel"].as_u64()),
        (Some(1), Some(2))
    );
    let celebration = team.expect_event("level:celebration").await;
    assert_eq!(celebration["userId"], "agent05");
    team.expect_no_event("level:up", std::time::Duration::from_millis(200))
        .await;

    // A perfect quiz: quiz:completed with its XP.
    let (status, quiz) = hub
        .post(
            "/api/v1/training/quizzes",
            &lead,
            json!({ "userId": "agent05", "quizId": "q-1", "score": 100.0 }),
        )
        .await;
    assert_eq!(status, 201, "{quiz}");
    let completed = learner.expect_event("quiz:completed").await;
    assert_eq!(
        (
            completed["passed"].as_bool(),
            completed["xpEarned"].as_u64()
        ),
        (Some(true), Some(150))
    );
    let (status, error) = hub
        .post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent05", "amount": 0, "source": "x" }),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("VALIDATION_FAILED"))
    );
    learner.disconnect().await;
    team.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roleplay_messages_reach_the_responder_and_answers_come_back() {
    let hub = start_hub().await;
    let lead = hub.login("lead").await;
    let (_, key) = hub
        .post("/api/v1/admin/api-keys", &lead, json!({ "name": "ai" }))
        .await;
    let responder = key["key"].as_str().unwrap().to_owned();
    let mut learner = hub.connect_as("agent05", "/training").await;
    learner.expect_event("sync:done").await;
    learner.emit("join:session", json!("rp-1")).await;
    let said = json!({ "clientId": support::client_id(), "sessionId": "rp-1", "message": "Our price is fair." });
    learner.emit("roleplay:message", said.clone()).await;
    assert_eq!(
        learner.expect_event("roleplay:typing").await["isTyping"],
        true
    );
    learner.emit("roleplay:message", said.clone()).await;

    let (status, pending) = hub.get("/api/v1/roleplay/pending", &responder).await;
    assert_eq!(status, 200);
    let pending = pending.as_array().unwrap().clone();
    assert_eq!(
        pending.len(),
        1,
        "a repeated clientId is stored once: {pending:?}"
    );
    let id = pending[0]["messageId"].as_str().unwrap();
    let (status, _) = hub
        .post(
            &format!("/api/v1/roleplay/{id}/response"),
            &responder,
            json!({ "message": "Fair compared to what?" }),
        )
        .await;
    assert_eq!(status, 201);
    let response = learner.expect_event("roleplay:response").await;
    assert_eq!(
        (response["replyTo"].clone(), response["message"].as_str()),
        (said["clientId"].clone(), Some("Fair compared to what?"))
    );
    assert!(response["eventId"].as_u64().is_some());
    assert_eq!(
        learner.expect_event("roleplay:typing").await["isTyping"],
        false
    );
    assert_eq!(
        hub.post(
            &format!("/api/v1/roleplay/{id}/response"),
            &responder,
            json!({ "message": "again" })
        )
        .await
        .0,
        409
    );

    // Interrupting drops what is pending.
    learner
        .emit(
            "roleplay:message",
            json!({ "clientId": support::client_id(), "sessionId": "rp-1", "message": "Wait" }),
        )
        .await;
    assert_eq!(
        learner.expect_event("roleplay:typing").await["isTyping"],
        true
    );
    learner
        .emit("roleplay:stop-typing", json!({ "sessionId": "rp-1" }))
        .await;
    assert_eq!(
        learner.expect_event("roleplay:typing").await["isTyping"],
        false
    );
    assert_eq!(
        hub.get("/api/v1/roleplay/pending", &responder).await.1,
        json!([])
    );
    learner.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn achievements_fire_once_when_crossed_and_contests_rank_entries() {
    let hub = start_hub().await;
    let lead = hub.login("lead").await;
    let mut seller = hub.connect_as("agent01", "/leaderboard").await;
    let mut wall = hub.connect_as("wall", "/leaderboard").await;
    seller.expect_event("sync:done").await;
    wall.expect_event("sync:done").await;
    seller.emit("join:contest", json!("contest-spring")).await;
    support::wait_in_room(&hub, "/leaderboard", "agent01", "contest:contest-spring").await;

    hub.post(
        "/api/v1/sales",
        &lead,
        json!({ "sellerId": "agent01", "values": { "revenue": 100.0 } }),
    )
    .await;
    let first = seller.expect_event("achievement:earned").await;
    assert_eq!(first["title"], "First Sale!");
    assert_eq!(
        wall.expect_event("achievement:celebration").await["userId"],
        "agent01"
    );
    let entry = seller.expect_event("contest:new-entry").await;
    assert_eq!(
        (entry["contestId"].as_str(), entry["total"].as_f64()),
        (Some("contest-spring"), Some(100.0))
    );

    // A second sale crosses no threshold: no achievement again.
    hub.post(
        "/api/v1/sales",
        &lead,
        json!({ "sellerId": "agent01", "values": { "revenue": 50.0 } }),
    )
    .await;
    assert_eq!(
        seller.expect_event("contest:new-entry").await["total"],
        150.0
    );
    let again = seller
        .drain_within(std::time::Duration::from_millis(300))
        .await;
    assert!(
        !again
            .iter()
            .any(|(name, value)| name == "achievement:earned" && value["title"] == "First Sale!"),
        "{again:?}"
    );
    seller.disconnect().await;
    wall.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_training_builds_a_streak_with_milestones() {
    let clock = sideline_hub::clock::ManualClock::new(chrono::Utc::now());
    let shared = clock.clone();
    let hub = support::start_hub_with(move |c| {
        c.clock = std::sync::Arc::new(shared);
        // The learner's socket stays open across days of hub time; the expiry check would
        // end a 12 h token.
        c.token_ttl = std::time::Duration::from_secs(7 * 24 * 3600);
    })
    .await;
    let mut learner = hub.connect_as("agent05", "/training").await;
    learner.expect_event("sync:done").await;
    for day in 1..=3u64 {
        // Tokens live 12 hours of hub time: log in each day.
        let lead = hub.login("lead").await;
        hub.post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent05", "amount": 5, "source": "Daily drill" }),
        )
        .await;
        let update = learner.expect_event("streak:update").await;
        assert_eq!(update["currentStreak"], day);
        // Twice the same day changes nothing.
        hub.post(
            "/api/v1/training/xp",
            &lead,
            json!({ "userId": "agent05", "amount": 5, "source": "Daily drill" }),
        )
        .await;
        learner
            .expect_no_event("streak:update", std::time::Duration::from_millis(200))
            .await;
        if day < 3 {
            clock.advance(chrono::Duration::days(1));
        }
    }
    let milestone = learner.expect_event("streak:milestone").await;
    assert_eq!(
        (
            milestone["milestone"].as_u64(),
            milestone["bonusXp"].as_u64()
        ),
        (Some(3), Some(30))
    );
    learner.disconnect().await;
    hub.stop().await;
}
