//! Invalid payloads are refused with the offending field named; tolerable variations are
//! accepted.

use serde_json::{Value, json};
use sideline_protocol::notes::QuickNoteCreate;
use sideline_protocol::validate::limits;
use sideline_protocol::{
    ClientEvent, DecodeError, ErrorCode, LeaderboardClientEvent, LeaderboardServerEvent,
    MainClientEvent, Namespace, TrainingClientEvent, Validate, error_payload,
};

const CID: &str = "0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70";

fn note() -> Value {
    json!({"agentId": "test-agent-id", "noteType": "COACHING", "content": "Test note",
           "priority": "HIGH", "clientId": CID})
}

fn with(mut value: Value, key: &str, new: Value) -> Value {
    value[key] = new;
    value
}

fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().unwrap().remove(key);
    value
}

/// Asserts a shape error (`INVALID_PAYLOAD`) on `field`; returns its message.
fn shape_error(result: Result<impl std::fmt::Debug, DecodeError>, field: &str) -> String {
    match result {
        Err(DecodeError::Payload {
            field: got,
            message,
            ..
        }) => {
            assert_eq!(got, field, "message: {message}");
            message
        }
        other => panic!("expected a payload error on `{field}`, got {other:?}"),
    }
}

/// Asserts a rule error (`VALIDATION_FAILED`) on `field`; returns the rule.
fn rule_error(result: Result<impl std::fmt::Debug, DecodeError>, field: &str) -> String {
    match result {
        Err(DecodeError::Invalid { error, .. }) => {
            assert_eq!(error.field, field, "rule: {}", error.rule);
            error.rule
        }
        other => panic!("expected a validation error on `{field}`, got {other:?}"),
    }
}

fn main_event(name: &str, data: Value) -> Result<MainClientEvent, DecodeError> {
    MainClientEvent::decode_valid(name, data)
}

#[test]
fn missing_required_field() {
    let message = shape_error(
        main_event("quickNote:create", without(note(), "content")),
        "content",
    );
    assert_eq!(message, "is required");
    shape_error(
        main_event("quickNote:create", without(note(), "clientId")),
        "clientId",
    );
    // Nested: the path includes the parent.
    shape_error(
        main_event(
            "join-session",
            json!({"sessionId": "s1", "userInfo": {"id": "u1", "role": "learner"}}),
        ),
        "userInfo.name",
    );
}

#[test]
fn wrong_enum_spelling() {
    let message = shape_error(
        main_event(
            "quickNote:create",
            with(note(), "noteType", json!("coaching")),
        ),
        "noteType",
    );
    assert!(message.contains("unknown variant `coaching`"), "{message}");
    assert!(message.contains("`COACHING`"), "{message}");
    shape_error(
        main_event(
            "quickNote:create",
            with(note(), "priority", json!("Urgent")),
        ),
        "priority",
    );
    shape_error(
        main_event("presence:update", json!({"status": "Online"})),
        "status",
    );
    shape_error(
        LeaderboardClientEvent::decode_valid(
            "leaderboard:request",
            json!({"metric": "revenue", "range": "weekly"}),
        ),
        "range",
    );
}

#[test]
fn too_long_or_blank_text() {
    let long = "x".repeat(limits::NOTE_CONTENT_MAX + 1);
    let rule = rule_error(
        main_event("quickNote:create", with(note(), "content", json!(long))),
        "content",
    );
    assert_eq!(rule, "must be 1 to 5000 characters");
    let exact = "é".repeat(limits::NOTE_CONTENT_MAX);
    assert!(main_event("quickNote:create", with(note(), "content", json!(exact))).is_ok());
    let rule = rule_error(
        main_event("quickNote:create", with(note(), "content", json!("   "))),
        "content",
    );
    assert_eq!(rule, "must not be blank");
    rule_error(
        main_event("quickNote:create", with(note(), "content", json!(""))),
        "content",
    );
    rule_error(
        main_event(
            "quickNote:create",
            with(note(), "category", json!("c".repeat(65))),
        ),
        "category",
    );
    rule_error(
        TrainingClientEvent::decode_valid(
            "roleplay:message",
            json!({"sessionId": "abc", "message": "\n", "clientId": CID}),
        ),
        "message",
    );
}

