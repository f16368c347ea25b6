//! The `weerbaar` binary run as an operator runs it: against a throwaway data folder,
//! with input on standard input, and no WEERBAAR_* variable of the test's environment.

#![allow(dead_code)] // each test file uses a part of it

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert!(
            self.0.status.success(),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Fails, without a panic, with a message on standard error that contains `text`.
    #[track_caller]
    pub fn fails_with(&self, text: &str) -> &Self {
        assert!(
            !self.0.status.success(),
            "expected a failure:\n{}",
            self.stdout()
        );
        let stderr = self.stderr();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains(text), "`{text}` not in:\n{stderr}");
        self
    }
}

pub fn weerbaar(data: &Path, args: &[&str], stdin: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weerbaar"));
    command
        .current_dir(data.parent().unwrap())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("WEERBAAR_")
        {
            command.env_remove(name);
        }
    }
    let mut child = command.spawn().unwrap();
    // A command that fails before reading may close its standard input first.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    Run(child.wait_with_output().unwrap())
}

pub fn initialised() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    weerbaar(&data, &["init", "--preset", "leiden"], "").success();
    (tmp, data)
}
