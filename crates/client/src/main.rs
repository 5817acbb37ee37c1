//! `sideline`: the client engine from a terminal.
//!
//! ```text
//! sideline [--data-dir DIR] login --server URL --user NAME --password-stdin
//! sideline status | watch [--json] | outbox [--json] | sync | notifications
//! sideline note add --agent ID --type COACHING|POSITIVE|URGENT --priority LOW|MEDIUM|HIGH [--category C] TEXT
//! sideline leaderboard [--metric M] [--range R]
//! ```
//!
//! Credentials: `SIDELINE_SERVER` + `SIDELINE_TOKEN` when both are set (no login needed),
//! otherwise the OS keychain entry written by `login` for the server in `profile.json`.
//! Errors: one line `error: CODE: message` on stderr and exit code 1 (`sync` exits 2 when
//! records were rejected by the hub).
//!
//! Output goes through `out!`, never `println!`: a reader that closes the pipe early
//! (`sideline outbox | head -5`) ends the command quietly with exit code 0, as ripgrep does,
//! instead of a "failed printing to stdout" panic. 0 rather than the 141 of a process killed by
//! SIGPIPE because the reader chose to stop reading, which is not our failure, and a script's
//! `set -o pipefail` must not fail over it. Every other output error is still reported.

use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use sideline_client::engine::{
    Engine, EngineConfig, capture_blocking, default_data_dir, open_store,
};
use sideline_client::outbox::{NoteInput, prepare_note};
use sideline_client::store::{OutboxState, StoreOptions};
use sideline_client::tokens::{self, EnvTokens, KeyringTokens, TokenSource};
use sideline_client::{ClientError, ConnectionStatus, Result};
use sideline_protocol::leaderboard::{LeaderboardRequest, TimeRange};
use sideline_protocol::notes::{NoteType, Priority};
use sideline_protocol::{ClientEvent, Id, LeaderboardClientEvent, Namespace};

#[derive(Debug, Parser)]
#[command(
    name = "sideline",
    version,
    about = "Sideline from the terminal: notes that sync, live team events"
)]
struct Cli {
    /// Where Sideline keeps its data (default: the platform's app-data directory, shared with
    /// the desktop app).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in to a hub; the token goes to the OS keychain.
    Login {
        /// The hub's URL (http://host:port).
        #[arg(long)]
        server: String,
        /// User name.
        #[arg(long)]
        user: String,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Sign out: delete the hub's token from the OS keychain.
    Logout,
    /// Connection status, outbox counts, last event ids.
    Status,
    /// Print live events, one per line, until interrupted.
    Watch {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Quick notes.
    Note {
        #[command(subcommand)]
        command: NoteCommand,
    },
    /// Pending and rejected records, with the hub's reasons.
    Outbox {
        /// JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Send the outbox now; exit 0 only when it is empty.
    Sync {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// The signed-in user's notifications.
    Notifications,
    /// A leaderboard.
    Leaderboard {
        /// The metric.
        #[arg(long, default_value = "revenue")]
        metric: String,
        /// The period.
        #[arg(long, value_enum, default_value_t = RangeArg::Week)]
        range: RangeArg,
    },
}

#[derive(Debug, Subcommand)]
enum NoteCommand {
    /// Queue a quick note (works offline); prints its clientId.
    Add {
        /// The agent the note is about.
        #[arg(long)]
        agent: String,
        /// Kind of note.
        #[arg(long = "type", value_enum)]
        note_type: TypeArg,
        /// Priority.
        #[arg(long, value_enum)]
        priority: PriorityArg,
        /// Optional category.
        #[arg(long)]
        category: Option<String>,
        /// The note.
        text: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
enum TypeArg {
    Coaching,
    Positive,
    Urgent,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
enum PriorityArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RangeArg {
    Today,
    Week,
    Month,
    Quarter,
    Year,
}

/// The non-secret part of a sign-in, kept in the data directory.
#[derive(Debug, Serialize, Deserialize)]
struct Profile {
    server: String,
    user: String,
}

const PROFILE_FILE: &str = "profile.json";

/// `println!` that returns a write error (as a [`ClientError`]) instead of panicking; use it as
/// `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        write_stdout(format_args!($($arg)*))
    };
}

/// `eprintln!` that cannot panic: when standard error itself is gone there is nobody left to
/// tell, so its write error is dropped.
macro_rules! tell {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr().lock(), $($arg)*);
    }};
}

/// The error inside the `io::Error` of a write to standard output whose reader has gone (EPIPE),
/// so `main` can tell it apart from any other I/O failure, including a broken pipe elsewhere.
#[derive(Debug)]
struct StdoutReaderGone;

impl fmt::Display for StdoutReaderGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed by its reader")
    }
}

