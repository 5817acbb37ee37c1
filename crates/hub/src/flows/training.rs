//! Training flows (seed 002) over [`crate::domain`]: XP awards (levels, achievements with
//! rarity), quiz completion, module progress, training-session rooms.
//!
//! Rooms: `xp:gained`, `level:up`, `achievement:unlocked`, `quiz:completed` go to
//! `user:{id}`; `level:celebration` and `achievement:showcase` (rare and above) to the user's
//! `team:{id}` (the "public" audience of a team hub); `progress:update` to `user:{id}` and
//! `module:{id}`. All durable, on `/training`. A team's leader is in every member's
//! `user:{id}` room on `/training` (see [`crate::realtime::rooms::default_rooms`]), so the
//! team's numbers stay live for the coach.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use sideline_protocol::training::{
    ModuleProgress, ProgressReport, QuizCompleted, RoleplayFeedback, RoleplayMessage,
    RoleplayResponse, RoleplayStopTyping, RoleplayTyping, TrainingNumbers,
};
use sideline_protocol::{CalendarDate, Id, Namespace, Room};
use socketioxide::extract::SocketRef;

use crate::access::may_join;
use crate::auth::{Principal, Role};
use crate::domain::{
    Streak, TRAINING_ACHIEVEMENTS, TrainingProgress, award_xp, quiz_xp,
    training_achievements_unlocked,
};
use crate::error::{HubError, Result};
use crate::publish::Outbox;
use crate::state::HubState;
use crate::store::org::{self, SessionKind};
use crate::store::records::{self, RecordKind};
use crate::store::users::{self, UserRecord};

fn load_progress(conn: &Connection, user: &Id) -> Result<TrainingProgress> {
    Ok(conn
        .query_row(
            "SELECT total_xp, quizzes_passed, perfect_quizzes, modules_completed, streak_days
             FROM training_progress WHERE user_id = ?1",
            params![user.as_str()],
            |r| {
                Ok(TrainingProgress {
                    total_xp: r.get(0)?,
                    quizzes_passed: r.get(1)?,
                    perfect_quizzes: r.get(2)?,
                    modules_completed: r.get(3)?,
                    streak_days: r.get(4)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn save_progress(conn: &Connection, user: &Id, p: &TrainingProgress) -> Result<()> {
    conn.execute(
        "INSERT INTO training_progress (user_id, total_xp, quizzes_passed, perfect_quizzes, modules_completed, streak_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id) DO UPDATE SET total_xp = excluded.total_xp, quizzes_passed = excluded.quizzes_passed,
             perfect_quizzes = excluded.perfect_quizzes, modules_completed = excluded.modules_completed,
             streak_days = excluded.streak_days",
        params![user.as_str(), p.total_xp, p.quizzes_passed, p.perfect_quizzes, p.modules_completed, p.streak_days],
    )?;
    Ok(())
}

fn user(conn: &Connection, id: &Id) -> Result<UserRecord> {
    users::by_id(conn, id)?.ok_or_else(|| HubError::NotFound(format!("no user {id}")))
}

/// Adds XP inside a transaction: `xp:gained`, and `level:up` + `level:celebration` when a
/// level is crossed. Returns the new progress.
fn add_xp(
    hub: &HubState,
    outbox: &mut Outbox,
    learner: &UserRecord,
    before: TrainingProgress,
    amount: u32,
    source: &str,
) -> Result<TrainingProgress> {
    let now = hub.now();
    let award = award_xp(
        &learner.id,
        &learner.name,
        before.total_xp,
        amount,
        source,
        now,
    )
    .map_err(|e| HubError::invalid("amount", e.to_string()))?;
    let after = TrainingProgress {
        total_xp: award.gain.new_total,
        ..before
    };
    outbox.push(
        Namespace::Training,
        vec![Room::User(learner.id.clone())],
        "xp:gained",
        &award.gain,
    )?;
    if let Some(level_up) = &award.level_up {
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone())],
            "level:up",
            level_up,
        )?;
        outbox.push(
            Namespace::Training,
            vec![Room::Team(learner.team_id.clone())],
            "level:celebration",
            level_up,
        )?;
    }
    Ok(after)
}

/// Announces the achievements crossed between `before` and `after` (their XP rewards are
/// added once, without re-checking achievements: catalogue rewards do not chain).
fn unlock_achievements(
    hub: &HubState,
    outbox: &mut Outbox,
    learner: &UserRecord,
    before: &TrainingProgress,
    mut after: TrainingProgress,
) -> Result<TrainingProgress> {
    let now = hub.now();
    for def in training_achievements_unlocked(TRAINING_ACHIEVEMENTS, before, &after) {
        let event = def.to_event(learner.id.clone(), learner.name.clone(), now);
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone())],
            "achievement:unlocked",
            &event,
        )?;
        if def.showcased() {
            outbox.push(
                Namespace::Training,
                vec![Room::Team(learner.team_id.clone())],
                "achievement:showcase",
                &event,
            )?;
        }
        if let Some(reward) = def.xp_reward.filter(|r| *r > 0) {
            after = add_xp(
                hub,
                outbox,
                learner,
                after,
                reward,
                &format!("Achievement: {}", def.title),
            )?;
        }
    }
    Ok(after)
}

