//! Demo mode: a seeded team (leader `lead`, agents `agent01`..`agent10`, display `wall`, all
//! with password `demo`, created only in demo mode) with projects and a contest, plus the
//! simulator that keeps the dashboards moving.

use chrono::{DateTime, Utc};
use sideline_protocol::Id;

use crate::auth::{Role, hash_password};
use crate::error::Result;
use crate::store::Db;
use crate::store::org;
use crate::store::users::{self, UserRecord};

/// The demo team's id.
pub const TEAM: &str = "demo-team";
/// The demo password of every demo account.
pub const PASSWORD: &str = "demo";

fn id(s: &str) -> Id {
    Id::new(s).expect("demo ids are valid")
}

/// The demo agents' usernames (also their ids).
pub fn agent_usernames() -> Vec<String> {
    (1..=10).map(|n| format!("agent{n:02}")).collect()
}

/// Creates the bootstrap leader of a real hub (and its team) unless the username exists.
pub fn bootstrap_leader(
    db: &mut Db,
    username: &str,
    password: &str,
    team: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if users::by_username(db.conn(), username)?.is_some() {
        return Ok(());
    }
    if password.len() < 8 {
        return Err(crate::HubError::Config(
            "the bootstrap password must have at least 8 characters".into(),
        ));
    }
    let team = Id::new(team)
        .map_err(|e| crate::HubError::Config(format!("bootstrap team: {}", e.rule)))?;
    let user_id = Id::new(username)
        .map_err(|e| crate::HubError::Config(format!("bootstrap leader: {}", e.rule)))?;
    let hash = hash_password(password)?;
    db.transaction(|tx| {
        users::upsert_team(tx, &team, team.as_str())?;
        users::insert_user(
            tx,
            &UserRecord {
                id: user_id.clone(),
                username: username.to_owned(),
                name: username.to_owned(),
                role: Role::Leader,
                team_id: team.clone(),
                password_hash: Some(hash),
            },
            now,
        )
    })?;
    tracing::info!(username, "created the bootstrap leader");
    Ok(())
}

/// Seeds the demo team unless it exists. Idempotent: a restarted demo hub keeps its data.
pub fn seed(db: &mut Db, now: DateTime<Utc>) -> Result<()> {
    if users::by_username(db.conn(), "lead")?.is_some() {
        return Ok(());
    }
    // One argon2 hash shared by every demo account: they all have the same password, and
    // hashing twelve times would slow every demo start.
    let hash = hash_password(PASSWORD)?;
    db.transaction(|tx| {
        users::upsert_team(tx, &id(TEAM), "Demo Team")?;
        let mut accounts = vec![("lead".to_owned(), "Lena Leader".to_owned(), Role::Leader)];
        for (n, username) in agent_usernames().into_iter().enumerate() {
            accounts.push((username, format!("Agent {:02}", n + 1), Role::Agent));
        }
        accounts.push(("wall".to_owned(), "Wall Display".to_owned(), Role::Display));
        for (username, name, role) in accounts {
            users::insert_user(
                tx,
                &UserRecord {
                    id: id(&username),
                    username,
                    name,
                    role,
                    team_id: id(TEAM),
                    password_hash: Some(hash.clone()),
                },
                now,
            )?;
        }
        let agents: Vec<Id> = agent_usernames().iter().map(|u| id(u)).collect();
        let mut alpha = vec![id("lead")];
        alpha.extend(agents[..5].iter().cloned());
        org::insert_project(
            tx,
            &id("project-alpha"),
            &id(TEAM),
            "Alpha onboarding",
            &alpha,
        )?;
        let mut beta = vec![id("lead")];
        beta.extend(agents[5..].iter().cloned());
        org::insert_project(tx, &id("project-beta"), &id(TEAM), "Beta renewals", &beta)?;
        org::insert_session(
            tx,
            &id("session-demo"),
            org::SessionKind::Coaching,
            &id(TEAM),
            &id("lead"),
            "instructor",
            now,
        )?;
        org::add_participant(tx, &id("session-demo"), &id("agent01"), "learner")?;
        org::insert_contest(
            tx,
            &id("contest-spring"),
            &id(TEAM),
            "Spring sprint",
            "revenue",
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(30),
            &agents[..6],
        )?;
        Ok(())
    })
}

