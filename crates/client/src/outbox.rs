//! The offline outbox: [`prepare_note`] / [`prepare_action_item`] validate a capture with the
//! protocol and turn it into a durable record (the engine stores it with a FULL commit
//! before capture returns, no network needed), and the [`Drainer`] decides what to send while
//! `/` is live and what the hub's answers mean.
//!
//! Exactly once: a record is sent with its `clientId` until the hub answers. The hub stores
//! it at most once per (author, clientId) and echoes `quickNote:created` / `actionItem:created`
//! with that `clientId` — also for a repeat — which confirms it. After a reconnect everything
//! unconfirmed is sent again; the hub's idempotency makes that harmless. An `error` carrying
//! the `clientId` with a permanent code rejects the record for good (kept, with the hub's
//! reason, for the user to see); transient codes retry with backoff.
//!
//! Order: records are sent in capture order on one socket; the hub handles one socket's events
//! in arrival order, so it stores them in capture order. (A record retried after a transient
//! failure can land after later ones; that is the only exception.)
//!
//! Two ways of sending, chosen per connection:
//! - **Batches**, to a hub whose `connected` announces `protocolVersion` 2 or later:
//!   `records:create` of up to `RECORDS_BATCH_MAX` records (and [`DrainConfig::batch_max_bytes`]).
//!   The next batch goes once the hub has *taken* the one before — an answer to any of its
//!   records shows that it passed the rate limit, which admits or refuses a batch whole — so at
//!   most one batch is ever waiting for admission, and at most two are in flight (one stored
//!   while the next travels). A backlog of thousands drains in seconds within the hub's default
//!   rate limit (a batch costs a token per 25 records), and a `RATE_LIMITED` refusal, which
//!   names no record, can only be that one batch: it is sent again after the hub's
//!   `retryAfterMs`, and nothing after it was sent, so nothing overtakes it.
//! - **One event per record** (`quickNote:create`, `actionItem:create`), pipelined up to
//!   [`DrainConfig::window`], to any other server (an older hub, a server of the seeds).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;
use sideline_protocol::notes::{ActionItemCreate, NoteType, Priority, QuickNoteCreate};
use sideline_protocol::{CalendarDate, ClientId, ErrorCode, ErrorPayload, Id, Namespace, Validate};
use tokio::time::Instant;

use crate::error::Result;
use crate::store::{NewOutboxRecord, OutboxKind, OutboxRecord, Store, StoreWrite};
use crate::supervisor::backoff_delay;

/// A quick note as the user writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteInput {
    /// The agent it is about.
    pub agent_id: Id,
    /// Kind.
    pub note_type: NoteType,
    /// Priority.
    pub priority: Priority,
    /// Optional category.
    #[serde(default)]
    #[ts(optional)]
    pub category: Option<String>,
    /// The text.
    pub content: String,
}

/// An action item as the user writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemInput {
    /// The agent who should do it.
    pub agent_id: Id,
    /// Title.
    pub title: String,
    /// Details.
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    /// Due day.
    pub due_date: CalendarDate,
    /// Priority.
    pub priority: Priority,
    /// Category.
    pub category: String,
}

/// Validates a note and builds its outbox record with a fresh v7 `clientId`.
pub fn prepare_note(input: NoteInput, now: DateTime<Utc>) -> Result<NewOutboxRecord> {
    let create = QuickNoteCreate {
        client_id: ClientId::new_v7(),
        agent_id: input.agent_id,
        note_type: input.note_type,
        content: input.content,
        priority: input.priority,
        category: input.category,
    };
    create.validate()?;
    Ok(NewOutboxRecord {
        client_id: create.client_id,
        kind: OutboxKind::QuickNote,
        namespace: Namespace::Main,
        event: "quickNote:create",
        payload: serde_json::to_value(&create)?,
        created_at: now,
    })
}

