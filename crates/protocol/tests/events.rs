//! Every event of the catalogue, decoded from a JSON example written from its seed's own
//! examples and interfaces, re-encoded and decoded again.

use std::collections::HashSet;

use serde_json::{Value, json};
use sideline_protocol::{
    Direction, EventId, LeaderboardClientEvent, LeaderboardServerEvent, MainClientEvent,
    MainServerEvent, Namespace, TrainingClientEvent, TrainingServerEvent, catalogue,
    encode_durable,
};

const T: &str = "2025-01-24T10:00:00.000Z";
const CID: &str = "0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70";

use Direction::{ClientToServer as C2S, ServerToClient as S2C};
use Namespace::{Leaderboard as LB, Main, Training as TR};

/// One example per catalogue entry.
fn examples() -> Vec<(Namespace, Direction, &'static str, Value)> {
    let user = json!({"id": "tl-1", "name": "Terry Leader"});
    let participant = json!({
        "id": "u-7", "name": "Lee Learner", "role": "learner", "isActive": true,
        "cursor": {"line": 3, "column": 14}, "joinedAt": T
    });
    let instructor =
        json!({"id": "u-1", "name": "Ivy Instructor", "role": "instructor", "isActive": true});
    let ranking = json!({
        "userId": 123, "userName": "John Doe", "previousRank": 7, "newRank": 5,
        "metric": "yearlyRevenue", "value": 150000, "timestamp": T
    });
    let achievement = json!({
        "userId": 123, "userName": "John Doe", "achievementType": "rank",
        "title": "Top Performer!", "description": "Reached #1 on the leaderboard",
        "icon": "🏆", "timestamp": T
    });
    let rows = json!([
        {"rank": 1, "userId": 123, "userName": "John Doe", "value": 150000, "previousRank": 2},
        {"rank": 2, "userId": "456", "userName": "Jane Roe", "value": 149000.5, "teamId": 5}
    ]);
    let level_up = json!({
        "userId": 123, "userName": "John Doe", "previousLevel": 4, "newLevel": 5, "totalXP": 5200,
        "rewards": {"badges": ["closer"], "unlocks": ["advanced-objections"]}, "timestamp": T
    });
    let training_achievement = json!({
        "userId": 123, "userName": "John Doe", "achievementId": "first-100-calls",
        "title": "Dialed In", "description": "100 practice calls", "icon": "📞",
        "rarity": "epic", "xpReward": 250, "timestamp": T
    });
    let sync = json!({"lastEventId": 42, "replayed": 3, "snapshot": false});
    let error = json!({
        "code": "VALIDATION_FAILED", "message": "content: must be 1 to 5000 characters",
        "event": "quickNote:create", "field": "content", "clientId": CID
    });

    vec![
        // ---- seed 000 on /
        (
            Main,
            C2S,
            "quickNote:create",
            json!({
                "agentId": "test-agent-id", "noteType": "COACHING", "content": "Test note",
                "priority": "HIGH", "clientId": CID
            }),
        ),
        (
            Main,
            C2S,
            "actionItem:create",
            json!({
                "clientId": CID, "agentId": "test-agent-id", "title": "Shadow two calls",
                "description": "Listen for the discovery questions", "dueDate": "2025-02-01",
                "priority": "MEDIUM", "category": "skills"
            }),
        ),
        // ---- our addition on / (protocol version 2)
        (
            Main,
            C2S,
            "records:create",
            json!({"records": [
                {"event": "quickNote:create", "data": {
                    "agentId": "test-agent-id", "noteType": "POSITIVE", "content": "Closed it",
                    "priority": "LOW", "clientId": CID }},
                {"event": "actionItem:create", "data": {
                    "clientId": "0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f71", "agentId": "test-agent-id",
                    "title": "Send the recap", "dueDate": "2025-02-01", "priority": "HIGH",
                    "category": "follow-up" }}
            ]}),
        ),
        (
            Main,
            C2S,
            "join-session",
            json!({"sessionId": "session-1", "userInfo": instructor}),
        ),
        (
            Main,
            C2S,
            "leave-session",
            json!({"sessionId": "session-1"}),
        ),
        (
            Main,
            C2S,
            "session:update",
            json!({
                "sessionId": "session-1",
                "updates": {"discussionNotes": "Talked about pacing", "topicsCovered": ["pacing", "closing"], "engagementScore": 8}
            }),
        ),
        (
            Main,
            C2S,
            "notification:send",
            json!({
                "clientId": CID, "userId": "test-agent-id", "type": "info",
                "message": "Great call this morning!", "data": {"callId": "c-9"}
            }),
        ),
        (
            Main,
            S2C,
            "quickNote:created",
            json!({
                "id": "123", "clientId": CID, "agentId": "test-agent-id", "teamLeaderId": "tl-1",
                "noteType": "COACHING", "content": "Test note", "priority": "HIGH",
                "category": "calls", "createdAt": T, "createdBy": user
            }),
        ),
        (
            Main,
            S2C,
            "actionItem:created",
            json!({
                "id": "ai-1", "clientId": CID, "agentId": "test-agent-id", "teamLeaderId": "tl-1",
                "title": "Shadow two calls", "dueDate": "2025-02-01", "priority": "MEDIUM",
                "category": "skills", "status": "PENDING", "createdAt": T, "createdBy": user
            }),
        ),
        (
            Main,
            S2C,
            "session:updated",
            json!({
                "sessionId": "session-1", "updates": {"engagementScore": 8, "status": "IN_PROGRESS"},
                "updatedBy": user, "updatedAt": T
            }),
        ),
        (
            Main,
            S2C,
            "notification",
            json!({
                "id": "n-1", "userId": "test-agent-id", "type": "success", "title": "Nice!",
                "message": "Great call this morning!", "data": {"callId": "c-9"}, "read": false,
                "from": user, "clientId": CID, "createdAt": T
            }),
        ),
        // ---- seed 003 on /
        (Main, C2S, "cursor-update", json!({"line": 10, "column": 4})),
        (Main, C2S, "activity-status", json!({"isActive": false})),
        (
            Main,
            S2C,
            "session-joined",
            json!({"sessionId": "session-1", "participants": [instructor, participant]}),
        ),
        (
            Main,
            S2C,
            "user-joined",
            json!({"user": participant, "participants": [instructor, participant]}),
        ),
        (
            Main,
            S2C,
            "user-left",
            json!({"userId": "u-7", "user": participant, "participants": [instructor], "sessionId": "session-1"}),
        ),
        (
            Main,
            S2C,
            "cursor-moved",
            json!({"userId": "u-7", "cursor": {"line": 10, "column": 4}}),
        ),
        (
            Main,
            S2C,
            "user-activity-changed",
            json!({"userId": "u-7", "isActive": false}),
        ),
        // ---- seed 001 on /
        (
            Main,
            C2S,
            "auth:request",
            json!({"token": "eyJhbGciOiJIUzI1NiJ9.e30.sig"}),
        ),
        (
            Main,
            S2C,
            "auth:success",
            json!({"user": user, "expiresAt": "2025-01-24T11:00:00Z"}),
        ),
        (
            Main,
            S2C,
            "auth:error",
            json!({"code": "UNAUTHORIZED", "message": "token expired"}),
        ),
        (Main, C2S, "room:join", json!({"room": "project:123"})),
        (Main, C2S, "room:leave", json!({"room": "project:123"})),
        (
            Main,
            C2S,
            "presence:update",
            json!({"status": "away", "room": "project:123"}),
        ),
        (
            Main,
            C2S,
            "data:update",
            json!({
                "entity": "tasks", "action": "create", "room": "project:123", "clientId": CID,
                "data": {"title": "New Task", "completed": false}
            }),
        ),
        (
            Main,
            S2C,
            "data:update",
            json!({
                "entity": "tasks", "action": "update", "room": "project:123", "id": "task-1",
                "data": {"completed": true}, "updatedBy": user, "updatedAt": T
            }),
        ),
        (
            Main,
            C2S,
            "broadcast",
            json!({"clientId": CID, "room": "team:5", "topic": "team:goal-reached", "data": {"goal": "Q1"}}),
        ),
        (
            Main,
            S2C,
            "broadcast",
            json!({"room": "team:5", "topic": "team:goal-reached", "data": {"goal": "Q1"}, "from": user, "clientId": CID, "sentAt": T}),
        ),
        // ---- seed 004 on /
        (
            Main,
            S2C,
            "connected",
            json!({"socketId": "Xk2v9QmZ-abc_123", "user": user, "serverTime": T, "protocolVersion": 1}),
        ),
        (Main, C2S, "project:join", json!({"projectId": "123"})),
        (Main, C2S, "project:leave", json!({"projectId": "123"})),
        (
            Main,
            S2C,
            "project:update",
            json!({"projectId": "123", "changes": {"name": "Odavl"}, "updatedBy": user, "updatedAt": T}),
        ),
        (
            Main,
            S2C,
            "project:user:joined",
            json!({
                "projectId": "123", "user": user,
                "onlineUsers": [{"id": "tl-1", "name": "Terry Leader", "status": "online"}], "joinedAt": T
            }),
        ),
        (
            Main,
            S2C,
            "project:user:left",
            json!({"projectId": "123", "user": user, "onlineUsers": [], "leftAt": T}),
        ),
        (
            Main,
            S2C,
            "presence:changed",
            json!({"userId": "tl-1", "userName": "Terry Leader", "status": "away", "room": "project:123", "changedAt": T}),
        ),
        (
            Main,
            S2C,
            "analysis:started",
            json!({
                "analysisId": "an-1", "projectId": "123", "detectors": ["security", "performance"],
                "startedBy": user, "startedAt": T
            }),
        ),
        (
            Main,
            S2C,
            "analysis:progress",
            json!({
                "analysisId": "an-1", "projectId": "123", "detector": "security",
                "detectorStatus": "running", "detectorProgress": 50, "progress": 25.5,
                "issuesFound": 3, "estimatedTimeRemaining": 42, "timestamp": T
            }),
        ),
        (
            Main,
            S2C,
            "analysis:complete",
            json!({
                "analysisId": "an-1", "projectId": "123", "issuesFound": 7,
                "detectors": [{"detector": "security", "status": "complete", "issuesFound": 7, "durationMs": 1200}],
                "durationMs": 2400, "completedAt": T
            }),
        ),
        (
            Main,
            S2C,
            "analysis:error",
            json!({"analysisId": "an-1", "projectId": "123", "message": "detector crashed", "detector": "performance", "failedAt": T}),
        ),
        (
            Main,
            S2C,
            "analysis:cancelled",
            json!({"analysisId": "an-1", "projectId": "123", "cancelledBy": user, "cancelledAt": T}),
        ),
        (Main, C2S, "analysis:cancel", json!({"analysisId": "an-1"})),
        (
            Main,
            C2S,
            "notification:read",
            json!({"notificationId": "n-1"}),
        ),
        (Main, C2S, "notification:read-all", Value::Null),
        (Main, C2S, "notification:clear", json!({})),
        (
            Main,
            S2C,
            "notification:read",
            json!({"userId": "test-agent-id", "notificationId": "n-1", "readAt": T}),
        ),
        (
            Main,
            S2C,
            "sync:snapshot",
            json!({
                "userId": "test-agent-id", "quickNotes": [], "actionItems": [],
                "notifications": [{
                    "id": "n-1", "userId": "test-agent-id", "type": "info",
                    "message": "Welcome", "read": true, "createdAt": T
                }],
                "openAnalyses": [{
                    "analysisId": "a-1", "projectId": "p-1", "detectors": ["lint"],
                    "cancelRequested": false, "startedAt": T
                }],
                "presence": [{"userId": "test-agent-id", "userName": "John Doe", "status": "online"}],
                "takenAt": T
            }),
        ),
        (
            Main,
            S2C,
            "notification:cleared",
            json!({"userId": "test-agent-id", "clearedAt": T}),
        ),
        (
            Main,
            C2S,
            "comment:create",
            json!({
                "clientId": CID, "projectId": "123", "content": "Should this be async?",
                "filePath": "src/lib.rs", "line": 42
            }),
        ),
        (Main, C2S, "comment:resolve", json!({"commentId": "cm-1"})),
        (
            Main,
            S2C,
            "comment:created",
            json!({
                "id": "cm-1", "clientId": CID, "projectId": "123", "content": "Should this be async?",
                "filePath": "src/lib.rs", "line": 42, "author": user, "resolved": false, "createdAt": T
            }),
        ),
        (
            Main,
            S2C,
            "comment:resolved",
            json!({"commentId": "cm-1", "projectId": "123", "resolvedBy": user, "resolvedAt": T}),
        ),
        (Main, S2C, "error", error.clone()),
        (Main, S2C, "sync:done", sync.clone()),
        // ---- seed 002 on /leaderboard
        (LB, C2S, "join:tv-display", Value::Null),
        (LB, C2S, "leave:tv-display", Value::Null),
        (LB, C2S, "join:user", json!(123)),
        (LB, C2S, "leave:user", json!("123")),
        (LB, C2S, "join:team", json!(5)),
        (LB, C2S, "leave:team", json!(5)),
        (LB, C2S, "join:contest", json!(10)),
        (LB, C2S, "leave:contest", json!("10")),
        (
            LB,
            C2S,
            "leaderboard:request",
            json!({"metric": "revenue", "range": "month", "teamId": 5, "limit": 25}),
        ),
        (LB, S2C, "rankings:update", ranking.clone()),
        (LB, S2C, "rank:changed", {
            let mut r = ranking.clone();
            r["range"] = json!("year");
            r
        }),
        (
            LB,
            S2C,
            "contest:new-entry",
            json!({
                "contestId": 10, "entryId": "e-1", "userId": 123, "userName": "John Doe",
                "value": 2500, "total": 12500, "rank": 3, "timestamp": T
            }),
        ),
        (
            LB,
            S2C,
            "contest:entry-update",
            json!({
                "contestId": 10, "userId": 123, "userName": "John Doe", "previousRank": 3,
                "newRank": 2, "total": 15000, "timestamp": T
            }),
        ),
        (LB, S2C, "achievement:earned", achievement.clone()),
        (LB, S2C, "achievement:celebration", achievement.clone()),
        (
            LB,
            S2C,
            "leaderboard:refresh",
            json!({"metric": "revenue", "range": "month", "rankings": rows, "generatedAt": T}),
        ),
        (
            LB,
            S2C,
            "tv:update",
            json!({
                "headline": "March Madness: 3 days left", "metric": "deals", "range": "week",
                "rankings": rows, "recentAchievements": [achievement], "generatedAt": T
            }),
        ),
        (
            LB,
            S2C,
            "error",
            json!({"code": "FORBIDDEN", "message": "Unauthorized", "event": "join:user"}),
        ),
        (
            LB,
            S2C,
            "sync:done",
            json!({"lastEventId": 0, "replayed": 0, "snapshot": true}),
        ),
        // ---- seed 002 on /training
        (TR, C2S, "join:user", json!(123)),
        (TR, C2S, "leave:user", json!(123)),
        (TR, C2S, "join:session", json!("abc")),
        (TR, C2S, "leave:session", json!("abc")),
        (TR, C2S, "join:module", json!("mod-1")),
        (TR, C2S, "leave:module", json!("mod-1")),
        (
            TR,
            C2S,
            "roleplay:message",
            json!({
                "sessionId": "abc", "message": "Hello, I need help with objection handling", "clientId": CID
            }),
        ),
        (TR, C2S, "roleplay:stop-typing", json!({"sessionId": "abc"})),
        (
            TR,
            C2S,
            "progress:update",
            json!({"moduleId": "mod-1", "progress": 62.5, "lessonId": "lesson-3", "timeSpentSeconds": 600}),
        ),
        (
            TR,
            S2C,
            "xp:gained",
            json!({
                "userId": 123, "userName": "John Doe", "amount": 50,
                "source": "Quiz: objection-handling-1", "newTotal": 5250, "timestamp": T
            }),
        ),
        (TR, S2C, "level:up", level_up.clone()),
        (TR, S2C, "level:celebration", level_up),
        (
            TR,
            S2C,
            "streak:update",
            json!({
                "userId": 123, "userName": "John Doe", "currentStreak": 7, "longestStreak": 12,
                "lastActivityDate": "2025-01-24", "timestamp": T
            }),
        ),
        (
            TR,
            S2C,
            "streak:milestone",
            json!({"userId": 123, "userName": "John Doe", "milestone": 7, "bonusXp": 100, "timestamp": T}),
        ),
        (
            TR,
            S2C,
            "achievement:unlocked",
            training_achievement.clone(),
        ),
        (TR, S2C, "achievement:showcase", training_achievement),
        (
            TR,
            S2C,
            "roleplay:response",
            json!({
                "sessionId": "abc", "message": "I hear you, but the price is still too high.",
                "metadata": {"score": 72, "feedback": "Acknowledge before you answer."},
                "replyTo": CID, "timestamp": T
            }),
        ),
        (
            TR,
            S2C,
            "roleplay:typing",
            json!({"sessionId": "abc", "isTyping": true}),
        ),
        (
            TR,
            S2C,
            "progress:update",
            json!({
                "userId": 123, "moduleId": "mod-1", "progress": 62.5, "completed": false,
                "lessonId": "lesson-3", "updatedAt": T
            }),
        ),
        (
            TR,
            S2C,
            "quiz:completed",
            json!({
                "userId": 123, "userName": "John Doe", "quizId": "objection-handling-1",
                "moduleId": "mod-1", "score": 90, "passed": true, "xpEarned": 50, "timestamp": T
            }),
        ),
        (TR, S2C, "error", error),
        (
            LB,
            S2C,
            "contest:ended",
            json!({
                "contestId": "contest-1", "name": "Spring sprint", "metric": "revenue",
                "winners": [{"id": "test-agent-id", "name": "John Doe"}],
                "standings": [], "endedAt": T
            }),
        ),
        (TR, S2C, "sync:done", sync),
        (
            TR,
            S2C,
            "training:snapshot",
            json!({
                "userId": "test-agent-id", "userName": "John Doe", "totalXp": 5250, "level": 10,
                "currentStreak": 3, "longestStreak": 7, "lastActivityDate": "2026-01-05",
                "quizzesPassed": 4, "achievements": [], "takenAt": T
            }),
        ),
    ]
}

