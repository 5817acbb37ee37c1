//! `cargo xtask bench-app [RUNS]`: cold start and idle memory of the release app.
//!
//! Each run starts `sideline-app --demo` with a fresh `HOME` (no WebKit cache, no app data)
//! under its own `xvfb-run` + `dbus-run-session`, with `SIDELINE_STARTUP_PROBE=1`, and reads
//! the app's `sideline: first live data after N ms` line (measured by the app from its own
//! process start). Then it leaves the app idle for [`IDLE`] and sums the PSS of the app's
//! whole process tree (the app, WebKitWebProcess, WebKitNetworkProcess, …) from
//! `/proc/<pid>/smaps_rollup`. PSS rather than RSS: the WebKit processes share most of their
//! pages, and PSS charges each shared page once across the tree.
//!
//! `cargo xtask bench-soak [--tv] [MINUTES] [RATE]`: the same app (or TV mode) left running
//! under a busy simulator, its memory read every 30 s, to tell a level from a leak.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::process::{Step, TempDir};
use crate::{Result, build_ui, prereqs, target_dir};

/// How long the app sits idle before its memory is read.
const IDLE: Duration = Duration::from_secs(30);

/// How long one run may take to reach first live data.
const START_LIMIT: Duration = Duration::from_secs(60);

const PROBE: &str = "sideline: first live data after ";

/// One cold start.
#[derive(Debug)]
struct Sample {
    /// The app's own measure: process start to first live data.
    first_live_ms: u64,
    /// From spawning `xvfb-run` to the probe line (includes starting Xvfb and the bus).
    wall_ms: u64,
    /// PSS of the app's process tree after [`IDLE`], in KiB.
    pss_kib: u64,
    /// The processes counted: name and PSS in KiB.
    processes: Vec<(String, u64)>,
}

