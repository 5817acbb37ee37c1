//! Idle → away: every [`POLL`] the system idle time (the `user-idle` crate: the X11
//! screen-saver extension on Linux, `GetLastInputInfo` on Windows, IOKit on macOS) is compared
//! with the `idleAwayMinutes` setting; crossing it sends `presence:update {status: "away"}` on
//! `/`, and input again sends `online`. The rule is [`transition`], a pure function.

use std::time::Duration;

use sideline_protocol::realtime::PresenceUpdate;
use sideline_protocol::{ClientEvent, MainClientEvent, PresenceStatus};
use tauri::{AppHandle, Runtime};

use crate::session::SessionExt;

/// How often the idle time is read.
pub const POLL: Duration = Duration::from_secs(15);

/// Where presence stands, as far as idling goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleState {
    /// Active (or idle less than the limit).
    Active,
    /// We reported away.
    Away,
}

/// The presence to send, if any, given the idle time and the limit (`away_after` `None`: the
/// feature is off, so an away we reported is taken back).
pub fn transition(
    state: IdleState,
    idle: Duration,
    away_after: Option<Duration>,
) -> Option<(IdleState, PresenceStatus)> {
    let idle_now = away_after.is_some_and(|limit| idle >= limit);
    match (state, idle_now) {
        (IdleState::Active, true) => Some((IdleState::Away, PresenceStatus::Away)),
        (IdleState::Away, false) => Some((IdleState::Active, PresenceStatus::Online)),
        _ => None,
    }
}

/// Polls forever (until the app exits).
pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let mut state = IdleState::Active;
    let mut warned = false;
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let minutes = app
            .session()
            .profiles()
            .settings()
            .map(|s| s.idle_away_minutes)
            .unwrap_or(0);
        let away_after = (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60));
        if away_after.is_none() && state == IdleState::Active {
            continue;
        }
        let idle = match tokio::task::spawn_blocking(user_idle::UserIdle::get_time).await {
            Ok(Ok(idle)) => idle.duration(),
            Ok(Err(err)) => {
                if !warned {
                    warned = true;
                    tracing::warn!(error = ?err, "system idle time unavailable; idle → away is off");
                }
                continue;
            }
            Err(_) => continue,
        };
        let Some((next, status)) = transition(state, idle, away_after) else {
            continue;
        };
        let event = ClientEvent::Main(MainClientEvent::PresenceUpdate(PresenceUpdate {
            status,
            room: None,
        }));
        let sent = match app.session().engine().await {
            Ok(engine) => engine.send(event).await.is_ok(),
            Err(_) => false,
        };
        if sent {
            tracing::info!(?status, "presence set from idle time");
            state = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn away_after_the_limit_and_online_on_input() {
        let limit = Some(10 * MIN);
        assert_eq!(transition(IdleState::Active, 9 * MIN, limit), None);
        assert_eq!(
            transition(IdleState::Active, 10 * MIN, limit),
            Some((IdleState::Away, PresenceStatus::Away))
        );
        assert_eq!(transition(IdleState::Away, 30 * MIN, limit), None);
        assert_eq!(
            transition(IdleState::Away, Duration::from_secs(2), limit),
            Some((IdleState::Active, PresenceStatus::Online))
        );
    }

    #[test]
    fn turning_the_setting_off_takes_back_an_away() {
        assert_eq!(transition(IdleState::Active, 60 * MIN, None), None);
        assert_eq!(
            transition(IdleState::Away, 60 * MIN, None),
            Some((IdleState::Active, PresenceStatus::Online))
        );
    }
}
