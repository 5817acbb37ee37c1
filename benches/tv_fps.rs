//! TV mode under a ranking storm: the frame rate of the TV window while the hub publishes
//! about `--rate` ranking updates per second (S5's target: ≥ 55 fps at 1,000/s).
//!
//! The real app (release build) in a real window under Xvfb, driven by WebDriver through the
//! end-to-end harness; a real hub in this process, loaded by recording sales through its own
//! flow (`record_sale`, the path an HTTP sale takes, minus HTTP) and counting the
//! `rankings:update` events each sale publishes. The TV window's `requestAnimationFrame`
//! counter (`window.__sidelineTv.frames`) is read over WebDriver before and after each window.
//!
//! Run it with `cargo xtask bench-tv` (which builds the release app and sets up Xvfb and the
//! session bus); it prints one summary line per phase. Arguments after `--`:
//! `--rate N` (default 1000), `--seconds S` (default 20), `--main-visible` (keep the main
//! window on screen beneath the TV, as on a leader's desk; by default it is hidden, as on a wall
//! display started with `--tv`).

#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use harness::{TestEnv, poll};
use serde_json::json;
use sideline_hub::{Hub, HubConfig};
use sideline_protocol::Id;

const BOARD: &str = "[data-testid=tv-board]";

struct Args {
    rate: f64,
    seconds: u64,
    main_visible: bool,
}

fn args() -> Args {
    let mut args = Args {
        rate: 1000.0,
        seconds: 20,
        main_visible: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rate" => args.rate = it.next().and_then(|v| v.parse().ok()).expect("--rate N"),
            "--seconds" => {
                args.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds S")
            }
            "--main-visible" => args.main_visible = true,
            // `cargo bench` passes `--bench`; anything else is a mistake worth hearing about.
            "--bench" => {}
            other => panic!("unknown argument {other} (--rate N, --seconds S, --main-visible)"),
        }
    }
    args
}

fn main() {
    let args = args();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run(args));
}

/// CPU time (user + system, in clock ticks) of every process on the machine, by pid, with
/// its command name.
fn cpu_ticks_by_pid() -> std::collections::BTreeMap<u32, (String, u64)> {
    harness::processes()
        .filter_map(|(pid, dir)| {
            let (comm, fields) = harness::process_stat(&dir)?;
            // utime and stime are fields 14 and 15 of stat(5); `fields` starts at field 3.
            let used: u64 = fields
                .get(11..13)?
                .iter()
                .filter_map(|v| v.parse::<u64>().ok())
                .sum();
            Some((pid, (comm, used)))
        })
        .collect()
}

/// Prints each command's share of one core between two samples, busiest first: the load's
/// cost split between the hub (this bench), the app, each web process and Xvfb.
fn print_cpu(
    phase: &str,
    before: &std::collections::BTreeMap<u32, (String, u64)>,
    after: &std::collections::BTreeMap<u32, (String, u64)>,
    seconds: f64,
) {
    // USER_HZ: 100 on every Linux that Debian and Ubuntu ship.
    let hz = 100.0;
    let mut by_name = std::collections::BTreeMap::<String, u64>::new();
    for (pid, (comm, t)) in after {
        let dt = t.saturating_sub(before.get(pid).map_or(0, |b| b.1));
        // Each web view has its own web process: those are told apart by pid. Kernel workers
        // rename themselves after their current job: one line for all of them.
        let name = if comm.starts_with("WebKitWebProc") {
            format!("{comm}[{pid}]")
        } else if comm.starts_with("kworker") {
            "kworker".to_owned()
        } else {
            comm.clone()
        };
        *by_name.entry(name).or_insert(0) += dt;
    }
    let mut used: Vec<(String, f64)> = by_name
        .into_iter()
        .map(|(name, dt)| (name, dt as f64 / hz / seconds * 100.0))
        .filter(|(_, pct)| *pct >= 1.0)
        .collect();
    used.sort_by(|a, b| b.1.total_cmp(&a.1));
    let line: Vec<String> = used.iter().map(|(c, p)| format!("{c} {p:.0}%")).collect();
    println!("tv-fps: {phase} CPU (100% = one core): {}", line.join(", "));
}

/// Frames counted by the TV window over `window`, as frames per second.
async fn measure_fps(app: &harness::RunningApp, window: Duration) -> f64 {
    let frames = || async {
        app.js(
            "return window.__sidelineTv ? window.__sidelineTv.frames : null;",
            vec![],
        )
        .await
        .as_f64()
        .expect("window.__sidelineTv.frames (is this the TV window?)")
    };
    let (f0, t0) = (frames().await, Instant::now());
    // Once a second: is a celebration on screen? (Its animation is the costliest paint.)
    let (mut seconds, mut celebrating) = (0, 0);
    while t0.elapsed() < window {
        tokio::time::sleep(Duration::from_secs(1).min(window.saturating_sub(t0.elapsed()))).await;
        seconds += 1;
        if app.count("[data-testid=tv-celebration]").await > 0 {
            celebrating += 1;
        }
    }
    let (f1, t1) = (frames().await, Instant::now());
    println!("tv-fps: a celebration on screen at {celebrating} of {seconds} one-second samples");
    (f1 - f0) / (t1 - t0).as_secs_f64()
}