pub fn bench_app(args: &[String]) -> Result {
    let runs: usize = match args.first() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("bench-app: RUNS must be a number, not {n:?}"))?,
        None => 5,
    };
    prereqs::ensure_for_test()?;
    let app = build_release_app()?;

    let mut samples = Vec::new();
    for run in 1..=runs {
        println!(
            "\n==> cold start {run} of {runs} ({} idle after it)",
            IDLE.as_secs()
        );
        let sample = one_run(&app)?;
        println!(
            "    first live data after {} ms (wall {} ms); idle PSS {:.1} MiB over {} processes: {}",
            sample.first_live_ms,
            sample.wall_ms,
            sample.pss_kib as f64 / 1024.0,
            sample.processes.len(),
            sample
                .processes
                .iter()
                .map(|(name, kib)| format!("{name} {:.1} MiB", *kib as f64 / 1024.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        samples.push(sample);
    }

    let summary = |mut values: Vec<u64>| {
        values.sort_unstable();
        (values[(values.len() - 1) / 2], values[values.len() - 1])
    };
    let (start_p50, start_max) = summary(samples.iter().map(|s| s.first_live_ms).collect());
    let (wall_p50, wall_max) = summary(samples.iter().map(|s| s.wall_ms).collect());
    let (pss_p50, pss_max) = summary(samples.iter().map(|s| s.pss_kib).collect());
    println!("\nxtask: {runs} cold starts of `sideline-app --demo` (release, fresh HOME each)");
    println!("xtask: first live data  p50 {start_p50} ms, max {start_max} ms (target <= 1000 ms)");
    println!("xtask: wall incl. Xvfb  p50 {wall_p50} ms, max {wall_max} ms");
    println!(
        "xtask: idle PSS ({} s)   p50 {:.1} MiB, max {:.1} MiB (target <= 150 MB)",
        IDLE.as_secs(),
        pss_p50 as f64 / 1024.0,
        pss_max as f64 / 1024.0
    );
    Ok(())
}

/// A demo app started by [`launch`], live.
struct Launched {
    child: std::process::Child,
    /// The app's stderr, line by line; keep draining it so the app never blocks.
    stderr: mpsc::Receiver<String>,
    first_live_ms: u64,
    /// From spawning `xvfb-run` to the probe line.
    wall: Duration,
    /// The run's `HOME`, removed when dropped.
    _home: TempDir,
}

impl Launched {
    /// Reads the app's stderr (and drops it) for `how_long`.
    fn drain_for(&self, how_long: Duration) {
        let until = Instant::now() + how_long;
        while Instant::now() < until {
            let _ = self.stderr.recv_timeout(Duration::from_millis(200));
        }
    }
}

/// Starts `app --demo` (and `more_args`) cold (fresh `HOME`, its own Xvfb and session bus) with
/// the simulator at `demo_rate` events a second (the app's default when `None`), and waits for
/// first live data.
fn launch(app: &Path, more_args: &[&str], demo_rate: Option<&str>) -> Result<Launched> {
    let home = TempDir::new("sideline-bench-home")?;
    let started = Instant::now();
    let mut command = Command::new("xvfb-run");
    command
        .args([
            "--auto-servernum",
            "--server-args=-screen 0 1280x800x24",
            "dbus-run-session",
            "--",
        ])
        .arg(app)
        .arg("--demo")
        .args(more_args)
        .env("HOME", home.path())
        .env("SIDELINE_STARTUP_PROBE", "1")
        .env("NO_AT_BRIDGE", "1")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("SIDELINE_DEMO_RATE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(rate) = demo_rate {
        command.env("SIDELINE_DEMO_RATE", rate);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("start xvfb-run: {e}"))?;

    // The app's stderr, line by line, on a thread: the probe line and, on failure, the rest.
    let (tx, rx) = mpsc::channel::<String>();
    let stderr = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let probe = loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(rest) = line.split(PROBE).nth(1) {
                    let ms = rest
                        .trim()
                        .trim_end_matches("ms")
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| format!("unreadable probe line {line:?}"))?;
                    break Some((ms, started.elapsed()));
                }
                log.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break None,
        }
        if started.elapsed() > START_LIMIT {
            break None;
        }
    };
    let Some((first_live_ms, wall)) = probe else {
        stop(&mut child);
        let tail = log[log.len().saturating_sub(30)..].join("\n");
        return Err(format!(
            "the app printed no {PROBE:?} line within {START_LIMIT:?}; its last output:\n{tail}"
        ));
    };
    Ok(Launched {
        child,
        stderr: rx,
        first_live_ms,
        wall,
        _home: home,
    })
}

/// The processes of a launched app's tree: name, PSS and anonymous memory, in KiB.
fn tree_memory(launched: &Launched, app: &Path) -> Result<Vec<(String, u64, u64)>> {
    let tree = app_tree(launched.child.id(), app);
    if tree.is_empty() {
        return Err("the app's process was not found under xvfb-run".into());
    }
    Ok(tree
        .into_iter()
        .filter_map(|pid| {
            let (pss, anonymous) = pss_and_anonymous(pid)?;
            Some((process_name(pid), pss, anonymous))
        })
        .collect())
}

fn one_run(app: &Path) -> Result<Sample> {
    let mut launched = launch(app, &[], None)?;
    launched.drain_for(IDLE);
    let measured = tree_memory(&launched, app);
    stop(&mut launched.child);
    let processes: Vec<(String, u64)> = measured?
        .into_iter()
        .map(|(name, pss, _)| (name, pss))
        .collect();
    Ok(Sample {
        first_live_ms: launched.first_live_ms,
        wall_ms: u64::try_from(launched.wall.as_millis()).unwrap_or(u64::MAX),
        pss_kib: processes.iter().map(|(_, kib)| kib).sum(),
        processes,
    })
}

/// How often `bench-soak` reads the app's memory.
const SOAK_SAMPLE: Duration = Duration::from_secs(30);

/// `bench-soak`'s summary leaves out the readings of the first minute.
const SOAK_WARM_UP: Duration = Duration::from_secs(60);

