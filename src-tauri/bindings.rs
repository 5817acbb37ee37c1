//! TypeScript declarations of the command surface (`ui/src/lib/ipc/bindings.ts`), generated from
//! the Rust types so the UI never hand-writes one. A test fails when the checked-in file is
//! stale; `cargo xtask codegen` rewrites it.

use ts_rs::TS;

use crate::commands::AppInfo;
use crate::error::{CommandError, ErrorCode};
use sideline_client::ConnectionStatus;

/// Where the generated file lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/ipc/bindings.ts";

/// The whole generated file.
pub fn render_typescript() -> String {
    let cfg = ts_rs::Config::new();
    let decls = [
        AppInfo::decl(&cfg),
        ErrorCode::decl(&cfg),
        CommandError::decl(&cfg),
        ConnectionStatus::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri (the app's command types) — do not edit.\n\
         // Regenerate: cargo xtask codegen\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        let fresh = render_typescript();
        if std::env::var_os("SIDELINE_BLESS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == fresh,
            "{} is stale: run `cargo xtask codegen`",
            path.display()
        );
    }

    #[test]
    fn connection_status_is_tagged_by_state() {
        let ts = ConnectionStatus::decl(&ts_rs::Config::new());
        assert!(ts.contains("\"state\": \"retrying\""), "{ts}");
        assert!(ts.contains("nextTryAt"), "{ts}");
    }
}
