//! Time-driven leaderboard behaviour (hub clock): a contest's end produces its result once,
//! a period roll-over refreshes the team's boards, and sales streaks reach the achievements.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sideline_hub::clock::ManualClock;
use sideline_hub::store::org;
use sideline_protocol::Id;
use support::{TestClient, TestHub, start_hub_with};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn hub_at(clock: &ManualClock) -> TestHub {
    let shared = clock.clone();
    start_hub_with(move |c| {
        c.clock = Arc::new(shared);
        c.leaderboard_tick = Duration::from_millis(50);
        // The sockets stay open across days of hub time: longer tokens than the 12 h
        // default, so the expiry check does not end them.
        c.token_ttl = Duration::from_secs(7 * 24 * 3600);
    })
    .await
}

async fn sale(hub: &TestHub, token: &str, seller: &str, revenue: f64) {
    let (status, body) = hub
        .post(
            "/api/v1/sales",
            token,
            json!({ "sellerId": seller, "values": { "revenue": revenue } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// The next `name` event matching `pred`.
async fn next_matching(
    client: &mut TestClient,
    name: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let v = client.expect_event(name).await;
        if pred(&v) {
            return v;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contest_end_announces_its_winner_once_and_a_new_day_refreshes_the_boards() {
    let clock = ManualClock::new(start());
    let hub = hub_at(&clock).await;
    {
        let db = hub.hub.store().lock().await;
        org::insert_contest(
            db.conn(),
            &Id::new("contest-short").unwrap(),
            &Id::new("demo-team").unwrap(),
            "Lunch dash",
            "revenue",
            start() - chrono::Duration::hours(1),
            start() + chrono::Duration::hours(1),
            &[Id::new("agent01").unwrap(), Id::new("agent02").unwrap()],
        )
        .unwrap();
    }
    let lead_token = hub.login("lead").await;
    let mut winner = hub.connect_as("agent01", "/leaderboard").await;
    let mut lead = hub.connect_as("lead", "/leaderboard").await;
    // Past the boards each fresh connection gets as its snapshot.
    for client in [&mut winner, &mut lead] {
        client.expect_event("sync:done").await;
        client.drain_within(Duration::ZERO).await;
    }
    winner.emit("join:contest", json!("contest-short")).await;
    support::wait_in_room(&hub, "/leaderboard", "agent01", "contest:contest-short").await;

    sale(&hub, &lead_token, "agent02", 100.0).await;
    sale(&hub, &lead_token, "agent01", 300.0).await;
    winner.expect_event("contest:new-entry").await;
    winner
        .expect_no_event("contest:ended", Duration::from_millis(200))
        .await;

    // The end passes: the result, once, to the contest room and the team.
    clock.advance(chrono::Duration::hours(2));
    let ended = winner.expect_event("contest:ended").await;
    assert_eq!(ended["contestId"], "contest-short");
    assert_eq!(
        ended["winners"],
        json!([{ "id": "agent01", "name": ended["winners"][0]["name"] }])
    );
    assert_eq!(ended["standings"][0]["userId"], "agent01");
    assert_eq!(ended["standings"][0]["value"], 300.0);
    assert_eq!(ended["standings"][1]["userId"], "agent02");
    assert!(ended["eventId"].as_u64().unwrap() > 0, "durable");
    let earned = next_matching(&mut winner, "achievement:earned", |a| {
        a["achievementType"] == "contest"
    })
    .await;
    assert_eq!(earned["userId"], "agent01");
    let ended_for_team = lead.expect_event("contest:ended").await;
    assert_eq!(ended_for_team["eventId"], ended["eventId"]);
    let celebration = next_matching(&mut lead, "achievement:celebration", |a| {
        a["achievementType"] == "contest"
    })
    .await;
    assert_eq!(celebration["userId"], "agent01");
    lead.expect_no_event("contest:ended", Duration::from_millis(300))
        .await;
    let closed: Option<String> = hub
        .hub
        .store()
        .lock()
        .await
        .conn()
        .query_row(
            "SELECT closed_at FROM contests WHERE id = 'contest-short'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(closed.is_some());

    // Midnight passes: the team gets today's (empty) boards without waiting for a sale.
    clock.advance(chrono::Duration::hours(12));
    let refresh = next_matching(&mut lead, "leaderboard:refresh", |r| {
        r["range"] == "today" && r["metric"] == "revenue"
    })
    .await;
    assert_eq!(
        refresh["rankings"],
        json!([]),
        "a new day starts empty: {refresh}"
    );
    assert!(refresh["eventId"].as_u64().unwrap() > 0);
    // Once per roll-over (the other metrics' `today` boards get theirs too, not this one
    // again).
    let again: Vec<_> = lead
        .drain_within(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|(n, r)| {
            n == "leaderboard:refresh" && r["metric"] == "revenue" && r["range"] == "today"
        })
        .collect();
    assert!(again.is_empty(), "{again:?}");

    winner.disconnect().await;
    lead.disconnect().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_days_of_sales_in_a_row_earn_the_streak_achievement() {
    let clock = ManualClock::new(start());
    let hub = hub_at(&clock).await;
    let mut seller = hub.connect_as("agent05", "/leaderboard").await;
    seller.expect_event("sync:done").await;

    let is_streak = |a: &Value| a["achievementType"] == "streak";
    // Tokens live 12 h of hub time: log in again each day.
    sale(&hub, &hub.login("lead").await, "agent05", 10.0).await;
    clock.advance(chrono::Duration::days(1));
    let lead_token = hub.login("lead").await;
    sale(&hub, &lead_token, "agent05", 10.0).await;
    // A second sale the same day does not lengthen the streak.
    sale(&hub, &lead_token, "agent05", 10.0).await;
    seller.expect_event("rank:changed").await;
    let early: Vec<_> = seller
        .drain_within(Duration::from_millis(300))
        .await
        .into_iter()
        .filter(|(n, a)| n == "achievement:earned" && is_streak(a))
        .collect();
    assert!(early.is_empty(), "no streak after two days: {early:?}");

    clock.advance(chrono::Duration::days(1));
    sale(&hub, &hub.login("lead").await, "agent05", 10.0).await;
    let streak = next_matching(&mut seller, "achievement:earned", is_streak).await;
    assert_eq!(streak["title"], "3-Day Streak!");
    seller.disconnect().await;
    hub.stop().await;
}
