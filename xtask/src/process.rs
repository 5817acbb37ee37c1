//! Running commands loudly: every step says what it does and the exact command line, streams
//! its output, and turns a failure into an error that names the step.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Result, root};

/// One command the task runs, with a description for people.
pub struct Step {
    what: String,
    program: String,
    args: Vec<String>,
    command: Command,
}

impl Step {
    pub fn new(what: &str, program: &str, args: &[&str]) -> Self {
        let mut command = Command::new(program);
        command.args(args).current_dir(root());
        Self {
            what: what.to_owned(),
            program: program.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            command,
        }
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.command.env(key, value.into());
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    fn announce(&self) {
        println!(
            "\n==> {}\n    $ {} {}",
            self.what,
            self.program,
            self.args.join(" ")
        );
    }

    fn failed(&self, how: impl std::fmt::Display) -> String {
        format!(
            "step '{}' failed ({how})\n    command: {} {}",
            self.what,
            self.program,
            self.args.join(" ")
        )
    }

    fn spawn(&mut self, stdout: Stdio) -> Result<std::process::Child> {
        self.announce();
        let program = self.program.clone();
        self.command
            .stdout(stdout)
            .spawn()
            .map_err(|e| self.failed(format!("could not start `{program}`: {e}")))
    }

    fn wait(&self, mut child: std::process::Child) -> Result {
        let status = child.wait().map_err(|e| self.failed(e))?;
        if status.success() {
            Ok(())
        } else {
            Err(self.failed(status))
        }
    }

    /// Runs the step with its output passed through.
    pub fn run(mut self) -> Result {
        let child = self.spawn(Stdio::inherit())?;
        self.wait(child)
    }

    /// Runs the step, passing its output through and adding up the `test result:` lines that
    /// libtest prints, so the run can end on one total.
    pub fn run_tallied(mut self, tally: &mut TestTally) -> Result {
        let mut child = self.spawn(Stdio::piped())?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line.map_err(|e| self.failed(e))?;
                println!("{line}");
                tally.add_libtest_line(&line);
            }
        }
        self.wait(child)
    }

    /// Runs a cargo build step with `--message-format=json…` and returns the path of the
    /// executable it built for the target `name`.
    pub fn built_executable(mut self, name: &str) -> Result<PathBuf> {
        let mut child = self.spawn(Stdio::piped())?;
        let mut executable = None;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line.map_err(|e| self.failed(e))?;
                let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
                    println!("{line}");
                    continue;
                };
                if message["reason"] == "compiler-artifact"
                    && message["target"]["name"] == name
                    && let Some(path) = message["executable"].as_str()
                {
                    executable = Some(PathBuf::from(path));
                }
            }
        }
        self.wait(child)?;
        executable.ok_or_else(|| self.failed(format!("cargo reported no executable for `{name}`")))
    }
}

/// Test counts across every runner of a `cargo xtask test`.
#[derive(Debug, Default)]
pub struct TestTally {
    pub passed: u64,
    pub failed: u64,
}

impl TestTally {
    /// Adds a libtest summary such as `test result: ok. 12 passed; 0 failed; 1 ignored; …`.
    pub fn add_libtest_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match kind {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                _ => {}
            }
        }
    }

    /// Adds the totals of a Vitest JSON report.
    pub fn add_vitest_report(&mut self, path: &Path) -> Result {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("read the Vitest report {}: {e}", path.display()))?;
        let report: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("parse the Vitest report {}: {e}", path.display()))?;
        let count = |key: &str| report[key].as_u64().unwrap_or(0);
        self.passed += count("numPassedTests");
        self.failed += count("numFailedTests");
        let _ = std::fs::remove_file(path);
        if count("numTotalTests") == 0 {
            return Err("Vitest ran no test".into());
        }
        Ok(())
    }
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_libtest_summaries() {
        let mut tally = TestTally::default();
        tally.add_libtest_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        tally.add_libtest_line(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        tally.add_libtest_line("running 4 tests");
        assert_eq!((tally.passed, tally.failed), (15, 2));
    }
}
