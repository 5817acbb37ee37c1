//! `sideline login` / `status` / `logout` against a real Secret Service: gnome-keyring on a
//! private D-Bus session (`dbus-run-session`), with a throwaway HOME so the test's keyring is
//! its own. The token must land in the keyring and in no file of the data directory.
//!
//! Needs `dbus-run-session`, `gnome-keyring-daemon` and `secret-tool` (Debian: dbus,
//! gnome-keyring, libsecret-tools; `cargo xtask setup --test` installs them). Without them the
//! test fails and says which is missing: a keychain test that skips itself proves nothing.

mod support;

use std::path::Path;
use std::process::Command;

use support::*;

/// Runs inside the private session bus: unlock a fresh login keyring, then each step, with a
/// marker line before its output so the test can read them apart.
const SCRIPT: &str = r#"
printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90
step() { echo "@@ $1"; shift; "$@" 2>&1; echo "@@ exit $?"; }
step login sh -c 'printf demo | "$SIDELINE" --data-dir "$DATA" login --server "$HUB" --user lead --password-stdin'
step status "$SIDELINE" --data-dir "$DATA" status
step keyring secret-tool search --all service sideline
step logout "$SIDELINE" --data-dir "$DATA" logout
step keyring-after secret-tool search --all service sideline
step status-after "$SIDELINE" --data-dir "$DATA" status
"#;

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{tool} is not installed (cargo xtask setup --test installs it)"
    );
}

/// The output of each step of [`SCRIPT`]: (name, text, exit code).
fn steps(output: &str) -> Vec<(String, String, i32)> {
    let mut steps = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("@@ exit ") {
            let (name, text) = current.take().expect("exit after a step");
            steps.push((name, text, rest.trim().parse().expect("exit code")));
        } else if let Some(name) = line.strip_prefix("@@ ") {
            current = Some((name.to_owned(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    steps
}

fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        if bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
        {
            hits.push(entry.display().to_string());
        }
    }
    hits
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_the_token_in_the_secret_service_only_and_logout_deletes_it() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        require(tool);
    }
    let hub = TestHub::start().await;
    let home = tempfile::tempdir().unwrap();
    let (_tmp, data) = data_dir();
    let binary = assert_cmd::cargo::cargo_bin("sideline");
    let hub_url = hub.url();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("dbus-run-session")
            .args(["--", "sh", "-c", SCRIPT])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path())
            .env("KEYRING_PASSWORD", "keyring-test-password")
            .env("SIDELINE", binary)
            .env("DATA", &data)
            .env("HUB", &hub_url)
            .output()
            .map(|out| (out, home, data))
    })
    .await
    .unwrap()
    .expect("dbus-run-session runs");
    let (output, home, data) = output;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let steps = steps(&text);
    let step = |name: &str| {
        steps
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| {
                panic!(
                    "no `{name}` step: {text}\nstderr: {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            })
            .clone()
    };

    let (_, login, code) = step("login");
    assert_eq!(code, 0, "login: {login}");
    let (_, status, code) = step("status");
    assert_eq!(code, 0, "status: {status}");
    assert!(
        status.contains("connection: live"),
        "status reads the token from the keychain and connects: {status}"
    );

    // `secret-tool search --all` prints the item's attributes and its secret (the stored JSON).
    let (_, keyring, code) = step("keyring");
    assert_eq!(code, 0, "secret-tool: {keyring}");
    assert!(
        keyring.contains(&format!("attribute.username = {}", hub.url())),
        "one entry per hub, named by its URL: {keyring}"
    );
    let secret = keyring
        .lines()
        .find_map(|line| line.strip_prefix("secret = "))
        .expect("the secret is listed");
    let stored: serde_json::Value = serde_json::from_str(secret).expect("stored token JSON");
    let token = stored["token"].as_str().expect("token").to_owned();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");

    let leaks = files_containing(&data, &token);
    assert!(leaks.is_empty(), "the token leaked into {leaks:?}");
    let leaks: Vec<String> = files_containing(home.path(), &token);
    assert!(
        leaks.is_empty(),
        "the token is stored in clear in {leaks:?} (the keyring file must be encrypted)"
    );

    let (_, logout, code) = step("logout");
    assert_eq!(code, 0, "logout: {logout}");
    let (_, after, _) = step("keyring-after");
    assert!(
        !after.contains("secret = "),
        "logout deletes the entry: {after}"
    );
    let (_, status, _) = step("status-after");
    assert!(
        status.contains("not signed in") || status.contains("NOT_SIGNED_IN"),
        "{status}"
    );
    hub.stop().await;
}

#[test]
fn steps_are_read_apart() {
    let parsed = steps("noise\n@@ a\none\ntwo\n@@ exit 0\n@@ b\n@@ exit 3\n");
    assert_eq!(
        parsed,
        [
            ("a".to_owned(), "one\ntwo\n".to_owned(), 0),
            ("b".to_owned(), String::new(), 3)
        ]
    );
}
