//! Idle → away: every [`POLL`] the system idle time (the `user-idle` crate: the X11
//! screen-saver extension on Linux, `GetLastInputInfo` on Windows, IOKit on macOS) is compared
//! with the `idleAwayMinutes` setting; crossing it sends `activity-status {isActive: false}` on
//! `/`, and input again `isActive: true`. The hub sets the user's presence from it (away /
//! online) and, when the user is in a coaching session, tells the session they are idle or
//! active again. The rule is [`transition`], a pure function.
//!
//! # Test hook
//! Minutes of idling are too long for an end-to-end test, so two environment variables, read
//! once when polling starts and meant for the tests only, shorten both clocks:
//! `SIDELINE_IDLE_POLL_MS` replaces [`POLL`], and `SIDELINE_IDLE_AWAY_SECS` counts the limit in
//! seconds instead of the setting's minutes (while the setting is on; `0` still turns the
//! feature off). See [`TestHook`]. The idle time itself is always the system's.

use std::time::Duration;

use sideline_protocol::coaching::ActivityStatus;
use sideline_protocol::{ClientEvent, MainClientEvent, PresenceStatus};
use tauri::{AppHandle, Runtime};

use crate::session::SessionExt;

/// How often the idle time is read.
pub const POLL: Duration = Duration::from_secs(15);

/// The end-to-end tests' shorter clocks (see the module's "Test hook"); empty in normal use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestHook {
    /// Replaces [`POLL`] (`SIDELINE_IDLE_POLL_MS`).
    pub poll: Option<Duration>,
    /// Replaces the setting's limit while it is on (`SIDELINE_IDLE_AWAY_SECS`).
    pub away_after: Option<Duration>,
}

impl TestHook {
    /// Reads `SIDELINE_IDLE_POLL_MS` and `SIDELINE_IDLE_AWAY_SECS`; logs when either is set.
    pub fn from_env() -> Self {
        let var = |key| std::env::var(key).ok();
        let hook = Self::parse(
            var("SIDELINE_IDLE_POLL_MS").as_deref(),
            var("SIDELINE_IDLE_AWAY_SECS").as_deref(),
        );
        if hook != Self::default() {
            tracing::warn!(?hook, "idle test hook in use: shortened idle clocks");
        }
        hook
    }

    /// Whole positive numbers only; anything else is ignored.
    fn parse(poll_ms: Option<&str>, away_secs: Option<&str>) -> Self {
        let number = |text: Option<&str>| {
            text.and_then(|t| t.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
        };
        Self {
            poll: number(poll_ms).map(Duration::from_millis),
            away_after: number(away_secs).map(Duration::from_secs),
        }
    }

    /// The limit for the `idleAwayMinutes` setting `minutes` (`None`: the feature is off).
    fn limit(&self, minutes: u32) -> Option<Duration> {
        (minutes > 0).then(|| {
            self.away_after
                .unwrap_or(Duration::from_secs(u64::from(minutes) * 60))
        })
    }
}

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
    let hook = TestHook::from_env();
    let mut state = IdleState::Active;
    let mut warned = false;
    let mut tick = tokio::time::interval(hook.poll.unwrap_or(POLL));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let minutes = app
            .session()
            .profiles()
            .settings()
            .map(|s| s.idle_away_minutes)
            .unwrap_or(0);
        let away_after = hook.limit(minutes);
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
        let event = ClientEvent::Main(MainClientEvent::ActivityStatus(ActivityStatus {
            is_active: status == PresenceStatus::Online,
            session_id: None,
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
    fn the_test_hook_shortens_the_clocks_and_zero_minutes_stays_off() {
        let none = TestHook::parse(None, None);
        assert_eq!(none, TestHook::default());
        assert_eq!(none.limit(10), Some(10 * MIN));
        assert_eq!(none.limit(0), None);
        let hook = TestHook::parse(Some("250"), Some(" 6 "));
        assert_eq!(hook.poll, Some(Duration::from_millis(250)));
        assert_eq!(hook.limit(10), Some(Duration::from_secs(6)));
        assert_eq!(hook.limit(0), None, "0 minutes still turns the feature off");
        assert_eq!(
            TestHook::parse(Some("0"), Some("soon")),
            TestHook::default()
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
