//! Property tests of every decoder of the protocol: the client and server events of every
//! namespace (`ClientEvent::decode_valid`, `ServerEvent::decode_durable`), the durable envelope
//! (`encode_durable`, `eventId`), event ids (the replay cursor), the handshake's auth object, and
//! the string decoders inside payloads (ids, client ids, rooms, dates, refused-connect messages).
//!
//! Two properties for each:
//! - no input panics: arbitrary JSON (`json.rs`), valid events damaged by a few mutations, and
//!   arbitrary event names; an error always names the event, and the field and `clientId` where
//!   it should;
//! - what decodes round-trips: a generated valid event (`payloads.rs`), and anything that
//!   decoded, encodes to JSON that decodes to the same event; that JSON also decodes after
//!   crossing the wire as text.
//!
//! Exact equality after the text crossing fails for some floats (serde_json parses them 1 ULP
//! off without its `float_roundtrip` feature): that property is `#[ignore]`d, naming the bug, as
//! are the other properties that found a bug in a file this test may not change. See
//! docs/reliability.md.
//!
//! Cases per property: `PROPTEST_CASES` (proptest's default config reads it), 256 when unset, a
//! few seconds for the whole file; `cargo xtask fuzz` runs millions in release mode.

mod json;
mod payloads;

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{FileFailurePersistence, TestRunner};
use serde_json::{Value, json};
use sideline_protocol::{
    CalendarDate, ClientEvent, ClientId, ConnectRefusal, DecodeError, Direction, ErrorCode,
    EventId, HandshakeAuth, Id, MainServerEvent, Namespace, Room, ServerEvent, catalogue,
    encode_durable, error_payload, find_spec,
};

/// proptest's default configuration (which reads `PROPTEST_CASES`), with the seeds of past
/// failures kept beside this file rather than in a `main.txt` one directory up.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/decoder_properties/proptest-regressions.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// `value` written as JSON text and parsed back, as it crosses the wire.
fn through_text(value: &Value) -> Value {
    let text = serde_json::to_string(value).expect("a Value always serialises");
    serde_json::from_str(&text).expect("serde_json reads what it writes (up to 127 levels)")
}

fn namespace() -> impl Strategy<Value = Namespace> {
    select(Namespace::ALL.to_vec())
}

/// An event name: one of the catalogue's (of any namespace and direction, so a server event's
/// name sent as a client event is tried too), a near miss of one, or anything.
fn event_name() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = catalogue().map(|spec| spec.name).collect();
    prop_oneof![
        6 => select(names.clone()).prop_map(str::to_owned),
        1 => (select(names), 0..4u8).prop_map(|(name, miss)| match miss {
            0 => name.to_uppercase(),
            1 => format!("{name} "),
            2 => name[..name.len() - 1].to_owned(),
            _ => format!("/{name}"),
        }),
        1 => json::any_text(),
    ]
}

/// The `clientId` a refusal must name: the payload's, when it has a well-formed one.
fn raw_client_id(data: &Value) -> Option<ClientId> {
    data.get("clientId")?.as_str()?.parse().ok()
}

/// Checks what the hub does with an incoming event: either a valid event of that name, which
/// survives re-encoding, or an error naming the event (and, unless the name is unknown, the
/// payload's `clientId`) that makes a valid `error` payload.
fn check_client_decode(namespace: Namespace, name: &str, data: Value) -> Result<(), TestCaseError> {
    let client_id = raw_client_id(&data);
    match ClientEvent::decode_valid(namespace, name, data) {
        Ok(event) => {
            prop_assert_eq!(event.namespace(), namespace);
            prop_assert_eq!(event.name(), name);
            check_client_round_trip(&event)?;
        }
        Err(err) => {
            prop_assert_eq!(err.event(), name);
            let known = find_spec(namespace, Direction::ClientToServer, name).is_some();
            let unknown = matches!(err, DecodeError::UnknownEvent { .. });
            prop_assert_eq!(unknown, !known, "{}", err);
            if !unknown {
                prop_assert_eq!(err.client_id(), client_id);
            }
            check_error_payload(&err, name)?;
        }
    }
    Ok(())
}

/// `decode_valid(encode(event)) == event`, and the encoding still decodes (to an event of the
/// same name) after crossing the wire as text.
fn check_client_round_trip(event: &ClientEvent) -> Result<(), TestCaseError> {
    let (namespace, name, payload) = (event.namespace(), event.name(), event.payload());
    let across = ClientEvent::decode_valid(namespace, name, through_text(&payload));
    prop_assert_eq!(across.map(|e| e.name()), Ok(name));
    let again = ClientEvent::decode_valid(namespace, name, payload);
    prop_assert_eq!(again.as_ref(), Ok(event));
    Ok(())
}

