//! [`HubProcess`]: the real `sideline-hub` binary as a child process on a free loopback port
//! with a temporary data directory, which a chaos test can kill with SIGKILL and start again
//! on the same port and the same database.
//!
//! The binary's path is an argument: `env!("CARGO_BIN_EXE_sideline-hub")` exists only in the
//! hub's own tests. Elsewhere pass `assert_cmd::cargo::cargo_bin("sideline-hub")` (built by
//! `cargo test --workspace`, or by `cargo build -p sideline-hub`).

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a start may take before it counts as failed (a debug build on a busy 2-core
/// machine opens its database and binds in well under a second).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What the hub prints on stdout once it listens, before its URL.
const LISTENING: &str = "sideline-hub listening on http://";

/// A running (or killed) `sideline-hub` child process. Dropping it kills the process; the
/// data directory is removed with it.
#[derive(Debug)]
pub struct HubProcess {
    // First, so it is killed before the directory is removed.
    child: Option<Child>,
    binary: PathBuf,
    args: Vec<OsString>,
    dir: tempfile::TempDir,
    addr: SocketAddr,
}

impl HubProcess {
    /// Starts `binary` at its default settings on `127.0.0.1:0` with the database in a new
    /// temporary directory (where the hub also writes its generated JWT secret, so tokens stay
    /// valid across restarts). `extra_args` follow (e.g. `["--demo", "--demo-rate", "0"]` for
    /// the demo team without the simulator). Environment variables `SIDELINE_HUB_*` of the
    /// test process are not passed on, so the settings are the defaults. Its log (stderr)
    /// goes to [`HubProcess::log_path`].
    pub async fn start(binary: impl Into<PathBuf>, extra_args: &[&str]) -> io::Result<HubProcess> {
        let mut hub = HubProcess {
            child: None,
            binary: binary.into(),
            args: extra_args.iter().map(OsString::from).collect(),
            dir: tempfile::tempdir()?,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        hub.spawn().await?;
        Ok(hub)
    }

    /// The address it listens on (the same after a restart).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The data directory (database, JWT secret, log).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite database file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("hub.db")
    }

    /// The hub's log (its stderr, appended across restarts).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("hub.log")
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Whether the process runs (started and not killed or exited).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Kills the process with SIGKILL (no shutdown, no WAL checkpoint: a crash) and waits
    /// until it is gone, so its port and database are free. A no-op when not running.
    pub async fn kill(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.child.take() {
            // `start_kill` is SIGKILL on Unix.
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }

    /// Kills the process if it runs, then starts it again on the same port and database.
    pub async fn restart(&mut self) -> io::Result<()> {
        self.kill().await?;
        self.spawn().await
    }

    /// Starts the process on `self.addr` and waits for its "listening" line.
    async fn spawn(&mut self) -> io::Result<()> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let mut command = Command::new(&self.binary);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SIDELINE_HUB_") {
                command.env_remove(key);
            }
        }
        command
            .arg("--addr")
            .arg(self.addr.to_string())
            .arg("--db")
            .arg(self.db_path())
            .args(&self.args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let listening = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix(LISTENING) {
                    return url
                        .trim()
                        .parse::<SocketAddr>()
                        .map_err(|e| io::Error::other(format!("hub address `{url}`: {e}")));
                }
            }
            Err(io::Error::other("the hub exited before listening"))
        })
        .await;
        let addr = match listening {
            Ok(Ok(addr)) => addr,
            Ok(Err(err)) => {
                let _ = child.start_kill();
                return Err(io::Error::other(format!(
                    "{err}; see {}",
                    self.log_path().display()
                )));
            }
            Err(_) => {
                let _ = child.start_kill();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the hub did not listen within {START_TIMEOUT:?}; see {}",
                        self.log_path().display()
                    ),
                ));
            }
        };
        // Keep reading stdout so the hub never writes into a closed pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.addr = addr;
        self.child = Some(child);
        Ok(())
    }
}
