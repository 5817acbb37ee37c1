//! Strategies for every payload of the catalogue and for the events that carry them.
//!
//! Client-to-server payloads respect the rules of `validate.rs` (every generated one passes
//! `validate()`, which the round-trip property checks), with text lengths up to and at the
//! limits; server-to-client payloads are checked by no rule, so their text is anything. What JSON
//! itself cannot carry is left out, and each exclusion says so where it is made.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Union};
use serde_json::Value;
use sideline_protocol::coaching::{
    ActivityStatus, CoachingSessionState, CursorMoved, CursorPosition, CursorUpdate, JoinSession,
    LeaveSession, ParticipantInfo, ParticipantRole, SessionChanges, SessionJoined, SessionMember,
    SessionStatus, SessionUpdate, SessionUpdated, UserActivityChanged, UserJoined, UserLeft,
};
use sideline_protocol::leaderboard::{
    AchievementEvent, AchievementKind, ContestEnded, ContestEntry, ContestEntryUpdate,
    LeaderboardEntry, LeaderboardRefresh, LeaderboardRequest, RankingUpdate, TimeRange, TvUpdate,
};
use sideline_protocol::notes::{
    ActionItem, ActionItemCreate, ActionItemStatus, NoteType, Priority, QuickNote, QuickNoteCreate,
    RecordCreate, RecordsCreate,
};
use sideline_protocol::notifications::{
    Notification, NotificationKind, NotificationRead, NotificationSend, NotificationsCleared,
    NotificationsMarkedRead,
};
use sideline_protocol::projects::{
    AnalysisCancel, AnalysisCancelled, AnalysisComplete, AnalysisError, AnalysisProgress,
    AnalysisStarted, Comment, CommentCreate, CommentResolve, CommentResolved, DetectorResult,
    DetectorStatus, OnlineUser, OpenAnalysis, ProjectRoom, ProjectUpdate, ProjectUserJoined,
    ProjectUserLeft,
};
use sideline_protocol::realtime::{
    AuthRequest, AuthSuccess, BroadcastMessage, BroadcastSend, DataAction, DataUpdate, DataUpdated,
    MainSnapshot, PresenceChanged, PresenceUpdate, RoomRequest, TeamPresence,
};
use sideline_protocol::training::{
    LevelRewards, LevelUpEvent, ModuleProgress, ProgressReport, QuizCompleted, Rarity,
    RoleplayFeedback, RoleplayMessage, RoleplayResponse, RoleplayStopTyping, RoleplayTyping,
    StreakMilestone, StreakUpdate, TrainingAchievement, TrainingNumbers, TrainingSnapshot,
    XpGainEvent,
};
use sideline_protocol::validate::limits;
use sideline_protocol::{
    CalendarDate, ClientEvent, ClientId, Connected, ErrorCode, ErrorPayload, EventId,
    HandshakeAuth, Id, LeaderboardClientEvent, LeaderboardServerEvent, MainClientEvent,
    MainServerEvent, NoPayload, PresenceStatus, Room, ServerEvent, SyncDone, TrainingClientEvent,
    TrainingServerEvent, UserRef,
};
use uuid::Uuid;

use crate::json;

// ---- building blocks

/// An id: 1 to 64 characters of `[A-Za-z0-9_-]`, or seed 002's numeric form.
pub fn id() -> impl Strategy<Value = Id> {
    prop_oneof![
        4 => "[A-Za-z0-9_-]{1,64}".prop_map(|s| Id::new(s).expect("the id charset")),
        1 => any::<u64>().prop_map(Id::from),
    ]
}

/// A client id as a client sends it: any UUID but the nil one, which validation refuses.
pub fn client_id() -> impl Strategy<Value = ClientId> {
    (1..=u128::MAX).prop_map(|n| ClientId::from_uuid(Uuid::from_u128(n)))
}

/// A client id as the hub echoes it: any UUID.
pub fn any_client_id() -> impl Strategy<Value = ClientId> {
    any::<u128>().prop_map(|n| ClientId::from_uuid(Uuid::from_u128(n)))
}

/// An instant with nanoseconds, from 0000-01-01 to 9999-12-31: RFC 3339 (the wire form of every
/// timestamp) writes four-digit years, so no other instant can be sent or received.
pub fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    const FIRST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    (FIRST..=LAST, 0..1_000_000_000u32).prop_map(|(seconds, nanos)| {
        DateTime::from_timestamp(seconds, nanos).expect("in chrono's range")
    })
}

/// A calendar day from 0000-01-01 to 9999-12-31 (`calendar_dates_round_trip` tries every day
/// chrono can hold).
pub fn calendar_date() -> impl Strategy<Value = CalendarDate> {
    let first = NaiveDate::from_ymd_opt(0, 1, 1).expect("a date");
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    (0..=(last - first).num_days())
        .prop_map(move |days| CalendarDate(first + chrono::Duration::days(days)))
}

/// Any finite float. JSON has no NaN or infinity: `serde_json` writes them as `null`, which no
/// float field accepts back (see the report in docs/reliability.md).
pub fn finite() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as float;
    float::POSITIVE | float::NEGATIVE | float::NORMAL | float::SUBNORMAL | float::ZERO
}

/// Text a user may send for a field of at most `max` characters: 1 to `max` characters, not
/// blank. Mostly short text of any characters; sometimes exactly `max` or `max - 1` one- to
/// four-byte characters (the limit counts characters, not bytes).
pub fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => ("\\s{0,2}", "\\S", "(?s).{0,30}").prop_map(move |(lead, core, rest)| {
            format!("{lead}{core}{rest}").chars().take(max).collect()
        }),
        1 => (select(&["x", "é", "€", "🏆"][..]), prop_oneof![Just(max), Just(max - 1)])
            .prop_map(|(unit, length)| unit.repeat(length)),
    ]
}

/// Text of 0 to `max` characters, blank allowed (`discussionNotes`, `actionPlan`).
pub fn any_text_up_to(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "(?s).{0,30}",
        1 => (select(&["x", " ", "🏆"][..]), prop_oneof![Just(max), Just(max - 1)])
            .prop_map(|(unit, length)| unit.repeat(length)),
    ]
}

/// Text of 1 to `max` characters, blank allowed (`token`, `filePath`).
pub fn nonempty_text_up_to(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "(?s).{1,30}",
        1 => (select(&["x", " ", "🏆"][..]), prop_oneof![Just(max), Just(max - 1)])
            .prop_map(|(unit, length)| unit.repeat(length)),
    ]
}

