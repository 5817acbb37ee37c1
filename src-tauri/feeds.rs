//! Per-window state feeds: how often each window takes `state` patches, and whether at all.
//!
//! The engine publishes up to 30 times a second, and each publication carries whole sections
//! (the leaderboard section alone holds every board and the last 100 changes). Every window
//! used to take every one: a hidden main window kept parsing and re-rendering them, and a wall
//! display that needs a few a second paid for thirty. Now each window says what it wants (the
//! `state_feed` command): a hidden window pauses, the TV asks for one patch per 250 ms, the
//! main window for one per 100 ms. What a window skipped is not lost: the forwarder remembers
//! which sections changed since each window's last patch and sends them together, from the
//! newest state, when the window is due (patches carry whole sections, so one patch makes up
//! for many). A window that resumes gets every section at once.
//!
//! The scheduling rule is [`WindowFeeds`], a plain struct driven by the forwarder with
//! explicit instants, so it is tested without a clock or a window.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sideline_client::state::Section;
use tokio::sync::Notify;

/// What a window asks of the state feed (`state_feed` command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StateFeed {
    /// No patches until resumed (the window is hidden); resuming sends every section.
    pub paused: bool,
    /// At least this long between two patches (0: every publication).
    pub min_interval_ms: u32,
}

/// The longest interval a window may ask for: slower than this and the screen looks stuck.
pub const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// Every section: what a resuming window is sent.
const ALL_SECTIONS: [Section; 7] = [
    Section::Session,
    Section::Leaderboard,
    Section::Training,
    Section::Team,
    Section::Analyses,
    Section::Notes,
    Section::Notifications,
];

/// The windows' requests, in managed state; the forwarder of the active engine reads them.
#[derive(Debug, Default)]
pub struct FeedRequests {
    requests: Mutex<HashMap<String, Request>>,
    /// Wakes the forwarder when a request changes.
    pub changed: Notify,
}

#[derive(Debug, Clone, Copy)]
struct Request {
    feed: StateFeed,
    /// Resumed (or first asked) since the forwarder last looked: send everything.
    resync: bool,
}

impl FeedRequests {
    /// Records `window`'s request and wakes the forwarder.
    pub fn set(&self, window: &str, feed: StateFeed) {
        let mut requests = self.requests.lock().expect("feed requests");
        let was_paused = requests.get(window).is_some_and(|r| r.feed.paused);
        requests.insert(
            window.to_owned(),
            Request {
                feed,
                resync: was_paused && !feed.paused,
            },
        );
        drop(requests);
        self.changed.notify_one();
    }

    /// Forgets a closed window.
    pub fn remove(&self, window: &str) {
        self.requests.lock().expect("feed requests").remove(window);
    }

    /// The current requests, taking the resync marks.
    fn take(&self) -> Vec<(String, StateFeed, bool)> {
        let mut requests = self.requests.lock().expect("feed requests");
        requests
            .iter_mut()
            .map(|(window, request)| {
                let resync = std::mem::take(&mut request.resync);
                (window.clone(), request.feed, resync)
            })
            .collect()
    }
}

/// One window's place in the feed.
#[derive(Debug, Default)]
struct WindowState {
    feed: StateFeed,
    /// Sections changed since this window's last patch.
    pending: BTreeSet<Section>,
    last_sent: Option<Instant>,
}

impl WindowState {
    fn interval(&self) -> Duration {
        Duration::from_millis(u64::from(self.feed.min_interval_ms)).min(MAX_INTERVAL)
    }

    /// When this window may take its next patch, `now` at the earliest (`None`: nothing to
    /// send, or paused).
    fn due(&self, now: Instant) -> Option<Instant> {
        if self.feed.paused || self.pending.is_empty() {
            return None;
        }
        Some(match self.last_sent {
            Some(at) => (at + self.interval()).max(now),
            None => now,
        })
    }
}

/// The forwarder's bookkeeping: per window, what changed since its last patch and when it may
/// take the next one. Windows it has not heard of take every publication.
#[derive(Debug, Default)]
pub struct WindowFeeds {
    windows: HashMap<String, WindowState>,
}

impl WindowFeeds {
    /// Takes the windows' current requests (from `state_feed`).
    pub fn update_requests(&mut self, requests: &FeedRequests) {
        for (window, feed, resync) in requests.take() {
            let state = self.windows.entry(window).or_default();
            state.feed = feed;
            if resync {
                state.pending.extend(ALL_SECTIONS);
            }
        }
    }