#[test]
fn bad_id_charset() {
    let message = shape_error(
        main_event(
            "quickNote:create",
            with(note(), "agentId", json!("agent 1")),
        ),
        "agentId",
    );
    assert!(message.contains("A-Z, a-z, 0-9"), "{message}");
    shape_error(
        main_event("project:join", json!({"projectId": "../../etc"})),
        "projectId",
    );
    shape_error(
        main_event("project:join", json!({"projectId": -4})),
        "projectId",
    );
    // Bare-id payloads: the whole payload is the id.
    shape_error(
        LeaderboardClientEvent::decode_valid("join:user", json!("a/b")),
        "",
    );
    shape_error(
        LeaderboardClientEvent::decode_valid("join:team", Value::Null),
        "",
    );
}

#[test]
fn out_of_range_numbers() {
    let update = |score: Value| {
        main_event(
            "session:update",
            json!({"sessionId": "s1", "updates": {"engagementScore": score}}),
        )
    };
    assert!(update(json!(10)).is_ok());
    assert!(update(json!(0)).is_ok());
    let rule = rule_error(update(json!(11)), "updates.engagementScore");
    assert_eq!(rule, "must be between 0 and 10");
    // Beyond the integer type: a shape error on the same path.
    shape_error(update(json!(300)), "updates.engagementScore");
    shape_error(update(json!(-1)), "updates.engagementScore");

    let progress = |p: Value| {
        TrainingClientEvent::decode_valid(
            "progress:update",
            json!({"moduleId": "mod-1", "progress": p}),
        )
    };
    assert!(progress(json!(100)).is_ok());
    rule_error(progress(json!(100.01)), "progress");
    rule_error(progress(json!(-5)), "progress");

    rule_error(
        main_event("cursor-update", json!({"line": 1_000_001, "column": 0})),
        "line",
    );
    rule_error(
        LeaderboardClientEvent::decode_valid(
            "leaderboard:request",
            json!({"metric": "revenue", "range": "week", "limit": 0}),
        ),
        "limit",
    );
}

#[test]
fn nested_rule_paths() {
    rule_error(
        main_event(
            "session:update",
            json!({"sessionId": "s1", "updates": {"topicsCovered": ["pacing", " "]}}),
        ),
        "updates.topicsCovered[1]",
    );
    rule_error(
        main_event("session:update", json!({"sessionId": "s1", "updates": {}})),
        "updates",
    );
    rule_error(
        main_event(
            "join-session",
            json!({"sessionId": "s1", "userInfo": {"id": "u1", "name": "A", "role": "learner",
                   "cursor": {"line": 2_000_000, "column": 1}}}),
        ),
        "userInfo.cursor.line",
    );
    // Paths through arrays in server payloads too.
    let err = LeaderboardServerEvent::decode(
        "leaderboard:refresh",
        json!({"metric": "revenue", "range": "month", "generatedAt": "2025-01-24T10:00:00Z",
               "rankings": [{"rank": "first", "userId": 1, "userName": "A", "value": 1}]}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("rankings[0].rank"));
}

#[test]
fn nil_client_id() {
    let nil = "00000000-0000-0000-0000-000000000000";
    let rule = rule_error(
        main_event("quickNote:create", with(note(), "clientId", json!(nil))),
        "clientId",
    );
    assert_eq!(rule, "must not be the nil UUID");
    rule_error(
        main_event(
            "comment:create",
            json!({"clientId": nil, "projectId": "p", "content": "hi"}),
        ),
        "clientId",
    );
    shape_error(
        main_event("quickNote:create", with(note(), "clientId", json!("123"))),
        "clientId",
    );
    // Any UUID version is accepted (v4 here).
    assert!(
        main_event(
            "quickNote:create",
            with(
                note(),
                "clientId",
                json!("9b2f3c1e-4d5a-4b6c-8d7e-1f2a3b4c5d6e")
            )
        )
        .is_ok()
    );
}

#[test]
fn unknown_event_name() {
    let err = main_event("quickNote:created", note()).unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnknownEvent {
            namespace: Namespace::Main,
            event: "quickNote:created".into()
        }
    );
    let payload = error_payload(&err);
    assert_eq!(payload.code, ErrorCode::UnknownEvent);
    assert_eq!(payload.event.as_deref(), Some("quickNote:created"));
    // `/training` has no `join:team`.
    assert!(matches!(
        ClientEvent::decode_valid(Namespace::Training, "join:team", json!(5)),
        Err(DecodeError::UnknownEvent {
            namespace: Namespace::Training,
            ..
        })
    ));
}