async fn run(args: Args) {
    let env = TestEnv::new("bench-tv-fps");
    let mut config = HubConfig::ephemeral(env.root.join("hub.db"));
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.demo = true;
    config.demo_rate = 0.0;
    let hub = Hub::start(config).await.expect("the hub starts");
    let url = hub.url();
    let http = reqwest::Client::new();
    let lead: serde_json::Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": "lead", "password": "demo"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login JSON");
    let lead = lead["token"].as_str().expect("a token").to_owned();
    let display: serde_json::Value = http
        .post(format!("{url}/api/v1/admin/display-tokens"))
        .bearer_auth(&lead)
        .json(&json!({"name": "Bench wall"}))
        .send()
        .await
        .expect("display token")
        .json()
        .await
        .expect("display token JSON");
    let token = display["token"].as_str().expect("display token").to_owned();

    let app = env.launch(&[], &[], "[data-testid=welcome]").await;
    app.invoke(
        "sign_in_display",
        json!({ "request": { "server": url, "token": token } }),
    )
    .await
    .expect("sign_in_display");
    let known = app.client.windows().await.expect("window handles");
    if !args.main_visible {
        // As on a wall display started with `--tv`: the main window hidden (to the tray).
        app.invoke("close_window", json!({}))
            .await
            .expect("hide main");
        let visibility = poll(
            "the hidden main window's page to know it",
            Duration::from_secs(10),
            async || {
                let state = app.js("return document.visibilityState;", vec![]).await;
                (state == "hidden").then_some(state)
            },
        )
        .await;
        println!("tv-fps: main window hidden (document.visibilityState {visibility})");
    }
    app.invoke("open_tv", json!({})).await.expect("open_tv");
    app.switch_to_new_window(&known, Duration::from_secs(20))
        .await;
    // One board for the whole run: the leaderboard, where the storm lands.
    let mut tv_url = app.client.current_url().await.expect("the TV window's URL");
    tv_url.set_query(Some("tvSeconds=3600"));
    app.client.goto(tv_url.as_str()).await.expect("reload");
    app.wait_for(&format!("{BOARD}[data-board=leaderboard]"))
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    let window = Duration::from_secs(args.seconds);
    let cpu0 = cpu_ticks_by_pid();
    let idle_fps = measure_fps(&app, window).await;
    print_cpu("idle", &cpu0, &cpu_ticks_by_pid(), args.seconds as f64);
    println!("tv-fps: idle {idle_fps:.1} fps over {}s", args.seconds);

    // The storm: sales through the hub's own flow, paced to `rate` ranking updates a second.
    let state = hub.state().clone();
    let published = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (published, stop, rate) = (published.clone(), stop.clone(), args.rate);
        tokio::spawn(async move {
            let agents: Vec<Id> = (1..=10)
                .map(|n| Id::new(format!("agent{n:02}")).expect("agent id"))
                .collect();
            let started = Instant::now();
            let mut sale = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let due = (started.elapsed().as_secs_f64() * rate) as u64;
                if published.load(Ordering::Relaxed) >= due {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                sale += 1;
                let seller = &agents[(sale % agents.len() as u64) as usize];
                // Varying amounts keep the order moving.
                let revenue = 50.0 + ((sale * 7919) % 900) as f64;
                let updates = sideline_hub::flows::leaderboard::record_sale(
                    &state,
                    seller,
                    vec![("revenue".into(), revenue)],
                    None,
                )
                .await
                .expect("record a sale");
                published.fetch_add(updates.len().max(1) as u64, Ordering::Relaxed);
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = published.load(Ordering::Relaxed);
    let t0 = Instant::now();
    let cpu0 = cpu_ticks_by_pid();
    let loaded_fps = measure_fps(&app, window).await;
    print_cpu(
        "storm",
        &cpu0,
        &cpu_ticks_by_pid(),
        t0.elapsed().as_secs_f64(),
    );
    let achieved = (published.load(Ordering::Relaxed) - before) as f64 / t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    load.await.expect("the load task");
    let rows = app.count("[data-testid=tv-row]").await;
    println!(
        "tv-fps: under load {loaded_fps:.1} fps over {}s at {achieved:.0} ranking updates/s \
         (asked {}), {rows} rows on the board",
        args.seconds, args.rate
    );
    app.screenshot("bench-tv-fps").await;
    app.stop().await;
    hub.shutdown().await.expect("hub shutdown");
}
