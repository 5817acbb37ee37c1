//! The alert policy: which events become native alerts, and when. Pure — time is an input
//! ([`AlertClock`]) and the persisted dedupe answer is an input (`already_seen`) — so it is
//! tested under explicit times; the engine feeds it and stores the seen ids.
//!
//! Alerts: my rank changed (`rank:changed`), my achievement or level-up
//! (`achievement:earned`, `achievement:unlocked`, `level:up`), a notification to me, an
//! analysis of one of my projects finished or failed (the hub only sends analysis events for
//! project rooms I am in), a contest result for me (`contest:entry-update`). Public echoes
//! (`rankings:update`, celebrations, showcases) never alert: they would double the personal
//! event.
//!
//! Then, in order: dedupe by `eventId` (across replays and restarts: the store remembers),
//! the category switch, do-not-disturb, quiet hours (a local-time window that may cross
//! midnight), and storm coalescing (beyond `storm_threshold` alerts within `storm_window`, the
//! rest are held and become one summary alert when the storm calms).

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sideline_protocol::leaderboard::TimeRange;
use sideline_protocol::{
    EventId, Id, LeaderboardServerEvent, MainServerEvent, ServerEvent, TrainingServerEvent,
};

/// What an alert is about; each has its own switch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum AlertCategory {
    /// My rank changed.
    Rank,
    /// My achievement or level-up.
    Achievement,
    /// A notification to me.
    Notification,
    /// An analysis of my project finished or failed.
    Analysis,
    /// A contest result for me.
    Contest,
    /// Several alerts coalesced during a storm.
    Summary,
}

/// Where a click on the alert leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertTarget {
    /// The app view (`leaderboard`, `team`, `analysis`, `notifications`).
    pub view: &'static str,
    /// The record in that view, if any.
    pub id: Option<String>,
}

/// A native alert to show.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Title line.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Category.
    pub category: AlertCategory,
    /// Click target.
    pub target: AlertTarget,
}

/// A local-time window in which alerts are suppressed; `start > end` crosses midnight
/// (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    /// Start (inclusive).
    pub start: NaiveTime,
    /// End (exclusive).
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether `t` falls in the window.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// The user's alert preferences (stored in the engine's database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertSettings {
    /// Per-category switches; a missing category is on.
    pub categories: BTreeMap<AlertCategory, bool>,
    /// Do not disturb: nothing alerts.
    pub do_not_disturb: bool,
    /// Quiet hours, if any.
    pub quiet_hours: Option<QuietHours>,
    /// Alerts allowed within `storm_window` before coalescing.
    pub storm_threshold: usize,
    /// The storm window, in milliseconds.
    #[ts(type = "number")]
    pub storm_window_ms: u64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            categories: BTreeMap::new(),
            do_not_disturb: false,
            quiet_hours: None,
            storm_threshold: 3,
            storm_window_ms: 5_000,
        }
    }
}

impl AlertSettings {
    fn enabled(&self, category: AlertCategory) -> bool {
        self.categories.get(&category).copied().unwrap_or(true)
    }

    fn storm_window(&self) -> Duration {
        Duration::from_millis(self.storm_window_ms)
    }
}

/// "Now", as the policy needs it: UTC for windows, local wall time for quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertClock {
    /// Now, UTC.
    pub now: DateTime<Utc>,
    /// The local time of day now.
    pub local_time: NaiveTime,
}

impl AlertClock {
    /// The system clock.
    pub fn system() -> Self {
        let now = Utc::now();
        AlertClock {
            now,
            local_time: now.with_timezone(&chrono::Local).time(),
        }
    }
}

/// What the policy decided about one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Alerts to show now (at most one per event; a storm may hold it back).
    pub alerts: Vec<Alert>,
    /// Record this event id as seen (it was an alert candidate, shown or suppressed).
    pub mark_seen: Option<EventId>,
}

