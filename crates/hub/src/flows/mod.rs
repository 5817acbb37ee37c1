//! Business flows beyond the basics of [`crate::realtime::main_ns`]: coaching sessions,
//! projects, analysis, comments, `data:update` ([`main`]), leaderboard ([`leaderboard`]) and
//! training ([`training`]) over the pure [`crate::domain`] logic.

pub mod leaderboard;
pub mod main;
pub mod training;

use crate::error::HubError;

/// The event is in the protocol but this hub does not handle it yet.
pub(crate) fn not_supported(event: &str) -> HubError {
    HubError::Conflict(format!("`{event}` is not supported by this hub yet"))
}

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::state::HubState;

/// Starts the hub's periodic tasks: event pruning (hourly), idle coaching sessions (every
/// minute), ended contests and leaderboard roll-overs (`leaderboard_tick`), expired tokens
/// of live sockets (`token_check`), idle presence (a tenth of the idle time, between 50 ms and 30 s).
pub fn spawn_background(hub: &Arc<HubState>) -> Vec<JoinHandle<()>> {
    let pruner = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(err) = hub.prune_events().await {
                    tracing::error!(error = %err, "pruning events failed");
                }
            }
        })
    };
    let sessions = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                match main::close_idle_sessions(&hub).await {
                    Ok(closed) if !closed.is_empty() => {
                        tracing::info!(count = closed.len(), "closed idle sessions")
                    }
                    Ok(_) => {}
                    Err(err) => tracing::error!(error = %err, "closing idle sessions failed"),
                }
            }
        })
    };
    let mut tasks = vec![pruner, sessions];
    let leaderboard_ticker = {
        let hub = hub.clone();
        let period = hub.config.leaderboard_tick.max(Duration::from_millis(10));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(err) = leaderboard::tick(&hub).await {
                    tracing::error!(error = %err, "leaderboard tick failed");
                }
            }
        })
    };
    tasks.push(leaderboard_ticker);
    if !hub.config.token_check.is_zero() {
        let hub = hub.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(hub.config.token_check);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let ended = crate::realtime::disconnect_expired(&hub);
                if ended > 0 {
                    tracing::info!(ended, "disconnected sockets with expired tokens");
                }
            }
        }));
    }
    if !hub.config.presence_idle.is_zero() {
        tasks.push(tokio::spawn(presence_idle_sweeper(hub.clone())));
    }
    if hub.config.demo && hub.config.demo_rate > 0.0 {
        tasks.push(tokio::spawn(crate::demo::simulate(
            hub.clone(),
            hub.config.demo_rate,
        )));
    }
    tasks
}

/// Turns silent users `away` ([`crate::presence::PresenceTracker::sweep_idle`], hub clock)
/// and announces it. Checks every tenth of the idle time so the announcement is at most 10 %
/// late.
async fn presence_idle_sweeper(hub: Arc<HubState>) {
    let idle = hub.config.presence_idle;
    let Ok(idle_chrono) = chrono::Duration::from_std(idle) else {
        tracing::error!("presence idle time too long; idle rule disabled");
        return;
    };
    let period = (idle / 10).clamp(Duration::from_millis(50), Duration::from_secs(30));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = hub.now();
        for user in hub.presence.sweep_idle(now, idle_chrono) {
            let record = {
                let db = hub.store.lock().await;
                crate::store::users::by_id(db.conn(), &user)
            };
            match record {
                Ok(Some(record)) => {
                    let principal = crate::auth::Principal::from_record(&record, now);
                    crate::realtime::main_ns::announce_presence(
                        &hub,
                        &principal,
                        sideline_protocol::PresenceStatus::Away,
                    )
                    .await;
                }
                Ok(None) => {}
                Err(err) => tracing::error!(error = %err, "idle presence lookup failed"),
            }
        }
    }
}