fn load_streak(conn: &Connection, user: &Id) -> Result<Streak> {
    let row: Option<(u32, u32, Option<String>)> = conn
        .query_row(
            "SELECT streak_days, longest_streak, last_activity_day FROM training_progress WHERE user_id = ?1",
            params![user.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((current, longest, last)) = row else {
        return Ok(Streak::default());
    };
    let last_activity = last
        .map(|d| d.parse::<chrono::NaiveDate>().map(CalendarDate))
        .transpose()
        .map_err(|e| HubError::Internal(format!("stored streak day: {e}")))?;
    Ok(Streak {
        current,
        longest,
        last_activity,
    })
}

/// Stores `user`'s training numbers as they stand, quietly: no events, no achievements (the
/// demo's opening team). Only for a user with no training yet: any other is left as it is.
pub fn store_opening_progress(
    conn: &Connection,
    user: &Id,
    total_xp: u32,
    streak: Streak,
) -> Result<()> {
    conn.execute(
        "INSERT INTO training_progress (user_id, total_xp, streak_days, longest_streak, last_activity_day)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO NOTHING",
        params![
            user.as_str(),
            total_xp,
            streak.current,
            streak.longest,
            streak.last_activity.map(|d| d.0.to_string())
        ],
    )?;
    Ok(())
}

/// Records a day of training activity (the hub's UTC date): `streak:update` when the streak
/// changed, `streak:milestone` and its bonus XP for milestones crossed. Call after
/// [`save_progress`] of the same transaction (it updates the streak columns).
fn record_training_day(
    hub: &HubState,
    tx: &Connection,
    outbox: &mut Outbox,
    learner: &UserRecord,
    progress: TrainingProgress,
) -> Result<TrainingProgress> {
    let now = hub.now();
    let outcome = load_streak(tx, &learner.id)?.record_activity(CalendarDate(now.date_naive()));
    if !outcome.changed() {
        return Ok(progress);
    }
    if let Some(update) = outcome.to_update(learner.id.clone(), learner.name.clone(), now) {
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone())],
            "streak:update",
            &update,
        )?;
    }
    let before = progress;
    let mut after = TrainingProgress {
        streak_days: outcome.streak.current,
        ..progress
    };
    for milestone in outcome.milestone_events(&learner.id, &learner.name, now) {
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone())],
            "streak:milestone",
            &milestone,
        )?;
        if let Some(bonus) = milestone.bonus_xp.filter(|b| *b > 0) {
            after = add_xp(
                hub,
                outbox,
                learner,
                after,
                bonus,
                &format!("{}-day streak", milestone.milestone),
            )?;
        }
    }
    let after = unlock_achievements(hub, outbox, learner, &before, after)?;
    save_progress(tx, &learner.id, &after)?;
    tx.execute(
        "UPDATE training_progress SET longest_streak = ?2, last_activity_day = ?3 WHERE user_id = ?1",
        params![
            learner.id.as_str(),
            outcome.streak.longest,
            outcome.streak.last_activity.map(|d| d.0.to_string())
        ],
    )?;
    Ok(after)
}

