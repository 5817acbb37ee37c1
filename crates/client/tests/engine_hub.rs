//! The engine against the real in-process hub: connect, offline capture and exactly-once
//! drain in capture order, hub restart, replay after an offline span, rejection, alert
//! dedupe across replay and restart, state snapshots on a first sign-in and past the hub's
//! retention window, a coaching session joined again after a reconnect, note history paged
//! from the hub.

mod support;

use std::time::Duration;

use sideline_client::outbox::NoteInput;
use sideline_client::state::work::{NoteView, SyncState};
use sideline_client::store::OutboxState;
use sideline_client::tokens::{Credentials, StaticTokens};
use sideline_client::{ClientError, ConnectionStatus};
use sideline_protocol::notes::{NoteType, Priority};
use sideline_protocol::{Id, Namespace};
use support::*;

fn note(agent: &str, text: &str) -> NoteInput {
    NoteInput {
        agent_id: Id::new(agent).unwrap(),
        note_type: NoteType::Coaching,
        priority: Priority::Medium,
        category: Some("calls".into()),
        content: text.into(),
    }
}

async fn wait_status(
    engine: &sideline_client::engine::Engine,
    want: fn(&ConnectionStatus) -> bool,
    what: &str,
) {
    let status = engine.status();
    eventually(what, || {
        let s = status.borrow().clone();
        async move { want(&s).then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_every_namespace_and_goes_live() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token)).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    let me = eventually("connected greeting", || {
        let me = engine.state().me.clone();
        async move { me }
    })
    .await;
    assert_eq!(me.id.as_str(), "lead");
    eventually("the status in the published state", || {
        let live = engine.changes().borrow().state.connection == Some(ConnectionStatus::Live);
        async move { live.then_some(()) }
    })
    .await;
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_captures_drain_exactly_once_in_capture_order() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    // Start with a hub address where nothing listens: capture must not need the network.
    let tokens = StaticTokens::new(dead_url(), token.clone());
    let engine = open_engine(&dir, &tokens).await;
    wait_status(
        &engine,
        |s| matches!(s, ConnectionStatus::Retrying { .. }),
        "retrying",
    )
    .await;
    let mut captured = Vec::new();
    for i in 0..50 {
        captured.push(
            engine
                .capture_note(note("agent01", &format!("note {i}")))
                .await
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(engine.outbox(&[OutboxState::Pending]).unwrap().len(), 50);
    let pending_in_state = eventually("pending notes in the state", || {
        let n = engine.changes().borrow().state.work.notes.len();
        async move { (n == 50).then_some(n) }
    })
    .await;
    assert_eq!(pending_in_state, 50);

    // The hub becomes reachable.
    tokens.set(Some(Credentials {
        server: hub.url(),
        token: token.clone(),
    }));
    engine.retry_now();
    let counts = engine.sync(Duration::from_secs(20)).await.expect("drains");
    assert_eq!((counts.pending, counts.confirmed), (0, 50));
    assert_eq!(
        hub.note_client_ids(&token, "agent01").await,
        captured,
        "once each, in capture order"
    );

    // Re-sending everything after a reconnect changes nothing on the hub.
    engine.set_online(false);
    wait_status(&engine, |s| *s == ConnectionStatus::Offline, "offline").await;
    engine.set_online(true);
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live again").await;
    assert_eq!(hub.note_client_ids(&token, "agent01").await.len(), 50);
    eventually("synced in the state", || {
        let state = engine.state();
        let all = state
            .work
            .notes
            .values()
            .all(|n| n.state == SyncState::Synced);
        async move { all.then_some(()) }
    })
    .await;
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_hub_restart_and_syncs_what_was_captured_meanwhile() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let url = hub.url();
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(url.clone(), token.clone())).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    let before = engine
        .capture_note(note("agent01", "before"))
        .await
        .unwrap();
    engine.sync(Duration::from_secs(10)).await.unwrap();

    let (hub_dir, addr) = hub.stop().await;
    wait_status(
        &engine,
        |s| matches!(s, ConnectionStatus::Retrying { .. }),
        "retrying after the hub died",
    )
    .await;
    let during = engine
        .capture_note(note("agent01", "while the hub was down"))
        .await
        .unwrap();

    let hub = TestHub::restart(hub_dir, addr).await;
    wait_status(
        &engine,
        |s| *s == ConnectionStatus::Live,
        "live after restart",
    )
    .await;
    engine.sync(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        hub.note_client_ids(&token, "agent01").await,
        [before.to_string(), during.to_string()]
    );
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_note_is_rejected_with_the_reason_and_not_retried() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token)).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    // "lead" is not an agent of the team: the hub refuses it (FORBIDDEN) with the clientId.
    let refused = engine
        .capture_note(note("lead", "about myself"))
        .await
        .unwrap();
    let ok = engine.capture_note(note("agent01", "fine")).await.unwrap();
    let counts = engine.sync(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        (counts.pending, counts.rejected, counts.confirmed),
        (0, 1, 1)
    );
    let rejected = engine.outbox(&[OutboxState::Rejected]).unwrap();
    assert_eq!(rejected[0].client_id, refused);
    assert!(rejected[0].reason.is_some());
    let attempts = rejected[0].attempts;
    // Never retried once rejected: another drain leaves it alone.
    engine.sync(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        engine.outbox(&[OutboxState::Rejected]).unwrap()[0].attempts,
        attempts
    );
    wait_note_state(
        &engine,
        &refused,
        SyncState::Rejected,
        "the rejection in the published state",
    )
    .await;
    let _ = ok;
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_what_was_missed_offline_and_never_realerts() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let tokens = StaticTokens::new(hub.url(), token.clone());
    let engine = open_engine(&dir, &tokens).await;
    let mut alerts = engine.alerts();
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;

    hub.notify(&token, "lead", "live one").await;
    let alert = tokio::time::timeout(DEADLINE, alerts.recv())
        .await
        .expect("an alert")
        .unwrap();
    assert_eq!(alert.body, "live one");

    // Offline span: two notifications happen while we are away.
    engine.set_online(false);
    wait_status(&engine, |s| *s == ConnectionStatus::Offline, "offline").await;
    hub.notify(&token, "lead", "missed one").await;
    hub.notify(&token, "lead", "missed two").await;
    engine.set_online(true);
    eventually("the missed notifications replayed", || {
        let n = engine.state().work.notifications.len();
        async move { (n == 3).then_some(()) }
    })
    .await;
    let mut bodies = Vec::new();
    while let Ok(Ok(a)) = tokio::time::timeout(Duration::from_millis(500), alerts.recv()).await {
        bodies.push(a.body);
    }
    assert_eq!(bodies, ["missed one", "missed two"]);
    let cursor = engine.state().cursor(Namespace::Main);
    engine.shutdown().await;

    // Restart the engine with its cursor wound back (as if the last batch's cursor write was
    // lost): the hub replays events that already alerted, and none alerts again.
    {
        let conn = rusqlite::Connection::open(dir.join(sideline_client::engine::DB_FILE)).unwrap();
        conn.execute("UPDATE cursor SET last_event_id = 1", [])
            .unwrap();
        conn.execute("DELETE FROM events", []).unwrap();
    }
    let engine = open_engine(&dir, &tokens).await;
    let mut alerts = engine.alerts();
    eventually("the replay after restart", || {
        let state = engine.state();
        // Events after id 1: the two that alerted while we were offline.
        let done = state.cursor(Namespace::Main) >= cursor && state.work.notifications.len() == 2;
        async move { done.then_some(()) }
    })
    .await;
    assert!(
        tokio::time::timeout(Duration::from_millis(700), alerts.recv())
            .await
            .is_err(),
        "no alert for a replayed event"
    );
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_means_sign_in_needed() {
    let hub = TestHub::start().await;
    let (_tmp, dir) = data_dir();
    let tokens = StaticTokens::new(hub.url(), "not-a-token");
    let engine = open_engine(&dir, &tokens).await;
    wait_status(
        &engine,
        |s| *s == ConnectionStatus::SignInNeeded,
        "sign-in needed",
    )
    .await;
    // New credentials, then a nudge: live.
    let token = hub.login("lead").await;
    tokens.set(Some(Credentials {
        server: hub.url(),
        token: token.clone(),
    }));
    engine.retry_now();
    wait_status(
        &engine,
        |s| *s == ConnectionStatus::Live,
        "live after sign-in",
    )
    .await;
    assert!(matches!(
        engine
            .send(sideline_protocol::ClientEvent::Main(
                sideline_protocol::MainClientEvent::NotificationReadAll(
                    sideline_protocol::NoPayload
                )
            ))
            .await,
        Ok(()) | Err(ClientError::NotConnected)
    ));
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sign_in_shows_what_the_hub_already_has() {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    hub.notify(&token, "lead", "sent before this machine signed in")
        .await;
    let award = |user: &'static str, amount: u32| {
        hub.post(
            "/api/v1/training/xp",
            &token,
            serde_json::json!({ "userId": user, "amount": amount, "source": "Course" }),
        )
    };
    award("agent03", 120).await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token.clone())).await;

    // No cursor yet: the hub answers with its snapshots instead of an empty replay.
    let state = eventually("the first snapshots applied", || {
        let state = engine.state();
        let ready = state.work.unread_count == 1
            && state.team.presence.contains_key("agent01")
            && state.training.users.contains_key("agent03")
            && state.leaderboard.contests.contains_key("contest-spring")
            && state.leaderboard.boards.contains_key("revenue/week")
            && state.team.sessions.contains_key("session-demo");
        async move { ready.then_some(state) }
    })
    .await;
    let agent03 = &state.training.users["agent03"];
    assert_eq!(
        (agent03.xp, agent03.level),
        (120, 2),
        "a leader sees each member's XP and level"
    );
    let spring = &state.leaderboard.contests["contest-spring"];
    assert_eq!(
        (spring.name.as_deref(), spring.standings.len()),
        (Some("Spring sprint"), 6),
        "the team's running contest, with every entrant"
    );
    let roster: Vec<&str> = state.team.sessions["session-demo"]
        .members
        .iter()
        .map(|m| m.user.id.as_str())
        .collect();
    assert_eq!(
        roster,
        ["lead", "agent01"],
        "the demo's coaching session, with its roster"
    );
    // And follows them live: an agent's XP gain reaches the leader's Team view.
    award("agent03", 30).await;
    eventually("agent03's live XP", || {
        let xp = engine.state().training.users.get("agent03").map(|u| u.xp);
        async move { (xp == Some(150)).then_some(()) }
    })
    .await;
    assert_eq!(
        state.work.notifications[0].message,
        "sent before this machine signed in"
    );
    assert_eq!(
        state.team.presence["agent01"].status,
        sideline_protocol::PresenceStatus::Offline,
        "the whole team is listed, connected or not"
    );

    // A restart shows it all again before the network answers (the hub then replays only what
    // came after): the snapshot is kept, and what came live after it applies on top.
    engine.shutdown().await;
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token.clone())).await;
    let state = engine.state();
    assert_eq!(state.work.notifications.len(), 1, "the notification");
    assert!(state.team.presence.contains_key("agent01"), "the team");
    assert!(
        state.team.sessions.contains_key("session-demo"),
        "the session"
    );
    assert!(
        state.leaderboard.boards.contains_key("revenue/week"),
        "the boards"
    );
    assert_eq!(
        state.leaderboard.contests["contest-spring"].standings.len(),
        6,
        "the contest"
    );
    assert_eq!(
        state.training.users.get("agent03").map(|u| u.xp),
        Some(150),
        "the snapshot's 120 XP, then the live 30"
    );
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live again").await;
    sync_barrier(&engine).await;
    assert_eq!(
        engine.state().work.notifications.len(),
        1,
        "once, after the replay too"
    );
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_retention_window_a_snapshot_replaces_the_cached_state() {
    let clock = sideline_hub::clock::ManualClock::new(chrono::Utc::now());
    let hub = TestHub::start_with_clock(clock.clone()).await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let tokens = StaticTokens::new(hub.url(), token.clone());
    let engine = open_engine(&dir, &tokens).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    hub.notify(&token, "lead", "seen live").await;
    eventually("the live notification", || {
        let n = engine.state().work.notifications.len();
        async move { (n == 1).then_some(()) }
    })
    .await;

    // Away for longer than the hub keeps events: the cleared list and a new notification
    // would never be replayed, so the hub sends a snapshot instead.
    engine.set_online(false);
    wait_status(&engine, |s| *s == ConnectionStatus::Offline, "offline").await;
    clock.advance(chrono::Duration::minutes(1));
    hub.post(
        "/api/v1/notifications",
        &token,
        serde_json::json!({"clientId": uuid::Uuid::now_v7().to_string(), "userId": "lead",
               "type": "info", "title": "Heads up", "message": "while away"}),
    )
    .await;
    clock.advance(chrono::Duration::days(31));
    assert!(hub.hub.state().prune_events().await.unwrap() >= 2);
    // A month on, the old token has expired too: sign in again.
    let token = hub.login("lead").await;
    tokens.set(Some(Credentials {
        server: hub.url(),
        token: token.clone(),
    }));
    // A capture made offline must survive the snapshot (the outbox owns it).
    let pending = engine
        .capture_note(note("agent01", "offline capture"))
        .await
        .unwrap();
    engine.set_online(true);

    let state = eventually("the snapshot applied", || {
        let state = engine.state();
        let messages: Vec<String> = state
            .work
            .notifications
            .iter()
            .map(|n| n.message.clone())
            .collect();
        async move { (messages == ["while away", "seen live"]).then_some(state) }
    })
    .await;
    assert_eq!(state.work.unread_count, 2);
    assert!(
        state.team.presence.contains_key("agent01"),
        "the team's presence comes with the snapshot: {:?}",
        state.team.presence.keys().collect::<Vec<_>>()
    );
    engine
        .sync(DEADLINE)
        .await
        .expect("the offline capture drains");
    wait_note_state(
        &engine,
        &pending,
        SyncState::Synced,
        "the offline capture synced, once",
    )
    .await;
    assert_eq!(
        hub.note_client_ids(&token, "agent01").await,
        [pending.to_string()]
    );
    engine.shutdown().await;
    hub.stop().await;
}

