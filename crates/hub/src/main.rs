//! `sideline-hub`: runs a hub from flags, environment and an optional TOML file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use sideline_hub::{Hub, HubConfig};
use tracing_subscriber::EnvFilter;

/// The Sideline team hub.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file; flags and environment override it.
    #[arg(long, env = "SIDELINE_HUB_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "SIDELINE_HUB_ADDR")]
    addr: Option<SocketAddr>,
    /// SQLite database file (its directory holds the generated JWT secret).
    #[arg(long, env = "SIDELINE_HUB_DB")]
    db: Option<PathBuf>,
    /// JWT signing secret (generated into the data directory when absent).
    #[arg(long, env = "SIDELINE_HUB_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Allowed CORS origins (comma-separated).
    #[arg(long, env = "SIDELINE_HUB_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Option<Vec<String>>,
    /// Largest accepted event / HTTP body, in bytes.
    #[arg(long, env = "SIDELINE_HUB_MAX_PAYLOAD")]
    max_payload: Option<u64>,
    /// Per-socket sustained events per second.
    #[arg(long, env = "SIDELINE_HUB_RATE_LIMIT")]
    rate_limit: Option<f64>,
    /// Durable event retention, in days.
    #[arg(long, env = "SIDELINE_HUB_RETENTION_DAYS")]
    retention_days: Option<u64>,
    /// First start: create this team leader (password from SIDELINE_HUB_BOOTSTRAP_PASSWORD).
    #[arg(long, env = "SIDELINE_HUB_BOOTSTRAP_LEADER")]
    bootstrap_leader: Option<String>,
    /// The bootstrap leader's team id.
    #[arg(long, env = "SIDELINE_HUB_BOOTSTRAP_TEAM")]
    bootstrap_team: Option<String>,
    /// Seed the demo team and run the simulator.
    #[arg(long, env = "SIDELINE_HUB_DEMO")]
    demo: bool,
    /// Leaderboard metrics (comma-separated; default revenue,deals,calls).
    #[arg(long, env = "SIDELINE_HUB_METRICS", value_delimiter = ',')]
    metrics: Option<Vec<String>>,
    /// Simulator events per second.
    #[arg(long, env = "SIDELINE_HUB_DEMO_RATE")]
    demo_rate: Option<f64>,
}

impl Args {
    fn into_config(self) -> sideline_hub::Result<HubConfig> {
        let mut config = match &self.config {
            Some(path) => HubConfig::from_toml(&std::fs::read_to_string(path)?)?,
            None => HubConfig::default(),
        };
        if let Some(v) = self.addr {
            config.addr = v;
        }
        if let Some(v) = self.db {
            config.db_path = v;
        }
        if self.jwt_secret.is_some() {
            config.jwt_secret = self.jwt_secret;
        }
        if let Some(v) = self.cors_origins {
            config.cors_origins = v;
        }
        if let Some(v) = self.max_payload {
            config.max_payload = v;
        }
        if let Some(v) = self.rate_limit {
            config.rate_limit_per_sec = v;
        }
        if let Some(v) = self.retention_days {
            config.retention = std::time::Duration::from_secs(v * 24 * 3600);
        }
        if self.bootstrap_leader.is_some() {
            config.bootstrap_leader = self.bootstrap_leader;
        }
        if let Some(v) = self.bootstrap_team {
            config.bootstrap_team = v;
        }
        // Read from the environment only, so it never shows in a process listing.
        if let Ok(password) = std::env::var("SIDELINE_HUB_BOOTSTRAP_PASSWORD") {
            config.bootstrap_password = Some(password);
        }
        if let Some(v) = self.metrics {
            config.leaderboard_metrics = v;
        }
        config.demo |= self.demo;
        if let Some(v) = self.demo_rate {
            config.demo_rate = v;
        }
        Ok(config)
    }
}

fn main() -> std::process::ExitCode {
    // SAFETY: the first statement of `main`, before the runtime starts any thread.
    #[allow(unsafe_code)]
    unsafe {
        sideline_hub::memory::pin_mmap_threshold();
    }
    // Logs on stderr; stdout carries only the "listening on" line (scripts read the port).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(error = %err, "sideline-hub could not start its runtime");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Args::parse())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "sideline-hub failed");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> sideline_hub::Result<()> {
    let hub = Hub::start(args.into_config()?).await?;
    println!("sideline-hub listening on {}", hub.url());
    shutdown_signal().await;
    tracing::info!("shutting down");
    hub.shutdown().await
}

/// Ctrl-C everywhere; SIGTERM too on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return ctrl_c.await,
            };
        tokio::select! {
            () = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