/// Decodes, re-encodes and decodes again; returns the re-encoded JSON.
fn round_trip(ns: Namespace, dir: Direction, name: &str, data: Value) -> Value {
    macro_rules! trip {
        ($Enum:ident) => {{
            let event = $Enum::decode(name, data.clone())
                .unwrap_or_else(|e| panic!("{ns} {name}: {e}\n{data:#}"));
            assert_eq!(event.name(), name);
            assert_eq!(event.spec().name, name);
            let encoded = event.payload();
            let again = $Enum::decode(name, encoded.clone())
                .unwrap_or_else(|e| panic!("{ns} {name} re-decode: {e}\n{encoded:#}"));
            assert_eq!(again, event, "{ns} {name}");
            encoded
        }};
    }
    match (ns, dir) {
        (Main, C2S) => trip!(MainClientEvent),
        (Main, S2C) => trip!(MainServerEvent),
        (LB, C2S) => trip!(LeaderboardClientEvent),
        (LB, S2C) => trip!(LeaderboardServerEvent),
        (TR, C2S) => trip!(TrainingClientEvent),
        (TR, S2C) => trip!(TrainingServerEvent),
    }
}

#[test]
fn every_catalogue_event_has_an_example() {
    let covered: HashSet<(Namespace, Direction, &str)> = examples()
        .into_iter()
        .map(|(ns, dir, name, _)| (ns, dir, name))
        .collect();
    let missing: Vec<String> = catalogue()
        .filter(|s| !covered.contains(&(s.namespace, s.direction, s.name)))
        .map(|s| format!("{} {:?} {}", s.namespace, s.direction, s.name))
        .collect();
    assert!(
        missing.is_empty(),
        "events without an example: {missing:#?}"
    );
    assert_eq!(
        covered.len(),
        catalogue().count(),
        "examples for events not in the catalogue"
    );
    assert_eq!(
        examples().len(),
        catalogue().count(),
        "an event has two examples"
    );
}

