//! A backlog of notes and action items captured offline drains at the hub's default settings
//! (its per-socket rate limit included): every record exactly once, in capture order, through
//! the engine the app and the CLI share.

mod support;

use std::time::Duration;

use sideline_client::ConnectionStatus;
use sideline_client::outbox::{ActionItemInput, NoteInput};
use sideline_client::store::OutboxState;
use sideline_client::tokens::{Credentials, StaticTokens};
use sideline_protocol::notes::{NoteType, Priority};
use sideline_protocol::{CalendarDate, Id};
use support::*;

/// The leader's records in the hub's database, all kinds, in the order it stored them.
fn stored_client_ids(hub_dir: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(
        hub_dir.join("hub.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the hub's database");
    let mut query = conn
        .prepare(
            "SELECT client_id FROM records WHERE author_id = 'lead' \
             AND kind IN ('quick_note', 'action_item') ORDER BY rowid",
        )
        .expect("query");
    query
        .query_map([], |row| row.get::<_, String>(0))
        .expect("rows")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("client ids")
}

async fn drains_at_the_defaults(backlog: usize) {
    let hub = TestHub::start().await;
    let token = hub.login("lead").await;
    let (_tmp, dir) = data_dir();
    let tokens = StaticTokens::new(dead_url(), token.clone());
    let engine = open_engine(&dir, &tokens).await;
    wait_status(&engine, |s| matches!(s, ConnectionStatus::Retrying { .. })).await;

    let mut captured = Vec::with_capacity(backlog);
    for i in 0..backlog {
        let agent = Id::new(if i % 3 == 0 { "agent01" } else { "agent02" }).unwrap();
        let client_id = if i % 2 == 0 {
            engine
                .capture_note(NoteInput {
                    agent_id: agent,
                    note_type: NoteType::Coaching,
                    priority: Priority::Medium,
                    category: None,
                    content: format!("offline note {i}"),
                })
                .await
        } else {
            engine
                .capture_action_item(ActionItemInput {
                    agent_id: agent,
                    title: format!("offline action item {i}"),
                    description: Some("captured on the road".into()),
                    due_date: CalendarDate::from_ymd(2026, 12, 31).unwrap(),
                    priority: Priority::High,
                    category: "calls".into(),
                })
                .await
        };
        captured.push(client_id.expect("captured").to_string());
    }
    assert_eq!(
        engine.outbox(&[OutboxState::Pending]).unwrap().len(),
        backlog
    );

    tokens.set(Some(Credentials {
        server: hub.url(),
        token: token.clone(),
    }));
    // Well beyond what the drain takes (docs/benchmarks.md): a bound, not a measurement.
    let counts = engine
        .sync(Duration::from_secs(60))
        .await
        .unwrap_or_else(|err| panic!("the {backlog} records drain: {err}"));
    assert_eq!((counts.pending, counts.confirmed), (0, backlog as u64));
    assert_exactly_once_in_order(&stored_client_ids(hub.dir.path()), &captured);
    engine.shutdown().await;
    hub.stop().await;
}

async fn wait_status(
    engine: &sideline_client::engine::Engine,
    wanted: impl Fn(&ConnectionStatus) -> bool,
) {
    let status = engine.status();
    eventually("the engine to try the dead address", || {
        let reached = wanted(&status.borrow());
        async move { reached.then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_offline_records_drain_at_the_defaults() {
    drains_at_the_defaults(200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_offline_records_drain_at_the_defaults() {
    drains_at_the_defaults(2_000).await;
}