/// A machine name (metric, entity, topic) of 1 to `max` characters.
pub fn token(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9_.:-]{{1,{max}}}")).expect("a regex")
}

/// Server-side text: anything.
pub fn any_string() -> impl Strategy<Value = String> {
    json::any_text()
}

/// Free-form JSON a client may send: well under `JSON_DATA_MAX_BYTES` (at most 16 nodes of at
/// most 24 characters).
pub fn client_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json::any_number().prop_map(Value::Number),
        "(?s).{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("(?s).{0,24}", inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// An optional free-form value. `Some(Value::Null)` is left out: `null` and an absent field
/// both decode to `None`, so the hub can never hold it from the wire (it is written as `null`
/// and read back as `None`).
fn optional_json(json: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop::option::of(json.prop_map(|v| if v.is_null() { Value::Bool(false) } else { v }))
}

/// Up to `max` elements (`max` small: these are not the text limits).
fn list<S: Strategy>(element: S, max: usize) -> impl Strategy<Value = Vec<S::Value>> {
    prop::collection::vec(element, 0..=max)
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::of(s)
}

fn user_ref() -> impl Strategy<Value = UserRef> {
    (id(), any_string()).prop_map(|(id, name)| UserRef { id, name })
}

pub fn room() -> impl Strategy<Value = Room> {
    prop_oneof![
        id().prop_map(Room::User),
        id().prop_map(Room::Team),
        id().prop_map(Room::Contest),
        Just(Room::TvDisplay),
        id().prop_map(Room::Session),
        id().prop_map(Room::Module),
        id().prop_map(Room::Project),
    ]
}

fn event_id() -> impl Strategy<Value = EventId> {
    any::<u64>().prop_map(EventId)
}

macro_rules! one_of_values {
    ($name:ident: $Type:ty = [$($value:expr),+ $(,)?]) => {
        fn $name() -> impl Strategy<Value = $Type> {
            select(vec![$($value),+])
        }
    };
}

one_of_values!(note_type: NoteType = [NoteType::Coaching, NoteType::Positive, NoteType::Urgent]);
one_of_values!(priority: Priority = [Priority::Low, Priority::Medium, Priority::High]);
one_of_values!(action_item_status: ActionItemStatus = [
    ActionItemStatus::Pending, ActionItemStatus::InProgress, ActionItemStatus::Completed,
    ActionItemStatus::Cancelled,
]);
one_of_values!(participant_role: ParticipantRole = [ParticipantRole::Instructor, ParticipantRole::Learner]);
one_of_values!(session_status: SessionStatus = [
    SessionStatus::Scheduled, SessionStatus::InProgress, SessionStatus::Completed,
    SessionStatus::Cancelled,
]);
one_of_values!(notification_kind: NotificationKind = [
    NotificationKind::Info, NotificationKind::Success, NotificationKind::Warning,
    NotificationKind::Error,
]);
one_of_values!(presence_status: PresenceStatus = [
    PresenceStatus::Online, PresenceStatus::Away, PresenceStatus::Offline,
]);
one_of_values!(data_action: DataAction = [DataAction::Create, DataAction::Update, DataAction::Delete]);
one_of_values!(detector_status: DetectorStatus = [
    DetectorStatus::Pending, DetectorStatus::Running, DetectorStatus::Complete,
    DetectorStatus::Failed,
]);
one_of_values!(time_range: TimeRange = [
    TimeRange::Today, TimeRange::Week, TimeRange::Month, TimeRange::Quarter, TimeRange::Year,
]);
one_of_values!(achievement_kind: AchievementKind = [
    AchievementKind::Rank, AchievementKind::Milestone, AchievementKind::Streak,
    AchievementKind::Contest,
]);
one_of_values!(rarity: Rarity = [
    Rarity::Common, Rarity::Uncommon, Rarity::Rare, Rarity::Epic, Rarity::Legendary,
]);

fn error_code() -> impl Strategy<Value = ErrorCode> {
    select(ErrorCode::ALL.to_vec())
}

// ---- connection

pub fn handshake_auth() -> impl Strategy<Value = HandshakeAuth> {
    (any_string(), opt(event_id())).prop_map(|(token, last_event_id)| HandshakeAuth {
        token,
        last_event_id,
    })
}

fn connected() -> impl Strategy<Value = Connected> {
    (any_string(), user_ref(), timestamp(), any::<u32>()).prop_map(
        |(socket_id, user, server_time, protocol_version)| Connected {
            socket_id,
            user,
            server_time,
            protocol_version,
        },
    )
}

fn sync_done() -> impl Strategy<Value = SyncDone> {
    (event_id(), any::<u32>(), any::<bool>()).prop_map(|(last_event_id, replayed, snapshot)| {
        SyncDone {
            last_event_id,
            replayed,
            snapshot,
        }
    })
}

fn error_payload() -> impl Strategy<Value = ErrorPayload> {
    (
        error_code(),
        any_string(),
        opt(any_string()),
        opt(any_string()),
        opt(any_client_id()),
        opt(any::<u64>()),
    )
        .prop_map(|(code, message, event, field, client_id, retry_after_ms)| {
            // Built from `new` so that a field added later defaults instead of breaking this.
            let mut payload = ErrorPayload::new(code, message);
            payload.event = event;
            payload.field = field;
            payload.client_id = client_id;
            payload.retry_after_ms = retry_after_ms;
            payload
        })
}

// ---- notes (seed 000)

fn quick_note_create() -> impl Strategy<Value = QuickNoteCreate> {
    (
        client_id(),
        id(),
        note_type(),
        text(limits::NOTE_CONTENT_MAX),
        priority(),
        opt(text(limits::CATEGORY_MAX)),
    )
        .prop_map(
            |(client_id, agent_id, note_type, content, priority, category)| QuickNoteCreate {
                client_id,
                agent_id,
                note_type,
                content,
                priority,
                category,
            },
        )
}

fn quick_note() -> impl Strategy<Value = QuickNote> {
    (
        (id(), any_client_id(), id(), id(), note_type()),
        (
            any_string(),
            priority(),
            opt(any_string()),
            timestamp(),
            user_ref(),
        ),
    )
        .prop_map(
            |(
                (id, client_id, agent_id, team_leader_id, note_type),
                (content, priority, category, created_at, created_by),
            )| QuickNote {
                id,
                client_id,
                agent_id,
                team_leader_id,
                note_type,
                content,
                priority,
                category,
                created_at,
                created_by,
            },
        )
}