impl std::error::Error for StdoutReaderGone {}

/// Writes one line to the locked standard output.
fn write_stdout(line: fmt::Arguments<'_>) -> Result<()> {
    writeln!(io::stdout().lock(), "{line}").map_err(|err| {
        if err.kind() == io::ErrorKind::BrokenPipe {
            ClientError::Io(io::Error::new(io::ErrorKind::BrokenPipe, StdoutReaderGone))
        } else {
            ClientError::Io(err)
        }
    })
}

/// Whether `err` is a write to standard output whose reader has gone.
fn is_stdout_reader_gone(err: &ClientError) -> bool {
    matches!(err, ClientError::Io(io_err)
        if io_err.get_ref().is_some_and(|inner| inner.is::<StdoutReaderGone>()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&ClientError::Io(e)),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) if is_stdout_reader_gone(&err) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn fail(err: &ClientError) -> ExitCode {
    tell!("error: {}: {}", err.code(), err);
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    match cli.command {
        Command::Login {
            server,
            user,
            password_stdin: _,
        } => login(&data_dir, &server, &user).await,
        Command::Note {
            command:
                NoteCommand::Add {
                    agent,
                    note_type,
                    priority,
                    category,
                    text,
                },
        } => {
            let input = NoteInput {
                agent_id: Id::new(agent).map_err(|mut e| {
                    e.field = "agent".into();
                    e
                })?,
                note_type: match note_type {
                    TypeArg::Coaching => NoteType::Coaching,
                    TypeArg::Positive => NoteType::Positive,
                    TypeArg::Urgent => NoteType::Urgent,
                },
                priority: match priority {
                    PriorityArg::Low => Priority::Low,
                    PriorityArg::Medium => Priority::Medium,
                    PriorityArg::High => Priority::High,
                },
                category,
                content: text,
            };
            let record = prepare_note(input, chrono::Utc::now())?;
            let store = Arc::new(open_store(&data_dir, &StoreOptions::default())?);
            let stored = capture_blocking(store, record).await?;
            out!("{}", stored.client_id)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Outbox { json } => {
            let store = open_store(&data_dir, &StoreOptions::default())?;
            let records = store.outbox(&[OutboxState::Pending, OutboxState::Rejected])?;
            if json {
                out!("{}", serde_json::to_string_pretty(&records)?)?;
            } else if records.is_empty() {
                out!("the outbox is empty")?;
            } else {
                for r in records {
                    let content = r.payload["content"]
                        .as_str()
                        .or(r.payload["title"].as_str())
                        .unwrap_or("");
                    match r.state {
                        OutboxState::Rejected => out!(
                            "{}  rejected  {}  {}: {}",
                            r.client_id,
                            content,
                            r.reason_code.as_deref().unwrap_or(""),
                            r.reason.as_deref().unwrap_or("")
                        )?,
                        _ => out!(
                            "{}  pending   {}  (sent {} times)",
                            r.client_id,
                            content,
                            r.attempts
                        )?,
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Logout => logout(&data_dir).await,
        Command::Status => status(&data_dir).await,
        Command::Watch { json } => watch(&data_dir, json).await,
        Command::Sync { timeout } => {
            let engine = open_engine(&data_dir, vec![Namespace::Main]).await?;
            let result = engine.sync(Duration::from_secs(timeout)).await;
            engine.shutdown().await;
            let counts = result?;
            if counts.rejected > 0 {
                tell!(
                    "error: REJECTED: {} records were refused by the hub (see `sideline outbox`)",
                    counts.rejected
                );
                return Ok(ExitCode::from(2));
            }
            out!("the outbox is empty ({} confirmed)", counts.confirmed)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Notifications => notifications(&data_dir).await,
        Command::Leaderboard { metric, range } => leaderboard(&data_dir, metric, range).await,
    }
}

async fn login(data_dir: &Path, server: &str, user: &str) -> Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(ClientError::Config("no password on standard input".into()));
    }
    let server = tokens::normalise_server(server);
    let grant = tokens::login(&server, user, password).await?;
    KeyringTokens::store(&server, &grant.token, Some(grant.expires_at)).await?;
    let profile = Profile {
        server: server.clone(),
        user: user.to_owned(),
    };
    std::fs::write(
        data_dir.join(PROFILE_FILE),
        serde_json::to_vec_pretty(&profile)?,
    )?;
    out!("signed in to {server} as {user}")?;
    Ok(ExitCode::SUCCESS)
}

async fn logout(data_dir: &Path) -> Result<ExitCode> {
    let path = data_dir.join(PROFILE_FILE);
    let text = std::fs::read(&path).map_err(|_| ClientError::NotSignedIn)?;
    let profile: Profile = serde_json::from_slice(&text).map_err(|_| ClientError::NotSignedIn)?;
    KeyringTokens::delete(&profile.server).await?;
    std::fs::remove_file(&path)?;
    out!("signed out of {}", profile.server)?;
    Ok(ExitCode::SUCCESS)
}

/// The environment's credentials, or the keychain's for the profile's server.
fn token_source(data_dir: &Path) -> Result<Arc<dyn TokenSource>> {
    if let Some(env) = EnvTokens::from_env() {
        return Ok(Arc::new(env));
    }
    let text = std::fs::read(data_dir.join(PROFILE_FILE)).map_err(|_| ClientError::NotSignedIn)?;
    let profile: Profile = serde_json::from_slice(&text).map_err(|_| ClientError::NotSignedIn)?;
    Ok(Arc::new(KeyringTokens::new(profile.server)))
}

async fn open_engine(data_dir: &Path, namespaces: Vec<Namespace>) -> Result<Engine> {
    let tokens = token_source(data_dir)?;
    // Fail early and clearly when there is nothing to sign in with.
    tokens.credentials().await?;
    let config = EngineConfig {
        namespaces,
        ..EngineConfig::default()
    };
    Engine::open(data_dir, config, tokens).await
}

/// Waits until the engine is live (or clearly not going to be soon).
async fn wait_live(engine: &Engine, within: Duration) -> ConnectionStatus {
    let mut status = engine.status();
    let _ = tokio::time::timeout(within, async {
        loop {
            match &*status.borrow_and_update() {
                ConnectionStatus::Live | ConnectionStatus::SignInNeeded => return,
                _ => {}
            }
            if status.changed().await.is_err() {
                return;
            }
        }
    })
    .await;
    status.borrow().clone()
}

async fn status(data_dir: &Path) -> Result<ExitCode> {
    let store = open_store(data_dir, &StoreOptions::default())?;
    let counts = store.outbox_counts()?;
    let connection = match open_engine(data_dir, vec![Namespace::Main]).await {
        Ok(engine) => {
            let status = wait_live(&engine, Duration::from_secs(5)).await;
            engine.shutdown().await;
            status.describe()
        }
        Err(ClientError::NotSignedIn) => "not signed in".to_owned(),
        Err(err) => return Err(err),
    };
    out!("connection: {connection}")?;
    out!(
        "outbox: {} pending, {} rejected",
        counts.pending,
        counts.rejected
    )?;
    for namespace in Namespace::ALL {
        out!("last eventId {namespace}: {}", store.cursor(namespace)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn watch(data_dir: &Path, json: bool) -> Result<ExitCode> {
    let engine = open_engine(data_dir, Namespace::ALL.to_vec()).await?;
    let mut events = engine.live_events();
    let mut status = engine.status();
    // The engine is shut down whatever ends the loop; an output error is returned after that.
    let mut outcome = Ok(ExitCode::SUCCESS);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    let line = if json {
                        serde_json::to_string(&event)?
                    } else {
                        format!(
                            "{} {} {} {}",
                            event.namespace,
                            event.name,
                            event.event_id.map_or("-".to_owned(), |id| id.to_string()),
                            event.data
                        )
                    };
                    if let Err(err) = out!("{line}") {
                        outcome = Err(err);
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tell!("warning: {n} events skipped (output too slow)");
                }
                Err(_) => break,
            },
            changed = status.changed() => {
                if changed.is_err() {
                    break;
                }
                tell!("status: {}", status.borrow_and_update().describe());
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    engine.shutdown().await;
    outcome
}

async fn notifications(data_dir: &Path) -> Result<ExitCode> {
    let credentials = token_source(data_dir)?.credentials().await?;
    let list = sideline_client::hub_api::notifications(&credentials).await?;
    let unread = list.iter().filter(|n| !n.read).count();
    out!("{} notifications, {unread} unread", list.len())?;
    for n in list {
        out!(
            "{} {} {}{}",
            if n.read { " " } else { "*" },
            n.created_at.format("%Y-%m-%d %H:%M"),
            n.title.map(|t| format!("{t}: ")).unwrap_or_default(),
            n.message
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn leaderboard(data_dir: &Path, metric: String, range: RangeArg) -> Result<ExitCode> {
    let range = match range {
        RangeArg::Today => TimeRange::Today,
        RangeArg::Week => TimeRange::Week,
        RangeArg::Month => TimeRange::Month,
        RangeArg::Quarter => TimeRange::Quarter,
        RangeArg::Year => TimeRange::Year,
    };
    let engine = open_engine(data_dir, vec![Namespace::Leaderboard]).await?;
    let status = wait_live(&engine, Duration::from_secs(10)).await;
    if status != ConnectionStatus::Live {
        engine.shutdown().await;
        return Err(ClientError::Network(format!(
            "not connected: {}",
            status.describe()
        )));
    }
    let mut changes = engine.changes();
    let asked_at = chrono::Utc::now();
    engine
        .send(ClientEvent::Leaderboard(
            LeaderboardClientEvent::LeaderboardRequest(LeaderboardRequest {
                metric: metric.clone(),
                range,
                team_id: None,
                contest_id: None,
                limit: None,
            }),
        ))
        .await?;
    let board = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(board) = changes
                .borrow_and_update()
                .state
                .leaderboard
                .board(&metric, Some(range))
                && board
                    .generated_at
                    .is_some_and(|at| at >= asked_at - chrono::Duration::seconds(5))
            {
                return Some(board.clone());
            }
            if changes.changed().await.is_err() {
                return None;
            }
        }
    })
    .await
    .ok()
    .flatten();
    engine.shutdown().await;
    let board = board.ok_or_else(|| ClientError::Timeout("no leaderboard answer".into()))?;
    out!(
        "{metric} ({})",
        serde_json::to_value(range)?.as_str().unwrap_or("")
    )?;
    for row in board.rows {
        out!("{:>3}. {:<24} {}", row.rank, row.user_name, row.value)?;
    }
    Ok(ExitCode::SUCCESS)
}