/// The alert policy's state between events (recent alerts for storm detection, held alerts).
#[derive(Debug, Clone)]
pub struct AlertPolicy {
    settings: AlertSettings,
    me: Option<Id>,
    /// When recent alerts were shown.
    shown: VecDeque<DateTime<Utc>>,
    /// Alerts held during a storm.
    held: Vec<Alert>,
    /// When the last alert was held.
    last_held: Option<DateTime<Utc>>,
    /// The (metric, hub timestamp) of the last rank alert: one sale moves me on several
    /// periods' boards at once (today, week, month…), each its own `rank:changed` with the
    /// sale's timestamp; the first (the shortest period) alerts, the rest would repeat it.
    last_rank_move: Option<(String, DateTime<Utc>)>,
}

impl AlertPolicy {
    /// A policy for the user `me` (unknown until `connected` or the token says).
    pub fn new(settings: AlertSettings, me: Option<Id>) -> Self {
        AlertPolicy {
            settings,
            me,
            shown: VecDeque::new(),
            held: Vec::new(),
            last_held: None,
            last_rank_move: None,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &AlertSettings {
        &self.settings
    }

    /// Replaces the settings.
    pub fn set_settings(&mut self, settings: AlertSettings) {
        self.settings = settings;
    }

    /// Sets who "me" is.
    pub fn set_me(&mut self, me: Option<Id>) {
        self.me = me;
    }

    fn is_me(&self, user: &Id) -> bool {
        self.me.as_ref() == Some(user)
    }

    /// The alert an event would raise, before dedupe, switches and timing.
    pub fn candidate(&self, event: &ServerEvent) -> Option<Alert> {
        match event {
            ServerEvent::Leaderboard(LeaderboardServerEvent::RankChanged(r))
                if self.is_me(&r.user_id) && r.new_rank != r.previous_rank =>
            {
                let direction = if r.previous_rank == 0 || r.new_rank < r.previous_rank {
                    "up"
                } else {
                    "down"
                };
                let period = match r.range {
                    Some(TimeRange::Today) => " today",
                    Some(TimeRange::Week) => " this week",
                    Some(TimeRange::Month) => " this month",
                    Some(TimeRange::Quarter) => " this quarter",
                    Some(TimeRange::Year) => " this year",
                    None => "",
                };
                Some(Alert {
                    title: format!(
                        "You moved {direction} to #{} on {}{period}",
                        r.new_rank, r.metric
                    ),
                    body: if r.previous_rank == 0 {
                        format!("New on the {} leaderboard", r.metric)
                    } else {
                        format!("From #{} to #{}", r.previous_rank, r.new_rank)
                    },
                    category: AlertCategory::Rank,
                    target: AlertTarget {
                        view: "leaderboard",
                        id: Some(r.metric.clone()),
                    },
                })
            }
            ServerEvent::Leaderboard(LeaderboardServerEvent::AchievementEarned(a))
                if self.is_me(&a.user_id) =>
            {
                Some(Alert {
                    title: format!("Achievement: {}", a.title),
                    body: a.description.clone(),
                    category: AlertCategory::Achievement,
                    target: AlertTarget {
                        view: "leaderboard",
                        id: None,
                    },
                })
            }
            ServerEvent::Leaderboard(LeaderboardServerEvent::ContestEntryUpdate(c))
                if self.is_me(&c.user_id) && c.new_rank != c.previous_rank =>
            {
                Some(Alert {
                    title: format!("Contest: you are #{}", c.new_rank),
                    body: format!("Your total is {}", c.total),
                    category: AlertCategory::Contest,
                    target: AlertTarget {
                        view: "leaderboard",
                        id: Some(c.contest_id.to_string()),
                    },
                })
            }
            ServerEvent::Training(TrainingServerEvent::AchievementUnlocked(a))
                if self.is_me(&a.user_id) =>
            {
                Some(Alert {
                    title: format!("Achievement: {}", a.title),
                    body: a.description.clone(),
                    category: AlertCategory::Achievement,
                    target: AlertTarget {
                        view: "team",
                        id: Some(a.achievement_id.to_string()),
                    },
                })
            }
            ServerEvent::Training(TrainingServerEvent::LevelUp(l)) if self.is_me(&l.user_id) => {
                Some(Alert {
                    title: format!("Level {}!", l.new_level),
                    body: format!("You reached level {} with {} XP", l.new_level, l.total_xp),
                    category: AlertCategory::Achievement,
                    target: AlertTarget {
                        view: "team",
                        id: None,
                    },
                })
            }
            ServerEvent::Main(MainServerEvent::Notification(n))
                if self.me.is_none() || self.is_me(&n.user_id) =>
            {
                Some(Alert {
                    title: n.title.clone().unwrap_or_else(|| "Notification".to_owned()),
                    body: n.message.clone(),
                    category: AlertCategory::Notification,
                    target: AlertTarget {
                        view: "notifications",
                        id: Some(n.id.to_string()),
                    },
                })
            }
            ServerEvent::Main(MainServerEvent::AnalysisComplete(a)) => Some(Alert {
                title: "Analysis finished".to_owned(),
                body: format!("Project {}: {} issues found", a.project_id, a.issues_found),
                category: AlertCategory::Analysis,
                target: AlertTarget {
                    view: "analysis",
                    id: Some(a.analysis_id.to_string()),
                },
            }),
            ServerEvent::Main(MainServerEvent::AnalysisError(a)) => Some(Alert {
                title: "Analysis failed".to_owned(),
                body: format!("Project {}: {}", a.project_id, a.message),
                category: AlertCategory::Analysis,
                target: AlertTarget {
                    view: "analysis",
                    id: Some(a.analysis_id.to_string()),
                },
            }),
            _ => None,
        }
    }

    /// Decides about one applied event. `already_seen` is the store's answer for its id.
    pub fn decide(
        &mut self,
        event_id: Option<EventId>,
        event: &ServerEvent,
        already_seen: bool,
        clock: AlertClock,
    ) -> Decision {
        let mut decision = Decision {
            alerts: self.flush(clock),
            mark_seen: None,
        };
        // Only durable events alert: without an id there is no dedupe across replays.
        let Some(id) = event_id else {
            return decision;
        };
        let Some(alert) = self.candidate(event) else {
            return decision;
        };
        decision.mark_seen = Some(id);
        if let ServerEvent::Leaderboard(LeaderboardServerEvent::RankChanged(r)) = event {
            let sale = (r.metric.clone(), r.timestamp);
            if self.last_rank_move.as_ref() == Some(&sale) {
                return decision;
            }
            self.last_rank_move = Some(sale);
        }
        if already_seen
            || !self.settings.enabled(alert.category)
            || self.settings.do_not_disturb
            || self
                .settings
                .quiet_hours
                .is_some_and(|q| q.contains(clock.local_time))
        {
            return decision;
        }
        let window = chrono::Duration::from_std(self.settings.storm_window())
            .unwrap_or(chrono::Duration::zero());
        while self.shown.front().is_some_and(|t| clock.now - *t >= window) {
            self.shown.pop_front();
        }
        if self.shown.len() >= self.settings.storm_threshold || !self.held.is_empty() {
            self.held.push(alert);
            self.last_held = Some(clock.now);
        } else {
            self.shown.push_back(clock.now);
            decision.alerts.push(alert);
        }
        decision
    }

    /// Releases held alerts as one summary once no new alert was held for a storm window.
    /// The engine calls this on a timer; [`Self::decide`] calls it too.
    pub fn flush(&mut self, clock: AlertClock) -> Vec<Alert> {
        let window = chrono::Duration::from_std(self.settings.storm_window())
            .unwrap_or(chrono::Duration::zero());
        let calm = self.last_held.is_some_and(|t| clock.now - t >= window);
        if !calm || self.held.is_empty() {
            return Vec::new();
        }
        let held = std::mem::take(&mut self.held);
        self.last_held = None;
        self.shown.clear();
        self.shown.push_back(clock.now);
        if held.len() == 1 {
            return held;
        }
        let mut views: Vec<&'static str> = held.iter().map(|a| a.target.view).collect();
        views.dedup();
        let view = if views.len() == 1 {
            views[0]
        } else {
            "notifications"
        };
        vec![Alert {
            title: format!("{} new updates", held.len()),
            body: held
                .iter()
                .take(3)
                .map(|a| a.title.as_str())
                .collect::<Vec<_>>()
                .join(" · "),
            category: AlertCategory::Summary,
            target: AlertTarget { view, id: None },
        }]
    }

    /// Whether alerts are held waiting for [`Self::flush`].
    pub fn has_held(&self) -> bool {
        !self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;
    use sideline_protocol::Namespace;

    fn clock(secs: i64) -> AlertClock {
        let now =
            Utc.with_ymd_and_hms(2025, 1, 24, 12, 0, 0).unwrap() + chrono::Duration::seconds(secs);
        AlertClock {
            now,
            local_time: now.time(),
        }
    }

    fn at_local(h: u32, m: u32) -> AlertClock {
        AlertClock {
            now: Utc.with_ymd_and_hms(2025, 1, 24, 12, 0, 0).unwrap(),
            local_time: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
        }
    }

    /// A rank change from a sale at `10:00:<sale>`.
    fn rank_changed_in(sale: u32, range: &str, user: &str, prev: u32, new: u32) -> ServerEvent {
        ServerEvent::decode_durable(
            Namespace::Leaderboard,
            "rank:changed",
            json!({"userId": user, "userName": user, "previousRank": prev, "newRank": new,
                   "metric": "revenue", "value": 1.0, "range": range,
                   "timestamp": format!("2025-01-24T10:00:{:02}Z", sale % 60)}),
        )
        .unwrap()
        .1
    }

    /// Each call a different sale.
    fn rank_changed(user: &str, prev: u32, new: u32) -> ServerEvent {
        static SALE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let sale = SALE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        rank_changed_in(sale, "week", user, prev, new)
    }

    #[test]
    fn one_sale_moving_me_on_several_boards_alerts_once_naming_the_period() {
        let mut p = policy(AlertSettings::default());
        let mut shown = Vec::new();
        for (i, range) in ["today", "week", "month"].into_iter().enumerate() {
            let event = rank_changed_in(7, range, "lead", 3, 2);
            shown.extend(
                p.decide(Some(EventId(i as u64 + 1)), &event, false, clock(0))
                    .alerts,
            );
        }
        let titles: Vec<&str> = shown.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["You moved up to #2 on revenue today"]);
        // The next sale alerts again.
        let next = p.decide(
            Some(EventId(9)),
            &rank_changed_in(8, "today", "lead", 2, 1),
            false,
            clock(60),
        );
        assert_eq!(next.alerts.len(), 1);
    }

    fn policy(settings: AlertSettings) -> AlertPolicy {
        AlertPolicy::new(settings, Some(Id::new("lead").unwrap()))
    }

    #[test]
    fn only_my_personal_events_alert() {
        let mut p = policy(AlertSettings::default());
        let mine = p.decide(
            Some(EventId(1)),
            &rank_changed("lead", 3, 1),
            false,
            clock(0),
        );
        assert_eq!(mine.alerts.len(), 1);
        assert_eq!(
            mine.alerts[0].title,
            "You moved up to #1 on revenue this week"
        );
        assert_eq!(
            mine.alerts[0].target,
            AlertTarget {
                view: "leaderboard",
                id: Some("revenue".into())
            }
        );
        assert_eq!(mine.mark_seen, Some(EventId(1)));
        let theirs = p.decide(
            Some(EventId(2)),
            &rank_changed("agent01", 3, 1),
            false,
            clock(10),
        );
        assert!(theirs.alerts.is_empty());
        assert_eq!(theirs.mark_seen, None);
        let public = ServerEvent::decode_durable(
            Namespace::Leaderboard,
            "rankings:update",
            json!({"userId": "lead", "userName": "Lea", "previousRank": 3, "newRank": 1,
                   "metric": "revenue", "value": 1.0, "timestamp": "2025-01-24T10:00:00Z"}),
        )
        .unwrap()
        .1;
        assert!(
            p.decide(Some(EventId(3)), &public, false, clock(20))
                .alerts
                .is_empty()
        );
        // Transient (no eventId): never alerts.
        assert!(
            p.decide(None, &rank_changed("lead", 1, 2), false, clock(30))
                .alerts
                .is_empty()
        );
    }

    #[test]
    fn seen_events_switched_off_categories_and_dnd_are_silent_but_marked() {
        let mut p = policy(AlertSettings::default());
        let d = p.decide(
            Some(EventId(1)),
            &rank_changed("lead", 3, 1),
            true,
            clock(0),
        );
        assert!(d.alerts.is_empty());
        assert_eq!(d.mark_seen, Some(EventId(1)));

        let mut off = AlertSettings::default();
        off.categories.insert(AlertCategory::Rank, false);
        let mut p = policy(off);
        let d = p.decide(
            Some(EventId(2)),
            &rank_changed("lead", 3, 1),
            false,
            clock(0),
        );
        assert!(d.alerts.is_empty());
        assert_eq!(
            d.mark_seen,
            Some(EventId(2)),
            "suppressed alerts never come back later"
        );

        let mut p = policy(AlertSettings {
            do_not_disturb: true,
            ..AlertSettings::default()
        });
        assert!(
            p.decide(
                Some(EventId(3)),
                &rank_changed("lead", 3, 1),
                false,
                clock(0)
            )
            .alerts
            .is_empty()
        );
    }

    #[test]
    fn quiet_hours_cross_midnight() {
        let quiet = QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        };
        for (h, m, silent) in [
            (21, 59, false),
            (22, 0, true),
            (23, 30, true),
            (0, 0, true),
            (6, 59, true),
            (7, 0, false),
            (12, 0, false),
        ] {
            assert_eq!(
                quiet.contains(NaiveTime::from_hms_opt(h, m, 0).unwrap()),
                silent,
                "{h}:{m}"
            );
            let mut p = policy(AlertSettings {
                quiet_hours: Some(quiet),
                ..AlertSettings::default()
            });
            let d = p.decide(
                Some(EventId(1)),
                &rank_changed("lead", 3, 1),
                false,
                at_local(h, m),
            );
            assert_eq!(d.alerts.is_empty(), silent, "{h}:{m}");
        }
    }

    #[test]
    fn a_storm_becomes_one_summary() {
        let mut p = policy(AlertSettings::default());
        let mut shown = Vec::new();
        // Ten rank changes 100 ms apart: three alert at once, seven are held.
        for i in 0..10u64 {
            let c = AlertClock {
                now: clock(0).now + chrono::Duration::milliseconds(100 * i as i64),
                ..clock(0)
            };
            shown.extend(
                p.decide(Some(EventId(i + 1)), &rank_changed("lead", 5, 4), false, c)
                    .alerts,
            );
        }
        assert_eq!(shown.len(), 3);
        assert!(p.has_held());
        // Not calm yet 4.9 s after the last held one.
        assert!(
            p.flush(AlertClock {
                now: clock(0).now + chrono::Duration::milliseconds(900 + 4_900),
                ..clock(0)
            })
            .is_empty()
        );
        let summary = p.flush(clock(6));
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0].category, AlertCategory::Summary);
        assert_eq!(summary[0].title, "7 new updates");
        assert_eq!(summary[0].target.view, "leaderboard");
        // Calm again: the next alert is shown at once.
        let d = p.decide(
            Some(EventId(50)),
            &rank_changed("lead", 4, 3),
            false,
            clock(20),
        );
        assert_eq!(d.alerts.len(), 1);
    }
}