fn action_item_create() -> impl Strategy<Value = ActionItemCreate> {
    (
        client_id(),
        id(),
        text(limits::TITLE_MAX),
        opt(text(limits::DESCRIPTION_MAX)),
        calendar_date(),
        priority(),
        text(limits::CATEGORY_MAX),
    )
        .prop_map(
            |(client_id, agent_id, title, description, due_date, priority, category)| {
                ActionItemCreate {
                    client_id,
                    agent_id,
                    title,
                    description,
                    due_date,
                    priority,
                    category,
                }
            },
        )
}

fn action_item() -> impl Strategy<Value = ActionItem> {
    (
        (
            id(),
            any_client_id(),
            id(),
            id(),
            any_string(),
            opt(any_string()),
        ),
        (
            calendar_date(),
            priority(),
            any_string(),
            action_item_status(),
            timestamp(),
            user_ref(),
        ),
    )
        .prop_map(
            |(
                (id, client_id, agent_id, team_leader_id, title, description),
                (due_date, priority, category, status, created_at, created_by),
            )| ActionItem {
                id,
                client_id,
                agent_id,
                team_leader_id,
                title,
                description,
                due_date,
                priority,
                category,
                status,
                created_at,
                created_by,
            },
        )
}

fn records_create() -> impl Strategy<Value = RecordsCreate> {
    let record = prop_oneof![
        quick_note_create().prop_map(RecordCreate::QuickNote),
        action_item_create().prop_map(RecordCreate::ActionItem),
    ]
    .boxed();
    prop_oneof![
        9 => prop::collection::vec(record.clone(), 1..=4),
        1 => prop::collection::vec(record, limits::RECORDS_BATCH_MAX),
    ]
    .prop_map(|records| RecordsCreate { records })
}

// ---- coaching (seeds 000 + 003)

fn cursor_position(max: u32) -> impl Strategy<Value = CursorPosition> {
    (0..=max, 0..=max).prop_map(|(line, column)| CursorPosition { line, column })
}

/// A participant as a client describes itself (`valid`) or as the hub reports one.
fn participant(valid: bool) -> impl Strategy<Value = ParticipantInfo> {
    let (name, cursor_max) = if valid {
        (text(limits::NAME_MAX).boxed(), limits::CURSOR_MAX)
    } else {
        (any_string().boxed(), u32::MAX)
    };
    (
        id(),
        name,
        participant_role(),
        any::<bool>(),
        opt(cursor_position(cursor_max)),
        opt(timestamp()),
    )
        .prop_map(
            |(id, name, role, is_active, cursor, joined_at)| ParticipantInfo {
                id,
                name,
                role,
                is_active,
                cursor,
                joined_at,
            },
        )
}

fn join_session() -> impl Strategy<Value = JoinSession> {
    (id(), opt(participant(true))).prop_map(|(session_id, user_info)| JoinSession {
        session_id,
        user_info,
    })
}

fn leave_session() -> impl Strategy<Value = Option<LeaveSession>> {
    opt(id().prop_map(|session_id| LeaveSession { session_id }))
}

/// Session changes as a client sends them (`valid`: within the limits, at least one field) or
/// as the hub reports them.
fn session_changes(valid: bool) -> impl Strategy<Value = SessionChanges> {
    let (notes, topics, score, plan) = if valid {
        (
            any_text_up_to(limits::DISCUSSION_NOTES_MAX).boxed(),
            prop::collection::vec(text(limits::TOPIC_MAX), 0..=limits::TOPICS_MAX_COUNT).boxed(),
            (limits::ENGAGEMENT_SCORE_MIN..=limits::ENGAGEMENT_SCORE_MAX).boxed(),
            any_text_up_to(limits::DESCRIPTION_MAX).boxed(),
        )
    } else {
        (
            any_string().boxed(),
            list(any_string(), 4).boxed(),
            any::<u8>().boxed(),
            any_string().boxed(),
        )
    };
    (
        opt(notes),
        opt(topics),
        opt(score),
        opt(session_status()),
        opt(plan),
        opt(timestamp()),
    )
        .prop_map(
            move |(
                discussion_notes,
                topics_covered,
                engagement_score,
                status,
                action_plan,
                next_session_at,
            )| {
                let mut changes = SessionChanges {
                    discussion_notes,
                    topics_covered,
                    engagement_score,
                    status,
                    action_plan,
                    next_session_at,
                };
                if valid && changes.is_empty() {
                    changes.engagement_score = Some(limits::ENGAGEMENT_SCORE_MIN);
                }
                changes
            },
        )
}

fn session_update() -> impl Strategy<Value = SessionUpdate> {
    (id(), session_changes(true)).prop_map(|(session_id, updates)| SessionUpdate {
        session_id,
        updates,
    })
}

fn session_updated() -> impl Strategy<Value = SessionUpdated> {
    (id(), session_changes(false), opt(user_ref()), timestamp()).prop_map(
        |(session_id, updates, updated_by, updated_at)| SessionUpdated {
            session_id,
            updates,
            updated_by,
            updated_at,
        },
    )
}

fn cursor_update() -> impl Strategy<Value = CursorUpdate> {
    (0..=limits::CURSOR_MAX, 0..=limits::CURSOR_MAX, opt(id())).prop_map(
        |(line, column, session_id)| CursorUpdate {
            line,
            column,
            session_id,
        },
    )
}

fn activity_status() -> impl Strategy<Value = ActivityStatus> {
    (any::<bool>(), opt(id())).prop_map(|(is_active, session_id)| ActivityStatus {
        is_active,
        session_id,
    })
}

fn session_joined() -> impl Strategy<Value = SessionJoined> {
    (id(), list(participant(false), 3)).prop_map(|(session_id, participants)| SessionJoined {
        session_id,
        participants,
    })
}

fn user_joined() -> impl Strategy<Value = UserJoined> {
    (participant(false), list(participant(false), 3), opt(id())).prop_map(
        |(user, participants, session_id)| UserJoined {
            user,
            participants,
            session_id,
        },
    )
}

fn user_left() -> impl Strategy<Value = UserLeft> {
    (
        id(),
        participant(false),
        list(participant(false), 3),
        opt(id()),
    )
        .prop_map(|(user_id, user, participants, session_id)| UserLeft {
            user_id,
            user,
            participants,
            session_id,
        })
}

