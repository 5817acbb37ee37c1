//! What `run` and `test` need on the machine, installed when missing.
//!
//! On Debian and Ubuntu the system packages come from apt (through `sudo` unless we are root).
//! Elsewhere we cannot know the package manager, so we name what to install and carry on: the
//! build then fails with the compiler's own message if something is really missing.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::process::Step;
use crate::{Result, root};

/// Build dependencies on Linux: Tauri 2's (webkit2gtk 4.1 and friends), OpenSSL for
/// rust_socketio's TLS, libdbus for the keychain (Secret Service) and notifications,
/// libayatana-appindicator for the tray icon, and the X screen-saver extension (libXss) that
/// the idle detection reads.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libdbus-1-dev",
    "libxss-dev",
];

/// What the end-to-end tests run on: a virtual X server, WebKit's WebDriver, D-Bus (each test
/// starts its own `dbus-daemon`), and a real Secret Service (gnome-keyring) with libsecret's
/// `secret-tool` to read it back, and `xdotool` for real key presses and pointer moves at
/// the X server (the global shortcut, idle → away).
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    "xdotool",
];

/// What the app needs at run time beyond its libraries: a colour emoji font, for the emoji
/// in alerts and achievements (the .deb recommends the same package).
const RUNTIME_PACKAGES: &[&str] = &["fonts-noto-color-emoji"];

/// The oldest Node that Vite 8 runs on.
const MIN_NODE: (u32, u32) = (20, 19);

/// Tools the test run found or installed, by absolute path.
#[derive(Debug)]
pub struct TestTools {
    pub tauri_driver: PathBuf,
}

pub fn ensure_for_run() -> Result {
    ensure_system_packages(&[BUILD_PACKAGES, RUNTIME_PACKAGES].concat())?;
    ensure_node()
}

pub fn ensure_for_test() -> Result<TestTools> {
    ensure_system_packages(&[BUILD_PACKAGES, RUNTIME_PACKAGES, TEST_PACKAGES].concat())?;
    ensure_node()?;
    ensure_rust_components()?;
    Ok(TestTools {
        tauri_driver: ensure_tauri_driver()?,
    })
}

/// `npm ci` in `ui/` unless `node_modules` already matches `package-lock.json`.
pub fn ensure_ui_packages() -> Result {
    let ui = root().join("ui");
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(ui.join("node_modules/.package-lock.json"));
    let wanted = modified(ui.join("package-lock.json"));
    if matches!((installed, wanted), (Some(i), Some(w)) if i >= w) {
        return Ok(());
    }
    Step::new(
        "install the UI's npm packages",
        "npm",
        &["ci", "--no-audit", "--no-fund"],
    )
    .dir(ui)
    .run()
}

fn is_debian_like() -> bool {
    let Ok(release) = std::fs::read_to_string("/etc/os-release") else {
        return false;
    };
    release.lines().any(|line| {
        (line.starts_with("ID=") || line.starts_with("ID_LIKE="))
            && (line.contains("debian") || line.contains("ubuntu"))
    })
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn package_installed(name: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", name])
        .is_some_and(|status| status.ends_with(" installed"))
}

/// Runs an apt command as root: directly when we are root, through sudo otherwise.
fn apt(what: &str, args: &[&str]) -> Result {
    let as_root = output("id", &["-u"]).as_deref() == Some("0");
    let (program, args) = if as_root {
        ("apt-get", args.to_vec())
    } else {
        ("sudo", [&["apt-get"], args].concat())
    };
    Step::new(what, program, &args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

pub fn ensure_system_packages(packages: &[&str]) -> Result {
    if !cfg!(target_os = "linux") {
        println!(
            "xtask: not Linux: make sure the Tauri prerequisites for this system are installed \
             (https://v2.tauri.app/start/prerequisites/)"
        );
        return Ok(());
    }
    if !is_debian_like() {
        println!(
            "xtask: not Debian or Ubuntu, so nothing is installed for you. Install the \
             equivalents of: {}\n       and Node.js {}.{}+ (see https://v2.tauri.app/start/prerequisites/)",
            packages.join(" "),
            MIN_NODE.0,
            MIN_NODE.1
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !package_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: missing system packages: {}", missing.join(" "));
    apt("refresh the apt package lists", &["update"])?;
    apt(
        "install the missing system packages",
        &[
            &["install", "-y", "--no-install-recommends"],
            missing.as_slice(),
        ]
        .concat(),
    )
}

fn node_version() -> Option<(u32, u32)> {
    let version = output("node", &["--version"])?;
    let mut parts = version.trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn ensure_node() -> Result {
    if node_version().is_none() && cfg!(target_os = "linux") && is_debian_like() {
        apt("refresh the apt package lists", &["update"])?;
        apt(
            "install Node.js and npm",
            &["install", "-y", "nodejs", "npm"],
        )?;
    }
    match node_version() {
        Some(found) if found >= MIN_NODE => Ok(()),
        Some((major, minor)) => Err(format!(
            "Node.js {major}.{minor} is too old: the UI's build (Vite 8) needs {}.{}+. \
             Install a current Node.js from https://nodejs.org or your distribution's backports.",
            MIN_NODE.0, MIN_NODE.1
        )),
        None => Err(format!(
            "Node.js {}.{}+ and npm are needed to build the UI: install them from https://nodejs.org",
            MIN_NODE.0, MIN_NODE.1
        )),
    }
}

fn ensure_rust_components() -> Result {
    if succeeds("cargo", &["fmt", "--version"]) && succeeds("cargo", &["clippy", "--version"]) {
        return Ok(());
    }
    Step::new(
        "add rustfmt and clippy to the toolchain",
        "rustup",
        &["component", "add", "rustfmt", "clippy"],
    )
    .run()
}

/// tauri-driver bridges WebDriver to WebKitWebDriver; `cargo install` it once per machine.
fn ensure_tauri_driver() -> Result<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin").join("tauri-driver"));
    let find = || {
        output("sh", &["-c", "command -v tauri-driver"])
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| cargo_bin.clone().filter(|p| p.exists()))
    };
    if let Some(path) = find() {
        return Ok(path);
    }
    Step::new(
        "install tauri-driver (WebDriver for Tauri apps)",
        "cargo",
        &["install", "tauri-driver", "--locked", "--version", "^2"],
    )
    .run()?;
    find().ok_or_else(|| "tauri-driver was installed but is not on PATH or in ~/.cargo/bin".into())
}