/// Asks the hub to put the engine's user (the leader) in `session`, and waits until it has.
async fn join_session(engine: &sideline_client::engine::Engine, hub: &TestHub, session: &str) {
    use sideline_protocol::coaching::JoinSession;
    use sideline_protocol::{ClientEvent, MainClientEvent};
    let join = JoinSession {
        session_id: Id::new(session).unwrap(),
        user_info: None,
    };
    engine
        .send(ClientEvent::Main(MainClientEvent::JoinSession(join)))
        .await
        .unwrap();
    eventually("the leader in the session on the hub", || {
        let joined = in_session(hub, session) == ["lead"];
        async move { joined.then_some(()) }
    })
    .await;
}

/// Offline, then live again on new connections.
async fn reconnect(engine: &sideline_client::engine::Engine) {
    engine.set_online(false);
    wait_status(engine, |s| *s == ConnectionStatus::Offline, "offline").await;
    engine.set_online(true);
    wait_status(engine, |s| *s == ConnectionStatus::Live, "live again").await;
}

/// Captures a note and waits until the hub has it. Whatever the engine sends on `/` when a
/// connection is ready (a session joined again) goes out before the outbox drains, so once
/// this note is synced, such a send has reached the hub, or was never made.
async fn sync_barrier(engine: &sideline_client::engine::Engine) {
    let barrier = engine
        .capture_note(note("agent01", "a barrier"))
        .await
        .unwrap();
    wait_note_state(
        engine,
        &barrier,
        SyncState::Synced,
        "the barrier note synced",
    )
    .await;
}

