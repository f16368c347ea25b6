//! `weerbaar init`, `audit verify`, `key rotate` and `organisation list`, run as an
//! operator runs them, against throwaway data folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    output: Output,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8(self.output.stdout.clone()).unwrap()
    }

    fn stderr(&self) -> String {
        String::from_utf8(self.output.stderr.clone()).unwrap()
    }

    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    #[track_caller]
    fn success(&self) -> &Self {
        assert!(
            self.output.status.success(),
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    #[track_caller]
    fn failure(&self) -> &Self {
        assert!(
            !self.output.status.success(),
            "expected a failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        assert!(
            !self.stderr().contains("panicked"),
            "it panicked:\n{}",
            self.stderr()
        );
        self
    }
}

/// Runs `weerbaar --data-dir DIR ARGS…` in `cwd`, with `env` and no other `WEERBAAR_*`
/// variable from the environment the tests run in.
fn weerbaar_in(cwd: &Path, data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weerbaar"));
    command.current_dir(cwd).arg("--data-dir").arg(data_dir);
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("WEERBAAR_")
        {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    Run {
        output: command.output().unwrap(),
    }
}

/// A temporary folder with a data folder inside it (not yet created).
struct Setup {
    tmp: tempfile::TempDir,
    data: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        Setup { tmp, data }
    }

    fn run(&self, args: &[&str]) -> Run {
        weerbaar_in(self.tmp.path(), &self.data, args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        weerbaar_in(self.tmp.path(), &self.data, args, env)
    }

    fn key_file(&self) -> PathBuf {
        self.data.join("weerbaar.key")
    }

    fn new_key_file(&self) -> PathBuf {
        self.data.join("weerbaar.key.new")
    }

    fn config_file(&self) -> PathBuf {
        self.data.join("weerbaar.toml")
    }

    fn initialised(preset: &str) -> (Setup, Run) {
        let setup = Setup::new();
        let run = setup.run(&["init", "--preset", preset]);
        run.success();
        (setup, run)
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn write_key_like(path: &Path, contents: &str) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
}

/// The value after `label` on the line that starts with it (after indentation).
fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.trim_start().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"))
        .trim()
        .to_owned()
}

fn assert_fingerprint(fingerprint: &str) {
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    assert!(
        fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fingerprint}"
    );
}

#[test]
fn init_makes_the_folder_the_config_the_key_file_and_the_database() {
    let (setup, run) = Setup::initialised("westerveld");
    assert!(setup.data.is_dir());
    #[cfg(unix)]
    {
        assert_eq!(mode(&setup.data), 0o700);
        assert_eq!(mode(&setup.key_file()), 0o600);
    }
    let key = std::fs::read_to_string(setup.key_file()).unwrap();
    assert_eq!(key.trim().len(), 64);
    let config = std::fs::read_to_string(setup.config_file()).unwrap();
    for key in ["[database]", "url", "master_key_file", "[server]", "listen"] {
        assert!(config.contains(key), "{key} missing from:\n{config}");
    }
    let db = std::fs::read(setup.data.join("weerbaar.db")).unwrap();
    assert!(db.starts_with(b"SQLite format 3\0"));

    let out = run.stdout();
    assert_eq!(field(&out, "organisation"), "Gemeente Westerveld");
    assert_fingerprint(&field(&out, "fingerprint"));
    assert!(out.contains("back up the key file"), "{out}");
    assert!(
        out.contains("apart from the backups of the database"),
        "{out}"
    );
    // The key itself is never printed.
    assert!(!out.contains(key.trim()));
}

#[test]
fn init_twice_refuses_and_keeps_the_key() {
    let (setup, _) = Setup::initialised("model");
    let key = std::fs::read_to_string(setup.key_file()).unwrap();
    let again = setup.run(&["init"]);
    again.failure();
    assert!(again.stderr().contains("already"), "{}", again.stderr());
    assert!(
        again.stderr().contains("weerbaar.toml"),
        "{}",
        again.stderr()
    );
    assert_eq!(std::fs::read_to_string(setup.key_file()).unwrap(), key);

    // A key file alone is enough to count as set up.
    let other = Setup::new();
    std::fs::create_dir(&other.data).unwrap();
    #[cfg(unix)]
    write_key_like(&other.key_file(), &key);
    #[cfg(not(unix))]
    std::fs::write(other.key_file(), &key).unwrap();
    let refused = other.run(&["init"]);
    refused.failure();
    assert!(
        refused.stderr().contains("weerbaar.key"),
        "{}",
        refused.stderr()
    );
    assert!(!other.config_file().exists());
}

#[test]
fn init_with_an_unknown_preset_refuses_and_leaves_no_folder() {
    let setup = Setup::new();
    let run = setup.run(&["init", "--preset", "atlantis"]);
    run.failure();
    let message = run.stderr();
    assert!(message.contains("atlantis"), "{message}");
    assert!(message.contains("westerveld, utrecht"), "{message}");
    assert!(!setup.data.exists());
}

#[test]
fn init_that_fails_halfway_removes_what_it_made() {
    let setup = Setup::new();
    let nested = setup.tmp.path().join("a/b/data");
    let missing = setup.tmp.path().join("no-such-folder/w.db");
    let url = format!("sqlite://{}", missing.display());
    let run = weerbaar_in(
        setup.tmp.path(),
        &nested,
        &["init", "--database-url", &url],
        &[],
    );
    run.failure();
    assert!(run.stderr().contains("no-such-folder"), "{}", run.stderr());
    assert!(run.stderr().contains("removed"), "{}", run.stderr());
    // Even the parent folders that init created are gone.
    assert!(!setup.tmp.path().join("a").exists());

    let run = setup.run(&["init", "--database-url", "mysql://localhost/weerbaar"]);
    run.failure();
    assert!(run.stderr().contains("mysql"), "{}", run.stderr());
    assert!(!setup.data.exists());
}

#[test]
fn organisation_list_shows_the_organisation() {
    let setup = Setup::new();
    let init = setup.run(&[
        "init",
        "--preset",
        "leiden",
        "--name",
        "Gemeente Leiden (test)",
    ]);
    init.success();
    let id = field(&init.stdout(), "id");
    let list = setup.run(&["organisation", "list"]);
    list.success();
    let out = list.stdout();
    let row = out
        .lines()
        .find(|line| line.starts_with(&id))
        .unwrap_or_else(|| panic!("{id} not listed:\n{out}"));
    assert!(row.contains("Gemeente Leiden (test)"), "{row}");
    assert!(row.contains("leiden"), "{row}");
    assert!(out.lines().next().unwrap().contains("NAME"), "{out}");
}

#[test]
fn audit_verify_finds_a_fresh_register_whole() {
    let (setup, _) = Setup::initialised("model");
    let run = setup.run(&["audit", "verify"]);
    run.success();
    assert_eq!(
        run.stdout().trim(),
        "0 cases, 0 events: every chain is whole"
    );
    // It needs no master key: an auditor can run it without the key.
    std::fs::remove_file(setup.key_file()).unwrap();
    setup.run(&["audit", "verify"]).success();
}

#[test]
fn audit_verify_without_a_register_cannot_verify_and_creates_nothing() {
    let setup = Setup::new();
    let run = setup.run(&["audit", "verify"]);
    run.failure();
    assert_eq!(run.code(), Some(2));
    assert!(run.stderr().contains("weerbaar init"), "{}", run.stderr());
    assert!(!setup.data.exists());
}

#[test]
fn key_rotate_changes_the_fingerprint_and_the_register_still_works() {
    let (setup, init) = Setup::initialised("nijmegen");
    let first = field(&init.stdout(), "fingerprint");
    let old_key = std::fs::read_to_string(setup.key_file()).unwrap();

    let rotate = setup.run(&["key", "rotate"]);
    rotate.success();
    let out = rotate.stdout();
    assert_eq!(field(&out, "old fingerprint"), first);
    let second = field(&out, "new fingerprint");
    assert_fingerprint(&second);
    assert_ne!(second, first);
    assert!(out.contains("1 organisation key"), "{out}");
    let new_key = std::fs::read_to_string(setup.key_file()).unwrap();
    assert_ne!(new_key, old_key);
    assert_eq!(new_key.trim().len(), 64);
    #[cfg(unix)]
    assert_eq!(mode(&setup.key_file()), 0o600);
    assert!(!setup.new_key_file().exists());

    let list = setup.run(&["organisation", "list"]);
    list.success();
    assert!(list.stdout().contains("Gemeente Nijmegen"));
    setup.run(&["audit", "verify"]).success();

    // And again: the second rotation starts from the key the first one left.
    let again = setup.run(&["key", "rotate"]);
    again.success();
    assert_eq!(field(&again.stdout(), "old fingerprint"), second);
}

#[test]
fn key_rotate_with_the_wrong_key_changes_nothing() {
    let (setup, _) = Setup::initialised("model");
    let stranger = Setup::initialised("model").0;
    let theirs = std::fs::read_to_string(stranger.key_file()).unwrap();
    std::fs::remove_file(setup.key_file()).unwrap();
    #[cfg(unix)]
    write_key_like(&setup.key_file(), &theirs);
    #[cfg(not(unix))]
    std::fs::write(setup.key_file(), &theirs).unwrap();

    let run = setup.run(&["key", "rotate"]);
    run.failure();
    assert!(run.stderr().contains("not rotated"), "{}", run.stderr());
    assert!(!setup.new_key_file().exists());
    assert_eq!(std::fs::read_to_string(setup.key_file()).unwrap(), theirs);
}

#[cfg(unix)]
#[test]
fn a_leftover_new_key_file_makes_rotate_refuse_and_explain() {
    let (setup, init) = Setup::initialised("model");
    let fingerprint = field(&init.stdout(), "fingerprint");
    let key = std::fs::read_to_string(setup.key_file()).unwrap();
    write_key_like(&setup.new_key_file(), &key);

    let run = setup.run(&["key", "rotate"]);
    run.failure();
    let message = run.stderr();
    assert!(message.contains("interrupted"), "{message}");
    assert!(message.contains("weerbaar.key.new"), "{message}");
    assert!(message.contains(&fingerprint), "{message}");
    assert!(message.contains("the database expects"), "{message}");
    // Nothing moved.
    assert_eq!(std::fs::read_to_string(setup.key_file()).unwrap(), key);
    assert!(setup.new_key_file().exists());
}

#[cfg(unix)]
#[test]
fn rotate_tells_how_to_finish_a_rotation_cut_off_before_the_rename() {
    let (setup, _) = Setup::initialised("model");
    let old = std::fs::read_to_string(setup.key_file()).unwrap();
    setup.run(&["key", "rotate"]).success();
    // As if the process died after the commit and before the rename: the database
    // expects the new key, which is still in the .new file.
    std::fs::rename(setup.key_file(), setup.new_key_file()).unwrap();
    write_key_like(&setup.key_file(), &old);

    let run = setup.run(&["key", "rotate"]);
    run.failure();
    let message = run.stderr();
    let mv = format!(
        "mv {} {}",
        setup.new_key_file().display(),
        setup.key_file().display()
    );
    assert!(message.contains(&mv), "{message}");

    std::fs::rename(setup.new_key_file(), setup.key_file()).unwrap();
    setup.run(&["key", "rotate"]).success();
}

#[test]
fn key_rotate_refuses_a_key_from_the_environment() {
    let (setup, _) = Setup::initialised("model");
    let key = std::fs::read_to_string(setup.key_file()).unwrap();
    let env = [("WEERBAAR_KEYS__MASTER_KEY", key.trim())];
    // The key from the environment opens the register …
    setup.run_env(&["organisation", "list"], &env).success();
    // … but only a key file can be rotated.
    let run = setup.run_env(&["key", "rotate"], &env);
    run.failure();
    assert!(
        run.stderr().contains("WEERBAAR_KEYS__MASTER_KEY"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("key file"), "{}", run.stderr());
    assert_eq!(std::fs::read_to_string(setup.key_file()).unwrap(), key);
}

#[test]
fn the_database_url_from_the_environment_wins() {
    // At init: the register goes where the environment says, not to the default.
    let setup = Setup::new();
    let second = setup.tmp.path().join("second.db");
    let url = format!("sqlite://{}", second.display());
    let env = [("WEERBAAR_DATABASE__URL", url.as_str())];
    let init = setup.run_env(&["init"], &env);
    init.success();
    assert!(second.is_file());
    assert!(!setup.data.join("weerbaar.db").exists());
    let list = setup.run_env(&["organisation", "list"], &env);
    list.success();
    assert!(list.stdout().contains("Modelprotocol"), "{}", list.stdout());
    // Without it, the default database is not there, and is not silently created.
    let without = setup.run(&["organisation", "list"]);
    without.failure();
    assert!(
        without.stderr().contains("weerbaar.db"),
        "{}",
        without.stderr()
    );
    assert!(!setup.data.join("weerbaar.db").exists());

    // Over the file: weerbaar.toml names one database, the environment another.
    let other = Setup::new();
    other
        .run(&["init", "--database-url", "sqlite://first.db"])
        .success();
    assert!(other.data.join("first.db").is_file());
    let config = std::fs::read_to_string(other.config_file()).unwrap();
    assert!(config.contains("url = \"sqlite://first.db\""), "{config}");
    let elsewhere = other.tmp.path().join("elsewhere.db");
    let url = format!("sqlite://{}", elsewhere.display());
    let run = other.run_env(
        &["organisation", "list"],
        &[("WEERBAAR_DATABASE__URL", url.as_str())],
    );
    run.failure();
    assert!(run.stderr().contains("elsewhere.db"), "{}", run.stderr());
    assert!(
        run.stderr().contains("WEERBAAR_DATABASE__URL"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_database_url_can_come_from_a_file() {
    let setup = Setup::new();
    let secret = setup.tmp.path().join("database-url");
    let db = setup.tmp.path().join("from-file.db");
    std::fs::write(&secret, format!("sqlite://{}\n", db.display())).unwrap();
    let secret = secret.to_str().unwrap();
    let env = [("WEERBAAR_DATABASE__URL_FILE", secret)];
    setup.run_env(&["init"], &env).success();
    assert!(db.is_file());
    setup.run_env(&["audit", "verify"], &env).success();

    let both = setup.run_env(
        &["audit", "verify"],
        &[
            ("WEERBAAR_DATABASE__URL_FILE", secret),
            ("WEERBAAR_DATABASE__URL", "sqlite://x.db"),
        ],
    );
    both.failure();
    assert!(both.stderr().contains("set only one"), "{}", both.stderr());
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    let (setup, _) = Setup::initialised("model");
    let config = setup.config_file();
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        original.replace("[server]", "[server]\nport = 8080"),
    )
    .unwrap();
    let run = setup.run(&["organisation", "list"]);
    run.failure();
    let message = run.stderr();
    assert!(message.contains("`server.port`"), "{message}");
    assert!(message.contains(&config.display().to_string()), "{message}");
    assert!(message.contains("listen"), "{message}");

    // The same from the environment names the variable.
    std::fs::write(&config, &original).unwrap();
    let run = setup.run_env(
        &["organisation", "list"],
        &[("WEERBAAR_SERVER__PORT", "8080")],
    );
    run.failure();
    assert!(
        run.stderr().contains("WEERBAAR_SERVER__PORT"),
        "{}",
        run.stderr()
    );

    // A value of the wrong kind names its key too; [retention] is reserved and open.
    std::fs::write(
        &config,
        original
            .replace("# listen = ", "listen = \"nowhere\"\n# ")
            .replace("[retention]", "[retention]\nafgerond = \"7 jaar\""),
    )
    .unwrap();
    let run = setup.run(&["organisation", "list"]);
    run.failure();
    assert!(run.stderr().contains("`server.listen`"), "{}", run.stderr());
}
