use serde_json::{Value, json};
use sideline_protocol::{EventId, Namespace, ServerEvent};

use super::work::{AnalysisStatus, SyncState};
use super::{AppState, Section};

fn apply(state: &mut AppState, ns: Namespace, name: &str, data: Value) -> Vec<Section> {
    let (id, event) = ServerEvent::decode_durable(ns, name, data).expect("decodes");
    state.apply(id, &event).into_iter().collect()
}

/// Puts a capture still waiting to sync about `agent` into the state, as the outbox would.
fn insert_pending_note(
    state: &mut AppState,
    agent: &str,
    created_at: chrono::DateTime<chrono::Utc>,
) -> sideline_protocol::ClientId {
    let client_id = sideline_protocol::ClientId::new_v7();
    state.work.notes.insert(
        client_id.to_string(),
        super::work::NoteView {
            client_id,
            state: SyncState::Pending,
            reason: None,
            id: None,
            agent_id: agent.parse().unwrap(),
            note_type: sideline_protocol::notes::NoteType::Coaching,
            priority: sideline_protocol::notes::Priority::Low,
            category: None,
            content: "not sent yet".into(),
            created_by: None,
            created_at,
        },
    );
    client_id
}

fn rank(id: u64, user: &str, prev: u32, new: u32) -> Value {
    json!({"eventId": id, "userId": user, "userName": user, "previousRank": prev, "newRank": new,
           "metric": "revenue", "value": 100.0, "range": "week", "timestamp": "2025-01-24T10:00:00Z"})
}

#[test]
fn durable_events_at_or_below_the_cursor_are_skipped() {
    let mut s = AppState::default();
    assert_eq!(
        apply(
            &mut s,
            Namespace::Leaderboard,
            "rank:changed",
            rank(5, "a", 3, 2)
        ),
        [Section::Leaderboard]
    );
    // The same event again (a replay overlapping live delivery) and an older one: no change.
    assert!(
        apply(
            &mut s,
            Namespace::Leaderboard,
            "rank:changed",
            rank(5, "a", 2, 1)
        )
        .is_empty()
    );
    assert!(
        apply(
            &mut s,
            Namespace::Leaderboard,
            "rank:changed",
            rank(4, "a", 2, 1)
        )
        .is_empty()
    );
    assert_eq!(s.cursor(Namespace::Leaderboard), EventId(5));
    assert_eq!(
        s.cursor(Namespace::Main),
        EventId(0),
        "cursors are per namespace"
    );
    let board = s
        .leaderboard
        .board(
            "revenue",
            Some(sideline_protocol::leaderboard::TimeRange::Week),
        )
        .unwrap();
    assert_eq!(board.rows[0].rank, 2);
}

