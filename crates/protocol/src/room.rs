//! [`Room`]: the Socket.IO rooms the hub broadcasts to, and their string names.

use std::fmt;
use std::str::FromStr;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

use crate::id::Id;
use crate::validate::ValidationError;

/// A room of the hub. Its string form (`Display` / `FromStr` / serde) is the Socket.IO room
/// name: `user:{id}`, `team:{id}`, `contest:{id}`, `tv-display`, `session:{id}`,
/// `module:{id}`, `project:{id}`.
///
/// Rooms are namespace-local in Socket.IO, but the names are shared: `user:42` names the same
/// person's sockets on `/`, `/leaderboard` and `/training`. `session:{id}` is a coaching session
/// on `/` (seeds 000/003) and a training session on `/training` (seed 002).
///
/// Rooms are a closed set: seed 001's free-form names (`room-123`) are not accepted; a client
/// asks for one of these, and the hub decides whether it may join.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(
    type = "`user:${string}` | `team:${string}` | `contest:${string}` | \"tv-display\" | `session:${string}` | `module:${string}` | `project:${string}`"
)]
pub enum Room {
    /// Every socket of one user (`user:{userId}`).
    User(Id),
    /// Every member of a team (`team:{teamId}`).
    Team(Id),
    /// Every participant and watcher of a contest (`contest:{contestId}`).
    Contest(Id),
    /// Public leaderboard screens (`tv-display`).
    TvDisplay,
    /// A coaching session on `/`, or a training (roleplay) session on `/training`
    /// (`session:{sessionId}`).
    Session(Id),
    /// A training course module (`module:{moduleId}`).
    Module(Id),
    /// A project's collaborators (`project:{projectId}`).
    Project(Id),
}

/// The prefixes of the rooms that carry an id, for error messages.
const KINDS: &str = "user:, team:, contest:, session:, module:, project: or tv-display";

impl Room {
    /// `user:{id}`.
    pub fn user(id: Id) -> Self {
        Room::User(id)
    }

    /// `team:{id}`.
    pub fn team(id: Id) -> Self {
        Room::Team(id)
    }

    /// `contest:{id}`.
    pub fn contest(id: Id) -> Self {
        Room::Contest(id)
    }

    /// `tv-display`.
    pub fn tv_display() -> Self {
        Room::TvDisplay
    }

    /// `session:{id}`.
    pub fn session(id: Id) -> Self {
        Room::Session(id)
    }

    /// `module:{id}`.
    pub fn module(id: Id) -> Self {
        Room::Module(id)
    }

    /// `project:{id}`.
    pub fn project(id: Id) -> Self {
        Room::Project(id)
    }

    /// The id inside the room name, if it has one (`tv-display` has none).
    pub fn id(&self) -> Option<&Id> {
        match self {
            Room::User(id)
            | Room::Team(id)
            | Room::Contest(id)
            | Room::Session(id)
            | Room::Module(id)
            | Room::Project(id) => Some(id),
            Room::TvDisplay => None,
        }
    }

    /// Parses a room name; the error names the field `room`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        if s == "tv-display" {
            return Ok(Room::TvDisplay);
        }
        let Some((kind, id)) = s.split_once(':') else {
            return Err(ValidationError::new(
                "room",
                format!("must start with {KINDS}"),
            ));
        };
        let build: fn(Id) -> Room = match kind {
            "user" => Room::User,
            "team" => Room::Team,
            "contest" => Room::Contest,
            "session" => Room::Session,
            "module" => Room::Module,
            "project" => Room::Project,
            _ => {
                return Err(ValidationError::new(
                    "room",
                    format!("has unknown kind `{kind}`: must start with {KINDS}"),
                ));
            }
        };
        Id::new(id)
            .map(build)
            .map_err(|e| ValidationError::new("room", format!("id {}", e.rule)))
    }
}

impl fmt::Display for Room {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Room::User(id) => write!(f, "user:{id}"),
            Room::Team(id) => write!(f, "team:{id}"),
            Room::Contest(id) => write!(f, "contest:{id}"),
            Room::TvDisplay => f.write_str("tv-display"),
            Room::Session(id) => write!(f, "session:{id}"),
            Room::Module(id) => write!(f, "module:{id}"),
            Room::Project(id) => write!(f, "project:{id}"),
        }
    }
}

impl FromStr for Room {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Room::parse(s)
    }
}

impl Serialize for Room {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Room {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Room::parse(&s).map_err(|e| de::Error::custom(e.rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Id {
        Id::new(s).unwrap()
    }

    #[test]
    fn build_display_parse_round_trip() {
        let rooms = [
            (Room::user(id("123")), "user:123"),
            (Room::team(id("5")), "team:5"),
            (Room::contest(id("10")), "contest:10"),
            (Room::tv_display(), "tv-display"),
            (Room::session(id("abc")), "session:abc"),
            (Room::module(id("mod-1")), "module:mod-1"),
            (Room::project(id("p_9")), "project:p_9"),
        ];
        for (room, name) in rooms {
            assert_eq!(room.to_string(), name);
            assert_eq!(name.parse::<Room>().unwrap(), room);
            let json = serde_json::to_value(&room).unwrap();
            assert_eq!(json, serde_json::json!(name));
            assert_eq!(serde_json::from_value::<Room>(json).unwrap(), room);
        }
        assert_eq!(Room::user(id("1")).id(), Some(&id("1")));
        assert_eq!(Room::TvDisplay.id(), None);
    }

    #[test]
    fn rejections() {
        for bad in [
            "",
            "room-123",
            "tv-display:1",
            "tv",
            "users:1",
            "User:1",
            "user:",
            "user:a b",
            "user:a:b",
            "project:../etc",
        ] {
            let err = bad.parse::<Room>().expect_err(bad);
            assert_eq!(err.field, "room", "{bad}");
        }
        let err = "team:".parse::<Room>().unwrap_err();
        assert!(err.rule.starts_with("id must be"), "{}", err.rule);
        let err = "cohort:1".parse::<Room>().unwrap_err();
        assert!(err.rule.contains("unknown kind `cohort`"), "{}", err.rule);
        assert!(serde_json::from_value::<Room>(serde_json::json!("nope")).is_err());
    }
}
