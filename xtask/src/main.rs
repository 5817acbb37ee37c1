//! `cargo xtask`: everything a fresh Debian/Ubuntu machine needs to build, run and test Sideline.
//!
//! # Layout
//! - `main` (this file): the subcommands and the order of their steps.
//! - [`prereqs`]: system packages, Node and the UI's npm packages, tauri-driver, rustfmt and
//!   clippy, installed when missing (and, off Debian/Ubuntu, named instead).
//! - [`process`]: running commands loudly: each step says what it does, streams its output, and
//!   stops the run with the command line when it fails; cargo and Vitest test counts are summed.
//! - [`bench`]: `bench-app`, cold start to first live data and idle memory of the release app
//!   under Xvfb; `bench-soak`, its memory over a long busy run; `bench-tv`, the TV window's
//!   frame rate under a ranking storm.
//! - [`cross`]: `cross-check`, clippy for the Windows and macOS builds.
//! - [`fuzz`]: `fuzz`, the decoders' property tests with millions of cases in release mode.

mod bench;
mod cross;
mod fuzz;
mod prereqs;
mod process;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use process::{Step, TestTally};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run [-- APP_ARGS…]  build the UI and launch the desktop app (in demo mode unless APP_ARGS)
  test                fmt, clippy, every Rust test, the UI's checks and unit tests, then the
                      end-to-end tests under Xvfb and a private D-Bus session
  e2e [FILTER…]       only the end-to-end tests (those whose names contain a FILTER); builds
                      the UI and the app first
  codegen             regenerate the checked-in TypeScript types and docs/protocol.md
  build-ui            install the UI's npm packages and build ui/dist
  package             build the release .deb (through the UI's pinned tauri CLI) and print its path
  bench-app [RUNS]    release build, then RUNS (default 5) cold starts of `sideline-app --demo`
                      under Xvfb: time to first live data and idle memory (PSS of the process tree)
  bench-soak [--tv] [MINUTES] [RATE]
                      release build, then `sideline-app --demo` (with --tv: in TV mode) left
                      running MINUTES (default 10) with the simulator at RATE events/s
                      (default 20): memory over time
  bench-tv [-- ARGS…] release build, then the TV window's frame rate at about 1,000 ranking
                      updates a second (ARGS: --rate N, --seconds S)
  cross-check         clippy (warnings are errors) for Windows and macOS: type-checks every
                      crate as those builds compile it (nothing is linked)
  fuzz [CASES]        the decoders' property tests in release mode, CASES cases in all
                      (default 10000000) shared among the properties; prints each one's time
  setup [--test]      only install what `run` (or `test`) needs";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("e2e") => e2e_only(&args[1..]),
        Some("codegen") => codegen(),
        Some("build-ui") => prereqs::ensure_for_run().and_then(|()| build_ui()),
        Some("package") => package(),
        Some("bench-app") => bench::bench_app(&args[1..]),
        Some("bench-soak") => bench::bench_soak(&args[1..]),
        Some("bench-tv") => bench::bench_tv(&args[1..]),
        Some("cross-check") => cross::cross_check(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("setup") if args.get(1).map(String::as_str) == Some("--test") => {
            prereqs::ensure_for_test().map(|_| ())
        }
        Some("setup") => prereqs::ensure_for_run(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root: xtask lives one level below it. `cargo run` says where xtask is at run
/// time; the path compiled in is only the fallback, because cargo can reuse an xtask binary
/// built from another checkout of the same tree (a shared `CARGO_TARGET_DIR`, sources no newer
/// than the binary), and it would then build and test that other checkout.
fn root() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    xtask
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

fn run(app_args: &[String]) -> Result {
    prereqs::ensure_for_run()?;
    build_ui()?;
    let app_args: Vec<&str> = app_args
        .iter()
        .map(String::as_str)
        .skip_while(|a| *a == "--")
        .collect();
    let mut args = vec!["run", "--bin", "sideline-app", "--"];
    // Straight into the demo unless told otherwise: a fresh checkout has no hub to sign in to.
    if app_args.is_empty() {
        args.push("--demo");
    }
    args.extend(app_args);
    Step::new("launch the desktop app", "cargo", &args).run()
}

/// The workspace's target directory (`CARGO_TARGET_DIR` or `target/`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        })
        .unwrap_or_else(|| root().join("target"))
}

/// `tauri build --bundles deb` through the tauri CLI pinned in ui/package.json (its
/// `beforeBuildCommand` builds the UI), then the path of the newest .deb.
fn package() -> Result {
    prereqs::ensure_for_run()?;
    prereqs::ensure_ui_packages()?;
    let started = std::time::SystemTime::now();
    Step::new(
        "build the release app and its .deb (tauri build)",
        "npm",
        &[
            "exec",
            "--prefix",
            "ui",
            "--",
            "tauri",
            "build",
            "--bundles",
            "deb",
        ],
    )
    .run()?;
    let bundles = target_dir().join("release").join("bundle").join("deb");
    let newest = std::fs::read_dir(&bundles)
        .map_err(|e| format!("read {}: {e}", bundles.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .filter_map(|path| {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
            Some((modified, path))
        })
        .max();
    match newest {
        Some((modified, path)) if modified >= started => {
            println!("\nxtask: the package is {}", path.display());
            Ok(())
        }
        _ => Err(format!(
            "tauri build wrote no new .deb in {}",
            bundles.display()
        )),
    }
}

fn build_ui() -> Result {
    prereqs::ensure_ui_packages()?;
    Step::new("build the UI into ui/dist", "npm", &["run", "build"])
        .dir(root().join("ui"))
        .run()
}

fn codegen() -> Result {
    Step::new(
        "regenerate the protocol's TypeScript types and docs/protocol.md",
        "cargo",
        &["test", "-p", "sideline-protocol", "--test", "generated"],
    )
    .env("SIDELINE_BLESS", "1")
    .run()?;
    build_ui()?;
    Step::new(
        "regenerate the app's command bindings",
        "cargo",
        &["test", "--lib", "-p", "sideline-app", "bindings"],
    )
    .env("SIDELINE_BLESS", "1")
    .run()
}

fn test() -> Result {
    let tools = prereqs::ensure_for_test()?;
    let mut tally = TestTally::default();

    Step::new(
        "check Rust formatting",
        "cargo",
        &["fmt", "--all", "--check"],
    )
    .run()?;
    build_ui()?;
    Step::new("type-check the UI (svelte-check)", "npm", &["run", "check"])
        .dir(root().join("ui"))
        .run()?;
    let vitest_report =
        std::env::temp_dir().join(format!("sideline-vitest-{}.json", std::process::id()));
    Step::new(
        "run the UI's unit tests (Vitest)",
        "npx",
        &[
            "vitest",
            "run",
            "--reporter=default",
            "--reporter=json",
            &format!("--outputFile.json={}", vitest_report.display()),
        ],
    )
    .dir(root().join("ui"))
    .run()?;
    tally.add_vitest_report(&vitest_report)?;

    Step::new(
        "lint every crate (clippy, warnings are errors)",
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )
    .run()?;
    Step::new("run every Rust test", "cargo", &["test", "--workspace"]).run_tallied(&mut tally)?;

    end_to_end(&tools, &mut tally, &[])?;

    println!("\nxtask: every check passed");
    println!("xtask: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// `cargo xtask e2e [FILTER…]`: the end-to-end step of `test` alone.
fn e2e_only(filters: &[String]) -> Result {
    let tools = prereqs::ensure_for_test()?;
    build_ui()?;
    let mut tally = TestTally::default();
    end_to_end(&tools, &mut tally, filters)?;
    println!("\nxtask: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// Builds the app and the E2E test binary, then runs the tests under a virtual X server and a
/// private D-Bus session bus, with a throwaway `HOME` so WebKit data, app data and keyrings
/// never touch the developer's own.
fn end_to_end(tools: &prereqs::TestTools, tally: &mut TestTally, filters: &[String]) -> Result {
    let app = Step::new(
        "build the desktop app",
        "cargo",
        &[
            "build",
            "--bin",
            "sideline-app",
            "--message-format=json-render-diagnostics",
        ],
    )
    .built_executable("sideline-app")?;
    let tests = Step::new(
        "build the end-to-end tests",
        "cargo",
        &[
            "test",
            "--features",
            "e2e",
            "--test",
            "e2e",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ],
    )
    .built_executable("e2e")?;

    let home = process::TempDir::new("sideline-e2e-home")?;
    let artifacts = root().join("target").join("e2e-artifacts");
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| format!("create {}: {e}", artifacts.display()))?;
    // Each test's HOME, keyring, hub database and app log, kept after the run for a look
    // (the next run starts it afresh).
    let work = root().join("target").join("e2e-work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("create {}: {e}", work.display()))?;

    let tests_path = tests.display().to_string();
    let mut args = vec![
        "--auto-servernum",
        "--server-args=-screen 0 1280x800x24",
        "dbus-run-session",
        "--",
        &tests_path,
        // One at a time: each test starts a whole desktop app and its own session bus.
        "--test-threads=1",
        "--nocapture",
    ];
    args.extend(filters.iter().map(String::as_str));
    let step = Step::new(
        "run the end-to-end tests (Xvfb + dbus-run-session, throwaway HOME)",
        "xvfb-run",
        &args,
    );
    e2e_env(step, home.path(), &app, tools, &artifacts, &work)
        .env("RUST_BACKTRACE", "1")
        .run_tallied(tally)?;
    println!("xtask: screenshots are in {}", artifacts.display());
    println!(
        "xtask: each test's HOME, hub and logs are in {}",
        work.display()
    );
    Ok(())
}

/// The environment the end-to-end harness (`tests/e2e/harness.rs`, also used by the TV bench)
/// reads: a throwaway `HOME` with the developer's XDG directories unset, the app and
/// tauri-driver to start, and where screenshots and each test's work directory go.
fn e2e_env(
    step: Step,
    home: &Path,
    app: &Path,
    tools: &prereqs::TestTools,
    artifacts: &Path,
    work: &Path,
) -> Step {
    step.env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("XDG_RUNTIME_DIR")
        .env("SIDELINE_APP_BIN", app)
        .env("TAURI_DRIVER", &tools.tauri_driver)
        .env("SIDELINE_E2E_ARTIFACTS", artifacts)
        .env("SIDELINE_E2E_WORK", work)
}