fn cursor_moved() -> impl Strategy<Value = CursorMoved> {
    (id(), cursor_position(u32::MAX), opt(id())).prop_map(|(user_id, cursor, session_id)| {
        CursorMoved {
            user_id,
            cursor,
            session_id,
        }
    })
}

fn user_activity_changed() -> impl Strategy<Value = UserActivityChanged> {
    (id(), any::<bool>(), opt(id())).prop_map(|(user_id, is_active, session_id)| {
        UserActivityChanged {
            user_id,
            is_active,
            session_id,
        }
    })
}

fn coaching_session_state() -> impl Strategy<Value = CoachingSessionState> {
    (
        id(),
        list(
            (user_ref(), participant_role()).prop_map(|(user, role)| SessionMember { user, role }),
            3,
        ),
        list(participant(false), 3),
        session_changes(false),
        timestamp(),
    )
        .prop_map(
            |(session_id, members, participants, fields, last_activity_at)| CoachingSessionState {
                session_id,
                members,
                participants,
                fields,
                last_activity_at,
            },
        )
}

// ---- notifications (seeds 000 + 004)

fn notification_send() -> impl Strategy<Value = NotificationSend> {
    (
        client_id(),
        id(),
        notification_kind(),
        text(limits::MESSAGE_MAX),
        opt(text(limits::TITLE_MAX)),
        optional_json(client_json()),
    )
        .prop_map(
            |(client_id, user_id, kind, message, title, data)| NotificationSend {
                client_id,
                user_id,
                kind,
                message,
                title,
                data,
            },
        )
}

fn notification() -> impl Strategy<Value = Notification> {
    (
        (
            id(),
            id(),
            notification_kind(),
            opt(any_string()),
            any_string(),
        ),
        (
            optional_json(json::any_json()),
            any::<bool>(),
            opt(user_ref()),
            opt(any_client_id()),
            timestamp(),
        ),
    )
        .prop_map(
            |((id, user_id, kind, title, message), (data, read, from, client_id, created_at))| {
                Notification {
                    id,
                    user_id,
                    kind,
                    title,
                    message,
                    data,
                    read,
                    from,
                    client_id,
                    created_at,
                }
            },
        )
}

fn notifications_marked_read() -> impl Strategy<Value = NotificationsMarkedRead> {
    (id(), opt(id()), timestamp()).prop_map(|(user_id, notification_id, read_at)| {
        NotificationsMarkedRead {
            user_id,
            notification_id,
            read_at,
        }
    })
}

fn notifications_cleared() -> impl Strategy<Value = NotificationsCleared> {
    (id(), timestamp()).prop_map(|(user_id, cleared_at)| NotificationsCleared {
        user_id,
        cleared_at,
    })
}

// ---- realtime (seed 001)

fn auth_request() -> impl Strategy<Value = AuthRequest> {
    nonempty_text_up_to(limits::TOKEN_MAX).prop_map(|token| AuthRequest { token })
}

fn auth_success() -> impl Strategy<Value = AuthSuccess> {
    (user_ref(), opt(timestamp())).prop_map(|(user, expires_at)| AuthSuccess { user, expires_at })
}

fn room_request() -> impl Strategy<Value = RoomRequest> {
    room().prop_map(|room| RoomRequest { room })
}

fn presence_update() -> impl Strategy<Value = PresenceUpdate> {
    (presence_status(), opt(room())).prop_map(|(status, room)| PresenceUpdate { status, room })
}

fn presence_changed() -> impl Strategy<Value = PresenceChanged> {
    (
        id(),
        any_string(),
        presence_status(),
        opt(room()),
        timestamp(),
        opt(any::<u32>()),
    )
        .prop_map(
            |(user_id, user_name, status, room, changed_at, online_count)| PresenceChanged {
                user_id,
                user_name,
                status,
                room,
                changed_at,
                online_count,
            },
        )
}

/// A `data:update` as a client sends it: a create carries a `clientId`, an update or delete an
/// `id` (the other one is optional).
fn data_update() -> impl Strategy<Value = DataUpdate> {
    (
        token(limits::ENTITY_MAX),
        data_action(),
        opt(room()),
        (id(), any::<bool>()),
        (client_id(), any::<bool>()),
        client_json(),
    )
        .prop_map(
            |(entity, action, room, (id, keep_id), (client_id, keep_client_id), data)| {
                let creates = action == DataAction::Create;
                DataUpdate {
                    entity,
                    action,
                    room,
                    id: (!creates || keep_id).then_some(id),
                    client_id: (creates || keep_client_id).then_some(client_id),
                    data,
                }
            },
        )
}

fn data_updated() -> impl Strategy<Value = DataUpdated> {
    (
        (any_string(), data_action(), opt(room()), id()),
        (
            opt(any_client_id()),
            json::any_json(),
            user_ref(),
            timestamp(),
        ),
    )
        .prop_map(
            |((entity, action, room, id), (client_id, data, updated_by, updated_at))| DataUpdated {
                entity,
                action,
                room,
                id,
                client_id,
                data,
                updated_by,
                updated_at,
            },
        )
}

fn broadcast_send() -> impl Strategy<Value = BroadcastSend> {
    (
        client_id(),
        room(),
        token(limits::ENTITY_MAX),
        client_json(),
    )
        .prop_map(|(client_id, room, topic, data)| BroadcastSend {
            client_id,
            room,
            topic,
            data,
        })
}

fn broadcast_message() -> impl Strategy<Value = BroadcastMessage> {
    (
        room(),
        any_string(),
        json::any_json(),
        opt(user_ref()),
        opt(any_client_id()),
        timestamp(),
    )
        .prop_map(
            |(room, topic, data, from, client_id, sent_at)| BroadcastMessage {
                room,
                topic,
                data,
                from,
                client_id,
                sent_at,
            },
        )
}

fn main_snapshot() -> impl Strategy<Value = MainSnapshot> {
    (
        (id(), list(quick_note(), 2), list(action_item(), 2)),
        (list(notification(), 2), list(open_analysis(), 2)),
        (
            list(
                (id(), any_string(), presence_status()).prop_map(|(user_id, user_name, status)| {
                    TeamPresence {
                        user_id,
                        user_name,
                        status,
                    }
                }),
                3,
            ),
            list(coaching_session_state(), 2),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (user_id, quick_notes, action_items),
                (notifications, open_analyses),
                (presence, coaching_sessions, taken_at),
            )| MainSnapshot {
                user_id,
                quick_notes,
                action_items,
                notifications,
                open_analyses,
                presence,
                coaching_sessions,
                taken_at,
            },
        )
}