/// Validates an action item and builds its outbox record with a fresh v7 `clientId`.
pub fn prepare_action_item(input: ActionItemInput, now: DateTime<Utc>) -> Result<NewOutboxRecord> {
    let create = ActionItemCreate {
        client_id: ClientId::new_v7(),
        agent_id: input.agent_id,
        title: input.title,
        description: input.description,
        due_date: input.due_date,
        priority: input.priority,
        category: input.category,
    };
    create.validate()?;
    Ok(NewOutboxRecord {
        client_id: create.client_id,
        kind: OutboxKind::ActionItem,
        namespace: Namespace::Main,
        event: "actionItem:create",
        payload: serde_json::to_value(&create)?,
        created_at: now,
    })
}

/// Whether a refusal is final. Shape and rule violations, permissions and missing targets
/// will not change on retry; rate limits, hub failures and auth (a refreshed token fixes it)
/// will.
pub fn is_permanent(code: ErrorCode) -> bool {
    !matches!(
        code,
        ErrorCode::RateLimited
            | ErrorCode::Internal
            | ErrorCode::Unauthorized
            | ErrorCode::TokenExpired
    )
}

/// Drainer tuning.
#[derive(Debug, Clone)]
pub struct DrainConfig {
    /// Records sent but not yet answered, at most (pipelining without flooding the hub).
    pub window: usize,
    /// An unanswered record is sent again after this long on the same connection.
    pub answer_timeout: Duration,
    /// First retry delay of a record after a transient failure.
    pub retry_base: Duration,
    /// Longest retry delay of a record.
    pub retry_cap: Duration,
    /// Largest `records:create` payload, in bytes of compact JSON (a single record larger than
    /// this still goes, alone).
    pub batch_max_bytes: usize,
}

impl Default for DrainConfig {
    fn default() -> Self {
        DrainConfig {
            // Below the hub's per-socket incoming queue (256 events): a full queue drops the
            // event with a RATE_LIMITED that names no clientId, and the resend after it would
            // land behind later records (capture order broken). Headroom is left for the
            // other events the app sends on `/`.
            window: 192,
            answer_timeout: Duration::from_secs(30),
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_secs(300),
            // Three quarters of the hub's default `max_payload` (64 KiB): room for the
            // envelope, and for a hub configured a little lower.
            batch_max_bytes: 48 * 1024,
        }
    }
}

/// What the drainer makes of an `error` event.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorVerdict {
    /// Not about the outbox.
    Unrelated,
    /// Store these changes.
    Settle(StoreWrite),
    /// The hub is throttling us without saying which record: pause, then resend the window.
    Pause(Duration),
}

/// The in-flight bookkeeping of the outbox on the current `/` connection. Pure apart from the
/// store reads: the engine calls it and does the emitting.
#[derive(Debug)]
pub struct Drainer {
    config: DrainConfig,
    /// Sent on this connection, not yet answered: clientId → (seq, attempts so far, sent at).
    in_flight: HashMap<ClientId, (i64, u32, Instant)>,
    /// Highest seq sent on this connection (the next read starts after it).
    last_sent_seq: i64,
    /// Read from the start next time (after a retry became due, a timeout, a reconnect).
    rescan: bool,
    /// No sending before this (the hub said RATE_LIMITED).
    paused_until: Option<Instant>,
    /// Rate-limit pauses in a row, for their backoff.
    pauses: u32,
    /// The earliest scheduled retry (ms since the epoch) behind `last_sent_seq`.
    retry_due_ms: Option<i64>,
    /// Send one record at a time until the outbox is empty: set after a permanent refusal
    /// that did not name its `clientId`, so the next one can be attributed.
    serial: bool,
    /// The server on this connection takes `records:create`.
    batching: bool,
    /// The records of the last batch sent, until the hub answers one of them (the batch passed
    /// its rate limit) or refuses the batch whole. Empty when no batch awaits admission.
    unadmitted: Vec<ClientId>,
}

impl Drainer {
    /// A drainer with nothing in flight.
    pub fn new(config: DrainConfig) -> Self {
        Drainer {
            config,
            in_flight: HashMap::new(),
            last_sent_seq: 0,
            rescan: true,
            paused_until: None,
            pauses: 0,
            retry_due_ms: None,
            serial: false,
            batching: false,
            unadmitted: Vec::new(),
        }
    }