#[test]
fn every_example_round_trips() {
    for (ns, dir, name, data) in examples() {
        let encoded = round_trip(ns, dir, name, data.clone());
        // Every field of the example survives (catches a misspelt optional field, which
        // decoding alone would silently ignore).
        if let (Value::Object(original), Value::Object(encoded)) = (&data, &encoded) {
            for key in original.keys() {
                assert!(
                    encoded.contains_key(key),
                    "{ns} {name}: `{key}` lost in re-encoding"
                );
            }
        }
    }
}

#[test]
fn every_client_example_is_valid() {
    for (ns, dir, name, data) in examples() {
        if dir != C2S {
            continue;
        }
        let result = match ns {
            Main => MainClientEvent::decode_valid(name, data).map(drop),
            LB => LeaderboardClientEvent::decode_valid(name, data).map(drop),
            TR => TrainingClientEvent::decode_valid(name, data).map(drop),
        };
        result.unwrap_or_else(|e| panic!("{ns} {name}: {e}"));
    }
}

#[test]
fn seed_000_quick_note_example() {
    let event = MainClientEvent::decode(
        "quickNote:create",
        json!({"agentId": "test-agent-id", "noteType": "COACHING", "content": "Test note",
               "priority": "HIGH", "clientId": CID}),
    )
    .unwrap();
    let MainClientEvent::QuickNoteCreate(note) = &event else {
        panic!("wrong variant: {event:?}");
    };
    assert_eq!(note.agent_id.as_str(), "test-agent-id");
    assert_eq!(note.category, None);
    assert_eq!(note.client_id.to_string(), CID);
    // Optional fields are left out, never `null`.
    assert!(
        !event
            .payload()
            .as_object()
            .unwrap()
            .contains_key("category")
    );
}