/// `cargo xtask bench-soak [--tv] [MINUTES] [RATE]`: the release demo app (with `--tv`, in TV
/// mode: what a wall display runs for weeks) left running for MINUTES (default 10) with its
/// simulator at RATE events a second (default 20, ten times the demo's own pace: a day's events
/// in less time). Every [`SOAK_SAMPLE`] it prints the PSS of the app's process tree and of each
/// process, and the web processes' anonymous memory (their heaps: what grows if a page keeps
/// what it should let go). A leak shows as a rise that does not level off; a garbage-collected
/// heap saws up and down around a level.
pub fn bench_soak(args: &[String]) -> Result {
    let tv = args.first().is_some_and(|a| a == "--tv");
    let args = &args[usize::from(tv)..];
    let minutes: u64 = match args.first() {
        Some(m) => m
            .parse()
            .ok()
            .filter(|m| *m >= 3)
            .ok_or_else(|| format!("bench-soak: MINUTES must be a number from 3, not {m:?}"))?,
        None => 10,
    };
    let rate = args.get(1).map_or("20", String::as_str);
    rate.parse::<f64>()
        .map_err(|_| format!("bench-soak: RATE must be a number, not {rate:?}"))?;
    prereqs::ensure_for_test()?;
    let app = build_release_app()?;
    let app_args: &[&str] = if tv { &["--tv"] } else { &[] };
    println!(
        "\n==> `sideline-app --demo{}` for {minutes} min at {rate} simulated events a second",
        if tv { " --tv" } else { "" }
    );
    let mut launched = launch(&app, app_args, Some(rate))?;
    let started = Instant::now();
    let mut web_anonymous = Vec::new();
    println!("    min  tree PSS MiB  web PSS  web anonymous  (app, network PSS)");
    let result = loop {
        let processes = match tree_memory(&launched, &app) {
            Ok(processes) => processes,
            Err(e) => break Err(e),
        };
        let mib = |kib: u64| kib as f64 / 1024.0;
        let (web, others): (Vec<_>, Vec<_>) = processes
            .iter()
            .partition(|(name, ..)| name.starts_with("WebKitWebProces"));
        let web_pss: u64 = web.iter().map(|(_, pss, _)| pss).sum();
        let web_anon: u64 = web.iter().map(|(_, _, anon)| anon).sum();
        // The first minute is the page filling up, not what it keeps.
        if started.elapsed() >= SOAK_WARM_UP {
            web_anonymous.push(web_anon);
        }
        // With two windows (TV mode) there are two web processes: each one's heap, so a climb
        // can be told apart.
        let web_each = web
            .iter()
            .map(|(_, _, anon)| format!("{:.1}", mib(*anon)))
            .collect::<Vec<_>>();
        let others = others
            .iter()
            .map(|(name, pss, _)| format!("{name} {:.1}", mib(*pss)))
            .chain((web_each.len() > 1).then(|| format!("web anonymous {}", web_each.join(" + "))))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "    {:>4.1}  {:>11.1}  {:>7.1}  {:>13.1}  ({others})",
            started.elapsed().as_secs_f64() / 60.0,
            mib(processes.iter().map(|(_, pss, _)| pss).sum()),
            mib(web_pss),
            mib(web_anon),
        );
        if started.elapsed() >= Duration::from_secs(minutes * 60) {
            break Ok(());
        }
        launched.drain_for(SOAK_SAMPLE);
    };
    stop(&mut launched.child);
    result?;
    // Each third of the run's lowest reading (the heap just after a collection: what the page
    // keeps) and mean. A level, or a climb.
    let third = (web_anonymous.len() / 3).max(1);
    let thirds = [
        &web_anonymous[..third],
        &web_anonymous[third..web_anonymous.len() - third],
        &web_anonymous[web_anonymous.len() - third..],
    ];
    let describe = |summary: fn(&[u64]) -> f64| {
        thirds
            .iter()
            .map(|values| format!("{:.1}", summary(values) / 1024.0))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    println!(
        "\nxtask: web process anonymous memory in each third of the run: lowest {} MiB, mean {} MiB",
        describe(|values| values.iter().copied().min().unwrap_or(0) as f64),
        describe(|values| values.iter().sum::<u64>() as f64 / values.len().max(1) as f64),
    );
    Ok(())
}

