//! Presence (seeds 001/004): a user is online while any of their sockets (on any namespace) is
//! connected, away when they say so or when none of their sockets has sent anything for the
//! idle time (any event or a new connection makes an idle-away user online again; an away
//! they set themselves stays until they change it), and offline once the last socket has
//! been gone for the grace period (a reconnect within it is invisible to others).
//!
//! [`PresenceTracker`] is the pure bookkeeping; the socket layer announces the transitions it
//! returns as `presence:changed` to the user's team room on `/`.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use sideline_protocol::{Id, PresenceStatus};

#[derive(Debug, Clone, Copy)]
struct UserPresence {
    sockets: usize,
    status: PresenceStatus,
    /// Bumped on every disconnect, so a grace timer knows whether it is still the latest.
    generation: u64,
    /// The last connect or incoming event of any of the user's sockets (hub clock); `None`
    /// until [`PresenceTracker::activity`] is first called.
    last_activity: Option<DateTime<Utc>>,
    /// The current `away` was set by the idle rule, not by the user.
    idle_away: bool,
}

/// Who is connected, and how they appear to others.
#[derive(Debug, Default)]
pub struct PresenceTracker {
    users: Mutex<HashMap<Id, UserPresence>>,
}

impl PresenceTracker {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Id, UserPresence>) -> T) -> T {
        f(&mut self.users.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A socket of `user` connected. Returns the new status if others should be told.
    pub fn socket_connected(&self, user: &Id) -> Option<PresenceStatus> {
        self.with(|users| {
            let entry = users.entry(user.clone()).or_insert(UserPresence {
                sockets: 0,
                status: PresenceStatus::Offline,
                generation: 0,
                last_activity: None,
                idle_away: false,
            });
            entry.sockets += 1;
            if entry.status == PresenceStatus::Offline {
                entry.status = PresenceStatus::Online;
                Some(PresenceStatus::Online)
            } else {
                None
            }
        })
    }

    /// A socket of `user` disconnected. Returns a ticket when it was the last one: pass it to
    /// [`Self::grace_expired`] after the grace period.
    pub fn socket_disconnected(&self, user: &Id) -> Option<u64> {
        self.with(|users| {
            let entry = users.get_mut(user)?;
            entry.sockets = entry.sockets.saturating_sub(1);
            entry.generation += 1;
            (entry.sockets == 0).then_some(entry.generation)
        })
    }

    /// The grace period of the disconnect with `ticket` is over. Returns `Offline` if the user
    /// did not come back meanwhile.
    pub fn grace_expired(&self, user: &Id, ticket: u64) -> Option<PresenceStatus> {
        self.with(|users| {
            let entry = users.get(user)?;
            if entry.sockets == 0
                && entry.generation == ticket
                && entry.status != PresenceStatus::Offline
            {
                users.remove(user);
                Some(PresenceStatus::Offline)
            } else {
                None
            }
        })
    }

    /// The user set their own status. Returns it if it changed. Setting `offline` while
    /// connected is honoured (appear offline).
    pub fn set_status(&self, user: &Id, status: PresenceStatus) -> Option<PresenceStatus> {
        self.with(|users| {
            let entry = users.get_mut(user)?;
            entry.idle_away = false;
            (entry.status != status).then(|| {
                entry.status = status;
                status
            })
        })
    }

    /// A socket of `user` connected or sent an event at `now`. Returns `Online` when that
    /// ends an idle away (an away the user set stays).
    pub fn activity(&self, user: &Id, now: DateTime<Utc>) -> Option<PresenceStatus> {
        self.with(|users| {
            let entry = users.get_mut(user)?;
            if entry.last_activity.is_none_or(|last| last < now) {
                entry.last_activity = Some(now);
            }
            if entry.idle_away && entry.status == PresenceStatus::Away && entry.sockets > 0 {
                entry.idle_away = false;
                entry.status = PresenceStatus::Online;
                return Some(PresenceStatus::Online);
            }
            None
        })
    }

    /// Connected users that are `online` but whose sockets have been silent for `idle` (or
    /// longer) at `now` become `away`; returns them.
    pub fn sweep_idle(&self, now: DateTime<Utc>, idle: chrono::Duration) -> Vec<Id> {
        self.with(|users| {
            users
                .iter_mut()
                .filter(|(_, p)| {
                    p.sockets > 0
                        && p.status == PresenceStatus::Online
                        && p.last_activity.is_some_and(|last| now - last >= idle)
                })
                .map(|(id, p)| {
                    p.status = PresenceStatus::Away;
                    p.idle_away = true;
                    id.clone()
                })
                .collect()
        })
    }

    /// The current status of `user`.
    pub fn status(&self, user: &Id) -> PresenceStatus {
        self.with(|users| {
            users
                .get(user)
                .map_or(PresenceStatus::Offline, |p| p.status)
        })
    }

    /// How many of `users` are online or away.
    pub fn online_count<'a>(&self, users: impl IntoIterator<Item = &'a Id>) -> usize {
        self.with(|map| {
            users
                .into_iter()
                .filter(|u| {
                    map.get(*u)
                        .is_some_and(|p| p.status != PresenceStatus::Offline)
                })
                .count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_until_the_last_socket_has_been_gone_for_the_grace() {
        let p = PresenceTracker::default();
        let u = Id::new("u").unwrap();
        assert_eq!(p.socket_connected(&u), Some(PresenceStatus::Online));
        assert_eq!(
            p.socket_connected(&u),
            None,
            "a second socket changes nothing"
        );
        assert_eq!(p.socket_disconnected(&u), None, "one socket is still there");
        let ticket = p.socket_disconnected(&u).unwrap();
        // A reconnect within the grace cancels the pending offline.
        assert_eq!(p.socket_connected(&u), None);
        assert_eq!(p.grace_expired(&u, ticket), None);
        let ticket = p.socket_disconnected(&u).unwrap();
        assert_eq!(p.grace_expired(&u, ticket), Some(PresenceStatus::Offline));
        assert_eq!(p.status(&u), PresenceStatus::Offline);
    }

    #[test]
    fn away_is_set_explicitly() {
        let p = PresenceTracker::default();
        let u = Id::new("u").unwrap();
        assert_eq!(
            p.set_status(&u, PresenceStatus::Away),
            None,
            "unknown users are offline"
        );
        p.socket_connected(&u);
        assert_eq!(
            p.set_status(&u, PresenceStatus::Away),
            Some(PresenceStatus::Away)
        );
        assert_eq!(p.set_status(&u, PresenceStatus::Away), None);
        assert_eq!(p.online_count([&u]), 1);
    }

    #[test]
    fn idle_users_turn_away_and_come_back_on_activity_but_a_chosen_away_stays() {
        let p = PresenceTracker::default();
        let u = Id::new("u").unwrap();
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let idle = chrono::Duration::minutes(10);
        p.socket_connected(&u);
        assert_eq!(p.activity(&u, t0), None);
        assert!(
            p.sweep_idle(t0 + chrono::Duration::minutes(9), idle)
                .is_empty()
        );
        assert_eq!(p.sweep_idle(t0 + idle, idle), vec![u.clone()]);
        assert_eq!(p.status(&u), PresenceStatus::Away);
        assert!(
            p.sweep_idle(t0 + idle * 2, idle).is_empty(),
            "announced once"
        );
        let t1 = t0 + chrono::Duration::minutes(12);
        assert_eq!(p.activity(&u, t1), Some(PresenceStatus::Online));
        assert_eq!(p.activity(&u, t1), None);
        // Away by choice is not ended by activity.
        p.set_status(&u, PresenceStatus::Away);
        assert_eq!(p.activity(&u, t1 + idle * 2), None);
        assert_eq!(p.status(&u), PresenceStatus::Away);
    }
}
