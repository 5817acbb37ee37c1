//! Leaderboard flows (seed 002) over [`crate::domain`]: a recorded sale is stored, applied to
//! the team's boards (every metric × range), and each rank change goes out durably as
//! `rankings:update` to the team room and `tv-display`, and as `rank:changed` to the user.
//!
//! Sales streaks (consecutive UTC days with a sale) feed the streak achievements. A
//! periodic [`tick`] closes ended contests (`contest:ended` and the winners' achievements,
//! once) and announces period roll-overs (`leaderboard:refresh`); a sale that finds a board
//! rolled over announces it the same way.
//!
//! The boards live in memory per team and are rebuilt from the `sales` table on first use
//! (so a restarted hub ranks exactly as before); they are replaced only after the sale's
//! transaction committed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{Connection, params};
use serde_json::Value;
use sideline_protocol::leaderboard::{
    LeaderboardRefresh, LeaderboardRequest, RankingUpdate, TimeRange, TvUpdate,
};
use sideline_protocol::{CalendarDate, Id, Namespace, Room, UserRef};
use socketioxide::extract::SocketRef;

use crate::auth::Principal;
use crate::domain::{
    AchievementRules, Competitor, Contest, ContestStatus, EarnedAchievement, Leaderboard, Sale,
    SellerTotals, Streak,
};
use crate::error::{HubError, Result};
use crate::publish::Outbox;
use crate::realtime::main_ns::new_id;
use crate::state::HubState;
use crate::store::users;

/// The boards of every team seen so far, over the hub's configured metrics.
#[derive(Debug)]
pub struct TeamBoards {
    metrics: Vec<String>,
    teams: Mutex<HashMap<Id, Leaderboard>>,
}

/// Teams rank in UTC until per-team offsets are configurable.
fn team_offset() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset")
}

