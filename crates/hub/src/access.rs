//! Room authorization: the one place that decides whether a principal may join a room.
//!
//! | room            | who may join                                                         |
//! |-----------------|----------------------------------------------------------------------|
//! | `user:{id}`     | that user; on `/training` also the leader of the user's team         |
//! | `team:{id}`     | the team's members (agents, leaders, its displays)                   |
//! | `contest:{id}`  | the contest's entrants, and leaders of the contest's team            |
//! | `tv-display`    | displays and leaders                                                 |
//! | `session:{id}`  | the session's participants, and leaders of its team                  |
//! | `project:{id}`  | the project's members, and leaders of its team                       |
//! | `module:{id}`   | any member of a team (modules are team-wide course material)         |
//!
//! A leader's reach is limited to their own team. Unknown contests, sessions and projects are
//! `NOT_FOUND`, everything else refused is `FORBIDDEN`.

use rusqlite::Connection;
use sideline_protocol::{Namespace, Room};

use crate::auth::{Principal, Role};
use crate::error::{HubError, Result};
use crate::store::{org, users};

/// Whether `principal` may join `room` on `namespace`; `Err` says why not.
pub fn may_join(
    principal: &Principal,
    room: &Room,
    namespace: Namespace,
    conn: &Connection,
) -> Result<()> {
    let leader_of =
        |team: &str| principal.role == Role::Leader && principal.team_id.as_str() == team;
    let allowed = match room {
        // A coach follows the team's training (XP, streaks, quizzes); the other namespaces'
        // user rooms carry a person's own notifications and ranks, and stay theirs.
        Room::User(id) => {
            *id == principal.user_id
                || (namespace == Namespace::Training
                    && users::by_id(conn, id)?.is_some_and(|user| leader_of(user.team_id.as_str())))
        }
        Room::Team(id) => *id == principal.team_id,
        Room::TvDisplay => matches!(principal.role, Role::Display | Role::Leader),
        Room::Module(_) => true,
        Room::Contest(id) => {
            let team = org::contest_team(conn, id)?
                .ok_or_else(|| HubError::NotFound(format!("no contest {id}")))?;
            leader_of(&team) || org::is_contest_entrant(conn, id, &principal.user_id)?
        }
        Room::Session(id) => match org::session(conn, id)? {
            Some((_, team, _)) => {
                leader_of(&team) || org::participant_role(conn, id, &principal.user_id)?.is_some()
            }
            None => {
                let what = if namespace == Namespace::Training {
                    "training session"
                } else {
                    "session"
                };
                return Err(HubError::NotFound(format!("no open {what} {id}")));
            }
        },
        Room::Project(id) => {
            let team = org::project_team(conn, id)?
                .ok_or_else(|| HubError::NotFound(format!("no project {id}")))?;
            leader_of(&team) || org::is_project_member(conn, id, &principal.user_id)?
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(HubError::Forbidden(format!("you may not join {room}")))
    }
}