// ---- projects (seed 004)

fn project_room() -> impl Strategy<Value = ProjectRoom> {
    id().prop_map(|project_id| ProjectRoom { project_id })
}

fn online_user() -> impl Strategy<Value = OnlineUser> {
    (id(), any_string(), presence_status()).prop_map(|(id, name, status)| OnlineUser {
        id,
        name,
        status,
    })
}

fn project_user_joined() -> impl Strategy<Value = ProjectUserJoined> {
    (id(), user_ref(), list(online_user(), 3), timestamp()).prop_map(
        |(project_id, user, online_users, joined_at)| ProjectUserJoined {
            project_id,
            user,
            online_users,
            joined_at,
        },
    )
}

fn project_user_left() -> impl Strategy<Value = ProjectUserLeft> {
    (id(), user_ref(), list(online_user(), 3), timestamp()).prop_map(
        |(project_id, user, online_users, left_at)| ProjectUserLeft {
            project_id,
            user,
            online_users,
            left_at,
        },
    )
}

fn project_update() -> impl Strategy<Value = ProjectUpdate> {
    (id(), json::any_json(), opt(user_ref()), timestamp()).prop_map(
        |(project_id, changes, updated_by, updated_at)| ProjectUpdate {
            project_id,
            changes,
            updated_by,
            updated_at,
        },
    )
}

fn analysis_started() -> impl Strategy<Value = AnalysisStarted> {
    (
        id(),
        id(),
        list(any_string(), 3),
        opt(user_ref()),
        timestamp(),
    )
        .prop_map(
            |(analysis_id, project_id, detectors, started_by, started_at)| AnalysisStarted {
                analysis_id,
                project_id,
                detectors,
                started_by,
                started_at,
            },
        )
}

fn analysis_progress() -> impl Strategy<Value = AnalysisProgress> {
    (
        (id(), id(), any_string(), detector_status()),
        (
            finite(),
            finite(),
            any::<u32>(),
            opt(any::<u32>()),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (analysis_id, project_id, detector, detector_status),
                (detector_progress, progress, issues_found, estimated_time_remaining, timestamp),
            )| AnalysisProgress {
                analysis_id,
                project_id,
                detector,
                detector_status,
                detector_progress,
                progress,
                issues_found,
                estimated_time_remaining,
                timestamp,
            },
        )
}

fn detector_result() -> impl Strategy<Value = DetectorResult> {
    (any_string(), detector_status(), any::<u32>(), any::<u32>()).prop_map(
        |(detector, status, issues_found, duration_ms)| DetectorResult {
            detector,
            status,
            issues_found,
            duration_ms,
        },
    )
}

fn analysis_complete() -> impl Strategy<Value = AnalysisComplete> {
    (
        id(),
        id(),
        any::<u32>(),
        list(detector_result(), 3),
        any::<u32>(),
        timestamp(),
    )
        .prop_map(
            |(analysis_id, project_id, issues_found, detectors, duration_ms, completed_at)| {
                AnalysisComplete {
                    analysis_id,
                    project_id,
                    issues_found,
                    detectors,
                    duration_ms,
                    completed_at,
                }
            },
        )
}

fn analysis_error() -> impl Strategy<Value = AnalysisError> {
    (id(), id(), any_string(), opt(any_string()), timestamp()).prop_map(
        |(analysis_id, project_id, message, detector, failed_at)| AnalysisError {
            analysis_id,
            project_id,
            message,
            detector,
            failed_at,
        },
    )
}

fn analysis_cancelled() -> impl Strategy<Value = AnalysisCancelled> {
    (id(), id(), opt(user_ref()), timestamp()).prop_map(
        |(analysis_id, project_id, cancelled_by, cancelled_at)| AnalysisCancelled {
            analysis_id,
            project_id,
            cancelled_by,
            cancelled_at,
        },
    )
}

fn open_analysis() -> impl Strategy<Value = OpenAnalysis> {
    (
        id(),
        id(),
        list(any_string(), 3),
        any::<bool>(),
        timestamp(),
    )
        .prop_map(
            |(analysis_id, project_id, detectors, cancel_requested, started_at)| OpenAnalysis {
                analysis_id,
                project_id,
                detectors,
                cancel_requested,
                started_at,
            },
        )
}

/// A comment as a client sends it: a `line` only with a `filePath`.
fn comment_create() -> impl Strategy<Value = CommentCreate> {
    (
        client_id(),
        id(),
        text(limits::COMMENT_MAX),
        opt((
            nonempty_text_up_to(limits::FILE_PATH_MAX),
            opt(1..=limits::CURSOR_MAX),
        )),
        opt(id()),
    )
        .prop_map(|(client_id, project_id, content, place, parent_id)| {
            let (file_path, line) = match place {
                Some((path, line)) => (Some(path), line),
                None => (None, None),
            };
            CommentCreate {
                client_id,
                project_id,
                content,
                file_path,
                line,
                parent_id,
            }
        })
}

fn comment() -> impl Strategy<Value = Comment> {
    (
        (id(), any_client_id(), id(), any_string(), opt(any_string())),
        (
            opt(any::<u32>()),
            opt(id()),
            user_ref(),
            any::<bool>(),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (id, client_id, project_id, content, file_path),
                (line, parent_id, author, resolved, created_at),
            )| Comment {
                id,
                client_id,
                project_id,
                content,
                file_path,
                line,
                parent_id,
                author,
                resolved,
                created_at,
            },
        )
}

fn comment_resolved() -> impl Strategy<Value = CommentResolved> {
    (id(), id(), user_ref(), timestamp()).prop_map(
        |(comment_id, project_id, resolved_by, resolved_at)| CommentResolved {
            comment_id,
            project_id,
            resolved_by,
            resolved_at,
        },
    )
}

// ---- leaderboard (seed 002)

fn ranking_update() -> impl Strategy<Value = RankingUpdate> {
    (
        (id(), any_string(), any::<u32>(), any::<u32>()),
        (any_string(), finite(), opt(time_range()), timestamp()),
    )
        .prop_map(
            |((user_id, user_name, previous_rank, new_rank), (metric, value, range, timestamp))| {
                RankingUpdate {
                    user_id,
                    user_name,
                    previous_rank,
                    new_rank,
                    metric,
                    value,
                    range,
                    timestamp,
                }
            },
        )
}