#[test]
fn seed_002_numeric_ids_come_back_as_strings() {
    let (_, _, _, ranking) = examples()
        .into_iter()
        .find(|(ns, dir, name, _)| *ns == LB && *dir == S2C && *name == "rankings:update")
        .unwrap();
    let event = LeaderboardServerEvent::decode("rankings:update", ranking).unwrap();
    let payload = event.payload();
    assert_eq!(payload["userId"], json!("123"));
    assert_eq!(payload["value"], json!(150000.0));
    assert_eq!(payload["timestamp"], json!("2025-01-24T10:00:00Z"));

    let event = LeaderboardClientEvent::decode("join:user", json!(123)).unwrap();
    assert_eq!(event.payload(), json!("123"));
}

#[test]
fn bare_leave_session_decodes() {
    assert_eq!(
        MainClientEvent::decode("leave-session", Value::Null).unwrap(),
        MainClientEvent::LeaveSession(None)
    );
}

#[test]
fn level_up_keeps_seed_spelling_of_total_xp() {
    let event = TrainingServerEvent::decode(
        "level:up",
        json!({"userId": 1, "userName": "A", "previousLevel": 1, "newLevel": 2, "totalXP": 10, "timestamp": T}),
    )
    .unwrap();
    assert_eq!(event.payload()["totalXP"], json!(10));
    assert!(event.payload().get("totalXp").is_none());
}