/// Who the hub has in `session` now, by id.
fn in_session(hub: &TestHub, session: &str) -> Vec<String> {
    hub.hub
        .state()
        .live
        .participants(&Id::new(session).unwrap())
        .into_iter()
        .map(|p| p.id.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joined_coaching_session_is_joined_again_after_a_reconnect_and_a_left_one_is_not() {
    use sideline_protocol::coaching::LeaveSession;
    use sideline_protocol::{ClientEvent, MainClientEvent};

    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token)).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    let session = Id::new("session-demo").unwrap();
    let in_view = |engine: &sideline_client::engine::Engine| {
        engine
            .state()
            .team
            .sessions
            .get("session-demo")
            .is_some_and(|s| s.participants.iter().any(|p| p.id.as_str() == "lead"))
    };

    join_session(&engine, &hub, "session-demo").await;
    eventually("the leader in the session's view", || {
        let joined = in_view(&engine);
        async move { joined.then_some(()) }
    })
    .await;

    // The socket ends: so does its place in the session. The next connection takes it again.
    engine.set_online(false);
    eventually("the leader out of the session with the socket", || {
        let out = in_session(&hub, "session-demo").is_empty();
        async move { out.then_some(()) }
    })
    .await;
    engine.set_online(true);
    eventually("the leader back in the session", || {
        let back = in_session(&hub, "session-demo") == ["lead"];
        async move { back.then_some(()) }
    })
    .await;

    // Left: a reconnect does not join it again.
    engine
        .send(ClientEvent::Main(MainClientEvent::LeaveSession(Some(
            LeaveSession {
                session_id: session.clone(),
            },
        ))))
        .await
        .unwrap();
    eventually("the leader out of the session and the view", || {
        let out = in_session(&hub, "session-demo").is_empty() && !in_view(&engine);
        async move { out.then_some(()) }
    })
    .await;
    reconnect(&engine).await;
    sync_barrier(&engine).await;
    assert_eq!(
        in_session(&hub, "session-demo"),
        Vec::<String>::new(),
        "a left session is not joined again"
    );
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_closed_while_offline_is_tried_once_then_forgotten() {
    use sideline_client::engine::LiveEvent;
    use tokio::sync::broadcast::Receiver;

    /// The codes of the hub's refusals of `join-session` received so far.
    fn refusals(live: &mut Receiver<LiveEvent>) -> Vec<String> {
        let mut found = Vec::new();
        while let Ok(event) = live.try_recv() {
            if event.name == "error" && event.data["event"] == "join-session" {
                found.push(event.data["code"].as_str().unwrap_or_default().to_owned());
            }
        }
        found
    }

    let clock = sideline_hub::clock::ManualClock::new(chrono::Utc::now());
    let hub = TestHub::start_with_clock(clock.clone()).await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token.clone())).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    join_session(&engine, &hub, "session-demo").await;
    // Something applied on `/`, so that the reconnect replays instead of taking a snapshot
    // (a snapshot would already say the session is gone, and nothing would be tried).
    hub.notify(&token, "lead", "a cursor to replay from").await;
    eventually("the notification applied", || {
        let applied = engine.state().cursor(Namespace::Main).0 > 0;
        async move { applied.then_some(()) }
    })
    .await;

    // Offline for longer than the hub keeps an idle session open.
    engine.set_online(false);
    wait_status(&engine, |s| *s == ConnectionStatus::Offline, "offline").await;
    clock.advance(chrono::Duration::minutes(31));
    let closed = sideline_hub::flows::main::close_idle_sessions(hub.hub.state())
        .await
        .unwrap();
    assert!(
        closed.iter().any(|id| id.as_str() == "session-demo"),
        "{closed:?}"
    );

    // Back online: the engine tries the session again, once, and the hub says it is closed.
    let mut live = engine.live_events();
    engine.set_online(true);
    let mut seen = Vec::new();
    eventually("the hub's answer to the join", || {
        seen.extend(refusals(&mut live));
        let answered = !seen.is_empty();
        async move { answered.then_some(()) }
    })
    .await;
    assert_eq!(seen, ["CONFLICT"], "refused: the session is closed");

    // The next connection does not try again.
    reconnect(&engine).await;
    sync_barrier(&engine).await;
    assert_eq!(refusals(&mut live), Vec::<String>::new(), "tried once only");
    engine.shutdown().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_older_than_the_state_keeps_come_from_the_hub_a_page_at_a_time() {
    use sideline_client::hub_api::HISTORY_PAGE;
    use sideline_protocol::notes::QuickNote;
    use sideline_protocol::realtime::kept::NOTES_PER_AGENT;

    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token.clone())).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    let total = NOTES_PER_AGENT.max(HISTORY_PAGE) + 3;
    for i in 0..total {
        engine
            .capture_note(note("agent01", &format!("note {i}")))
            .await
            .expect("captured");
    }
    engine.sync(Duration::from_secs(20)).await.expect("drains");
    let on_hub: Vec<String> = hub
        .get("/api/v1/notes?agentId=agent01", &token)
        .await
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(on_hub.len(), total);
    let agent = Id::new("agent01").unwrap();
    let synced_in_state = || -> Vec<String> {
        let mut notes: Vec<_> = engine
            .state()
            .work
            .notes
            .values()
            .filter(|n| n.agent_id == agent)
            .filter_map(|n| Some((n.created_at, n.id.clone()?.to_string())))
            .collect();
        notes.sort();
        notes.into_iter().map(|(_, id)| id).collect()
    };
    eventually("the state keeps only the newest", || {
        let kept = synced_in_state() == on_hub[total - NOTES_PER_AGENT..];
        async move { kept.then_some(()) }
    })
    .await;

    // Back through the history from the oldest note the state holds, as the Notes view does.
    // The history comes as the lists show it: synced, with the hub's id.
    let ids = |page: &[NoteView]| -> Vec<String> {
        page.iter()
            .inspect(|n| assert_eq!(n.state, SyncState::Synced))
            .filter_map(|n| Some(n.id.as_ref()?.to_string()))
            .collect()
    };
    let oldest_kept = Id::new(&on_hub[total - NOTES_PER_AGENT]).unwrap();
    let older = engine
        .history::<QuickNote>(&agent, Some(&oldest_kept))
        .await
        .expect("a page");
    assert_eq!(
        (ids(&older.entries), older.more),
        (on_hub[..total - NOTES_PER_AGENT].to_vec(), false),
        "the rest, oldest first, and nothing before"
    );
    let newest = engine
        .history::<QuickNote>(&agent, None)
        .await
        .expect("a page");
    assert_eq!(
        (ids(&newest.entries), newest.more),
        (on_hub[total - HISTORY_PAGE..].to_vec(), true),
        "a full page from the newest, and more before it"
    );
    let items = engine
        .history::<sideline_protocol::notes::ActionItem>(&agent, None)
        .await
        .expect("a page");
    assert_eq!((items.entries.len(), items.more), (0, false));

    // The hub's refusal comes back with its code; an unreachable hub is a network error.
    let refused = engine
        .history::<QuickNote>(&agent, Some(&Id::new("nosuch").unwrap()))
        .await
        .expect_err("no such note");
    assert!(
        matches!(&refused, ClientError::Refused { code, .. } if code == "NOT_FOUND"),
        "{refused:?}"
    );
    hub.stop().await;
    let offline = engine
        .history::<QuickNote>(&agent, None)
        .await
        .expect_err("the hub is down");
    assert!(matches!(offline, ClientError::Network(_)), "{offline:?}");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_older_than_the_state_keeps_come_from_the_hub() {
    use sideline_protocol::realtime::kept::NOTIFICATIONS;

    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let engine = open_engine(&dir, &StaticTokens::new(hub.url(), token.clone())).await;
    wait_status(&engine, |s| *s == ConnectionStatus::Live, "live").await;
    let total = NOTIFICATIONS + 2;
    for i in 0..total {
        hub.notify(&token, "lead", &format!("n{i}")).await;
    }
    let newest_kept = format!("n{}", total - 1);
    eventually("the state keeps the newest", || {
        let state = engine.state();
        let list = &state.work.notifications;
        let done = list.len() == NOTIFICATIONS && list.iter().any(|n| n.message == newest_kept);
        async move { done.then_some(()) }
    })
    .await;

    // Back from the oldest the state keeps, as the notification centre does.
    let state = engine.state();
    // The list is newest first.
    let oldest_kept = state.work.notifications.last().expect("kept");
    assert_eq!(oldest_kept.message, "n2");
    let older = engine
        .notification_history(Some(&oldest_kept.id))
        .await
        .expect("a page");
    let messages: Vec<&str> = older.entries.iter().map(|n| n.message.as_str()).collect();
    assert_eq!((messages, older.more), (vec!["n0", "n1"], false));
    let newest = engine.notification_history(None).await.expect("a page");
    assert_eq!(
        newest.entries.last().map(|n| n.message.as_str()),
        Some(newest_kept.as_str())
    );
    assert!(newest.more, "more before the newest page");
    engine.shutdown().await;
    hub.stop().await;
}
