//! Keeps the checked-in generated files in step with the crate. `SIDELINE_BLESS=1` rewrites
//! them instead (this is what `cargo xtask codegen` runs).

use std::path::{Path, PathBuf};

fn workspace_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn check(relative: &str, expected: &str) {
    let path = workspace_file(relative);
    if std::env::var("SIDELINE_BLESS").as_deref() == Ok("1") {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != expected {
            std::fs::write(&path, expected).expect("write generated file");
            eprintln!("rewrote {relative}");
        }
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .map_or_else(
                || actual.lines().count().min(expected.lines().count()) + 1,
                |i| i + 1,
            );
        panic!("{relative} is stale (first difference at line {line}): run `cargo xtask codegen`");
    }
}

#[test]
fn typescript_is_current() {
    check(
        "ui/src/lib/protocol.ts",
        &sideline_protocol::render_typescript(),
    );
}

#[test]
fn markdown_is_current() {
    check("docs/protocol.md", &sideline_protocol::render_markdown());
}