    /// The connection changed (up or down): whatever was in flight is unanswered and will be
    /// sent again on the next connection.
    pub fn reset(&mut self) {
        self.in_flight.clear();
        self.last_sent_seq = 0;
        self.rescan = true;
        self.paused_until = None;
        self.pauses = 0;
        self.unadmitted.clear();
        // The next connection may reach another server: it says again what it takes.
        self.batching = false;
    }

    /// Whether the server on this connection takes `records:create` (its `connected` said so).
    pub fn set_batching(&mut self, batching: bool) {
        self.batching = batching;
    }

    /// Whether the records [`Self::next_batch`] returns go in one `records:create`.
    pub fn batching(&self) -> bool {
        self.batching
    }

    /// How many records are awaiting an answer.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The records to send now (capture order), filling the window.
    pub fn next_batch(
        &mut self,
        store: &Store,
        now: Instant,
        now_ms: i64,
    ) -> Result<Vec<OutboxRecord>> {
        if self.paused_until.is_some_and(|until| now < until) {
            return Ok(Vec::new());
        }
        self.paused_until = None;
        // Unanswered for too long: forget them so they are read and sent again.
        let timeout = self.config.answer_timeout;
        let before = self.in_flight.len();
        self.in_flight
            .retain(|_, (_, _, sent)| now.duration_since(*sent) < timeout);
        if self.in_flight.len() != before {
            self.rescan = true;
            let in_flight = &self.in_flight;
            self.unadmitted.retain(|id| in_flight.contains_key(id));
        }
        let batch_max = sideline_protocol::validate::limits::RECORDS_BATCH_MAX;
        let room = match (self.serial, self.batching) {
            (true, _) => 1usize.saturating_sub(self.in_flight.len()),
            // Nothing while a batch awaits admission: its refusal must not be overtaken.
            (false, true) if !self.unadmitted.is_empty() => 0,
            (false, true) => (2 * batch_max)
                .saturating_sub(self.in_flight.len())
                .min(batch_max),
            (false, false) => self.config.window.saturating_sub(self.in_flight.len()),
        };
        if room == 0 {
            return Ok(Vec::new());
        }
        if self.retry_due_ms.is_some_and(|due| due <= now_ms) {
            self.rescan = true;
        }
        let rescan = std::mem::take(&mut self.rescan);
        let after = if rescan { 0 } else { self.last_sent_seq };
        let mut due = store.pending_due(now_ms, after, room + self.in_flight.len())?;
        if rescan {
            // Records waiting for a later retry: read from the start again when it is due.
            self.retry_due_ms = store.next_retry_at()?.filter(|due| *due > now_ms);
        }
        due.retain(|r| !self.in_flight.contains_key(&r.client_id));
        due.truncate(room);
        if self.batching {
            let mut bytes = 0;
            let fits = due
                .iter()
                .take_while(|r| {
                    bytes += r.payload.to_string().len();
                    bytes <= self.config.batch_max_bytes
                })
                .count();
            due.truncate(fits.max(1));
        }
        if due.is_empty() && self.in_flight.is_empty() {
            self.serial = false;
        }
        Ok(due)
    }

    /// `record` was emitted.
    pub fn sent(&mut self, record: &OutboxRecord, now: Instant) {
        self.in_flight
            .insert(record.client_id, (record.seq, record.attempts + 1, now));
        self.last_sent_seq = self.last_sent_seq.max(record.seq);
        if self.batching {
            self.unadmitted.push(record.client_id);
        }
    }

    /// The hub echoed `client_id`; returns whether it was ours and in flight.
    pub fn confirmed(&mut self, client_id: &ClientId) -> bool {
        self.pauses = 0;
        self.admitted(client_id);
        self.in_flight.remove(client_id).is_some()
    }

    /// The hub answered `client_id`: if it was in the batch awaiting admission, that batch
    /// passed the rate limit.
    fn admitted(&mut self, client_id: &ClientId) {
        if self.unadmitted.contains(client_id) {
            self.unadmitted.clear();
        }
    }