/// Opening sales for a simulated demo (one per agent, stored quietly: no events, no
/// celebrations) unless the team has sales already, so whoever opens the demo sees a full
/// board at once rather than one filling up a sale every few ticks. Not part of [`seed`]:
/// tests use the demo team with the simulator off and expect empty boards.
pub fn seed_opening_sales(db: &mut Db, now: DateTime<Utc>) -> Result<()> {
    let has_sales: bool = db.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM sales WHERE team_id = ?1)",
        [TEAM],
        |row| row.get(0),
    )?;
    if has_sales {
        return Ok(());
    }
    db.transaction(|tx| {
        for (n, agent) in agent_usernames().iter().enumerate() {
            // Spread out and deterministic: a demo looks the same each time it opens.
            let revenue = 600.0 + ((n as f64 * 7.0) % 10.0) * 240.0;
            let amounts = serde_json::to_string(&[
                ("revenue", revenue),
                ("deals", 1.0 + (n % 3) as f64),
                ("calls", 3.0 + (n % 4) as f64),
            ])?;
            tx.execute(
                "INSERT INTO sales (id, team_id, seller_id, at, amounts, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
                rusqlite::params![
                    format!("demo-opening-{agent}"),
                    TEAM,
                    agent,
                    now.to_rfc3339(),
                    amounts
                ],
            )?;
        }
        Ok(())
    })
}

/// Opening training numbers for a simulated demo (XP, so levels, and a streak per agent,
/// stored quietly like the opening sales) for agents with none yet, so the Team view opens on a
/// team that has been training rather than on ten newcomers at level 1.
pub fn seed_opening_training(db: &mut Db, now: DateTime<Utc>) -> Result<()> {
    let today = sideline_protocol::CalendarDate(now.date_naive());
    db.transaction(|tx| {
        for (n, agent) in agent_usernames().iter().enumerate() {
            // Spread out and deterministic, like the sales: levels 2 to 5, streaks 1 to 6 days.
            let n = u32::try_from(n).unwrap_or(0);
            let total_xp = 150 + (n * 370) % 1450;
            let current = 1 + (n * 5) % 6;
            let streak = crate::domain::Streak {
                current,
                longest: current + n % 4,
                last_activity: Some(today),
            };
            crate::flows::training::store_opening_progress(tx, &id(agent), total_xp, streak)?;
        }
        Ok(())
    })
}

/// The demo agents are at their desks while the simulator runs: each holds a stand-in
/// connection in the hub's presence, so that what the simulator announces (online, away) is
/// also what snapshots and online counts say. Most open online, every fifth away.
async fn open_the_floor(hub: &crate::state::HubState, agents: &[String]) {
    use sideline_protocol::PresenceStatus;
    for (n, agent) in agents.iter().enumerate() {
        let principal = agent_principal(hub, id(agent));
        hub.presence.socket_connected(&principal.user_id);
        let status = if n % 5 == 3 {
            PresenceStatus::Away
        } else {
            PresenceStatus::Online
        };
        hub.presence.set_status(&principal.user_id, status);
        crate::realtime::main_ns::announce_presence(hub, &principal, status).await;
    }
}

/// A demo agent as the hub sees a signed-in user (for presence announcements).
fn agent_principal(hub: &crate::state::HubState, agent: Id) -> crate::auth::Principal {
    crate::auth::Principal {
        name: format!("Agent {}", &agent.as_str()[5..]),
        user_id: agent,
        role: Role::Agent,
        team_id: id(TEAM),
        expires_at: hub.now(),
    }
}