#[test]
fn extra_unknown_fields_are_accepted() {
    let mut data = note();
    data["futureField"] = json!({"anything": [1, 2]});
    data["eventId"] = json!(3);
    let event = main_event("quickNote:create", data).unwrap();
    assert!(event.payload().get("futureField").is_none());
    assert!(
        main_event(
            "session:update",
            json!({"sessionId": "s1", "updates": {"engagementScore": 3, "mood": "good"}})
        )
        .is_ok()
    );
    assert!(LeaderboardClientEvent::decode_valid("join:tv-display", json!({"x": 1})).is_ok());
}

#[test]
fn due_date_accepts_date_and_datetime() {
    let item = |due: &str| {
        json!({"clientId": CID, "agentId": "a1", "title": "Call back", "dueDate": due,
               "priority": "LOW", "category": "follow-up"})
    };
    let from_date = main_event("actionItem:create", item("2025-02-01")).unwrap();
    let from_datetime = main_event("actionItem:create", item("2025-02-01T00:00:00.000Z")).unwrap();
    assert_eq!(from_date, from_datetime);
    assert_eq!(from_datetime.payload()["dueDate"], json!("2025-02-01"));
    shape_error(
        main_event("actionItem:create", item("01/02/2025")),
        "dueDate",
    );
    shape_error(
        main_event("actionItem:create", item("2025-02-30")),
        "dueDate",
    );
}

#[test]
fn data_update_cross_field_rules() {
    let rule = rule_error(
        main_event(
            "data:update",
            json!({"entity": "tasks", "action": "create", "data": {}}),
        ),
        "clientId",
    );
    assert_eq!(rule, "is required when action is create");
    rule_error(
        main_event(
            "data:update",
            json!({"entity": "tasks", "action": "delete", "data": null}),
        ),
        "id",
    );
    rule_error(
        main_event(
            "data:update",
            json!({"entity": "my tasks", "action": "update", "id": "t1", "data": {}}),
        ),
        "entity",
    );
    let big = "x".repeat(limits::JSON_DATA_MAX_BYTES);
    rule_error(
        main_event(
            "data:update",
            json!({"entity": "tasks", "action": "update", "id": "t1", "data": {"blob": big}}),
        ),
        "data",
    );
}

#[test]
fn rooms_are_checked() {
    shape_error(main_event("room:join", json!({"room": "room-123"})), "room");
    shape_error(main_event("room:join", json!({"room": "user:"})), "room");
    assert!(main_event("room:join", json!({"room": "tv-display"})).is_ok());
}

#[test]
fn error_payload_names_event_field_and_client_id() {
    let err = main_event("quickNote:create", with(note(), "content", json!(" "))).unwrap_err();
    let payload = error_payload(&err);
    assert_eq!(payload.code, ErrorCode::ValidationFailed);
    assert_eq!(payload.event.as_deref(), Some("quickNote:create"));
    assert_eq!(payload.field.as_deref(), Some("content"));
    assert_eq!(payload.message, "content: must not be blank");
    assert_eq!(
        payload.client_id.map(|c| c.to_string()).as_deref(),
        Some(CID)
    );

    let err = main_event(
        "quickNote:create",
        with(note(), "noteType", json!("coaching")),
    )
    .unwrap_err();
    let payload = error_payload(&err);
    assert_eq!(payload.code, ErrorCode::InvalidPayload);
    assert_eq!(payload.field.as_deref(), Some("noteType"));
    assert!(payload.client_id.is_some());
    let json = serde_json::to_value(&payload).unwrap();
    assert_eq!(json["code"], json!("INVALID_PAYLOAD"));
    assert_eq!(json["event"], json!("quickNote:create"));
}

#[test]
fn validate_trait_reports_first_broken_rule() {
    let note: QuickNoteCreate = serde_json::from_value(with(note(), "content", json!(""))).unwrap();
    let err = note.validate().unwrap_err();
    assert_eq!(err.to_string(), "content: must be 1 to 5000 characters");
}
