//! Logging: `tracing` to a daily rolling file (`sideline.<date>.log`, at most [`MAX_FILES`]) in
//! the app's log directory, filtered by `SIDELINE_LOG` (default `info`, `tracing-subscriber`'s
//! env-filter syntax). Nothing logs a token or a password: the core types redact them.

use std::path::Path;
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Log files kept.
pub const MAX_FILES: usize = 7;

/// Keeps the background writer alive (and flushing) for the life of the process.
static GUARD: OnceLock<WorkerGuard> = OnceLock::new();

/// Starts logging to `dir`; falls back to stderr when the directory cannot be used.
pub fn init(dir: &Path) {
    let filter = EnvFilter::try_from_env("SIDELINE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let appender = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            Builder::new()
                .rotation(Rotation::DAILY)
                .filename_prefix("sideline")
                .filename_suffix("log")
                .max_log_files(MAX_FILES)
                .build(dir)
                .map_err(|e| e.to_string())
        });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = GUARD.set(guard);
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(writer)
                .with_ansi(false)
                .try_init();
        }
        Err(err) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
            tracing::warn!(dir = %dir.display(), error = %err, "no log file; logging to stderr");
        }
    }
}