/// Ends a run: the app itself (found under our xvfb-run), so dbus-run-session and xvfb-run
/// wind down; xvfb-run as a fallback.
fn stop(child: &mut std::process::Child) {
    let pid = child.id();
    let apps: Vec<u32> = descendants(pid)
        .into_iter()
        .filter(|p| process_name(*p) == "sideline-app")
        .collect();
    for app in apps {
        let _ = Command::new("kill").arg(app.to_string()).status();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `(pid, parent pid)` of every process.
fn process_table() -> Vec<(u32, u32)> {
    let mut table = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces and parentheses; split after the last ')'.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            table.push((pid, ppid));
        }
    }
    table
}

/// Every process below `root`.
fn descendants(root: u32) -> Vec<u32> {
    let table = process_table();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid) in &table {
            if *ppid == parent {
                found.push(*pid);
                frontier.push(*pid);
            }
        }
    }
    found
}

/// The app's process and everything below it (WebKit's processes).
fn app_tree(xvfb_run: u32, app: &Path) -> Vec<u32> {
    let exe = std::fs::canonicalize(app).unwrap_or_else(|_| PathBuf::from(app));
    let Some(app_pid) = descendants(xvfb_run).into_iter().find(|pid| {
        std::fs::read_link(format!("/proc/{pid}/exe"))
            .ok()
            .as_deref()
            == Some(exe.as_path())
    }) else {
        return Vec::new();
    };
    let mut tree = vec![app_pid];
    tree.extend(descendants(app_pid));
    tree
}

/// `Pss:` and `Anonymous:` of `/proc/<pid>/smaps_rollup`, in KiB (one read of the file).
fn pss_and_anonymous(pid: u32) -> Option<(u64, u64)> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| {
        rollup.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?;
            rest.trim().trim_end_matches("kB").trim().parse().ok()
        })
    };
    Some((field("Pss:")?, field("Anonymous:").unwrap_or(0)))
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_owned())
        .unwrap_or_else(|_| format!("pid {pid}"))
}

/// `cargo xtask bench-tv [ARGS…]`: the TV window's frame rate while the hub publishes about
/// 1,000 ranking updates a second (`benches/tv_fps.rs`; ARGS go to it: `--rate N`,
/// `--seconds S`). Release app and release bench, under Xvfb at 1920x1080 and a private
/// session bus, with a throwaway `HOME`.
pub fn bench_tv(args: &[String]) -> Result {
    let tools = prereqs::ensure_for_test()?;
    let app = build_release_app()?;
    let bench = Step::new(
        "build the TV frame-rate bench",
        "cargo",
        &[
            "bench",
            "--features",
            "e2e",
            "--bench",
            "tv_fps",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ],
    )
    .built_executable("tv_fps")?;
    let home = TempDir::new("sideline-bench-tv-home")?;
    let work = TempDir::new("sideline-bench-tv-work")?;
    let artifacts = crate::root().join("target").join("e2e-artifacts");
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| format!("create {}: {e}", artifacts.display()))?;
    let bench_path = bench.display().to_string();
    let mut wrapped = vec![
        "--auto-servernum",
        "--server-args=-screen 0 1920x1080x24",
        "dbus-run-session",
        "--",
        bench_path.as_str(),
    ];
    wrapped.extend(args.iter().map(String::as_str).skip_while(|a| *a == "--"));
    let step = Step::new(
        "measure the TV window's frame rate under a ranking storm",
        "xvfb-run",
        &wrapped,
    );
    crate::e2e_env(step, home.path(), &app, &tools, &artifacts, work.path()).run()
}

/// Builds the UI it embeds and the release app; returns the binary.
fn build_release_app() -> Result<PathBuf> {
    build_ui()?;
    Step::new(
        "build the release app",
        "cargo",
        &["build", "--release", "--bin", "sideline-app"],
    )
    .run()?;
    let app = target_dir().join("release").join("sideline-app");
    if !app.exists() {
        return Err(format!("no release binary at {}", app.display()));
    }
    Ok(app)
}