/// Awards XP to a user (integration or leader): `xp:gained`, levels, achievements.
pub async fn grant_xp(
    hub: &HubState,
    learner: &Id,
    amount: u32,
    source: &str,
) -> Result<TrainingProgress> {
    hub.commit(|tx, outbox| {
        let learner = user(tx, learner)?;
        let before = load_progress(tx, &learner.id)?;
        let after = add_xp(hub, outbox, &learner, before, amount, source)?;
        let after = unlock_achievements(hub, outbox, &learner, &before, after)?;
        save_progress(tx, &learner.id, &after)?;
        record_training_day(hub, tx, outbox, &learner, after)
    })
    .await
}

/// A finished quiz: `quiz:completed`, its XP, counters and achievements.
pub async fn complete_quiz(
    hub: &HubState,
    learner: &Id,
    quiz: Id,
    module: Option<Id>,
    score: f64,
) -> Result<QuizCompleted> {
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let learner = user(tx, learner)?;
        let before = load_progress(tx, &learner.id)?;
        let scored = quiz_xp(score);
        let completed = scored.to_event(
            learner.id.clone(),
            learner.name.clone(),
            quiz.clone(),
            module,
            now,
        );
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone())],
            "quiz:completed",
            &completed,
        )?;
        let mut counted = before;
        if scored.passed {
            counted.quizzes_passed += 1;
        }
        if scored.score >= 100.0 {
            counted.perfect_quizzes += 1;
        }
        let after = add_xp(
            hub,
            outbox,
            &learner,
            counted,
            scored.xp,
            &format!("Quiz: {quiz}"),
        )?;
        let after = unlock_achievements(hub, outbox, &learner, &before, after)?;
        save_progress(tx, &learner.id, &after)?;
        record_training_day(hub, tx, outbox, &learner, after)?;
        Ok(completed)
    })
    .await
}

/// `join:session` on `/training`: a learner's roleplay session; the first joiner opens it.
pub async fn join_session(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    principal: &Principal,
    id: Id,
) -> Result<()> {
    principal.ensure_can_write()?;
    let db = hub.store.lock().await;
    match org::session(db.conn(), &id)? {
        None => org::insert_session(
            db.conn(),
            &id,
            SessionKind::Training,
            &principal.team_id,
            &principal.user_id,
            "learner",
            hub.now(),
        )?,
        Some((SessionKind::Coaching, ..)) => {
            return Err(HubError::Conflict(format!("{id} is a coaching session")));
        }
        Some(_) => may_join(
            principal,
            &Room::Session(id.clone()),
            Namespace::Training,
            db.conn(),
        )?,
    }
    socket.join(Room::Session(id).to_string());
    Ok(())
}

/// A learner's roleplay message waiting for (or answered by) the responder integration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingRoleplay {
    /// Server id (answer with `POST /api/v1/roleplay/{messageId}/response`).
    pub message_id: String,
    /// The learner's idempotency key (echoed as `replyTo` in the response).
    pub client_id: String,
    /// The training session.
    pub session_id: String,
    /// The learner.
    pub user_id: String,
    /// What they said.
    pub message: String,
    /// `pending`, `answered` or `interrupted`.
    pub state: String,
}