    /// Interprets an `error` event.
    pub fn refused(
        &mut self,
        error: &ErrorPayload,
        now: Instant,
        now_ms: i64,
        rng: &mut impl Rng,
    ) -> ErrorVerdict {
        let ours = matches!(
            error.event.as_deref(),
            Some("quickNote:create" | "actionItem:create" | "records:create")
        );
        match &error.client_id {
            Some(client_id) => {
                self.admitted(client_id);
                let attempts = self
                    .in_flight
                    .remove(client_id)
                    .map(|(_, attempts, _)| attempts);
                if attempts.is_none() && !ours {
                    return ErrorVerdict::Unrelated;
                }
                let reason = match &error.field {
                    Some(field) => format!("{field}: {}", error.message),
                    None => error.message.clone(),
                };
                if is_permanent(error.code) {
                    ErrorVerdict::Settle(StoreWrite::Rejected {
                        client_id: *client_id,
                        code: error.code.as_str().to_owned(),
                        reason,
                    })
                } else {
                    let delay = backoff_delay(
                        attempts.unwrap_or(1),
                        self.config.retry_base,
                        self.config.retry_cap,
                        rng,
                    );
                    let next_attempt_at = now_ms + delay.as_millis() as i64;
                    self.retry_due_ms = Some(
                        self.retry_due_ms
                            .map_or(next_attempt_at, |due| due.min(next_attempt_at)),
                    );
                    ErrorVerdict::Settle(StoreWrite::Retry {
                        client_id: *client_id,
                        next_attempt_at,
                        code: error.code.as_str().to_owned(),
                        reason,
                    })
                }
            }
            None if ours && error.code == ErrorCode::RateLimited => {
                // One refusal of a window of records comes with the refusals of the rest of
                // it: only the first of them counts, or a window of 192 would back off 192
                // times over (and strand the outbox for minutes).
                if let Some(until) = self.paused_until.filter(|until| *until > now) {
                    return ErrorVerdict::Pause(until - now);
                }
                let delay = match error.retry_after_ms {
                    // The hub says when it takes the event again: no guessing, no doubling.
                    Some(ms) => Duration::from_millis(ms).min(self.config.retry_cap),
                    None => {
                        self.pauses += 1;
                        backoff_delay(
                            self.pauses,
                            self.config.retry_base,
                            self.config.retry_cap,
                            rng,
                        )
                    }
                };
                if error.event.as_deref() == Some("records:create") {
                    // The batch awaiting admission was refused; the one before it, if any,
                    // was taken and is being answered. Only the refused one goes again.
                    for id in std::mem::take(&mut self.unadmitted) {
                        self.in_flight.remove(&id);
                    }
                } else {
                    // We cannot tell which record was dropped: resend the whole window after
                    // the pause (repeats are echoed, never stored twice).
                    self.in_flight.clear();
                }
                self.rescan = true;
                self.paused_until = Some(now + delay);
                ErrorVerdict::Pause(delay)
            }
            None if ours && is_permanent(error.code) => {
                // A refusal without its clientId (a hub that does not echo it). With one
                // record in flight it can only be that one; otherwise resend one at a time
                // so the next refusal is attributable (repeats are echoed, never stored twice).
                if self.in_flight.len() == 1
                    && let Some(client_id) = self.in_flight.keys().next().copied()
                {
                    self.in_flight.clear();
                    return ErrorVerdict::Settle(StoreWrite::Rejected {
                        client_id,
                        code: error.code.as_str().to_owned(),
                        reason: match &error.field {
                            Some(field) => format!("{field}: {}", error.message),
                            None => error.message.clone(),
                        },
                    });
                }
                self.serial = true;
                self.in_flight.clear();
                self.unadmitted.clear();
                self.rescan = true;
                ErrorVerdict::Unrelated
            }
            None => ErrorVerdict::Unrelated,
        }
    }

    /// When the drainer wants to be woken to send again (a pause ends, an answer times out).
    pub fn next_wake(&self) -> Option<Instant> {
        let oldest = self
            .in_flight
            .values()
            .map(|(_, _, sent)| *sent + self.config.answer_timeout)
            .min();
        match (self.paused_until, oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::open_temp;
    use chrono::TimeZone;
    use rand::rngs::mock::StepRng;
    use sideline_protocol::ErrorCode;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 24, 10, 0, 0).unwrap()
    }