    /// A publication changed `sections`; `open` are the windows that exist now (a closed one is
    /// forgotten, a new one starts from its own snapshot and this change).
    pub fn changed<'a>(&mut self, sections: &[Section], open: impl IntoIterator<Item = &'a str>) {
        let mut seen = std::collections::HashSet::new();
        for window in open {
            seen.insert(window);
            self.windows
                .entry(window.to_owned())
                .or_default()
                .pending
                .extend(sections.iter().copied());
        }
        self.windows
            .retain(|window, _| seen.contains(window.as_str()));
    }

    /// The windows due a patch at `now`, each with the sections to send; they count as sent.
    pub fn take_due(&mut self, now: Instant) -> Vec<(String, Vec<Section>)> {
        let mut due = Vec::new();
        for (window, state) in &mut self.windows {
            if state.due(now).is_some_and(|at| at <= now) {
                due.push((
                    window.clone(),
                    std::mem::take(&mut state.pending).into_iter().collect(),
                ));
                state.last_sent = Some(now);
            }
        }
        due.sort();
        due
    }

    /// When the next window falls due, `now` at the earliest (`None`: none is waiting).
    pub fn next_due(&self, now: Instant) -> Option<Instant> {
        self.windows.values().filter_map(|w| w.due(now)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feeds_with(requests: &[(&str, StateFeed)]) -> WindowFeeds {
        let shared = FeedRequests::default();
        for (window, feed) in requests {
            shared.set(window, *feed);
        }
        let mut feeds = WindowFeeds::default();
        feeds.update_requests(&shared);
        feeds
    }

    #[test]
    fn a_window_that_asked_nothing_takes_every_publication() {
        let mut feeds = WindowFeeds::default();
        let t0 = Instant::now();
        feeds.changed(&[Section::Leaderboard], ["main"]);
        assert_eq!(
            feeds.take_due(t0),
            vec![("main".to_owned(), vec![Section::Leaderboard])]
        );
        feeds.changed(&[Section::Team], ["main"]);
        assert_eq!(
            feeds.take_due(t0),
            vec![("main".to_owned(), vec![Section::Team])]
        );
        assert_eq!(feeds.next_due(t0), None);
    }

    #[test]
    fn a_slow_window_gets_what_changed_in_between_at_its_interval() {
        let tv = StateFeed {
            paused: false,
            min_interval_ms: 500,
        };
        let mut feeds = feeds_with(&[("tv", tv)]);
        let t0 = Instant::now();
        feeds.changed(&[Section::Leaderboard], ["main", "tv"]);
        let first = feeds.take_due(t0);
        assert_eq!(first.len(), 2, "the first patch goes at once: {first:?}");

        feeds.changed(&[Section::Leaderboard], ["main", "tv"]);
        feeds.changed(&[Section::Team], ["main", "tv"]);
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(
            feeds.take_due(t1),
            vec![("main".to_owned(), vec![Section::Leaderboard, Section::Team])]
        );
        assert_eq!(feeds.next_due(t0), Some(t0 + Duration::from_millis(500)));
        assert_eq!(feeds.take_due(t0 + Duration::from_millis(499)), vec![]);
        assert_eq!(
            feeds.take_due(t0 + Duration::from_millis(500)),
            vec![("tv".to_owned(), vec![Section::Leaderboard, Section::Team])]
        );
    }

    #[test]
    fn a_paused_window_gets_nothing_then_everything_on_resume() {
        let shared = FeedRequests::default();
        let mut feeds = WindowFeeds::default();
        shared.set(
            "main",
            StateFeed {
                paused: true,
                min_interval_ms: 0,
            },
        );
        feeds.update_requests(&shared);
        let t0 = Instant::now();
        feeds.changed(&[Section::Leaderboard], ["main"]);
        assert_eq!(feeds.take_due(t0), vec![]);
        assert_eq!(feeds.next_due(t0), None);

        shared.set("main", StateFeed::default());
        feeds.update_requests(&shared);
        assert_eq!(
            feeds.take_due(t0),
            vec![("main".to_owned(), ALL_SECTIONS.to_vec())]
        );
        // The resync mark is taken once.
        feeds.update_requests(&shared);
        assert_eq!(feeds.take_due(t0), vec![]);
    }

    #[test]
    fn closed_windows_are_forgotten_and_intervals_capped() {
        let slow = StateFeed {
            paused: false,
            min_interval_ms: u32::MAX,
        };
        let mut feeds = feeds_with(&[("tv", slow)]);
        let t0 = Instant::now();
        feeds.changed(&[Section::Leaderboard], ["tv"]);
        feeds.take_due(t0);
        feeds.changed(&[Section::Leaderboard], ["tv"]);
        assert_eq!(feeds.next_due(t0), Some(t0 + MAX_INTERVAL));
        feeds.changed(&[Section::Team], ["main"]);
        assert_eq!(
            feeds.take_due(t0 + MAX_INTERVAL),
            vec![("main".to_owned(), vec![Section::Team])]
        );
    }
}
