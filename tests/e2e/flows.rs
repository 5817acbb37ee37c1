//! What a user does, in the UI's test ids (the S4 contract): sign in, move between views,
//! capture a note, read a note's state.

use std::time::Duration;

use crate::harness::{RunningApp, UI_DEADLINE, poll};

/// The main window's views, in the navigation's order.
pub const VIEWS: &[&str] = &[
    "leaderboard",
    "team",
    "analysis",
    "notes",
    "notifications",
    "activity",
    "settings",
];

/// The status bar's connection status.
pub const STATUS: &str = "[data-testid=connection-status]";

/// How long a reconnect may take after the hub comes back (the supervisor's backoff).
pub const RECONNECT_DEADLINE: Duration = Duration::from_secs(90);

/// Fills the welcome screen's sign-in form and waits until the status bar reads `live`.
pub async fn sign_in(app: &RunningApp, server: &str, username: &str, password: &str) {
    app.wait_for("[data-testid=welcome]").await;
    app.type_into("[data-testid=signin-server]", server).await;
    app.type_into("[data-testid=signin-username]", username)
        .await;
    app.type_into("[data-testid=signin-password]", password)
        .await;
    app.click("[data-testid=signin-submit]").await;
    let outcome = poll(
        &format!("the sign-in of {username} to finish (status or error)"),
        UI_DEADLINE,
        async || {
            if let Some(error) = app.try_text("[data-testid=signin-error]").await
                && !error.trim().is_empty()
            {
                return Some(Err(error));
            }
            let status = app.try_text(STATUS).await?;
            (status.trim() == "live").then_some(Ok(()))
        },
    )
    .await;
    if let Err(error) = outcome {
        panic!(
            "sign-in of {username} at {server} failed: {error}\n{}",
            app.log_tail(40)
        );
    }
}

/// Clicks `nav-<view>` and waits for `view-<view>`.
pub async fn open_view(app: &RunningApp, view: &str) {
    app.click(&format!("[data-testid=nav-{view}]")).await;
    app.wait_for(&format!("[data-testid=view-{view}]")).await;
}

/// Waits until the status bar reads anything but `live`.
pub async fn wait_not_live(app: &RunningApp, within: Duration) -> String {
    poll("the status to leave `live`", within, async || {
        app.try_text(STATUS).await.filter(|s| s.trim() != "live")
    })
    .await
}

/// Captures a note about `agent` (or, with `None`, the first agent offered) through the form
/// in the current window; returns the agent once the form is empty again (the note went to
/// the outbox).
pub async fn capture_note(app: &RunningApp, agent: Option<&str>, content: &str) -> String {
    app.wait_for("[data-testid=note-form]").await;
    // The agent list comes from the team state: wait until the agent is one of the options.
    let agent = poll(
        &format!(
            "{} in the note form's agent list",
            agent.unwrap_or("an agent")
        ),
        UI_DEADLINE,
        async || {
            let options = app
                .js(
                    // Not the signed-in user ("… (you)"): the hub takes notes about agents.
                    "return [...document.querySelectorAll('[data-testid=note-agent] option')]
                       .filter((o) => o.value !== '' && !o.textContent.trim().endsWith('(you)'))
                       .map((o) => o.value);",
                    vec![],
                )
                .await;
            let options = options.as_array()?;
            match agent {
                Some(agent) => options.iter().any(|v| v == agent).then(|| agent.to_owned()),
                None => options.first()?.as_str().map(str::to_owned),
            }
        },
    )
    .await;
    app.select("[data-testid=note-agent]", &agent).await;
    app.type_into("[data-testid=note-input]", content).await;
    app.click("[data-testid=note-submit]").await;
    poll(
        "the note form to clear after saving",
        UI_DEADLINE,
        async || {
            if let Some(error) = app.try_text("[data-testid=note-error]").await
                && !error.trim().is_empty()
            {
                panic!("the note was not saved: {error}");
            }
            let value = app
                .js(
                    "return document.querySelector('[data-testid=note-input]')?.value ?? null;",
                    vec![],
                )
                .await;
            (value.as_str() == Some("")).then_some(())
        },
    )
    .await;
    agent
}

/// A note as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownNote {
    pub client_id: String,
    pub state: String,
}

/// The note item whose `note-text` is exactly `content`, if the list shows one.
pub async fn shown_note(app: &RunningApp, content: &str) -> Option<ShownNote> {
    let found = app
        .js(
            "const items = [...document.querySelectorAll('[data-testid=note-item]')];
             const item = items.find((i) =>
               i.querySelector('[data-testid=note-text]')?.textContent === arguments[0]);
             return item ? { clientId: item.dataset.clientId ?? null, state: item.dataset.state ?? null } : null;",
            vec![content.into()],
        )
        .await;
    Some(ShownNote {
        client_id: found.get("clientId")?.as_str()?.to_owned(),
        state: found.get("state")?.as_str()?.to_owned(),
    })
}

/// Waits until the note with `content` shows `state`; panics with the last state seen.
pub async fn wait_note_state(
    app: &RunningApp,
    content: &str,
    state: &str,
    within: Duration,
) -> ShownNote {
    let mut last = None;
    let found = tokio::time::timeout(within, async {
        loop {
            last = shown_note(app, content).await.or(last.clone());
            if let Some(note) = last.as_ref().filter(|n| n.state == state) {
                return note.clone();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    found.unwrap_or_else(|_| {
        panic!(
            "the note {content:?} never showed {state:?} within {within:?}; last seen {last:?}\n{}",
            app.log_tail(40)
        )
    })
}