/// `decode_durable(encode(event, id)) == (id, event)`, and the encoding still decodes (to an
/// event of the same name, with the same id) after crossing the wire as text.
fn check_server_round_trip(
    event: &ServerEvent,
    event_id: Option<EventId>,
) -> Result<(), TestCaseError> {
    let (namespace, name, encoded) = (event.namespace(), event.name(), event.encode(event_id));
    let across = ServerEvent::decode_durable(namespace, name, through_text(&encoded));
    prop_assert_eq!(across.map(|(id, e)| (id, e.name())), Ok((event_id, name)));
    let again = ServerEvent::decode_durable(namespace, name, encoded);
    prop_assert_eq!(again, Ok((event_id, event.clone())));
    Ok(())
}

/// The `error` payload answering `err` names the event and the code, and is itself a valid
/// `error` event.
fn check_error_payload(err: &DecodeError, name: &str) -> Result<(), TestCaseError> {
    let payload = error_payload(err);
    prop_assert_eq!(payload.code, err.code());
    prop_assert_eq!(payload.event.as_deref(), Some(name));
    prop_assert_eq!(payload.field.as_deref(), err.field());
    let event = MainServerEvent::Error(payload);
    let again = MainServerEvent::decode("error", through_text(&event.payload()));
    prop_assert_eq!(again, Ok(event));
    Ok(())
}