/// The simulator: at `rate` events per second, one of a sale, an XP award, a presence change,
/// an analysis step, a comment on their project, or a notification, for a random demo agent,
/// or the leader's edit of the demo's coaching session (which also keeps it from closing as
/// idle). Runs until aborted.
pub async fn simulate(hub: std::sync::Arc<crate::state::HubState>, rate: f64) {
    use rand::{Rng, SeedableRng};
    if rate <= 0.0 || !rate.is_finite() {
        return;
    }
    let mut rng = rand::rngs::StdRng::from_entropy();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / rate));
    let agents = agent_usernames();
    open_the_floor(&hub, &agents).await;
    let mut analysis: Option<(Id, u32)> = None;
    loop {
        tick.tick().await;
        // The demo's AI roleplay partner: answers whatever learners said.
        if let Ok(pending) = crate::flows::training::pending_roleplay(&hub).await {
            for message in pending {
                if let Ok(message_id) = Id::new(message.message_id) {
                    let reply = "That's a fair point. What would make this worth it for my team?"
                        .to_owned();
                    if let Err(err) =
                        crate::flows::training::respond_roleplay(&hub, &message_id, reply, None)
                            .await
                    {
                        tracing::warn!(error = %err, "demo roleplay reply failed");
                    }
                }
            }
        }
        let agent = id(&agents[rng.gen_range(0..agents.len())]);
        let result = match rng.gen_range(0..12) {
            0..=3 => {
                let revenue = f64::from(rng.gen_range(100..5000));
                crate::flows::leaderboard::record_sale(
                    &hub,
                    &agent,
                    vec![
                        ("revenue".into(), revenue),
                        ("deals".into(), 1.0),
                        ("calls".into(), f64::from(rng.gen_range(1..6))),
                    ],
                    None,
                )
                .await
                .map(drop)
            }
            4..=5 => crate::flows::training::grant_xp(
                &hub,
                &agent,
                rng.gen_range(10..120),
                "Demo practice",
            )
            .await
            .map(drop),
            6 => {
                let status = if rng.gen_bool(0.5) {
                    sideline_protocol::PresenceStatus::Away
                } else {
                    sideline_protocol::PresenceStatus::Online
                };
                // Through the hub's presence, so snapshots agree; only a change is news.
                if let Some(status) = hub.presence.set_status(&agent, status) {
                    let principal = agent_principal(&hub, agent.clone());
                    crate::realtime::main_ns::announce_presence(&hub, &principal, status).await;
                }
                Ok(())
            }
            7..=8 => simulate_analysis_step(&hub, &mut analysis).await,
            9 => simulate_coaching_edit(&hub, &mut rng).await,
            10 => simulate_comment(&hub, &agent, &mut rng).await,
            _ => {
                let send = sideline_protocol::notifications::NotificationSend {
                    client_id: sideline_protocol::ClientId::new_v7(),
                    user_id: agent.clone(),
                    kind: sideline_protocol::notifications::NotificationKind::Info,
                    message: "Your coach left feedback on today's calls".into(),
                    title: Some("Feedback".into()),
                    data: None,
                };
                crate::realtime::main_ns::send_notification(&hub, None, send)
                    .await
                    .map(drop)
            }
        };
        if let Err(err) = result {
            tracing::warn!(error = %err, "demo simulator step failed");
        }
    }
}

/// A demo agent comments on their project (agents 01–05 are in `project-alpha`, 06–10 in
/// `project-beta`), as a teammate reviewing calls would.
async fn simulate_comment(
    hub: &crate::state::HubState,
    agent: &Id,
    rng: &mut impl rand::Rng,
) -> Result<()> {
    const LINES: [(&str, &str); 4] = [
        (
            "calls/acme-renewal.md",
            "Pricing objection handled well here; worth sharing with the team.",
        ),
        (
            "calls/globex-discovery.md",
            "We skipped the budget question. Let's add it to the checklist.",
        ),
        (
            "calls/initech-demo.md",
            "Great recovery after the demo froze. The customer stayed with us.",
        ),
        (
            "scripts/opening.md",
            "Tried the shorter opening today: two more meetings booked.",
        ),
    ];
    let number: u32 = agent.as_str()[5..].parse().unwrap_or(1);
    let project = if number <= 5 {
        "project-alpha"
    } else {
        "project-beta"
    };
    let (file, content) = LINES[rng.gen_range(0..LINES.len())];
    let create = sideline_protocol::projects::CommentCreate {
        client_id: sideline_protocol::ClientId::new_v7(),
        project_id: id(project),
        content: content.to_owned(),
        file_path: Some(file.to_owned()),
        line: Some(rng.gen_range(1..80)),
        parent_id: None,
    };
    crate::flows::main::create_comment(hub, &agent_principal(hub, agent.clone()), create)
        .await
        .map(drop)
}