    fn note(content: &str) -> NoteInput {
        NoteInput {
            agent_id: Id::new("agent01").unwrap(),
            note_type: NoteType::Coaching,
            priority: Priority::High,
            category: None,
            content: content.into(),
        }
    }

    #[test]
    fn capture_validates_with_the_protocol() {
        assert!(prepare_note(note("   "), now()).is_err());
        assert!(prepare_note(note(&"x".repeat(5001)), now()).is_err());
        let record = prepare_note(note("Great call"), now()).unwrap();
        assert_eq!(record.event, "quickNote:create");
        assert_eq!(record.payload["clientId"], record.client_id.to_string());
        assert_eq!(record.payload["noteType"], "COACHING");
    }

    fn config(window: usize) -> DrainConfig {
        DrainConfig {
            window,
            ..DrainConfig::default()
        }
    }

    #[test]
    fn fills_the_window_in_capture_order_and_refills_on_confirmation() {
        let (_dir, store) = open_temp();
        let ids: Vec<_> = (0..5)
            .map(|i| {
                let r = prepare_note(note(&format!("n{i}")), now()).unwrap();
                store.capture(&r).unwrap();
                r.client_id
            })
            .collect();
        let mut drainer = Drainer::new(config(2));
        let t = Instant::now();
        let batch = drainer.next_batch(&store, t, 0).unwrap();
        assert_eq!(
            batch.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            ids[..2]
        );
        batch.iter().for_each(|r| drainer.sent(r, t));
        assert!(
            drainer.next_batch(&store, t, 0).unwrap().is_empty(),
            "window full"
        );
        assert!(drainer.confirmed(&ids[0]));
        store
            .write(&[StoreWrite::Confirmed {
                client_id: ids[0],
                server_id: None,
                at: now(),
            }])
            .unwrap();
        let batch = drainer.next_batch(&store, t, 0).unwrap();
        assert_eq!(
            batch.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            ids[2..3]
        );
    }

