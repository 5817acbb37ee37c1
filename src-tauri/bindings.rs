//! TypeScript declarations of the command surface (`ui/src/lib/ipc/bindings.ts`), generated from
//! the Rust types so the UI never hand-writes one: the client's state types
//! (`sideline_client::typescript`), then the shell's own (commands' arguments and answers,
//! events), with the protocol's types imported from `ui/src/lib/protocol.ts`. A test fails when
//! the checked-in file is stale; `cargo xtask codegen` (or `SIDELINE_BLESS=1 cargo test -p
//! sideline-app --lib bindings`) rewrites it.

use sideline_client::hub_api::HistoryPage;
use sideline_client::profiles::{KeychainState, Profile, TvSettings};
use sideline_client::state::work::{ActionItemView, NoteView};
use sideline_client::typescript::TypeCollector;

use crate::commands::{AppInfo, DisplaySignInRequest, Settings, SignInRequest};
use crate::error::{CommandError, ErrorCode};
use crate::feeds::StateFeed;
use crate::forward::{Celebration, Navigate, StatePatch};
use crate::session::SessionInfo;

/// Where the generated file lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/ipc/bindings.ts";

/// The whole generated file.
pub fn render_typescript() -> String {
    let mut types = TypeCollector::with_client_types();
    types.root::<AppInfo>();
    types.root::<ErrorCode>();
    types.root::<CommandError>();
    types.root::<SessionInfo>();
    types.root::<Profile>();
    types.root::<KeychainState>();
    types.root::<SignInRequest>();
    types.root::<DisplaySignInRequest>();
    types.root::<Settings>();
    types.root::<TvSettings>();
    types.root::<StatePatch>();
    types.root::<Celebration>();
    types.root::<Navigate>();
    types.root::<StateFeed>();
    // What the history commands answer (one generic declaration).
    types.root::<HistoryPage<NoteView>>();
    types.root::<HistoryPage<ActionItemView>>();
    let types = types.finish();

    let mut out = String::from(
        "// Generated from src-tauri and crates/client (the app's command and state types) — do not edit.\n\
         // Regenerate: cargo xtask codegen\n",
    );
    if !types.protocol_imports.is_empty() {
        out.push_str("\nimport type { ");
        out.push_str(&types.protocol_imports.join(", "));
        out.push_str(" } from \"../protocol\";\n");
    }
    for decl in &types.declarations {
        out.push('\n');
        out.push_str(decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_rs::TS;

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
    fn every_contract_type_is_declared_once() {
        let ts = render_typescript();
        for name in [
            "AppInfo",
            "ErrorCode",
            "CommandError",
            "ConnectionStatus",
            "SessionInfo",
            "Profile",
            "KeychainState",
            "SignInRequest",
            "DisplaySignInRequest",
            "Settings",
            "TvSettings",
            "TvBoard",
            "AlertSettings",
            "StateUpdate",
            "AppState",
            "StatePatch",
            "Celebration",
            "Navigate",
            "StateFeed",
            "NoteInput",
            "ActionItemInput",
        ] {
            let declared = format!("export type {name} ");
            assert_eq!(ts.matches(&declared).count(), 1, "{name}:\n{ts}");
        }
        assert!(!ts.contains("bigint"), "a u64 leaked as bigint:\n{ts}");
        assert!(ts.contains("from \"../protocol\""));
    }

    #[test]
    fn connection_status_is_tagged_by_state() {
        let ts = sideline_client::ConnectionStatus::decl(&ts_rs::Config::new());
        assert!(ts.contains("\"state\": \"retrying\""), "{ts}");
        assert!(ts.contains("nextTryAt"), "{ts}");
    }

    #[test]
    fn state_patch_sections_are_optional() {
        let ts = StatePatch::decl(&ts_rs::Config::new());
        assert!(ts.contains("leaderboard?: LeaderboardState"), "{ts}");
        assert!(ts.contains("me?: UserRef | null"), "{ts}");
    }
}