/// `roleplay:message`: stored once per (learner, clientId) for the responder integration
/// (which polls `GET /api/v1/roleplay/pending`); the session room sees `roleplay:typing`.
pub async fn roleplay_message(
    hub: &Arc<HubState>,
    _socket: &SocketRef,
    principal: &Principal,
    message: RoleplayMessage,
) -> Result<()> {
    principal.ensure_can_write()?;
    let now = hub.now();
    let is_new = hub
        .commit(|tx, _| {
            may_join(
                principal,
                &Room::Session(message.session_id.clone()),
                Namespace::Training,
                tx,
            )?;
            if records::find_by_client_id::<PendingRoleplay>(
                tx,
                RecordKind::RoleplayMessage,
                &principal.user_id,
                &message.client_id,
            )?
            .is_some()
            {
                return Ok(false);
            }
            let id = crate::realtime::main_ns::new_id();
            let pending = PendingRoleplay {
                message_id: id.to_string(),
                client_id: message.client_id.to_string(),
                session_id: message.session_id.to_string(),
                user_id: principal.user_id.to_string(),
                message: message.message.clone(),
                state: "pending".into(),
            };
            records::insert(
                tx,
                RecordKind::RoleplayMessage,
                &id,
                &principal.user_id,
                &message.client_id,
                Some("pending"),
                &pending,
                now,
            )?;
            Ok(true)
        })
        .await?;
    if is_new {
        typing(hub, &message.session_id, true).await;
    }
    Ok(())
}

async fn typing(hub: &HubState, session: &Id, is_typing: bool) {
    let payload = serde_json::to_value(RoleplayTyping {
        session_id: session.clone(),
        is_typing,
    })
    .unwrap_or_default();
    hub.emit_to_rooms(
        Namespace::Training,
        &[Room::Session(session.clone())],
        "roleplay:typing",
        &payload,
    )
    .await;
}

/// `roleplay:stop-typing`: the learner interrupts; pending messages of the session are
/// dropped and the room sees `roleplay:typing` false.
pub async fn roleplay_stop_typing(
    hub: &Arc<HubState>,
    principal: &Principal,
    stop: RoleplayStopTyping,
) -> Result<()> {
    principal.ensure_can_write()?;
    hub.commit(|tx, _| {
        may_join(
            principal,
            &Room::Session(stop.session_id.clone()),
            Namespace::Training,
            tx,
        )?;
        for mut pending in
            records::by_subject::<PendingRoleplay>(tx, RecordKind::RoleplayMessage, "pending")?
        {
            if pending.session_id == stop.session_id.as_str() {
                pending.state = "interrupted".into();
                let id =
                    Id::new(pending.message_id.clone()).map_err(|e| HubError::Internal(e.rule))?;
                records::update(tx, RecordKind::RoleplayMessage, &id, &pending)?;
                records::set_subject(tx, RecordKind::RoleplayMessage, &id, "interrupted")?;
            }
        }
        Ok(())
    })
    .await?;
    typing(hub, &stop.session_id, false).await;
    Ok(())
}

/// Messages waiting for the responder, oldest first.
pub async fn pending_roleplay(hub: &HubState) -> Result<Vec<PendingRoleplay>> {
    let db = hub.store.lock().await;
    records::by_subject(db.conn(), RecordKind::RoleplayMessage, "pending")
}

/// The responder answers a message: durable `roleplay:response` (with `replyTo`) to the
/// session room, then `roleplay:typing` false.
pub async fn respond_roleplay(
    hub: &HubState,
    message: &Id,
    text: String,
    metadata: Option<RoleplayFeedback>,
) -> Result<RoleplayResponse> {
    let now = hub.now();
    let response = hub
        .commit(|tx, outbox| {
            let mut pending: PendingRoleplay =
                records::get(tx, RecordKind::RoleplayMessage, message)?
                    .ok_or_else(|| HubError::NotFound(format!("no roleplay message {message}")))?;
            if pending.state != "pending" {
                return Err(HubError::Conflict(format!(
                    "message {message} is {}",
                    pending.state
                )));
            }
            pending.state = "answered".into();
            records::update(tx, RecordKind::RoleplayMessage, message, &pending)?;
            records::set_subject(tx, RecordKind::RoleplayMessage, message, "answered")?;
            let session =
                Id::new(pending.session_id.clone()).map_err(|e| HubError::Internal(e.rule))?;
            let response = RoleplayResponse {
                session_id: session.clone(),
                message: text,
                metadata,
                reply_to: pending.client_id.parse().ok(),
                timestamp: now,
            };
            outbox.push(
                Namespace::Training,
                vec![Room::Session(session)],
                "roleplay:response",
                &response,
            )?;
            Ok(response)
        })
        .await?;
    typing(hub, &response.session_id, false).await;
    Ok(response)
}