#[test]
fn a_refresh_replaces_the_board_and_rank_changes_reorder_it() {
    let mut s = AppState::default();
    let row = |rank: u32, user: &str| json!({"rank": rank, "userId": user, "userName": user, "value": 10.0});
    apply(
        &mut s,
        Namespace::Leaderboard,
        "leaderboard:refresh",
        json!({
        "eventId": 1, "metric": "revenue", "range": "week",
        "rankings": [row(1, "a"), row(2, "b"), row(3, "c")],
        "generatedAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Leaderboard,
        "rank:changed",
        rank(2, "c", 3, 1),
    );
    apply(
        &mut s,
        Namespace::Leaderboard,
        "rank:changed",
        rank(3, "a", 1, 2),
    );
    apply(
        &mut s,
        Namespace::Leaderboard,
        "rank:changed",
        rank(4, "b", 2, 3),
    );
    let board = s.leaderboard.boards.get("revenue/week").unwrap();
    let users: Vec<_> = board.rows.iter().map(|r| r.user_id.as_str()).collect();
    assert_eq!(users, ["c", "a", "b"]);
    assert_eq!(s.leaderboard.recent_changes.len(), 3);
    apply(
        &mut s,
        Namespace::Leaderboard,
        "leaderboard:refresh",
        json!({
        "eventId": 5, "metric": "revenue", "range": "week", "rankings": [row(1, "z")],
        "generatedAt": "2025-01-24T11:00:00Z"}),
    );
    assert_eq!(
        s.leaderboard.boards["revenue/week"].rows.len(),
        1,
        "snapshots replace"
    );
}

#[test]
fn notifications_count_unread_and_clear() {
    let mut s = AppState::default();
    let n = |id: u64, nid: &str| {
        json!({"eventId": id, "id": nid, "userId": "lead", "type": "info",
        "message": "hi", "read": false, "createdAt": format!("2025-01-24T10:00:0{id}Z")})
    };
    apply(&mut s, Namespace::Main, "notification", n(1, "n1"));
    apply(&mut s, Namespace::Main, "notification", n(2, "n2"));
    assert_eq!(s.work.unread_count, 2);
    assert_eq!(s.work.notifications[0].id.as_str(), "n2", "newest first");
    apply(
        &mut s,
        Namespace::Main,
        "notification:read",
        json!({"eventId": 3, "userId": "lead", "notificationId": "n1", "readAt": "2025-01-24T10:01:00Z"}),
    );
    assert_eq!(s.work.unread_count, 1);
    apply(
        &mut s,
        Namespace::Main,
        "notification:read",
        json!({"eventId": 4, "userId": "lead", "readAt": "2025-01-24T10:01:00Z"}),
    );
    assert_eq!(s.work.unread_count, 0);
    apply(
        &mut s,
        Namespace::Main,
        "notification:cleared",
        json!({"eventId": 5, "userId": "lead", "clearedAt": "2025-01-24T10:02:00Z"}),
    );
    assert!(s.work.notifications.is_empty());
}

#[test]
fn only_the_newest_notifications_stay_and_the_unread_count_is_theirs() {
    use sideline_protocol::realtime::kept::NOTIFICATIONS as NOTIFICATIONS_KEPT;
    let notification = |n: usize| {
        json!({"id": format!("n{n}"), "userId": "lead", "type": "info", "message": "hi",
               "read": false,
               "createdAt": format!("2025-01-24T{:02}:{:02}:00Z", 10 + n / 60, n % 60)})
    };
    let sent = NOTIFICATIONS_KEPT + 2;
    let mut s = AppState::default();
    for n in 0..sent {
        let mut live = notification(n);
        live["eventId"] = json!(n + 1);
        apply(&mut s, Namespace::Main, "notification", live);
    }
    let ids = |s: &AppState| -> Vec<String> {
        s.work
            .notifications
            .iter()
            .map(|n| n.id.to_string())
            .collect()
    };
    let newest: Vec<String> = (2..sent).rev().map(|n| format!("n{n}")).collect();
    assert_eq!(ids(&s), newest, "the newest, newest first");
    assert_eq!(s.work.unread_count, NOTIFICATIONS_KEPT);

    // A snapshot from a hub that lists more (one older than this limit) keeps the same.
    let mut from_snapshot = AppState::default();
    let snapshot: sideline_protocol::realtime::MainSnapshot = serde_json::from_value(json!({
        "userId": "lead", "quickNotes": [], "actionItems": [], "openAnalyses": [], "presence": [],
        "takenAt": "2025-01-24T12:00:00Z",
        "notifications": (0..sent).map(notification).collect::<Vec<_>>(),
    }))
    .expect("snapshot");
    from_snapshot.work.replace_from_snapshot(&snapshot);
    assert_eq!(ids(&from_snapshot), newest);
    assert_eq!(from_snapshot.work.unread_count, NOTIFICATIONS_KEPT);
}

#[test]
fn only_the_newest_synced_notes_and_action_items_of_each_agent_stay() {
    use sideline_protocol::realtime::kept::{ACTION_ITEMS_PER_AGENT, NOTES_PER_AGENT};
    let at = |n: usize| format!("2025-01-24T{:02}:{:02}:00Z", 10 + n / 60, n % 60);
    let note = |agent: &str, n: usize| {
        json!({"id": format!("{agent}-n{n}"), "clientId": uuid::Uuid::now_v7(), "agentId": agent,
               "teamLeaderId": "lead", "noteType": "COACHING", "content": "c", "priority": "LOW",
               "createdAt": at(n), "createdBy": {"id": "lead", "name": "Lea"}})
    };
    let item = |agent: &str, n: usize| {
        json!({"id": format!("{agent}-a{n}"), "clientId": uuid::Uuid::now_v7(), "agentId": agent,
               "teamLeaderId": "lead", "title": "t", "dueDate": "2025-02-01", "priority": "LOW",
               "category": "skills", "status": "PENDING", "createdAt": at(n),
               "createdBy": {"id": "lead", "name": "Lea"}})
    };
    // What the state holds about an agent: synced ids in time order, and how many pending.
    let notes_of = |s: &AppState, agent: &str| -> (Vec<String>, usize) {
        let mut notes: Vec<_> = s
            .work
            .notes
            .values()
            .filter(|n| n.agent_id.as_str() == agent)
            .collect();
        notes.sort_by_key(|n| n.created_at);
        let synced = notes
            .iter()
            .filter_map(|n| n.id.as_ref().map(ToString::to_string));
        let pending = notes
            .iter()
            .filter(|n| n.state == SyncState::Pending)
            .count();
        (synced.collect(), pending)
    };
    let items_of = |s: &AppState, agent: &str| -> Vec<String> {
        let mut items: Vec<_> = s
            .work
            .action_items
            .values()
            .filter(|i| i.agent_id.as_str() == agent)
            .collect();
        items.sort_by_key(|i| i.created_at);
        items
            .iter()
            .filter_map(|i| i.id.as_ref().map(ToString::to_string))
            .collect()
    };
    let newest = |agent: &str, kind: &str, sent: usize, kept: usize| -> Vec<String> {
        (sent - kept..sent)
            .map(|n| format!("{agent}-{kind}{n}"))
            .collect()
    };
    let (notes_sent, items_sent) = (NOTES_PER_AGENT + 3, ACTION_ITEMS_PER_AGENT + 1);

    // Live: a capture still waiting to sync stays whatever its age, and another agent's few
    // notes are untouched.
    let mut s = AppState::default();
    insert_pending_note(&mut s, "agent01", "2025-01-24T09:00:00Z".parse().unwrap());
    let mut event_id = 0;
    let mut live = |s: &mut AppState, name: &str, mut data: Value| {
        event_id += 1;
        data["eventId"] = json!(event_id);
        apply(s, Namespace::Main, name, data);
    };
    for n in 0..notes_sent {
        live(&mut s, "quickNote:created", note("agent01", n));
    }
    for n in 0..items_sent {
        live(&mut s, "actionItem:created", item("agent01", n));
    }
    live(&mut s, "quickNote:created", note("agent02", 0));
    assert_eq!(
        notes_of(&s, "agent01"),
        (newest("agent01", "n", notes_sent, NOTES_PER_AGENT), 1)
    );
    assert_eq!(
        items_of(&s, "agent01"),
        newest("agent01", "a", items_sent, ACTION_ITEMS_PER_AGENT)
    );
    assert_eq!(notes_of(&s, "agent02"), (vec!["agent02-n0".to_owned()], 0));

    // A snapshot from a server that lists more keeps the same.
    let mut from_snapshot = AppState::default();
    let snapshot: sideline_protocol::realtime::MainSnapshot = serde_json::from_value(json!({
        "userId": "lead", "notifications": [], "openAnalyses": [], "presence": [],
        "takenAt": "2025-01-24T12:00:00Z",
        "quickNotes": (0..notes_sent).map(|n| note("agent01", n)).collect::<Vec<_>>(),
        "actionItems": (0..items_sent).map(|n| item("agent01", n)).collect::<Vec<_>>(),
    }))
    .expect("snapshot");
    from_snapshot.work.replace_from_snapshot(&snapshot);
    assert_eq!(
        notes_of(&from_snapshot, "agent01"),
        (newest("agent01", "n", notes_sent, NOTES_PER_AGENT), 0)
    );
    assert_eq!(
        items_of(&from_snapshot, "agent01"),
        newest("agent01", "a", items_sent, ACTION_ITEMS_PER_AGENT)
    );
}

#[test]
fn only_the_latest_comments_of_a_project_stay() {
    use super::leaderboard::FEED_LEN;
    let mut s = AppState::default();
    let sent = FEED_LEN + 3;
    for n in 0..sent {
        apply(
            &mut s,
            Namespace::Main,
            "comment:created",
            json!({"eventId": n + 1, "id": format!("c{n}"), "clientId": uuid::Uuid::now_v7(),
                   "projectId": "p1", "content": "looks good",
                   "author": {"id": "agent01", "name": "Agent 01"}, "resolved": false,
                   "createdAt": format!("2025-01-24T{:02}:{:02}:00Z", 10 + n / 60, n % 60)}),
        );
    }
    let comments: Vec<String> = s.team.projects["p1"]
        .comments
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let latest: Vec<String> = (3..sent).map(|n| format!("c{n}")).collect();
    assert_eq!(comments, latest, "the latest, oldest first");
}

#[test]
fn analyses_track_detectors_overall_progress_and_eta() {
    let mut s = AppState::default();
    apply(
        &mut s,
        Namespace::Main,
        "analysis:started",
        json!({"eventId": 1, "analysisId": "r1",
        "projectId": "p1", "detectors": ["lint", "secrets"], "startedAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "analysis:progress",
        json!({"eventId": 2, "analysisId": "r1",
        "projectId": "p1", "detector": "lint", "detectorStatus": "running", "detectorProgress": 50.0,
        "progress": 25.0, "issuesFound": 3, "estimatedTimeRemaining": 40, "timestamp": "2025-01-24T10:00:05Z"}),
    );
    let run = &s.work.analyses["r1"];
    assert_eq!(run.detectors.len(), 2);
    assert_eq!(run.detectors[0].1.progress, 50.0);
    assert_eq!(
        (run.progress, run.issues_found, run.eta_seconds),
        (25.0, 3, Some(40))
    );
    apply(
        &mut s,
        Namespace::Main,
        "analysis:complete",
        json!({"eventId": 3, "analysisId": "r1",
        "projectId": "p1", "issuesFound": 4, "durationMs": 9000, "completedAt": "2025-01-24T10:00:09Z",
        "detectors": [{"detector": "lint", "status": "complete", "issuesFound": 3, "durationMs": 5000},
                      {"detector": "secrets", "status": "complete", "issuesFound": 1, "durationMs": 4000}]}),
    );
    let run = &s.work.analyses["r1"];
    assert_eq!(run.status, AnalysisStatus::Complete);
    assert_eq!(run.progress, 100.0);
    assert_eq!(run.detectors[1].1.issues_found, Some(1));
}

#[test]
fn only_the_latest_finished_analyses_stay_with_every_running_one() {
    use super::leaderboard::FEED_LEN;
    let mut s = AppState::default();
    let mut event_id = 0;
    let mut event = |s: &mut AppState, name: &str, mut data: Value| {
        event_id += 1;
        data["eventId"] = json!(event_id);
        data["projectId"] = json!("p1");
        apply(s, Namespace::Main, name, data);
    };
    let at = |minute: usize| format!("2025-01-24T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60);
    event(
        &mut s,
        "analysis:started",
        json!({"analysisId": "long", "detectors": ["lint"], "startedAt": at(0)}),
    );
    // Every third one fails and every fifth is cancelled: each way of finishing counts.
    let finished = FEED_LEN + 5;
    for n in 0..finished {
        let id = format!("r{n}");
        event(
            &mut s,
            "analysis:started",
            json!({"analysisId": id, "detectors": ["lint"], "startedAt": at(n)}),
        );
        let (name, end) = match n {
            n if n % 3 == 0 => (
                "analysis:error",
                json!({"analysisId": id, "message": "out of disk", "failedAt": at(n + 1)}),
            ),
            n if n % 5 == 0 => (
                "analysis:cancelled",
                json!({"analysisId": id, "cancelledAt": at(n + 1)}),
            ),
            _ => (
                "analysis:complete",
                json!({"analysisId": id, "issuesFound": 0, "durationMs": 60000,
                       "completedAt": at(n + 1), "detectors": []}),
            ),
        };
        event(&mut s, name, end);
    }

    let analyses = &s.work.analyses;
    assert_eq!(
        analyses.len(),
        FEED_LEN + 1,
        "the latest finished and the running one"
    );
    assert_eq!(analyses["long"].status, AnalysisStatus::Running);
    for n in 0..5 {
        assert!(
            !analyses.contains_key(&format!("r{n}")),
            "r{n} is among the oldest"
        );
    }
    for n in 5..finished {
        assert!(
            analyses.contains_key(&format!("r{n}")),
            "r{n} is among the latest"
        );
    }
}

#[test]
fn training_stats_presence_and_sync_done() {
    let mut s = AppState::default();
    apply(
        &mut s,
        Namespace::Training,
        "xp:gained",
        json!({"eventId": 1, "userId": "agent01",
        "userName": "Ann", "amount": 50, "source": "quiz", "newTotal": 1050, "timestamp": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Training,
        "level:up",
        json!({"eventId": 2, "userId": "agent01",
        "userName": "Ann", "previousLevel": 4, "newLevel": 5, "totalXP": 1050, "timestamp": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Training,
        "streak:update",
        json!({"eventId": 3, "userId": "agent01",
        "userName": "Ann", "currentStreak": 6, "longestStreak": 9, "lastActivityDate": "2025-01-24", "timestamp": "2025-01-24T10:00:00Z"}),
    );
    let ann = &s.training.users["agent01"];
    assert_eq!(
        (ann.xp, ann.level, ann.current_streak, ann.longest_streak),
        (1050, 5, 6, 9)
    );
    apply(
        &mut s,
        Namespace::Training,
        "achievement:unlocked",
        json!({"eventId": 4, "userId": "agent01",
        "userName": "Ann", "achievementId": "a1", "title": "Closer", "description": "d", "rarity": "rare",
        "timestamp": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Training,
        "achievement:showcase",
        json!({"eventId": 5, "userId": "agent01",
        "userName": "Ann", "achievementId": "a1", "title": "Closer", "description": "d", "rarity": "rare",
        "timestamp": "2025-01-24T10:00:00Z"}),
    );
    assert_eq!(
        s.leaderboard.achievements.len(),
        1,
        "one achievement, two announcements"
    );

    apply(
        &mut s,
        Namespace::Main,
        "presence:changed",
        json!({"userId": "agent01", "userName": "Ann", "status": "online", "changedAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "presence:changed",
        json!({"userId": "agent02", "userName": "Bo", "status": "away", "changedAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "presence:changed",
        json!({"userId": "agent03", "userName": "Cy", "status": "offline", "changedAt": "2025-01-24T10:00:00Z"}),
    );
    assert_eq!(s.team.online_count, 2);
    apply(
        &mut s,
        Namespace::Training,
        "sync:done",
        json!({"lastEventId": 40, "replayed": 0, "snapshot": false}),
    );
    assert_eq!(s.cursor(Namespace::Training), EventId(40));
}

#[test]
fn a_training_snapshot_sets_the_leader_and_every_member_it_lists() {
    let mut s = AppState::default();
    // Numbers from before the snapshot: stale for agent01, untouched for agent09 (not listed).
    apply(
        &mut s,
        Namespace::Training,
        "xp:gained",
        json!({"eventId": 1, "userId": "agent01",
        "userName": "Ann", "amount": 50, "source": "quiz", "newTotal": 50, "timestamp": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Training,
        "level:celebration",
        json!({"eventId": 2, "userId": "agent09",
        "userName": "Ivy", "previousLevel": 1, "newLevel": 2, "totalXP": 100, "timestamp": "2025-01-24T10:00:00Z"}),
    );
    let changed = apply(
        &mut s,
        Namespace::Training,
        "training:snapshot",
        json!({"userId": "lead", "userName": "Lena", "totalXp": 120, "level": 2, "currentStreak": 1,
        "longestStreak": 4, "quizzesPassed": 0, "achievements": [],
        "team": [{"userId": "agent01", "userName": "Ann", "totalXp": 20, "level": 1, "currentStreak": 3,
                  "longestStreak": 7, "lastActivityDate": "2025-01-23"}],
        "takenAt": "2025-01-24T11:00:00Z"}),
    );
    assert_eq!(changed, [Section::Training]);
    let numbers = |s: &AppState, id: &str| {
        let u = &s.training.users[id];
        (
            u.user_name.clone(),
            u.xp,
            u.level,
            u.current_streak,
            u.longest_streak,
        )
    };
    assert_eq!(numbers(&s, "lead"), ("Lena".into(), 120, 2, 1, 4));
    assert_eq!(
        numbers(&s, "agent01"),
        ("Ann".into(), 20, 1, 3, 7),
        "the snapshot wins"
    );
    assert_eq!(numbers(&s, "agent09"), ("Ivy".into(), 100, 2, 0, 0));
    // An agent's snapshot (no `team`, as from a hub before it) still applies.
    apply(
        &mut s,
        Namespace::Training,
        "training:snapshot",
        json!({"userId": "agent01", "userName": "Ann", "totalXp": 25, "level": 1, "currentStreak": 3,
        "longestStreak": 7, "quizzesPassed": 0, "achievements": [], "takenAt": "2025-01-24T11:00:00Z"}),
    );
    assert_eq!(numbers(&s, "agent01").1, 25);
}

#[test]
fn outbox_captures_merge_with_confirmations() {
    use crate::outbox::{NoteInput, prepare_note};
    use crate::store::test_support::open_temp;
    use crate::store::{OutboxState, StoreWrite};
    let (_dir, store) = open_temp();
    let now = chrono::Utc::now();
    let mut captured = Vec::new();
    for text in ["one", "two"] {
        let record = prepare_note(
            NoteInput {
                agent_id: "agent01".parse().unwrap(),
                note_type: sideline_protocol::notes::NoteType::Positive,
                priority: sideline_protocol::notes::Priority::Low,
                category: None,
                content: text.into(),
            },
            now,
        )
        .unwrap();
        store.capture(&record).unwrap();
        captured.push(record);
    }
    store
        .write(&[StoreWrite::Rejected {
            client_id: captured[1].client_id,
            code: "FORBIDDEN".into(),
            reason: "not your agent".into(),
        }])
        .unwrap();
    let mut s = AppState::default();
    assert!(s.merge_outbox(&store.outbox(&[]).unwrap()));
    let key0 = captured[0].client_id.to_string();
    let key1 = captured[1].client_id.to_string();
    assert_eq!(s.work.notes[&key0].state, SyncState::Pending);
    assert_eq!(s.work.notes[&key1].state, SyncState::Rejected);
    assert_eq!(
        s.work.notes[&key1].reason.as_deref(),
        Some("not your agent")
    );
    apply(
        &mut s,
        Namespace::Main,
        "quickNote:created",
        json!({"eventId": 1, "id": "note1",
        "clientId": key0, "agentId": "agent01", "teamLeaderId": "lead", "noteType": "POSITIVE",
        "content": "one", "priority": "LOW", "createdAt": "2025-01-24T10:00:00Z",
        "createdBy": {"id": "lead", "name": "Lea"}}),
    );
    assert_eq!(s.work.notes[&key0].state, SyncState::Synced);
    // A stale outbox read (still pending) never downgrades a synced note.
    s.merge_outbox(&store.outbox(&[OutboxState::Pending]).unwrap());
    assert_eq!(s.work.notes[&key0].state, SyncState::Synced);
}

#[test]
fn a_snapshot_replaces_synced_lists_and_keeps_local_captures() {
    let mut s = AppState::default();
    apply(
        &mut s,
        Namespace::Main,
        "analysis:started",
        json!({"eventId": 1, "analysisId": "gone", "projectId": "p1", "detectors": ["lint"],
               "startedAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "notification",
        json!({"eventId": 2, "id": "old", "userId": "lead", "type": "info", "message": "old",
               "read": false, "createdAt": "2025-01-24T10:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "presence:changed",
        json!({"userId": "agent02", "userName": "Bo", "status": "online",
               "changedAt": "2025-01-24T10:00:00Z"}),
    );
    let pending = insert_pending_note(&mut s, "agent01", chrono::Utc::now());
    let synced = sideline_protocol::ClientId::new_v7();
    let changed = apply(
        &mut s,
        Namespace::Main,
        "sync:snapshot",
        json!({"userId": "lead", "takenAt": "2025-02-24T10:00:00Z",
               "quickNotes": [{"id": "note1", "clientId": synced.to_string(), "agentId": "agent01",
                   "teamLeaderId": "lead", "noteType": "POSITIVE", "content": "kept on the hub",
                   "priority": "LOW", "createdAt": "2025-02-01T10:00:00Z",
                   "createdBy": {"id": "lead", "name": "Lea"}}],
               "actionItems": [],
               "notifications": [{"id": "new", "userId": "lead", "type": "info", "message": "new",
                   "read": true, "createdAt": "2025-02-02T10:00:00Z"}],
               "openAnalyses": [{"analysisId": "running", "projectId": "p2",
                   "detectors": ["lint", "secrets"], "cancelRequested": false,
                   "startedAt": "2025-02-24T09:59:00Z"}],
               "presence": [{"userId": "agent01", "userName": "Al", "status": "away"}]}),
    );
    for section in [
        Section::Notes,
        Section::Notifications,
        Section::Analyses,
        Section::Team,
    ] {
        assert!(
            changed.contains(&section),
            "{section:?} not announced: {changed:?}"
        );
    }
    assert_eq!(s.work.notes.len(), 2);
    assert_eq!(s.work.notes[&pending.to_string()].state, SyncState::Pending);
    assert_eq!(s.work.notes[&synced.to_string()].state, SyncState::Synced);
    let ids: Vec<&str> = s.work.notifications.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["new"]);
    assert_eq!(s.work.unread_count, 0);
    assert!(
        !s.work.analyses.contains_key("gone"),
        "ended while away, outcome unknown"
    );
    assert_eq!(s.work.analyses["running"].detectors.len(), 2);
    assert_eq!(
        s.team.presence.keys().collect::<Vec<_>>(),
        ["agent01"],
        "presence replaced, not merged"
    );
    assert_eq!(s.team.online_count, 1, "away counts as online");
}

#[test]
fn contests_keep_their_name_and_end_for_countdowns() {
    let mut s = AppState::default();
    apply(
        &mut s,
        Namespace::Leaderboard,
        "contest:new-entry",
        json!({"eventId": 1, "contestId": "c1", "entryId": "e1", "userId": "agent01",
               "userName": "Al", "value": 10.0, "total": 10.0, "rank": 1,
               "contestName": "Friday blitz", "endsAt": "2025-01-24T18:00:00Z",
               "timestamp": "2025-01-24T10:00:00Z"}),
    );
    // Seed 002's shape, without the additions, changes neither.
    apply(
        &mut s,
        Namespace::Leaderboard,
        "contest:entry-update",
        json!({"eventId": 2, "contestId": "c1", "userId": "agent02", "userName": "Bo",
               "previousRank": 0, "newRank": 2, "total": 5.0, "timestamp": "2025-01-24T10:01:00Z"}),
    );
    let contest = &s.leaderboard.contests["c1"];
    assert_eq!(contest.name.as_deref(), Some("Friday blitz"));
    assert_eq!(
        contest.ends_at.map(|t| t.to_rfc3339()),
        Some("2025-01-24T18:00:00+00:00".to_owned())
    );
    assert_eq!(contest.standings.len(), 2);
}

#[test]
fn a_snapshot_replaces_coaching_sessions_and_keeps_the_last_editor_of_unchanged_fields() {
    let mut s = AppState::default();
    let agent = json!({"id": "agent01", "name": "Al", "role": "learner", "isActive": true});
    apply(
        &mut s,
        Namespace::Main,
        "user-joined",
        json!({"sessionId": "gone", "user": agent, "participants": [agent]}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "session:updated",
        json!({"eventId": 3, "sessionId": "kept", "updates": {"topicsCovered": ["pricing"]},
               "updatedBy": {"id": "lead", "name": "Lea"}, "updatedAt": "2025-02-24T09:00:00Z"}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "user-activity-changed",
        json!({"userId": "agent01", "isActive": false, "sessionId": "kept"}),
    );
    let snapshot = |fields: Value| {
        json!({"userId": "lead", "takenAt": "2025-02-24T10:00:00Z", "quickNotes": [],
               "actionItems": [], "notifications": [], "openAnalyses": [], "presence": [],
               "coachingSessions": [{"sessionId": "kept",
                   "members": [{"user": {"id": "lead", "name": "Lea"}, "role": "instructor"},
                               {"user": {"id": "agent01", "name": "Al"}, "role": "learner"}],
                   "participants": [agent], "fields": fields,
                   "lastActivityAt": "2025-02-24T09:30:00Z"}]})
    };
    let changed = apply(
        &mut s,
        Namespace::Main,
        "sync:snapshot",
        snapshot(json!({"topicsCovered": ["pricing"]})),
    );
    assert!(changed.contains(&Section::Team), "{changed:?}");
    let ids: Vec<&String> = s.team.sessions.keys().collect();
    assert_eq!(ids, ["kept"], "a session closed while away goes");
    let kept = &s.team.sessions["kept"];
    let roles: Vec<(&str, _)> = kept
        .members
        .iter()
        .map(|m| (m.user.name.as_str(), m.role))
        .collect();
    use sideline_protocol::coaching::ParticipantRole::{Instructor, Learner};
    assert_eq!(roles, [("Lea", Instructor), ("Al", Learner)]);
    assert_eq!(kept.participants.len(), 1);
    assert!(
        kept.activity.is_empty(),
        "the participants carry the hub's activity: {:?}",
        kept.activity
    );
    assert_eq!(
        kept.updated_by.as_ref().map(|u| u.name.as_str()),
        Some("Lea"),
        "nothing edited since: the last editor still holds"
    );
    assert!(kept.last_activity_at.is_some());

    apply(
        &mut s,
        Namespace::Main,
        "sync:snapshot",
        snapshot(json!({"topicsCovered": ["pricing", "objections"]})),
    );
    let kept = &s.team.sessions["kept"];
    assert_eq!(
        kept.fields.topics_covered.as_deref().map(<[String]>::len),
        Some(2)
    );
    assert!(
        kept.updated_by.is_none() && kept.updated_at.is_none(),
        "edited by someone unknown since"
    );

    // Edits and joins after the snapshot move the last activity on.
    let activity = |s: &AppState| {
        s.team.sessions["kept"]
            .last_activity_at
            .map(|t| t.to_rfc3339())
    };
    apply(
        &mut s,
        Namespace::Main,
        "session:updated",
        json!({"eventId": 9, "sessionId": "kept", "updates": {"engagementScore": 6},
               "updatedBy": {"id": "lead", "name": "Lea"}, "updatedAt": "2025-02-24T11:00:00Z"}),
    );
    assert_eq!(activity(&s).as_deref(), Some("2025-02-24T11:00:00+00:00"));
    let bo = json!({"id": "agent02", "name": "Bo", "role": "learner", "isActive": true,
                    "joinedAt": "2025-02-24T11:30:00Z"});
    apply(
        &mut s,
        Namespace::Main,
        "user-joined",
        json!({"sessionId": "kept", "user": bo, "participants": [agent, bo]}),
    );
    assert_eq!(activity(&s).as_deref(), Some("2025-02-24T11:30:00+00:00"));
}

#[test]
fn a_session_list_is_as_of_a_leave_or_a_lost_connection_until_the_hub_sends_the_next() {
    use chrono::{DateTime, Utc};
    let at = |text: &str| text.parse::<DateTime<Utc>>().expect("time");
    let person = |id: &str| json!({"id": id, "name": id, "role": "learner", "isActive": true});
    let mut s = AppState::default();
    for session in ["mine", "other"] {
        apply(
            &mut s,
            Namespace::Main,
            "session-joined",
            json!({"sessionId": session, "participants": [person("lead"), person("agent01")]}),
        );
    }
    let as_of = |s: &AppState, session: &str| s.team.sessions[session].participants_as_of;
    assert_eq!(as_of(&s, "mine"), None, "heard live");

    // Leaving: our place goes at once, and the others' from then on are as of the leave.
    assert!(s.team.left("other", "lead", at("2025-02-24T10:00:00Z")));
    let other = &s.team.sessions["other"];
    assert_eq!(other.participants.len(), 1);
    assert_eq!(other.participants_as_of, Some(at("2025-02-24T10:00:00Z")));
    assert_eq!(as_of(&s, "mine"), None, "only the session left");

    // A lost connection makes every list as of then, and an earlier time stays.
    assert!(s.team.connection_lost(at("2025-02-24T11:00:00Z")));
    assert_eq!(as_of(&s, "mine"), Some(at("2025-02-24T11:00:00Z")));
    assert_eq!(as_of(&s, "other"), Some(at("2025-02-24T10:00:00Z")));
    assert!(
        !s.team.connection_lost(at("2025-02-24T11:05:00Z")),
        "nothing changes when every list is already as of earlier"
    );

    // Each way the hub sends a whole list makes it live again.
    apply(
        &mut s,
        Namespace::Main,
        "session-joined",
        json!({"sessionId": "mine", "participants": [person("lead")]}),
    );
    assert_eq!(as_of(&s, "mine"), None, "a join's answer");
    apply(
        &mut s,
        Namespace::Main,
        "user-left",
        json!({"sessionId": "other", "userId": "agent01", "user": person("agent01"),
               "participants": []}),
    );
    assert_eq!(as_of(&s, "other"), None, "someone leaving");
    s.team.connection_lost(at("2025-02-24T12:00:00Z"));
    apply(
        &mut s,
        Namespace::Main,
        "user-joined",
        json!({"sessionId": "other", "user": person("agent02"), "participants": [person("agent02")]}),
    );
    assert_eq!(as_of(&s, "other"), None, "someone arriving");
    apply(
        &mut s,
        Namespace::Main,
        "sync:snapshot",
        json!({"userId": "lead", "takenAt": "2025-02-24T13:00:00Z", "quickNotes": [],
               "actionItems": [], "notifications": [], "openAnalyses": [], "presence": [],
               "coachingSessions": [{"sessionId": "mine", "members": [], "participants": [],
                                     "fields": {}, "lastActivityAt": "2025-02-24T12:30:00Z"}]}),
    );
    assert_eq!(as_of(&s, "mine"), None, "a snapshot");
}

#[test]
fn only_the_latest_closed_sessions_stay_with_every_open_one() {
    use super::team::CLOSED_SESSIONS_KEPT;
    let mut s = AppState::default();
    let mut event_id = 0;
    let mut update = |s: &mut AppState, session: &str, status: &str, minute: usize| {
        event_id += 1;
        apply(
            s,
            Namespace::Main,
            "session:updated",
            json!({"eventId": event_id, "sessionId": session, "updates": {"status": status},
                   "updatedAt": format!("2025-02-24T10:{minute:02}:00Z")}),
        );
    };
    update(&mut s, "open-early", "IN_PROGRESS", 0);
    // Closed in an order unlike their ids, two more than are kept.
    let closings = CLOSED_SESSIONS_KEPT + 2;
    for n in 0..closings {
        update(&mut s, &format!("closed{n:02}"), "IN_PROGRESS", 1);
        let status = if n % 2 == 0 { "COMPLETED" } else { "CANCELLED" };
        update(
            &mut s,
            &format!("closed{n:02}"),
            status,
            10 + (n * 7) % closings,
        );
    }
    update(&mut s, "open-late", "IN_PROGRESS", 59);

    let mut closed: Vec<(String, String)> = s
        .team
        .sessions
        .iter()
        .filter(|(_, v)| v.is_closed())
        .map(|(id, v)| (v.updated_at.unwrap().to_rfc3339(), id.clone()))
        .collect();
    closed.sort();
    let mut expected: Vec<(String, String)> = (0..closings)
        .map(|n| {
            let minute = 10 + (n * 7) % closings;
            let at = format!("2025-02-24T10:{minute:02}:00+00:00");
            (at, format!("closed{n:02}"))
        })
        .collect();
    expected.sort();
    assert_eq!(
        closed,
        expected[2..],
        "the latest closed, by when they closed"
    );
    assert!(
        s.team.sessions.contains_key("open-early") && s.team.sessions.contains_key("open-late")
    );
    assert_eq!(s.team.sessions.len(), CLOSED_SESSIONS_KEPT + 2);
}

#[test]
fn a_closed_session_keeps_its_fields_and_has_nobody_in_it() {
    let person = |id: &str| json!({"id": id, "name": id, "role": "learner", "isActive": true});
    let mut s = AppState::default();
    apply(
        &mut s,
        Namespace::Main,
        "user-joined",
        json!({"sessionId": "s1", "user": person("agent01"),
               "participants": [person("lead"), person("agent01")]}),
    );
    apply(
        &mut s,
        Namespace::Main,
        "session:updated",
        json!({"eventId": 1, "sessionId": "s1", "updates": {"status": "IN_PROGRESS",
               "engagementScore": 7}, "updatedBy": {"id": "lead", "name": "Lea"},
               "updatedAt": "2025-02-24T09:00:00Z"}),
    );
    assert!(!s.team.sessions["s1"].is_closed());
    assert_eq!(s.team.sessions["s1"].participants.len(), 2);

    // Closed by the hub for idleness: no editor.
    apply(
        &mut s,
        Namespace::Main,
        "session:updated",
        json!({"eventId": 2, "sessionId": "s1", "updates": {"status": "COMPLETED"},
               "updatedAt": "2025-02-24T10:00:00Z"}),
    );
    let closed = &s.team.sessions["s1"];
    assert!(closed.is_closed());
    assert!(closed.participants.is_empty() && closed.activity.is_empty());
    assert_eq!(closed.participants_as_of, None, "known: nobody");
    assert_eq!(
        closed.fields.engagement_score,
        Some(7),
        "its fields stay to read"
    );
    assert!(closed.updated_by.is_none(), "the hub closed it");
    assert!(
        !s.team.connection_lost(chrono::Utc::now()),
        "a closed session's list is not dated by a lost connection"
    );
    assert_eq!(s.team.sessions["s1"].participants_as_of, None);
}