/// Checks what the client engine does with an incoming event: either an event of that name
/// with the payload's `eventId`, which survives re-encoding, or an error naming the event.
fn check_server_decode(namespace: Namespace, name: &str, data: Value) -> Result<(), TestCaseError> {
    let raw_event_id = data.get("eventId").cloned();
    match ServerEvent::decode_durable(namespace, name, data) {
        Ok((event_id, event)) => {
            prop_assert_eq!(event.namespace(), namespace);
            prop_assert_eq!(event.name(), name);
            prop_assert_eq!(event_id, raw_event_id.and_then(|v| v.as_u64()).map(EventId));
            check_server_round_trip(&event, event_id)?;
        }
        Err(err) => {
            prop_assert_eq!(err.event(), name);
            let known = find_spec(namespace, Direction::ServerToClient, name).is_some();
            let bad_event_id = err.field() == Some("eventId");
            match err {
                DecodeError::UnknownEvent { .. } => prop_assert!(!known),
                _ => prop_assert!(known || bad_event_id, "{}", err),
            }
            check_error_payload(&err, name)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn client_events_decode_any_json_without_panicking(
        namespace in namespace(),
        name in event_name(),
        data in json::any_json(),
    ) {
        check_client_decode(namespace, &name, data)?;
    }

    #[test]
    fn server_events_decode_any_json_without_panicking(
        namespace in namespace(),
        name in event_name(),
        data in json::any_json(),
        event_id in prop::option::of(json::any_leaf()),
    ) {
        let mut data = data;
        if let (Some(id), Some(map)) = (event_id, data.as_object_mut()) {
            map.insert("eventId".to_owned(), id);
        }
        check_server_decode(namespace, &name, data)?;
    }

    #[test]
    fn damaged_client_events_decode_without_panicking(
        event in payloads::client_event(),
        mutations in json::mutations(),
    ) {
        let mut data = event.payload();
        json::apply(&mut data, &mutations);
        check_client_decode(event.namespace(), event.name(), data)?;
    }

    #[test]
    fn damaged_server_events_decode_without_panicking(
        event in payloads::server_event(),
        event_id in any::<u64>(),
        mutations in json::mutations(),
    ) {
        let mut data = event.encode(Some(EventId(event_id)));
        json::apply(&mut data, &mutations);
        check_server_decode(event.namespace(), event.name(), data)?;
    }

    #[test]
    fn every_client_event_round_trips(event in payloads::client_event()) {
        check_client_round_trip(&event)?;
    }

    #[test]
    fn every_server_event_round_trips(
        event in payloads::server_event(),
        event_id in prop::option::of(any::<u64>().prop_map(EventId)),
    ) {
        check_server_round_trip(&event, event_id)?;
    }

    #[test]
    fn the_durable_envelope_carries_exactly_a_u64_event_id(
        event in payloads::server_event(),
        event_id in any::<u64>(),
        raw_event_id in json::any_leaf(),
    ) {
        let encoded = event.encode(Some(EventId(event_id)));
        prop_assert_eq!(&encoded, &encode_durable(EventId(event_id), &event.encode(None)));
        prop_assert_eq!(&encoded["eventId"], &json!(event_id));

        let mut tampered = encoded;
        tampered["eventId"] = raw_event_id.clone();
        let decoded = ServerEvent::decode_durable(event.namespace(), event.name(), tampered);
        match raw_event_id.as_u64() {
            Some(id) => prop_assert_eq!(decoded, Ok((Some(EventId(id)), event))),
            None => prop_assert_eq!(
                decoded.map(drop).map_err(|e| e.field().map(str::to_owned)),
                Err(Some("eventId".to_owned()))
            ),
        }
    }

    #[test]
    fn event_ids_are_exactly_the_non_negative_integers(raw in json::any_json(), id in any::<u64>()) {
        prop_assert_eq!(serde_json::from_value::<EventId>(raw.clone()).ok(), raw.as_u64().map(EventId));
        let text = serde_json::to_string(&EventId(id)).expect("serialises");
        prop_assert_eq!(&text, &id.to_string());
        prop_assert_eq!(serde_json::from_str::<EventId>(&text).ok(), Some(EventId(id)));
        let next = EventId(id).next();
        prop_assert_eq!(next, (id < EventId::MAX_SAFE).then(|| EventId(id + 1)));
    }

    #[test]
    fn handshake_auth_decodes_any_json_without_panicking(raw in json::any_json()) {
        if let Ok(auth) = serde_json::from_value::<HandshakeAuth>(raw.clone()) {
            // An object's `token`, or (serde's positional form of a struct, which every payload
            // also accepts) an array's first element.
            let token = raw.get("token").or_else(|| raw.get(0));
            prop_assert_eq!(Some(auth.token.as_str()), token.and_then(Value::as_str));
            let again = serde_json::from_value::<HandshakeAuth>(through_text(
                &serde_json::to_value(&auth).expect("serialises"),
            ));
            prop_assert_eq!(again.ok(), Some(auth));
        }
    }

    #[test]
    fn handshake_auth_round_trips(auth in payloads::handshake_auth()) {
        let value = serde_json::to_value(&auth).expect("serialises");
        let again = serde_json::from_value::<HandshakeAuth>(through_text(&value));
        prop_assert_eq!(again.ok(), Some(auth));
    }

    #[test]
    fn string_decoders_take_any_string_and_keep_what_they_take(text in json::any_text()) {
        if let Ok(id) = Id::new(text.clone()) {
            prop_assert_eq!(id.as_str(), text.as_str());
        }
        if let Ok(room) = Room::parse(&text) {
            prop_assert_eq!(room.to_string(), text.clone());
        }
        if let Ok(client_id) = text.parse::<ClientId>() {
            prop_assert_eq!(client_id.to_string().parse::<ClientId>().ok(), Some(client_id));
        }
        if let Some(date) = CalendarDate::parse(&text) {
            prop_assert_eq!(CalendarDate::parse(&date.to_string()), Some(date));
        }
        if let Some(refusal) = ConnectRefusal::parse(&text) {
            prop_assert_eq!(ConnectRefusal::parse(&refusal.to_message()), Some(refusal));
        }
    }

    #[test]
    fn rooms_round_trip(room in payloads::room()) {
        prop_assert_eq!(Room::parse(&room.to_string()), Ok(room));
    }
}

/// Every day chrono can hold, not only the four-digit years that events carry.
fn any_day() -> impl Strategy<Value = CalendarDate> {
    (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce()).prop_map(|days| {
        CalendarDate(NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn calendar_dates_round_trip(date in any_day()) {
        let value = serde_json::to_value(date).expect("serialises");
        prop_assert_eq!(serde_json::from_value::<CalendarDate>(value).ok(), Some(date));
    }

    #[test]
    #[ignore = "bug in connection.rs: ConnectRefusal::parse(to_message()) loses a message ending in \" \
                (trimmed as a JSON wrapper's quote) and takes a code written inside the message \
                (TOKEN_EXPIRED + \"UNAUTHORIZED: no\" reads back as UNAUTHORIZED + \"no\")"]
    fn connect_refusals_round_trip_through_their_message(
        code in select(ErrorCode::ALL.to_vec()),
        message in json::any_text(),
    ) {
        let refusal = ConnectRefusal::new(code, message);
        prop_assert_eq!(ConnectRefusal::parse(&refusal.to_message()), Some(refusal));
    }

    #[test]
    fn events_round_trip_exactly_through_json_text(
        client in payloads::client_event(),
        server in payloads::server_event(),
        event_id in prop::option::of(any::<u64>().prop_map(EventId)),
    ) {
        let decoded = ClientEvent::decode_valid(
            client.namespace(),
            client.name(),
            through_text(&client.payload()),
        );
        prop_assert_eq!(decoded, Ok(client));
        let decoded = ServerEvent::decode_durable(
            server.namespace(),
            server.name(),
            through_text(&server.encode(event_id)),
        );
        prop_assert_eq!(decoded, Ok((event_id, server)));
    }
}

/// `1` inside `depth` arrays.
fn nested_arrays(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

/// Whether serde_json (what socketioxide and rust_socketio parse frames with) reads `frame`
/// once written as text: it refuses more than 127 levels.
fn readable(frame: &Value) -> bool {
    serde_json::from_str::<Value>(&frame.to_string()).is_ok()
}

#[test]
fn free_form_data_that_arrives_fits_every_frame_it_is_sent_back_in() {
    let send = |data: &Value| {
        json!({
            "clientId": "0190b4a2-7c3e-7d21-9f3a-2b8c4d5e6f70", "userId": "agent01",
            "type": "info", "message": "hi", "data": data
        })
    };
    // The deepest `data` that a Socket.IO frame `["notification:send", payload]` can carry.
    let deepest = (0..=200)
        .rev()
        .find(|&depth| readable(&json!(["notification:send", send(&nested_arrays(depth))])))
        .expect("some depth is readable");
    // That deep, validation refuses it, naming the field; the deepest it takes is the limit.
    let refused = sideline_protocol::MainClientEvent::decode_valid(
        "notification:send",
        send(&nested_arrays(deepest)),
    );
    assert!(
        refused.as_ref().is_err_and(|e| e.field() == Some("data")),
        "data nested {deepest} deep: {refused:?}"
    );
    let deepest = sideline_protocol::validate::limits::JSON_DATA_MAX_DEPTH;
    let data = nested_arrays(deepest);
    let received =
        sideline_protocol::MainClientEvent::decode_valid("notification:send", send(&data));
    assert!(
        received.is_ok(),
        "validation takes data nested {deepest} deep"
    );

    let at = "2025-01-24T10:00:00Z";
    let notification = json!({
        "id": "n-1", "userId": "agent01", "type": "info", "message": "hi", "data": data,
        "read": false, "createdAt": at
    });
    let snapshot = json!({
        "userId": "agent01", "quickNotes": [], "actionItems": [], "notifications": [notification],
        "openAnalyses": [], "presence": [], "takenAt": at
    });
    assert!(MainServerEvent::decode("sync:snapshot", snapshot.clone()).is_ok());
    assert!(
        readable(&json!(["notification", notification])),
        "the live `notification`"
    );
    assert!(
        readable(&json!(["sync:snapshot", snapshot])),
        "a `sync:snapshot` holding data nested {deepest} deep cannot be read"
    );
}

/// The (namespace, direction, name) of each strategy of `payloads`, from one sample of each.
fn generated_events() -> BTreeSet<(Namespace, Direction, &'static str)> {
    let mut runner = TestRunner::deterministic();
    let mut names = BTreeSet::new();
    macro_rules! sample {
        ($arms:expr, $namespace:expr, $direction:expr) => {
            for arm in $arms {
                let event = arm.new_tree(&mut runner).expect("a sample").current();
                assert!(
                    names.insert(($namespace, $direction, event.name())),
                    "two strategies for {}",
                    event.name()
                );
            }
        };
    }
    use Direction::{ClientToServer, ServerToClient};
    sample!(
        payloads::main_client_events(),
        Namespace::Main,
        ClientToServer
    );
    sample!(
        payloads::main_server_events(),
        Namespace::Main,
        ServerToClient
    );
    sample!(
        payloads::leaderboard_client_events(),
        Namespace::Leaderboard,
        ClientToServer
    );
    sample!(
        payloads::leaderboard_server_events(),
        Namespace::Leaderboard,
        ServerToClient
    );
    sample!(
        payloads::training_client_events(),
        Namespace::Training,
        ClientToServer
    );
    sample!(
        payloads::training_server_events(),
        Namespace::Training,
        ServerToClient
    );
    names
}

#[test]
fn every_catalogue_event_has_a_strategy() {
    let catalogued: BTreeSet<_> = catalogue()
        .map(|spec| (spec.namespace, spec.direction, spec.name))
        .collect();
    let generated = generated_events();
    let missing: Vec<_> = catalogued.difference(&generated).collect();
    assert!(
        missing.is_empty(),
        "events without a strategy in tests/decoder_properties/payloads.rs: {missing:?}"
    );
    assert_eq!(generated, catalogued);
}