#[test]
fn durable_events_carry_event_id_inside_the_payload() {
    for (ns, dir, name, data) in examples() {
        if dir != S2C {
            continue;
        }
        let spec = sideline_protocol::find_spec(ns, dir, name).unwrap();
        let id = EventId(7);
        macro_rules! check {
            ($Enum:ident) => {{
                let event = $Enum::decode(name, data.clone()).unwrap();
                assert_eq!(event.is_durable(), spec.durable, "{name}");
                let encoded = event.encode(spec.durable.then_some(id));
                if spec.durable {
                    assert_eq!(encoded["eventId"], json!(7), "{name}");
                    assert!(encoded.is_object());
                } else {
                    assert!(encoded.get("eventId").is_none(), "{name}");
                }
                let (got_id, decoded) = $Enum::decode_durable(name, encoded).unwrap();
                assert_eq!(got_id, spec.durable.then_some(id), "{name}");
                assert_eq!(decoded, event, "{name}");
                // The payload structs never contain the envelope field.
                assert!(decoded.payload().get("eventId").is_none(), "{name}");
            }};
        }
        match ns {
            Main => check!(MainServerEvent),
            LB => check!(LeaderboardServerEvent),
            TR => check!(TrainingServerEvent),
        }
    }
}

#[test]
fn encode_durable_inserts_the_field() {
    let event = TrainingServerEvent::decode(
        "roleplay:typing",
        json!({"sessionId": "abc", "isTyping": true}),
    )
    .unwrap();
    let TrainingServerEvent::RoleplayTyping(payload) = event else {
        panic!()
    };
    let value = encode_durable(EventId(9_007_199_254_740_991), &payload);
    assert_eq!(
        value,
        json!({"sessionId": "abc", "isTyping": true, "eventId": 9_007_199_254_740_991_u64})
    );
}

#[test]
fn malformed_event_id_is_a_field_error() {
    let err = MainServerEvent::decode_durable("quickNote:created", json!({"eventId": "seven"}))
        .unwrap_err();
    assert_eq!(err.field(), Some("eventId"));
    let err =
        MainServerEvent::decode_durable("quickNote:created", json!({"eventId": -1})).unwrap_err();
    assert_eq!(err.field(), Some("eventId"));
}

#[test]
fn same_name_in_both_directions_decodes_to_different_payloads() {
    // `data:update`, `broadcast`, `notification:read` and `progress:update` exist both ways.
    for (ns, name) in [
        (Main, "data:update"),
        (Main, "broadcast"),
        (Main, "notification:read"),
        (TR, "progress:update"),
    ] {
        let client = sideline_protocol::find_spec(ns, C2S, name).unwrap();
        let server = sideline_protocol::find_spec(ns, S2C, name).unwrap();
        assert_ne!(client.payload_ts(), server.payload_ts(), "{name}");
    }
}
