//! The three Socket.IO namespaces of the hub.

use std::fmt;
use std::str::FromStr;

use crate::validate::ValidationError;

/// A Socket.IO namespace served by the hub.
///
/// `/` carries seeds 000, 001, 003 and 004 (notes, coaching sessions, rooms, presence,
/// projects, notifications); `/leaderboard` and `/training` carry seed 002. Each namespace is
/// its own connection for `rust_socketio` (no multiplexing), so a client opens one per
/// namespace it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// `/`: notes, coaching sessions, rooms, presence, projects, notifications.
    Main,
    /// `/leaderboard`: rankings, contests, leaderboard achievements, TV displays.
    Leaderboard,
    /// `/training`: XP, levels, streaks, training achievements, roleplay, progress.
    Training,
}

impl Namespace {
    /// Every namespace, in catalogue order.
    pub const ALL: [Namespace; 3] = [Namespace::Main, Namespace::Leaderboard, Namespace::Training];

    /// The Socket.IO path: `/`, `/leaderboard` or `/training`.
    pub const fn path(self) -> &'static str {
        match self {
            Namespace::Main => "/",
            Namespace::Leaderboard => "/leaderboard",
            Namespace::Training => "/training",
        }
    }

    /// A short lower-case key (`main`, `leaderboard`, `training`) used for generated names.
    pub const fn key(self) -> &'static str {
        match self {
            Namespace::Main => "main",
            Namespace::Leaderboard => "leaderboard",
            Namespace::Training => "training",
        }
    }

    /// Parses a namespace path. Exact match only: `/leaderboard/` or `leaderboard` are rejected.
    pub fn parse(path: &str) -> Result<Self, ValidationError> {
        Namespace::ALL
            .into_iter()
            .find(|ns| ns.path() == path)
            .ok_or_else(|| {
                ValidationError::new(
                    "namespace",
                    "must be one of \"/\", \"/leaderboard\", \"/training\"",
                )
            })
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

impl FromStr for Namespace {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Namespace::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for ns in Namespace::ALL {
            assert_eq!(Namespace::parse(ns.path()), Ok(ns));
            assert_eq!(ns.to_string(), ns.path());
        }
    }

    #[test]
    fn unknown_paths_are_rejected() {
        for bad in ["", "leaderboard", "/leaderboard/", "/field", "/Training"] {
            let err = Namespace::parse(bad).expect_err(bad);
            assert_eq!(err.field, "namespace");
        }
    }
}