fn contest_entry() -> impl Strategy<Value = ContestEntry> {
    (
        (id(), id(), id(), any_string(), finite()),
        (
            finite(),
            any::<u32>(),
            opt(any_string()),
            opt(timestamp()),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (contest_id, entry_id, user_id, user_name, value),
                (total, rank, contest_name, ends_at, timestamp),
            )| ContestEntry {
                contest_id,
                entry_id,
                user_id,
                user_name,
                value,
                total,
                rank,
                contest_name,
                ends_at,
                timestamp,
            },
        )
}

fn contest_entry_update() -> impl Strategy<Value = ContestEntryUpdate> {
    (
        (id(), id(), any_string(), any::<u32>(), any::<u32>()),
        (finite(), opt(any_string()), opt(timestamp()), timestamp()),
    )
        .prop_map(
            |(
                (contest_id, user_id, user_name, previous_rank, new_rank),
                (total, contest_name, ends_at, timestamp),
            )| ContestEntryUpdate {
                contest_id,
                user_id,
                user_name,
                previous_rank,
                new_rank,
                total,
                contest_name,
                ends_at,
                timestamp,
            },
        )
}

fn achievement_event() -> impl Strategy<Value = AchievementEvent> {
    (
        (id(), any_string(), achievement_kind(), any_string()),
        (
            any_string(),
            opt(any_string()),
            opt(time_range()),
            timestamp(),
        ),
    )
        .prop_map(
            |(
                (user_id, user_name, achievement_type, title),
                (description, icon, range, timestamp),
            )| AchievementEvent {
                user_id,
                user_name,
                achievement_type,
                title,
                description,
                icon,
                range,
                timestamp,
            },
        )
}

fn leaderboard_entry() -> impl Strategy<Value = LeaderboardEntry> {
    (
        any::<u32>(),
        id(),
        any_string(),
        finite(),
        opt(any::<u32>()),
        opt(id()),
    )
        .prop_map(
            |(rank, user_id, user_name, value, previous_rank, team_id)| LeaderboardEntry {
                rank,
                user_id,
                user_name,
                value,
                previous_rank,
                team_id,
            },
        )
}

fn leaderboard_refresh() -> impl Strategy<Value = LeaderboardRefresh> {
    (
        any_string(),
        time_range(),
        list(leaderboard_entry(), 3),
        opt(id()),
        opt(id()),
        timestamp(),
    )
        .prop_map(
            |(metric, range, rankings, team_id, contest_id, generated_at)| LeaderboardRefresh {
                metric,
                range,
                rankings,
                team_id,
                contest_id,
                generated_at,
            },
        )
}

fn tv_update() -> impl Strategy<Value = TvUpdate> {
    (
        opt(any_string()),
        any_string(),
        time_range(),
        list(leaderboard_entry(), 3),
        list(achievement_event(), 2),
        timestamp(),
    )
        .prop_map(
            |(headline, metric, range, rankings, recent_achievements, generated_at)| TvUpdate {
                headline,
                metric,
                range,
                rankings,
                recent_achievements,
                generated_at,
            },
        )
}

fn leaderboard_request() -> impl Strategy<Value = LeaderboardRequest> {
    (
        token(limits::METRIC_MAX),
        time_range(),
        opt(id()),
        opt(id()),
        opt(1..=limits::LEADERBOARD_LIMIT_MAX),
    )
        .prop_map(
            |(metric, range, team_id, contest_id, limit)| LeaderboardRequest {
                metric,
                range,
                team_id,
                contest_id,
                limit,
            },
        )
}

fn contest_ended() -> impl Strategy<Value = ContestEnded> {
    (
        id(),
        any_string(),
        any_string(),
        list(user_ref(), 3),
        list(leaderboard_entry(), 3),
        timestamp(),
    )
        .prop_map(
            |(contest_id, name, metric, winners, standings, ended_at)| ContestEnded {
                contest_id,
                name,
                metric,
                winners,
                standings,
                ended_at,
            },
        )
}

// ---- training (seed 002)

fn xp_gain() -> impl Strategy<Value = XpGainEvent> {
    (
        id(),
        any_string(),
        any::<u32>(),
        any_string(),
        any::<u32>(),
        timestamp(),
    )
        .prop_map(
            |(user_id, user_name, amount, source, new_total, timestamp)| XpGainEvent {
                user_id,
                user_name,
                amount,
                source,
                new_total,
                timestamp,
            },
        )
}