/// `progress:update`: stores the learner's module progress; `progress:update` to the user and
/// the module room; a first completion counts towards achievements.
pub async fn progress_update(
    hub: &Arc<HubState>,
    principal: &Principal,
    report: ProgressReport,
) -> Result<()> {
    principal.ensure_can_write()?;
    let now = hub.now();
    hub.commit(|tx, outbox| {
        let learner = user(tx, &principal.user_id)?;
        let completed = report.progress >= 100.0;
        let was_completed: bool = tx
            .query_row(
                "SELECT completed FROM module_progress WHERE user_id = ?1 AND module_id = ?2",
                params![learner.id.as_str(), report.module_id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        tx.execute(
            "INSERT INTO module_progress (user_id, module_id, progress, completed) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, module_id) DO UPDATE SET progress = excluded.progress, completed = max(completed, excluded.completed)",
            params![learner.id.as_str(), report.module_id.as_str(), report.progress, completed],
        )?;
        let event = ModuleProgress {
            user_id: learner.id.clone(),
            module_id: report.module_id.clone(),
            progress: report.progress,
            completed: completed || was_completed,
            lesson_id: report.lesson_id.clone(),
            updated_at: now,
        };
        outbox.push(
            Namespace::Training,
            vec![Room::User(learner.id.clone()), Room::Module(report.module_id.clone())],
            "progress:update",
            &event,
        )?;
        if completed && !was_completed {
            let before = load_progress(tx, &learner.id)?;
            let after = TrainingProgress { modules_completed: before.modules_completed + 1, ..before };
            let after = unlock_achievements(hub, outbox, &learner, &before, after)?;
            save_progress(tx, &learner.id, &after)?;
        }
        Ok(())
    })
    .await
}

/// The `training:snapshot` of a user (sent on `/training` instead of a replay on a first
/// connection or past the retention window), with the other members' numbers for a leader or
/// a display. The achievements held are those whose thresholds the stored progress meets: the
/// catalogue's conditions are monotonic counters, so this is what was unlocked.
pub fn snapshot(
    hub: &HubState,
    conn: &Connection,
    principal: &Principal,
) -> Result<sideline_protocol::training::TrainingSnapshot> {
    let now = hub.now();
    let progress = load_progress(conn, &principal.user_id)?;
    let achievements = training_achievements_unlocked(
        TRAINING_ACHIEVEMENTS,
        &TrainingProgress::default(),
        &progress,
    )
    .into_iter()
    .map(|def| def.to_event(principal.user_id.clone(), principal.name.clone(), now))
    .collect();
    let team = match principal.role {
        Role::Leader | Role::Display => users::list(conn, Some(&principal.team_id))?
            .into_iter()
            // Displays do not train; the principal's own numbers are the top level.
            .filter(|member| member.role != Role::Display && member.id != principal.user_id)
            .map(|member| {
                let progress = load_progress(conn, &member.id)?;
                numbers_of(conn, member.id, member.name, &progress)
            })
            .collect::<Result<_>>()?,
        Role::Agent => Vec::new(),
    };
    Ok(sideline_protocol::training::TrainingSnapshot {
        numbers: numbers_of(
            conn,
            principal.user_id.clone(),
            principal.name.clone(),
            &progress,
        )?,
        quizzes_passed: progress.quizzes_passed,
        achievements,
        team,
        taken_at: now,
    })
}

/// A user's XP and level from their loaded `progress`, and their stored streak.
fn numbers_of(
    conn: &Connection,
    user_id: Id,
    user_name: String,
    progress: &TrainingProgress,
) -> Result<TrainingNumbers> {
    let streak = load_streak(conn, &user_id)?;
    Ok(TrainingNumbers {
        user_id,
        user_name,
        total_xp: progress.total_xp,
        level: crate::domain::level_for_xp(progress.total_xp),
        current_streak: streak.current,
        longest_streak: streak.longest,
        last_activity_date: streak.last_activity,
    })
}