    #[test]
    fn permanent_refusals_reject_and_transient_ones_retry_later() {
        let (_dir, store) = open_temp();
        let a = prepare_note(note("a"), now()).unwrap();
        let b = prepare_note(note("b"), now()).unwrap();
        store.capture(&a).unwrap();
        store.capture(&b).unwrap();
        let mut drainer = Drainer::new(config(10));
        let t = Instant::now();
        for r in drainer.next_batch(&store, t, 0).unwrap() {
            drainer.sent(&r, t);
        }
        let mut rng = StepRng::new(0, 0);
        let mut invalid = ErrorPayload::new(ErrorCode::Forbidden, "agent01 is not your agent");
        invalid.client_id = Some(a.client_id);
        invalid.event = Some("quickNote:create".into());
        let verdict = drainer.refused(&invalid, t, 0, &mut rng);
        assert!(
            matches!(&verdict, ErrorVerdict::Settle(StoreWrite::Rejected { code, .. }) if code == "FORBIDDEN")
        );
        let mut busy = ErrorPayload::new(ErrorCode::Internal, "database busy");
        busy.client_id = Some(b.client_id);
        let verdict = drainer.refused(&busy, t, 10_000, &mut rng);
        let ErrorVerdict::Settle(write) = verdict else {
            panic!("{verdict:?}")
        };
        assert!(matches!(
            write,
            StoreWrite::Retry {
                next_attempt_at: 11_000,
                ..
            }
        ));
        if let ErrorVerdict::Settle(w) = drainer.refused(&invalid, t, 0, &mut rng) {
            store.write(&[w]).unwrap();
        }
        store.write(&[write]).unwrap();
        assert!(drainer.next_batch(&store, t, 10_999).unwrap().is_empty());
        let again = drainer.next_batch(&store, t, 11_000).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].client_id, b.client_id);
        assert_eq!(store.outbox_counts().unwrap().rejected, 1);
    }

    #[test]
    fn an_anonymous_rate_limit_pauses_and_resends_the_window() {
        let (_dir, store) = open_temp();
        let a = prepare_note(note("a"), now()).unwrap();
        store.capture(&a).unwrap();
        let mut drainer = Drainer::new(config(10));
        let t = Instant::now();
        for r in drainer.next_batch(&store, t, 0).unwrap() {
            drainer.sent(&r, t);
        }
        let mut limited = ErrorPayload::new(ErrorCode::RateLimited, "slow down");
        limited.event = Some("quickNote:create".into());
        let verdict = drainer.refused(&limited, t, 0, &mut StepRng::new(0, 0));
        assert_eq!(verdict, ErrorVerdict::Pause(Duration::from_secs(1)));
        assert!(drainer.next_batch(&store, t, 0).unwrap().is_empty());
        let later = t + Duration::from_secs(1);
        assert_eq!(drainer.next_batch(&store, later, 0).unwrap().len(), 1);
    }

    #[test]
    fn a_window_of_rate_limit_refusals_pauses_once_and_for_as_long_as_the_hub_says() {
        let (_dir, store) = open_temp();
        for i in 0..50 {
            store
                .capture(&prepare_note(note(&format!("n{i}")), now()).unwrap())
                .unwrap();
        }
        let mut drainer = Drainer::new(config(50));
        let t = Instant::now();
        for r in drainer.next_batch(&store, t, 0).unwrap() {
            drainer.sent(&r, t);
        }
        let mut rng = StepRng::new(0, 0);
        let mut limited = ErrorPayload::new(ErrorCode::RateLimited, "slow down");
        limited.event = Some("quickNote:create".into());
        // Without the hub's word: backoff from the base, and the rest of the window's
        // refusals do not lengthen it.
        assert_eq!(
            drainer.refused(&limited, t, 0, &mut rng),
            ErrorVerdict::Pause(Duration::from_secs(1))
        );
        for _ in 0..40 {
            drainer.refused(&limited, t, 0, &mut rng);
        }
        assert_eq!(
            drainer.next_wake(),
            Some(t + Duration::from_secs(1)),
            "40 more refusals of one window still pause once"
        );
        let later = t + Duration::from_secs(1);
        assert_eq!(drainer.next_batch(&store, later, 0).unwrap().len(), 50);

        // With the hub's `retryAfterMs`: exactly that, however many pauses came before.
        limited.retry_after_ms = Some(150);
        for _ in 0..5 {
            drainer.refused(&limited, later, 0, &mut rng);
        }
        assert_eq!(
            drainer.next_wake(),
            Some(later + Duration::from_millis(150))
        );
    }

    #[test]
    fn a_batch_goes_once_the_one_before_was_taken_within_the_record_and_byte_limits() {
        use sideline_protocol::validate::limits::RECORDS_BATCH_MAX;
        let (_dir, store) = open_temp();
        let ids: Vec<_> = (0..RECORDS_BATCH_MAX * 2 + 20)
            .map(|i| {
                let r = prepare_note(note(&format!("n{i}")), now()).unwrap();
                store.capture(&r).unwrap();
                r.client_id
            })
            .collect();
        let confirm = |drainer: &mut Drainer, id: ClientId| {
            drainer.confirmed(&id);
            store
                .write(&[StoreWrite::Confirmed {
                    client_id: id,
                    server_id: None,
                    at: now(),
                }])
                .unwrap();
        };
        let mut drainer = Drainer::new(DrainConfig::default());
        drainer.set_batching(true);
        let t = Instant::now();
        let first = drainer.next_batch(&store, t, 0).unwrap();
        assert_eq!(
            first.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            ids[..RECORDS_BATCH_MAX]
        );
        first.iter().for_each(|r| drainer.sent(r, t));
        assert!(
            drainer.next_batch(&store, t, 0).unwrap().is_empty(),
            "nothing more until the hub has taken the batch"
        );
        // An answer to one of its records: the batch passed the rate limit.
        confirm(&mut drainer, ids[0]);
        let second = drainer.next_batch(&store, t, 0).unwrap();
        assert_eq!(
            second.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            ids[RECORDS_BATCH_MAX..RECORDS_BATCH_MAX * 2]
        );
        second.iter().for_each(|r| drainer.sent(r, t));
        // The second batch is refused for its rate: only it goes again, after the wait, and
        // before anything newer; the first is still being answered.
        let mut limited = ErrorPayload::new(ErrorCode::RateLimited, "slow down");
        limited.event = Some("records:create".into());
        limited.retry_after_ms = Some(200);
        assert_eq!(
            drainer.refused(&limited, t, 0, &mut StepRng::new(0, 0)),
            ErrorVerdict::Pause(Duration::from_millis(200))
        );
        assert_eq!(drainer.in_flight(), RECORDS_BATCH_MAX - 1);
        let later = t + Duration::from_millis(200);
        let again = drainer.next_batch(&store, later, 0).unwrap();
        assert_eq!(
            again.iter().map(|r| r.client_id).collect::<Vec<_>>(),
            ids[RECORDS_BATCH_MAX..RECORDS_BATCH_MAX * 2],
            "the refused batch again, whole"
        );

        // The byte limit: each of these notes is a little over 1/3 of it.
        let (_dir, store) = open_temp();
        for _ in 0..5 {
            store
                .capture(&prepare_note(note(&"x".repeat(5000)), now()).unwrap())
                .unwrap();
        }
        let mut drainer = Drainer::new(DrainConfig {
            batch_max_bytes: 15_000,
            ..DrainConfig::default()
        });
        drainer.set_batching(true);
        assert_eq!(drainer.next_batch(&store, t, 0).unwrap().len(), 2);
        // A record over the limit on its own still goes, alone.
        let mut drainer = Drainer::new(DrainConfig {
            batch_max_bytes: 100,
            ..DrainConfig::default()
        });
        drainer.set_batching(true);
        assert_eq!(drainer.next_batch(&store, t, 0).unwrap().len(), 1);
        // A new connection says again whether it takes batches.
        drainer.reset();
        assert!(!drainer.batching());
    }

    #[test]
    fn an_anonymous_refusal_is_attributed_by_sending_one_at_a_time() {
        let (_dir, store) = open_temp();
        let records: Vec<_> = (0..3)
            .map(|i| {
                let r = prepare_note(note(&format!("n{i}")), now()).unwrap();
                store.capture(&r).unwrap();
                r
            })
            .collect();
        let mut drainer = Drainer::new(config(10));
        let t = Instant::now();
        for r in drainer.next_batch(&store, t, 0).unwrap() {
            drainer.sent(&r, t);
        }
        let mut forbidden = ErrorPayload::new(ErrorCode::Forbidden, "not your agent");
        forbidden.event = Some("quickNote:create".into());
        let mut rng = StepRng::new(0, 0);
        assert_eq!(
            drainer.refused(&forbidden, t, 0, &mut rng),
            ErrorVerdict::Unrelated
        );
        // Serial: one record at a time, from the start.
        let batch = drainer.next_batch(&store, t, 0).unwrap();
        assert_eq!(batch.len(), 1);
        assert_eq!(batch[0].client_id, records[0].client_id);
        drainer.sent(&batch[0], t);
        let verdict = drainer.refused(&forbidden, t, 0, &mut rng);
        assert!(
            matches!(verdict, ErrorVerdict::Settle(StoreWrite::Rejected { client_id, .. }) if client_id == records[0].client_id)
        );
    }

    #[test]
    fn unanswered_records_are_resent_after_the_timeout_and_after_a_reset() {
        let (_dir, store) = open_temp();
        let a = prepare_note(note("a"), now()).unwrap();
        store.capture(&a).unwrap();
        let mut drainer = Drainer::new(config(10));
        let t = Instant::now();
        for r in drainer.next_batch(&store, t, 0).unwrap() {
            drainer.sent(&r, t);
        }
        assert!(drainer.next_batch(&store, t, 0).unwrap().is_empty());
        assert_eq!(drainer.next_wake(), Some(t + Duration::from_secs(30)));
        let late = t + Duration::from_secs(30);
        assert_eq!(drainer.next_batch(&store, late, 0).unwrap().len(), 1);
        drainer.reset();
        assert_eq!(drainer.next_batch(&store, late, 0).unwrap().len(), 1);
    }
}