fn load_sales(conn: &Connection, team: &Id) -> Result<Vec<Sale>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.seller_id, u.name, s.at, s.amounts FROM sales s JOIN users u ON u.id = s.seller_id
         WHERE s.team_id = ?1",
    )?;
    let rows = stmt.query_map(params![team.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut sales = Vec::new();
    for row in rows {
        let (seller, name, at, amounts) = row?;
        let amounts: Vec<(String, f64)> = serde_json::from_str(&amounts)?;
        sales.push(Sale {
            seller: Competitor {
                user_id: Id::new(seller).map_err(|e| HubError::Internal(e.rule))?,
                user_name: name,
                team_id: Some(team.clone()),
            },
            at: DateTime::parse_from_rfc3339(&at)
                .map_err(|e| HubError::Internal(format!("stored sale time: {e}")))?
                .with_timezone(&Utc),
            values: amounts,
        });
    }
    Ok(sales)
}

impl TeamBoards {
    /// No boards yet; each team's is built over `metrics` on first use.
    pub fn new(metrics: Vec<String>) -> Self {
        Self {
            metrics,
            teams: Mutex::default(),
        }
    }

    /// The team's boards as of `now` (rebuilt from stored sales on first use), cloned so a
    /// caller can apply a change and commit before [`TeamBoards::replace`].
    fn current(&self, conn: &Connection, team: &Id, now: DateTime<Utc>) -> Result<Leaderboard> {
        Ok(self.current_rolled(conn, team, now)?.0)
    }

    /// [`Self::current`], plus the boards whose period ended and that were restarted empty
    /// on the way (a board built from the stored sales has none).
    fn current_rolled(
        &self,
        conn: &Connection,
        team: &Id,
        now: DateTime<Utc>,
    ) -> Result<(Leaderboard, Vec<(String, TimeRange)>)> {
        let mut teams = self.teams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(board) = teams.get_mut(team) {
            let restarted = board.roll_over(now);
            return Ok((board.clone(), restarted));
        }
        let sales = load_sales(conn, team)?;
        let board = Leaderboard::from_sales(
            self.metrics.iter().map(String::as_str),
            team_offset(),
            now,
            sales.iter(),
        );
        teams.insert(team.clone(), board.clone());
        Ok((board, Vec::new()))
    }

    /// The teams whose boards are in memory (the only ones that can roll over unseen).
    fn teams(&self) -> Vec<Id> {
        self.teams
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    fn replace(&self, team: &Id, board: Leaderboard) {
        self.teams
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(team.clone(), board);
    }
}

/// Records a sale of `seller` with its metric amounts; returns the `rankings:update` payloads
/// sent: every rank change, and the seller's new value on boards where their rank held.
pub async fn record_sale(
    hub: &HubState,
    seller: &Id,
    amounts: Vec<(String, f64)>,
    at: Option<DateTime<Utc>>,
) -> Result<Vec<RankingUpdate>> {
    let now = hub.now();
    let at = at.unwrap_or(now);
    // The team's boards are replaced under the store lock: a sale or a snapshot that takes
    // the lock next must see this sale (a board read between the release and the replace
    // would lose it, and a client sent that snapshot would miss the sale's moves).
    hub.commit_then(
        |tx, outbox| {
            let user = users::by_id(tx, seller)?.ok_or_else(|| HubError::NotFound(format!("no user {seller}")))?;
            let sale = Sale {
                seller: Competitor { user_id: user.id.clone(), user_name: user.name.clone(), team_id: Some(user.team_id.clone()) },
                at,
                values: amounts.clone(),
            };
            let before = seller_totals(tx, &user.id, at)?;
            let (mut board, mut restarted) = hub.boards.current_rolled(tx, &user.team_id, now)?;
            let outcome = board
                .apply_sale(&sale, now)
                .map_err(|e| HubError::invalid("values", e.to_string()))?;
            restarted.extend(outcome.restarted.iter().cloned());
            push_period_refreshes(outbox, &board, &user.team_id, &restarted, now)?;
            let mut updates = Vec::new();
            for change in &outcome.changes {
                let update = change.to_ranking_update(now);
                outbox.push(
                    Namespace::Leaderboard,
                    vec![Room::Team(user.team_id.clone()), Room::TvDisplay],
                    "rankings:update",
                    &update,
                )?;
                outbox.push(Namespace::Leaderboard, vec![Room::User(update.user_id.clone())], "rank:changed", &update)?;
                updates.push(update);
            }
            // A sale that moves nobody still changes the seller's value: boards on screen
            // show it (same rank before and after; no `rank:changed`, nothing to alert).
            for standings in board.boards() {
                let sold_on_it = amounts.iter().any(|(metric, _)| metric == standings.metric());
                let moved = outcome.changes.iter().any(|c| {
                    c.metric == standings.metric() && c.range == standings.range() && c.rank_move.competitor.user_id == user.id
                });
                if !sold_on_it || moved || !standings.period().contains(at) {
                    continue;
                }
                if let Some(row) = standings.ranking().row(&user.id) {
                    let update = RankingUpdate {
                        user_id: user.id.clone(),
                        user_name: user.name.clone(),
                        previous_rank: row.rank,
                        new_rank: row.rank,
                        metric: standings.metric().to_owned(),
                        value: row.value,
                        range: Some(standings.range()),
                        timestamp: now,
                    };
                    outbox.push(
                        Namespace::Leaderboard,
                        vec![Room::Team(user.team_id.clone()), Room::TvDisplay],
                        "rankings:update",
                        &update,
                    )?;
                    updates.push(update);
                }
            }
            // Achievements fire only for thresholds this sale crossed.
            let revenue: f64 = amounts.iter().filter(|(m, _)| m == "revenue").map(|(_, v)| v).sum();
            let after = SellerTotals {
                sales: before.sales + 1,
                revenue: before.revenue + revenue,
                streak_days: sales_streak(tx, &user.id, Some(at), at)?,
            };
            let rules = AchievementRules::default();
            let mut earned: Vec<(Competitor, EarnedAchievement)> = rules
                .milestones_crossed(&before, &after)
                .into_iter()
                .map(|a| (sale.seller.clone(), a))
                .collect();
            earned.extend(rules.rank_achievements(&board, &outcome.changes));
            let mut public = Vec::new();
            for (who, achievement) in earned {
                let event = achievement.to_event(who.user_id.clone(), who.user_name.clone(), now);
                if achievement.public {
                    public.push(event.clone());
                }
                outbox.push(Namespace::Leaderboard, vec![Room::User(who.user_id.clone())], "achievement:earned", &event)?;
                if achievement.public {
                    outbox.push(
                        Namespace::Leaderboard,
                        vec![Room::Team(user.team_id.clone()), Room::TvDisplay],
                        "achievement:celebration",
                        &event,
                    )?;
                }
            }
            // What wall displays show now: today's revenue board and this sale's public
            // achievements.
            if let Some(today) = board.standings("revenue", TimeRange::Today) {
                let revenue_text = if revenue > 0.0 { format!(" closed {revenue:.0} in revenue") } else { " recorded a sale".to_owned() };
                let refresh = today.to_refresh(10, None, Some(user.team_id.clone()), now);
                outbox.push(
                    Namespace::Leaderboard,
                    vec![Room::TvDisplay],
                    "tv:update",
                    &TvUpdate {
                        headline: Some(format!("{}{revenue_text}", user.name)),
                        metric: refresh.metric,
                        range: refresh.range,
                        rankings: refresh.rankings,
                        recent_achievements: public,
                        generated_at: now,
                    },
                )?;
            }
            // Contests are rebuilt from the stored sales, so the new row goes in after them.
            record_contest_entries(tx, outbox, &user.id, &user.team_id, &amounts, at)?;
            tx.execute(
                "INSERT INTO sales (id, team_id, seller_id, at, amounts, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![new_id().as_str(), user.team_id.as_str(), user.id.as_str(), at.to_rfc3339(), serde_json::to_string(&amounts)?, now.to_rfc3339()],
            )?;
            Ok((user.team_id, updates, board))
        },
        |(team, updates, board)| {
            hub.boards.replace(&team, board);
            updates
        },
    )
    .await
}

/// A full board for `team`.
pub async fn refresh_for(
    hub: &HubState,
    team: &Id,
    metric: &str,
    range: TimeRange,
    limit: usize,
) -> Result<LeaderboardRefresh> {
    let db = hub.store.lock().await;
    refresh_from(hub, db.conn(), team, metric, range, limit)
}

/// [`refresh_for`], read under a store lock the caller holds.
fn refresh_from(
    hub: &HubState,
    conn: &Connection,
    team: &Id,
    metric: &str,
    range: TimeRange,
    limit: usize,
) -> Result<LeaderboardRefresh> {
    let now = hub.now();
    let board = hub.boards.current(conn, team, now)?;
    let standings = board.standings(metric, range).ok_or_else(|| {
        HubError::invalid(
            "metric",
            format!(
                "unknown metric `{metric}`; known: {}",
                board.metrics().join(", ")
            ),
        )
    })?;
    Ok(standings.to_refresh(limit, None, Some(team.clone()), now))
}

/// `leaderboard:request`: a full leaderboard to the asker only (own team).
pub async fn answer_request(
    hub: &Arc<HubState>,
    socket: &SocketRef,
    principal: &Principal,
    request: LeaderboardRequest,
) -> Result<()> {
    if let Some(team) = &request.team_id
        && *team != principal.team_id
    {
        return Err(HubError::Forbidden(
            "you may only read your own team's leaderboard".into(),
        ));
    }
    if request.contest_id.is_some() {
        return Err(super::not_supported("leaderboard:request for a contest"));
    }
    let limit = request.limit.unwrap_or(50).clamp(1, 500) as usize;
    // Sent before the lock is released: a sale committed after this read emits its moves
    // after this board, never before it (the client replaces its board with a refresh, so an
    // older board arriving later would undo those moves).
    let db = hub.store.lock().await;
    let refresh = refresh_from(
        hub,
        db.conn(),
        &principal.team_id,
        &request.metric,
        request.range,
        limit,
    )?;
    hub.emit_to_socket(socket, "leaderboard:refresh", &refresh);
    drop(db);
    Ok(())
}

/// The `/leaderboard` snapshots for a client with nothing to replay from (a first connection, or
/// past the retention window): one `leaderboard:refresh` per metric and range of its team,
/// then every running contest it follows (all of the team's for a leader or display, those
/// entered for an agent) as one `contest:entry-update` per entrant that moves nobody.
pub fn snapshots(
    hub: &HubState,
    conn: &Connection,
    principal: &Principal,
) -> Result<Vec<(&'static str, Value)>> {
    let board = hub.boards.current(conn, &principal.team_id, hub.now())?;
    let now = hub.now();
    let mut snapshots: Vec<(&'static str, Value)> = board
        .boards()
        .iter()
        .map(|standings| {
            let refresh = standings.to_refresh(50, None, Some(principal.team_id.clone()), now);
            (
                "leaderboard:refresh",
                serde_json::to_value(&refresh).unwrap_or_default(),
            )
        })
        .collect();
    for row in crate::realtime::rooms::followed_contests(conn, principal)? {
        let contest = rebuild_contest(
            conn,
            &principal.team_id,
            &row.id,
            &row.metric,
            &row.starts_at,
            &row.ends_at,
        )?;
        if contest.status(now) != ContestStatus::Running {
            continue;
        }
        for update in contest.standings_as_updates(&row.name, now) {
            snapshots.push(("contest:entry-update", serde_json::to_value(&update)?));
        }
    }
    Ok(snapshots)
}

/// A `leaderboard:refresh` (durable) to the team room and `tv-display` for each board that
/// started a new period, so screens do not keep showing the old period's standings.
fn push_period_refreshes(
    outbox: &mut Outbox,
    board: &Leaderboard,
    team: &Id,
    restarted: &[(String, TimeRange)],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (metric, range) in restarted {
        if !seen.insert((metric.clone(), *range)) {
            continue;
        }
        if let Some(standings) = board.standings(metric, *range) {
            let refresh = standings.to_refresh(50, None, Some(team.clone()), now);
            outbox.push(
                Namespace::Leaderboard,
                vec![Room::Team(team.clone()), Room::TvDisplay],
                "leaderboard:refresh",
                &refresh,
            )?;
        }
    }
    Ok(())
}

/// The seller's sales streak (consecutive UTC days with a sale, via [`Streak`]) as of the
/// day of `today`, counting the stored sales plus, when given, one more at `new_sale`.
fn sales_streak(
    conn: &Connection,
    seller: &Id,
    new_sale: Option<DateTime<Utc>>,
    today: DateTime<Utc>,
) -> Result<u32> {
    let mut stmt = conn.prepare_cached("SELECT at FROM sales WHERE seller_id = ?1")?;
    let rows = stmt.query_map(params![seller.as_str()], |r| r.get::<_, String>(0))?;
    let mut days = std::collections::BTreeSet::new();
    for row in rows {
        let at = DateTime::parse_from_rfc3339(&row?)
            .map_err(|e| HubError::Internal(format!("stored sale time: {e}")))?;
        days.insert(at.with_timezone(&Utc).date_naive());
    }
    days.extend(new_sale.map(|at| at.date_naive()));
    let streak = days.into_iter().fold(Streak::default(), |streak, day| {
        streak.record_activity(CalendarDate(day)).streak
    });
    Ok(streak.as_of(CalendarDate(today.date_naive())).current)
}

/// A seller's lifetime sales count, revenue and sales streak as of `at` (before the sale
/// being recorded).
fn seller_totals(conn: &Connection, seller: &Id, at: DateTime<Utc>) -> Result<SellerTotals> {
    let mut stmt = conn.prepare_cached("SELECT amounts FROM sales WHERE seller_id = ?1")?;
    let rows = stmt.query_map(params![seller.as_str()], |r| r.get::<_, String>(0))?;
    let mut totals = SellerTotals {
        streak_days: sales_streak(conn, seller, None, at)?,
        ..SellerTotals::default()
    };
    for row in rows {
        let amounts: Vec<(String, f64)> = serde_json::from_str(&row?)?;
        totals.sales += 1;
        totals.revenue += amounts
            .iter()
            .filter(|(m, _)| m == "revenue")
            .map(|(_, v)| v)
            .sum::<f64>();
    }
    Ok(totals)
}

/// Adds the sale to every running contest of the team that the seller entered and whose
/// metric it mentions: `contest:new-entry` and `contest:entry-update` to `contest:{id}`. The
/// contest is rebuilt from its entrants and the stored sales of its window (called before
/// the new sale's row is inserted).
fn record_contest_entries(
    conn: &Connection,
    outbox: &mut Outbox,
    seller: &Id,
    team: &Id,
    amounts: &[(String, f64)],
    at: DateTime<Utc>,
) -> Result<()> {
    let contests: Vec<(String, String, String, String, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.metric, c.starts_at, c.ends_at, c.name FROM contests c
             JOIN contest_entrants e ON e.contest_id = c.id AND e.user_id = ?2
             WHERE c.team_id = ?1 AND c.starts_at <= ?3 AND ?3 < c.ends_at",
        )?;
        let rows = stmt.query_map(
            params![team.as_str(), seller.as_str(), at.to_rfc3339()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (contest_id, metric, starts, ends, name) in contests {
        let value: f64 = amounts
            .iter()
            .filter(|(m, _)| *m == metric)
            .map(|(_, v)| v)
            .sum();
        if !amounts.iter().any(|(m, _)| *m == metric) {
            continue;
        }
        let contest_id = Id::new(contest_id).map_err(|e| HubError::Internal(e.rule))?;
        let mut contest = rebuild_contest(conn, team, &contest_id, &metric, &starts, &ends)?;
        let mut outcome = contest
            .record_entry(new_id(), seller, value, at)
            .map_err(|e| HubError::Internal(e.to_string()))?;
        outcome.new_entry.contest_name = Some(name.clone());
        for update in &mut outcome.updates {
            update.contest_name = Some(name.clone());
        }
        // Wall displays show running contests too; they cannot join a contest's room.
        let room = vec![Room::Contest(contest_id.clone()), Room::TvDisplay];
        outbox.push(
            Namespace::Leaderboard,
            room.clone(),
            "contest:new-entry",
            &outcome.new_entry,
        )?;
        for update in &outcome.updates {
            outbox.push(
                Namespace::Leaderboard,
                room.clone(),
                "contest:entry-update",
                update,
            )?;
        }
    }
    Ok(())
}

/// The current standings of a stored contest (every entrant, best first), rebuilt the same
/// way a sale rebuilds it, so the admin listing and the `contest:*` events agree.
pub fn contest_standings(
    conn: &Connection,
    team: &Id,
    contest: &crate::store::org::ContestRow,
) -> Result<Vec<crate::domain::RankedRow>> {
    let rebuilt = rebuild_contest(
        conn,
        team,
        &contest.id,
        &contest.metric,
        &contest.starts_at,
        &contest.ends_at,
    )?;
    Ok(rebuilt.ranking().rows().to_vec())
}

/// A contest rebuilt from its entrants and the stored sales of its window (times as stored).
fn rebuild_contest(
    conn: &Connection,
    team: &Id,
    contest_id: &Id,
    metric: &str,
    starts: &str,
    ends: &str,
) -> Result<Contest> {
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| HubError::Internal(format!("stored contest time: {e}")))
    };
    let entrants: Vec<Competitor> = {
        let mut stmt = conn.prepare_cached(
                "SELECT u.id, u.name FROM contest_entrants e JOIN users u ON u.id = e.user_id WHERE e.contest_id = ?1",
            )?;
        let rows = stmt.query_map(params![contest_id.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut list = Vec::new();
        for row in rows {
            let (id, name) = row?;
            list.push(Competitor {
                user_id: Id::new(id).map_err(|e| HubError::Internal(e.rule))?,
                user_name: name,
                team_id: Some(team.clone()),
            });
        }
        list
    };
    let mut contest = Contest::new(
        contest_id.clone(),
        metric.to_owned(),
        parse(starts)?,
        parse(ends)?,
        entrants,
    )
    .map_err(|e| HubError::Internal(e.to_string()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT seller_id, amounts FROM sales WHERE team_id = ?1 AND at >= ?2 AND at < ?3",
    )?;
    let rows = stmt.query_map(params![team.as_str(), starts, ends], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (who, stored) = row?;
        let stored: Vec<(String, f64)> = serde_json::from_str(&stored)?;
        let past: f64 = stored
            .iter()
            .filter(|(m, _)| *m == metric)
            .map(|(_, v)| v)
            .sum();
        if let Ok(who) = Id::new(who)
            && contest.is_entrant(&who)
            && stored.iter().any(|(m, _)| *m == metric)
        {
            contest
                .restore_entry(&who, past)
                .map_err(|e| HubError::Internal(e.to_string()))?;
        }
    }
    Ok(contest)
}

/// The periodic leaderboard work ([`crate::HubConfig::leaderboard_tick`], time from the hub's
/// clock): every ended contest not yet closed gets its result, once — `contest:ended` to
/// `contest:{id}`, the team room and `tv-display`, and for each winner the public
/// `contest-win:{id}` achievement (`achievement:earned` to the winner,
/// `achievement:celebration` to the team room and `tv-display`); then every board in memory
/// whose period ended starts the new one with a `leaderboard:refresh` to the team room and
/// `tv-display`. All durable, each contest's closing in one transaction with its
/// `closed_at`.
pub async fn tick(hub: &HubState) -> Result<()> {
    let now = hub.now();
    let ended: Vec<(String, String, String, String, String, String)> = {
        let db = hub.store.lock().await;
        let mut stmt = db.conn().prepare_cached(
            "SELECT id, team_id, name, metric, starts_at, ends_at FROM contests WHERE closed_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (contest_id, team, name, metric, starts, ends) in ended {
        let ends_at = DateTime::parse_from_rfc3339(&ends)
            .map_err(|e| HubError::Internal(format!("stored contest time: {e}")))?
            .with_timezone(&Utc);
        if now < ends_at {
            continue;
        }
        let contest_id = Id::new(contest_id).map_err(|e| HubError::Internal(e.rule))?;
        let team = Id::new(team).map_err(|e| HubError::Internal(e.rule))?;
        hub.commit(|tx, outbox| {
            // Re-checked inside the transaction: a concurrent tick may have closed it.
            let open: bool = tx.query_row(
                "SELECT closed_at IS NULL FROM contests WHERE id = ?1",
                params![contest_id.as_str()],
                |r| r.get(0),
            )?;
            if !open {
                return Ok(());
            }
            let mut contest = rebuild_contest(tx, &team, &contest_id, &metric, &starts, &ends)?;
            tx.execute(
                "UPDATE contests SET closed_at = ?2 WHERE id = ?1",
                params![contest_id.as_str(), now.to_rfc3339()],
            )?;
            let Some(result) = contest.close(now) else {
                return Ok(());
            };
            let final_board = contest.to_refresh(TimeRange::Today, usize::MAX, None, now);
            let public_rooms = vec![
                Room::Contest(contest_id.clone()),
                Room::Team(team.clone()),
                Room::TvDisplay,
            ];
            outbox.push(
                Namespace::Leaderboard,
                public_rooms,
                "contest:ended",
                &sideline_protocol::leaderboard::ContestEnded {
                    contest_id: contest_id.clone(),
                    name: name.clone(),
                    metric: metric.clone(),
                    winners: result
                        .winners
                        .iter()
                        .map(|w| UserRef {
                            id: w.user_id.clone(),
                            name: w.user_name.clone(),
                        })
                        .collect(),
                    standings: final_board.rankings,
                    ended_at: ends_at,
                },
            )?;
            for (winner, achievement) in result.win_achievements(&name) {
                let event =
                    achievement.to_event(winner.user_id.clone(), winner.user_name.clone(), now);
                outbox.push(
                    Namespace::Leaderboard,
                    vec![Room::User(winner.user_id.clone())],
                    "achievement:earned",
                    &event,
                )?;
                if achievement.public {
                    outbox.push(
                        Namespace::Leaderboard,
                        vec![Room::Team(team.clone()), Room::TvDisplay],
                        "achievement:celebration",
                        &event,
                    )?;
                }
            }
            Ok(())
        })
        .await?;
    }

    for team in hub.boards.teams() {
        hub.commit(|tx, outbox| {
            let (board, restarted) = hub.boards.current_rolled(tx, &team, now)?;
            push_period_refreshes(outbox, &board, &team, &restarted, now)
        })
        .await?;
    }
    Ok(())
}
