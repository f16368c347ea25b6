//! `weerbaar token create` and `weerbaar token list`, run as an operator runs them against
//! a throwaway data folder: the token is printed once, and refused input names its flag.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Run(Output);

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }

    fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }

    #[track_caller]
    fn success(&self) -> &Self {
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
    fn fails_with(&self, text: &str) -> &Self {
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

fn weerbaar(data: &Path, args: &[&str], stdin: &str) -> Run {
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

fn initialised() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    weerbaar(&data, &["init", "--preset", "leiden"], "").success();
    (tmp, data)
}

#[test]
fn token_create_prints_a_token_once_and_list_shows_it_without_the_secret() {
    let (_tmp, data) = initialised();
    weerbaar(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Jan de Griffier",
            "--email",
            "griffie@leiden.example",
            "--role",
            "griffier",
        ],
        "een lange zin als wachtwoord\n",
    )
    .success();
    let run = weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "read",
            "--days",
            "1",
            "--name",
            "schemathesis",
        ],
        "",
    );
    let token = run.success().stdout().trim().to_owned();
    assert!(token.starts_with("wbr_") && token.len() == 47, "{token}");

    let list = weerbaar(
        &data,
        &["token", "list", "--email", "griffie@leiden.example"],
        "",
    );
    let listed = list.success().stdout();
    assert!(listed.contains(&token[..12]), "{listed}");
    assert!(!listed.contains(&token[12..]), "{listed}");
    assert!(listed.contains("read") && listed.contains("live") && listed.contains("schemathesis"));

    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "root",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--scope");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "read",
            "--days",
            "366",
        ],
        "",
    )
    .fails_with("--days");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "admin",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--scope");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "niemand@leiden.example",
            "--scope",
            "read",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--email");
}
