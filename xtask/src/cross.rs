//! `cargo xtask cross-check`: clippy, warnings as errors, for the Windows and macOS builds.
//!
//! Users run Windows and macOS; CI runs Linux only. This type-checks and lints every crate,
//! test and bench as those targets compile them, so code outside the right `cfg` shows up here
//! rather than on a user's machine. It checks; it does not link or run anything.
//!
//! - Windows (`x86_64-pc-windows-gnu`): the MinGW toolchain from apt compiles the C that some
//!   crates bundle (SQLite) and the app's resource file, as a Windows build would.
//! - macOS (`aarch64-apple-darwin`): there is no Apple SDK off a Mac, so a stand-in C compiler
//!   and archiver write empty objects. `cargo check` never links them, and the Rust is checked
//!   in full; the C itself is not.
//!
//! Not part of `test`: it adds about ten minutes to a cold run, and the targets' standard
//! libraries come from rustup's servers, which a CI machine may not reach.

use std::path::{Path, PathBuf};

use crate::process::Step;
use crate::{Result, prereqs, target_dir};

const WINDOWS: &str = "x86_64-pc-windows-gnu";
const MACOS: &str = "aarch64-apple-darwin";

/// Writes nothing but what it is asked to produce, as an empty file: enough for a build
/// script that compiles C, since nothing it makes is linked under `cargo check`.
const STAND_IN_CC: &str = r#"#!/bin/sh
# A C compiler stand-in for type-checking Rust for macOS without an Apple SDK.
while [ $# -gt 0 ]; do
  case "$1" in
    -E) echo "clang"; exit 0 ;;
    -o) shift; : > "$1" ;;
  esac
  shift
done
"#;

/// `ar MODE ARCHIVE [MEMBERS…]`: writes an empty ARCHIVE.
const STAND_IN_AR: &str = "#!/bin/sh\n[ -n \"$2\" ] && : > \"$2\"\nexit 0\n";

pub fn cross_check() -> Result {
    prereqs::ensure_system_packages(&["gcc-mingw-w64-x86-64"])?;
    Step::new(
        "add the Windows and macOS standard libraries to the toolchain",
        "rustup",
        &["target", "add", WINDOWS, MACOS],
    )
    .run()?;

    clippy(WINDOWS, "lint every crate as Windows builds it").run()?;

    let tools = stand_in_tools()?;
    clippy(
        MACOS,
        "lint every crate as macOS builds it (C not compiled)",
    )
    .env("CC_aarch64_apple_darwin", tools.join("cc"))
    .env("CXX_aarch64_apple_darwin", tools.join("cc"))
    .env("AR_aarch64_apple_darwin", tools.join("ar"))
    .run()?;

    println!("\nxtask: Windows and macOS: every crate type-checks, clippy is clean");
    Ok(())
}

fn clippy(target: &str, what: &str) -> Step {
    Step::new(
        what,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--target",
            target,
            "--",
            "-D",
            "warnings",
        ],
    )
}

/// The stand-in `cc` and `ar`, written into the target directory; returns their directory.
fn stand_in_tools() -> Result<PathBuf> {
    let dir = target_dir().join("xtask-stand-in-cc");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    write_script(&dir.join("cc"), STAND_IN_CC)?;
    write_script(&dir.join("ar"), STAND_IN_AR)?;
    Ok(dir)
}

fn write_script(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("make {} executable: {e}", path.display()))?;
    }
    Ok(())
}