fn level_up() -> impl Strategy<Value = LevelUpEvent> {
    let rewards = (opt(list(any_string(), 3)), opt(list(any_string(), 3)))
        .prop_map(|(badges, unlocks)| LevelRewards { badges, unlocks });
    (
        id(),
        any_string(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        opt(rewards),
        timestamp(),
    )
        .prop_map(
            |(user_id, user_name, previous_level, new_level, total_xp, rewards, timestamp)| {
                LevelUpEvent {
                    user_id,
                    user_name,
                    previous_level,
                    new_level,
                    total_xp,
                    rewards,
                    timestamp,
                }
            },
        )
}

fn streak_update() -> impl Strategy<Value = StreakUpdate> {
    (
        id(),
        any_string(),
        any::<u32>(),
        any::<u32>(),
        calendar_date(),
        timestamp(),
    )
        .prop_map(
            |(
                user_id,
                user_name,
                current_streak,
                longest_streak,
                last_activity_date,
                timestamp,
            )| {
                StreakUpdate {
                    user_id,
                    user_name,
                    current_streak,
                    longest_streak,
                    last_activity_date,
                    timestamp,
                }
            },
        )
}

fn streak_milestone() -> impl Strategy<Value = StreakMilestone> {
    (
        id(),
        any_string(),
        any::<u32>(),
        opt(any::<u32>()),
        timestamp(),
    )
        .prop_map(
            |(user_id, user_name, milestone, bonus_xp, timestamp)| StreakMilestone {
                user_id,
                user_name,
                milestone,
                bonus_xp,
                timestamp,
            },
        )
}

fn training_achievement() -> impl Strategy<Value = TrainingAchievement> {
    (
        (id(), any_string(), id(), any_string(), any_string()),
        (opt(any_string()), rarity(), opt(any::<u32>()), timestamp()),
    )
        .prop_map(
            |(
                (user_id, user_name, achievement_id, title, description),
                (icon, rarity, xp_reward, timestamp),
            )| TrainingAchievement {
                user_id,
                user_name,
                achievement_id,
                title,
                description,
                icon,
                rarity,
                xp_reward,
                timestamp,
            },
        )
}

fn roleplay_message() -> impl Strategy<Value = RoleplayMessage> {
    (client_id(), id(), text(limits::MESSAGE_MAX)).prop_map(|(client_id, session_id, message)| {
        RoleplayMessage {
            client_id,
            session_id,
            message,
        }
    })
}

fn roleplay_response() -> impl Strategy<Value = RoleplayResponse> {
    let feedback = (opt(finite()), opt(any_string()))
        .prop_map(|(score, feedback)| RoleplayFeedback { score, feedback });
    (
        id(),
        any_string(),
        opt(feedback),
        opt(any_client_id()),
        timestamp(),
    )
        .prop_map(
            |(session_id, message, metadata, reply_to, timestamp)| RoleplayResponse {
                session_id,
                message,
                metadata,
                reply_to,
                timestamp,
            },
        )
}

fn roleplay_typing() -> impl Strategy<Value = RoleplayTyping> {
    (id(), any::<bool>()).prop_map(|(session_id, is_typing)| RoleplayTyping {
        session_id,
        is_typing,
    })
}

fn progress_report() -> impl Strategy<Value = ProgressReport> {
    (
        id(),
        limits::PERCENT_MIN..=limits::PERCENT_MAX,
        opt(id()),
        opt(0..=limits::TIME_SPENT_MAX_SECONDS),
    )
        .prop_map(
            |(module_id, progress, lesson_id, time_spent_seconds)| ProgressReport {
                module_id,
                progress,
                lesson_id,
                time_spent_seconds,
            },
        )
}

fn module_progress() -> impl Strategy<Value = ModuleProgress> {
    (id(), id(), finite(), any::<bool>(), opt(id()), timestamp()).prop_map(
        |(user_id, module_id, progress, completed, lesson_id, updated_at)| ModuleProgress {
            user_id,
            module_id,
            progress,
            completed,
            lesson_id,
            updated_at,
        },
    )
}

fn quiz_completed() -> impl Strategy<Value = QuizCompleted> {
    (
        (id(), any_string(), id(), opt(id())),
        (finite(), any::<bool>(), any::<u32>(), timestamp()),
    )
        .prop_map(
            |((user_id, user_name, quiz_id, module_id), (score, passed, xp_earned, timestamp))| {
                QuizCompleted {
                    user_id,
                    user_name,
                    quiz_id,
                    module_id,
                    score,
                    passed,
                    xp_earned,
                    timestamp,
                }
            },
        )
}

fn training_numbers() -> impl Strategy<Value = TrainingNumbers> {
    (
        id(),
        any_string(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        opt(calendar_date()),
    )
        .prop_map(
            |(
                user_id,
                user_name,
                total_xp,
                level,
                current_streak,
                longest_streak,
                last_activity_date,
            )| TrainingNumbers {
                user_id,
                user_name,
                total_xp,
                level,
                current_streak,
                longest_streak,
                last_activity_date,
            },
        )
}

fn training_snapshot() -> impl Strategy<Value = TrainingSnapshot> {
    (
        training_numbers(),
        any::<u32>(),
        list(training_achievement(), 2),
        list(training_numbers(), 3),
        timestamp(),
    )
        .prop_map(
            |(numbers, quizzes_passed, achievements, team, taken_at)| TrainingSnapshot {
                numbers,
                quizzes_passed,
                achievements,
                team,
                taken_at,
            },
        )
}

// ---- the six event sets

/// One strategy per event of `/` client-to-server, valid by the catalogue's rules.
pub fn main_client_events() -> Vec<BoxedStrategy<MainClientEvent>> {
    use MainClientEvent as E;
    vec![
        quick_note_create().prop_map(E::QuickNoteCreate).boxed(),
        action_item_create().prop_map(E::ActionItemCreate).boxed(),
        records_create().prop_map(E::RecordsCreate).boxed(),
        join_session().prop_map(E::JoinSession).boxed(),
        leave_session().prop_map(E::LeaveSession).boxed(),
        session_update().prop_map(E::SessionUpdate).boxed(),
        notification_send().prop_map(E::NotificationSend).boxed(),
        cursor_update().prop_map(E::CursorUpdate).boxed(),
        activity_status().prop_map(E::ActivityStatus).boxed(),
        auth_request().prop_map(E::AuthRequest).boxed(),
        room_request().prop_map(E::RoomJoin).boxed(),
        room_request().prop_map(E::RoomLeave).boxed(),
        presence_update().prop_map(E::PresenceUpdate).boxed(),
        data_update().prop_map(E::DataUpdate).boxed(),
        broadcast_send().prop_map(E::Broadcast).boxed(),
        project_room().prop_map(E::ProjectJoin).boxed(),
        project_room().prop_map(E::ProjectLeave).boxed(),
        id().prop_map(|analysis_id| E::AnalysisCancel(AnalysisCancel { analysis_id }))
            .boxed(),
        id().prop_map(|notification_id| E::NotificationRead(NotificationRead { notification_id }))
            .boxed(),
        Just(E::NotificationReadAll(NoPayload)).boxed(),
        Just(E::NotificationClear(NoPayload)).boxed(),
        comment_create().prop_map(E::CommentCreate).boxed(),
        id().prop_map(|comment_id| E::CommentResolve(CommentResolve { comment_id }))
            .boxed(),
    ]
}

/// One strategy per event of `/` server-to-client.
pub fn main_server_events() -> Vec<BoxedStrategy<MainServerEvent>> {
    use MainServerEvent as E;
    vec![
        connected().prop_map(E::Connected).boxed(),
        sync_done().prop_map(E::SyncDone).boxed(),
        error_payload().prop_map(E::Error).boxed(),
        quick_note().prop_map(E::QuickNoteCreated).boxed(),
        action_item().prop_map(E::ActionItemCreated).boxed(),
        session_updated().prop_map(E::SessionUpdated).boxed(),
        notification().prop_map(E::Notification).boxed(),
        notifications_marked_read()
            .prop_map(E::NotificationRead)
            .boxed(),
        notifications_cleared()
            .prop_map(E::NotificationCleared)
            .boxed(),
        main_snapshot().prop_map(E::SyncSnapshot).boxed(),
        session_joined().prop_map(E::SessionJoined).boxed(),
        user_joined().prop_map(E::UserJoined).boxed(),
        user_left().prop_map(E::UserLeft).boxed(),
        cursor_moved().prop_map(E::CursorMoved).boxed(),
        user_activity_changed()
            .prop_map(E::UserActivityChanged)
            .boxed(),
        auth_success().prop_map(E::AuthSuccess).boxed(),
        error_payload().prop_map(E::AuthError).boxed(),
        data_updated().prop_map(E::DataUpdate).boxed(),
        broadcast_message().prop_map(E::Broadcast).boxed(),
        presence_changed().prop_map(E::PresenceChanged).boxed(),
        project_update().prop_map(E::ProjectUpdate).boxed(),
        project_user_joined().prop_map(E::ProjectUserJoined).boxed(),
        project_user_left().prop_map(E::ProjectUserLeft).boxed(),
        analysis_started().prop_map(E::AnalysisStarted).boxed(),
        analysis_progress().prop_map(E::AnalysisProgress).boxed(),
        analysis_complete().prop_map(E::AnalysisComplete).boxed(),
        analysis_error().prop_map(E::AnalysisError).boxed(),
        analysis_cancelled().prop_map(E::AnalysisCancelled).boxed(),
        comment().prop_map(E::CommentCreated).boxed(),
        comment_resolved().prop_map(E::CommentResolved).boxed(),
    ]
}

/// One strategy per event of `/leaderboard` client-to-server.
pub fn leaderboard_client_events() -> Vec<BoxedStrategy<LeaderboardClientEvent>> {
    use LeaderboardClientEvent as E;
    vec![
        Just(E::JoinTvDisplay(NoPayload)).boxed(),
        Just(E::LeaveTvDisplay(NoPayload)).boxed(),
        id().prop_map(E::JoinUser).boxed(),
        id().prop_map(E::LeaveUser).boxed(),
        id().prop_map(E::JoinTeam).boxed(),
        id().prop_map(E::LeaveTeam).boxed(),
        id().prop_map(E::JoinContest).boxed(),
        id().prop_map(E::LeaveContest).boxed(),
        leaderboard_request()
            .prop_map(E::LeaderboardRequest)
            .boxed(),
    ]
}

/// One strategy per event of `/leaderboard` server-to-client.
pub fn leaderboard_server_events() -> Vec<BoxedStrategy<LeaderboardServerEvent>> {
    use LeaderboardServerEvent as E;
    vec![
        sync_done().prop_map(E::SyncDone).boxed(),
        error_payload().prop_map(E::Error).boxed(),
        ranking_update().prop_map(E::RankingsUpdate).boxed(),
        ranking_update().prop_map(E::RankChanged).boxed(),
        contest_entry().prop_map(E::ContestNewEntry).boxed(),
        contest_entry_update()
            .prop_map(E::ContestEntryUpdate)
            .boxed(),
        achievement_event().prop_map(E::AchievementEarned).boxed(),
        achievement_event()
            .prop_map(E::AchievementCelebration)
            .boxed(),
        leaderboard_refresh()
            .prop_map(E::LeaderboardRefresh)
            .boxed(),
        contest_ended().prop_map(E::ContestEnded).boxed(),
        tv_update().prop_map(E::TvUpdate).boxed(),
    ]
}

/// One strategy per event of `/training` client-to-server.
pub fn training_client_events() -> Vec<BoxedStrategy<TrainingClientEvent>> {
    use TrainingClientEvent as E;
    vec![
        id().prop_map(E::JoinUser).boxed(),
        id().prop_map(E::LeaveUser).boxed(),
        id().prop_map(E::JoinSession).boxed(),
        id().prop_map(E::LeaveSession).boxed(),
        id().prop_map(E::JoinModule).boxed(),
        id().prop_map(E::LeaveModule).boxed(),
        roleplay_message().prop_map(E::RoleplayMessage).boxed(),
        id().prop_map(|session_id| E::RoleplayStopTyping(RoleplayStopTyping { session_id }))
            .boxed(),
        progress_report().prop_map(E::ProgressUpdate).boxed(),
    ]
}

/// One strategy per event of `/training` server-to-client.
pub fn training_server_events() -> Vec<BoxedStrategy<TrainingServerEvent>> {
    use TrainingServerEvent as E;
    vec![
        sync_done().prop_map(E::SyncDone).boxed(),
        error_payload().prop_map(E::Error).boxed(),
        training_snapshot().prop_map(E::TrainingSnapshot).boxed(),
        xp_gain().prop_map(E::XpGained).boxed(),
        level_up().prop_map(E::LevelUp).boxed(),
        level_up().prop_map(E::LevelCelebration).boxed(),
        streak_update().prop_map(E::StreakUpdate).boxed(),
        streak_milestone().prop_map(E::StreakMilestone).boxed(),
        training_achievement()
            .prop_map(E::AchievementUnlocked)
            .boxed(),
        training_achievement()
            .prop_map(E::AchievementShowcase)
            .boxed(),
        roleplay_response().prop_map(E::RoleplayResponse).boxed(),
        roleplay_typing().prop_map(E::RoleplayTyping).boxed(),
        module_progress().prop_map(E::ProgressUpdate).boxed(),
        quiz_completed().prop_map(E::QuizCompleted).boxed(),
    ]
}

/// Every client-to-server event of every namespace, each event equally likely.
pub fn client_event() -> impl Strategy<Value = ClientEvent> {
    let mut arms: Vec<BoxedStrategy<ClientEvent>> = Vec::new();
    arms.extend(
        main_client_events()
            .into_iter()
            .map(|s| s.prop_map(ClientEvent::Main).boxed()),
    );
    arms.extend(
        leaderboard_client_events()
            .into_iter()
            .map(|s| s.prop_map(ClientEvent::Leaderboard).boxed()),
    );
    arms.extend(
        training_client_events()
            .into_iter()
            .map(|s| s.prop_map(ClientEvent::Training).boxed()),
    );
    Union::new(arms)
}

/// Every server-to-client event of every namespace, each event equally likely.
pub fn server_event() -> impl Strategy<Value = ServerEvent> {
    let mut arms: Vec<BoxedStrategy<ServerEvent>> = Vec::new();
    arms.extend(
        main_server_events()
            .into_iter()
            .map(|s| s.prop_map(ServerEvent::Main).boxed()),
    );
    arms.extend(
        leaderboard_server_events()
            .into_iter()
            .map(|s| s.prop_map(ServerEvent::Leaderboard).boxed()),
    );
    arms.extend(
        training_server_events()
            .into_iter()
            .map(|s| s.prop_map(ServerEvent::Training).boxed()),
    );
    Union::new(arms)
}