/// The demo leader edits the demo's coaching session as a coach would during it: the topics
/// covered so far, the engagement seen, a line of notes.
async fn simulate_coaching_edit(
    hub: &crate::state::HubState,
    rng: &mut impl rand::Rng,
) -> Result<()> {
    use sideline_protocol::coaching::{SessionChanges, SessionUpdate};
    const TOPICS: [&str; 5] = [
        "Opening",
        "Discovery questions",
        "Objection handling",
        "Pricing",
        "Closing",
    ];
    const NOTES: [&str; 4] = [
        "Good rapport in the first minute.",
        "Talks over the customer when nervous.",
        "Handled the budget objection calmly.",
        "Asked for the next meeting with a date.",
    ];
    let covered = rng.gen_range(1..=TOPICS.len());
    let lead = crate::auth::Principal {
        user_id: id("lead"),
        name: "Lena Leader".to_owned(),
        role: Role::Leader,
        team_id: id(TEAM),
        expires_at: hub.now(),
    };
    let update = SessionUpdate {
        session_id: id("session-demo"),
        updates: SessionChanges {
            topics_covered: Some(TOPICS[..covered].iter().map(|t| (*t).to_owned()).collect()),
            engagement_score: Some(rng.gen_range(5..=9)),
            discussion_notes: Some(NOTES[rng.gen_range(0..NOTES.len())].to_owned()),
            ..SessionChanges::default()
        },
    };
    match crate::flows::main::update_session(hub, &lead, update).await {
        // Closed as idle while the demo was not running: nothing to edit.
        Err(crate::error::HubError::NotFound(_)) => Ok(()),
        other => other,
    }
}

/// Advances the simulated analysis job of `project-alpha`: start, progress in quarters,
/// complete, then a new one.
async fn simulate_analysis_step(
    hub: &crate::state::HubState,
    current: &mut Option<(Id, u32)>,
) -> Result<()> {
    use sideline_protocol::projects::{
        AnalysisComplete, AnalysisProgress, AnalysisStarted, DetectorStatus,
    };
    use sideline_protocol::{Namespace, Room};
    let project = id("project-alpha");
    let now = hub.now();
    let room = vec![Room::Project(project.clone())];
    match current.take() {
        None => {
            let analysis = crate::realtime::main_ns::new_id();
            hub.commit(|tx, outbox| {
                crate::store::work::start_analysis(
                    tx,
                    &analysis,
                    &project,
                    &["calls".into()],
                    None,
                    now,
                )?;
                outbox.push(
                    Namespace::Main,
                    room.clone(),
                    "analysis:started",
                    &AnalysisStarted {
                        analysis_id: analysis.clone(),
                        project_id: project.clone(),
                        detectors: vec!["calls".into()],
                        started_by: None,
                        started_at: now,
                    },
                )
            })
            .await?;
            *current = Some((analysis, 0));
        }
        Some((analysis, step)) if step < 4 => {
            let progress = f64::from(step + 1) * 25.0;
            hub.commit(|_, outbox| {
                outbox.push(
                    Namespace::Main,
                    room.clone(),
                    "analysis:progress",
                    &AnalysisProgress {
                        analysis_id: analysis.clone(),
                        project_id: project.clone(),
                        detector: "calls".into(),
                        detector_status: DetectorStatus::Running,
                        detector_progress: progress,
                        progress,
                        issues_found: step,
                        estimated_time_remaining: Some(4 - step),
                        timestamp: now,
                    },
                )
            })
            .await?;
            *current = Some((analysis, step + 1));
        }
        Some((analysis, _)) => {
            hub.commit(|tx, outbox| {
                crate::store::work::set_analysis_state(
                    tx,
                    &analysis,
                    crate::store::work::AnalysisState::Complete,
                    now,
                )?;
                outbox.push(
                    Namespace::Main,
                    room.clone(),
                    "analysis:complete",
                    &AnalysisComplete {
                        analysis_id: analysis.clone(),
                        project_id: project.clone(),
                        issues_found: 3,
                        detectors: Vec::new(),
                        duration_ms: 4000,
                        completed_at: now,
                    },
                )
            })
            .await?;
        }
    }
    Ok(())
}
