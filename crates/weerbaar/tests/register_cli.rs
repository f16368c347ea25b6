//! `weerbaar init`, `audit verify`, `key rotate`, `organisation list`, `backup`,
//! `restore`, `db copy`, `demo seed` and `retention run`, run as an operator runs them,
//! against throwaway data folders. Where a test needs what the command line cannot do
//! (add an evidence file, close a case), it opens the same register through the library.

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

    // A value of the wrong kind names its key too.
    std::fs::write(
        &config,
        original.replace("# listen = ", "listen = \"nowhere\"\n# "),
    )
    .unwrap();
    let run = setup.run(&["organisation", "list"]);
    run.failure();
    assert!(run.stderr().contains("`server.listen`"), "{}", run.stderr());

    // [retention] takes days for the closed statuses only.
    for (line, expected) in [
        ("afgerond = \"7 jaar\"", "`retention.afgerond`"),
        ("gemeld = 30", "`retention.gemeld`"),
        ("bewaren = 30", "`retention.bewaren`"),
    ] {
        std::fs::write(
            &config,
            original.replace("[retention]", &format!("[retention]\n{line}")),
        )
        .unwrap();
        let run = setup.run(&["retention", "run"]);
        run.failure();
        assert!(run.stderr().contains(expected), "{line}: {}", run.stderr());
        if line.starts_with("gemeld") {
            assert!(run.stderr().contains("never expires"), "{}", run.stderr());
        }
    }

    // The evidence folder must be a folder.
    std::fs::write(
        &config,
        original.replace("[storage]", "[storage]\nevidence_dir = \"weerbaar.key\""),
    )
    .unwrap();
    let run = setup.run(&["organisation", "list"]);
    run.failure();
    assert!(
        run.stderr().contains("storage.evidence_dir"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("not a folder"), "{}", run.stderr());
}

// ---------------------------------------------------------------------------------------
// The register through the library, for what the command line cannot do.

use weerbaar_register::{
    Action, CaseAccess, CaseId, CaseStatus, Db, EvidenceId, MasterKey, OrganisationId, PersonId,
    Register,
};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The register of a data folder set up with the defaults, opened as the commands open
/// it: the database, the key file and the evidence folder of the data folder.
async fn open_register(data: &Path) -> Register {
    let key = MasterKey::read_key_file(&data.join("weerbaar.key")).unwrap();
    let url = format!("sqlite://{}", data.join("weerbaar.db").display());
    Register::open(&url, key)
        .await
        .unwrap()
        .with_evidence_dir(data.join("evidence"))
}

/// The only organisation.
async fn the_organisation(register: &Register) -> OrganisationId {
    let organisations = register.organisations().await.unwrap();
    assert_eq!(organisations.len(), 1, "{organisations:?}");
    organisations[0].id.clone()
}

/// The handler of each case, in order: a person of the organisation who holds the case's
/// handler role now (`CaseAccess::Handler`), as only the handler opens a case in full
/// and acts on it.
async fn handlers(
    register: &Register,
    organisation: &OrganisationId,
    cases: &[(u64, CaseId)],
) -> Vec<PersonId> {
    let mut people: Vec<PersonId> = register
        .people(organisation)
        .await
        .unwrap()
        .into_iter()
        .map(|person| person.id)
        .collect();
    let mut handlers = Vec::with_capacity(cases.len());
    for (_, case) in cases {
        let mut found = None;
        for (index, person) in people.iter().enumerate() {
            if register.case_access(person, case).await.unwrap() == CaseAccess::Handler {
                found = Some(index);
                break;
            }
        }
        let index = found.unwrap_or_else(|| panic!("no one handles case {case}"));
        // A few roles handle most cases: who handled one is asked first for the next.
        let person = people.remove(index);
        people.insert(0, person.clone());
        handlers.push(person);
    }
    handlers
}

/// The `acknowledged <n> <case id>` lines of `demo seed`, in order.
fn acknowledged(out: &str) -> Vec<(u64, CaseId)> {
    out.lines()
        .filter_map(|line| line.strip_prefix("acknowledged "))
        .map(|rest| {
            let (n, id) = rest
                .split_once(' ')
                .unwrap_or_else(|| panic!("not `acknowledged <n> <id>`: {rest}"));
            (n.parse().unwrap(), CaseId(id.to_owned()))
        })
        .collect()
}

fn seed(setup: &Setup, cases: u64) -> Vec<(u64, CaseId)> {
    let run = setup.run(&["demo", "seed", "--cases", &cases.to_string()]);
    run.success();
    let lines = acknowledged(&run.stdout());
    assert_eq!(lines.len() as u64, cases, "{}", run.stdout());
    lines
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

const EVIDENCE: &[u8] = b"Van: boze.burger@voorbeeld.example\nIk weet waar je woont, wethouder.\n";

#[test]
fn demo_seed_prints_a_line_per_acknowledged_report_then_the_summary() {
    let (setup, _) = Setup::initialised("model");
    let run = setup.run(&["demo", "seed", "--cases", "7", "--seed", "3"]);
    run.success();
    let out = run.stdout();
    // Exactly `acknowledged <n> <case id>`, n = 1 … 7, before anything else.
    for (index, line) in out.lines().take(7).enumerate() {
        let words: Vec<&str> = line.split(' ').collect();
        assert_eq!(words.len(), 3, "{line}");
        assert_eq!(words[0], "acknowledged", "{line}");
        assert_eq!(words[1], (index + 1).to_string(), "{line}");
        assert_eq!(words[2].len(), 36, "{line}");
    }
    let lines = acknowledged(&out);
    assert_eq!(lines.len(), 7, "{out}");
    let distinct: std::collections::BTreeSet<_> = lines.iter().map(|(_, id)| id).collect();
    assert_eq!(distinct.len(), 7);
    assert_eq!(field(&out, "cases"), "7");
    assert!(field(&out, "people added").parse::<u64>().unwrap() > 0);

    let audit = setup.run(&["audit", "verify"]);
    audit.success();
    assert!(
        audit.stdout().starts_with("7 cases, "),
        "{}",
        audit.stdout()
    );

    // Every acknowledged case is there, under its number.
    let second = block_on(async {
        let register = open_register(&setup.data).await;
        let organisation = the_organisation(&register).await;
        let handlers = handlers(&register, &organisation, &lines).await;
        for ((n, case), handler) in lines.iter().zip(&handlers) {
            let view = register.open_case(handler, case).await.unwrap();
            assert_eq!(view.number, *n as i64);
        }
        let second = register
            .create_organisation(
                "Gemeente Tweede",
                weerbaar_protocol::preset_text("westerveld").unwrap(),
            )
            .await
            .unwrap();
        register.db().close().await;
        second
    });

    // With two organisations, --organisation says which.
    let run = setup.run(&["demo", "seed", "--cases", "1"]);
    run.failure();
    assert!(run.stderr().contains("--organisation"), "{}", run.stderr());
    assert!(run.stderr().contains(second.as_str()), "{}", run.stderr());
    let run = setup.run(&["demo", "seed", "--cases", "1", "--organisation", "nope"]);
    run.failure();
    assert!(run.stderr().contains("`nope`"), "{}", run.stderr());
    let run = setup.run(&[
        "demo",
        "seed",
        "--cases",
        "2",
        "--organisation",
        second.as_str(),
    ]);
    run.success();
    assert_eq!(acknowledged(&run.stdout()).len(), 2, "{}", run.stdout());
    assert!(run.stdout().contains("Gemeente Tweede"), "{}", run.stdout());

    // Without a register nothing is made.
    let empty = Setup::new();
    let run = empty.run(&["demo", "seed", "--cases", "1"]);
    run.failure();
    assert!(run.stderr().contains("weerbaar init"), "{}", run.stderr());
    assert!(!empty.data.exists());
}

#[test]
fn backup_and_restore_into_a_new_data_folder_keep_the_cases_and_the_evidence() {
    let (setup, _) = Setup::initialised("leiden");
    let cases = seed(&setup, 12);
    // An evidence file, kept in the data folder's evidence folder, added by the handler.
    let (handlers, evidence) = block_on(async {
        let register = open_register(&setup.data).await;
        let organisation = the_organisation(&register).await;
        let handlers = handlers(&register, &organisation, &cases).await;
        let evidence: EvidenceId = register
            .add_evidence_file(
                &handlers[0],
                &cases[0].1,
                "bericht.txt",
                "text/plain",
                EVIDENCE,
                None,
            )
            .await
            .unwrap();
        register.db().close().await;
        (handlers, evidence)
    });
    #[cfg(unix)]
    assert_eq!(mode(&setup.data.join("evidence")), 0o700);

    let file = setup.tmp.path().join("register.backup");
    let file_arg = file.to_str().unwrap();
    let backup = setup.run(&["backup", file_arg]);
    backup.success();
    let out = backup.stdout();
    assert_eq!(field(&out, "cases"), "12");
    assert!(field(&out, "evidence files").starts_with("1 "), "{out}");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let bytes = std::fs::read(&file).unwrap();
    assert!(!contains(&bytes, b"boze.burger"), "the backup is encrypted");

    // A backup never overwrites.
    let again = setup.run(&["backup", file_arg]);
    again.failure();
    assert!(
        again.stderr().contains("already exists"),
        "{}",
        again.stderr()
    );
    assert_eq!(std::fs::read(&file).unwrap(), bytes);

    // Into a new data folder: without the key it refuses, and makes nothing …
    let restored = setup.tmp.path().join("restored");
    let run = weerbaar_in(setup.tmp.path(), &restored, &["restore", file_arg], &[]);
    run.failure();
    assert!(run.stderr().contains("key file"), "{}", run.stderr());
    assert!(run.stderr().contains("weerbaar.key"), "{}", run.stderr());
    assert!(!restored.exists());
    // … with the key file copied in, it restores.
    std::fs::create_dir(&restored).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&restored, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    std::fs::copy(setup.key_file(), restored.join("weerbaar.key")).unwrap();
    let run = weerbaar_in(setup.tmp.path(), &restored, &["restore", file_arg], &[]);
    run.success();
    assert_eq!(field(&run.stdout(), "cases"), "12");
    assert!(restored.join("weerbaar.db").is_file());

    // The same chains and the same organisation on both sides.
    let verify = |data: &Path| {
        let run = weerbaar_in(setup.tmp.path(), data, &["audit", "verify"], &[]);
        run.success();
        run.stdout()
    };
    let original = verify(&setup.data);
    assert!(original.starts_with("12 cases, "), "{original}");
    assert_eq!(verify(&restored), original);
    let list = |data: &Path| {
        let run = weerbaar_in(setup.tmp.path(), data, &["organisation", "list"], &[]);
        run.success();
        run.stdout()
    };
    assert_eq!(list(&restored), list(&setup.data));

    // The evidence file came along, and opens from the new evidence folder; the
    // handlers, their roles with them, still open their cases.
    block_on(async {
        let register = open_register(&restored).await;
        let (summary, content) = register
            .read_evidence_file(&handlers[0], &cases[0].1, &evidence)
            .await
            .unwrap();
        assert_eq!(content, EVIDENCE);
        assert_eq!(summary.file_name(), Some("bericht.txt"));
        for ((n, case), handler) in cases.iter().zip(&handlers) {
            assert_eq!(
                register.open_case(handler, case).await.unwrap().number,
                *n as i64
            );
        }
        register.db().close().await;
    });

    // Restoring over a register that holds something is refused, clearly.
    let twice = weerbaar_in(setup.tmp.path(), &restored, &["restore", file_arg], &[]);
    twice.failure();
    assert!(twice.stderr().contains("not empty"), "{}", twice.stderr());
    assert!(
        twice.stderr().contains("Nothing was restored"),
        "{}",
        twice.stderr()
    );
    let over = setup.run(&["restore", file_arg]);
    over.failure();
    assert!(over.stderr().contains("not empty"), "{}", over.stderr());

    // The restored register goes on: three more cases.
    let more = weerbaar_in(
        setup.tmp.path(),
        &restored,
        &["demo", "seed", "--cases", "3"],
        &[],
    );
    more.success();
    assert_eq!(acknowledged(&more.stdout()).len(), 3);
    assert!(verify(&restored).starts_with("15 cases, "));
}

#[test]
fn restore_with_the_wrong_key_or_a_damaged_file_restores_nothing() {
    let (setup, _) = Setup::initialised("model");
    seed(&setup, 2);
    let file = setup.tmp.path().join("b");
    setup.run(&["backup", file.to_str().unwrap()]).success();

    // Another register's key.
    let (stranger, _) = Setup::initialised("model");
    let fresh = setup.tmp.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    std::fs::copy(stranger.key_file(), fresh.join("weerbaar.key")).unwrap();
    let run = weerbaar_in(
        setup.tmp.path(),
        &fresh,
        &["restore", file.to_str().unwrap()],
        &[],
    );
    run.failure();
    assert!(run.stderr().contains("fingerprint"), "{}", run.stderr());
    assert!(
        run.stderr().contains("Nothing was restored"),
        "{}",
        run.stderr()
    );
    // The database it opened is removed again, so the folder can still be used.
    assert!(!fresh.join("weerbaar.db").exists());
    assert!(!fresh.join("evidence").exists());

    // A file cut short.
    let bytes = std::fs::read(&file).unwrap();
    let short = setup.tmp.path().join("short");
    std::fs::write(&short, &bytes[..bytes.len() - 10]).unwrap();
    let other = setup.tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::copy(setup.key_file(), other.join("weerbaar.key")).unwrap();
    let run = weerbaar_in(
        setup.tmp.path(),
        &other,
        &["restore", short.to_str().unwrap()],
        &[],
    );
    run.failure();
    assert!(run.stderr().contains("short"), "{}", run.stderr());
    assert!(!other.join("weerbaar.db").exists());

    let missing = weerbaar_in(
        setup.tmp.path(),
        &other,
        &["restore", "no-such-backup"],
        &[],
    );
    missing.failure();
    assert!(
        missing.stderr().contains("no-such-backup"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn db_copy_to_a_second_sqlite_file_gives_the_same_register() {
    let (setup, _) = Setup::initialised("westerveld");
    seed(&setup, 5);
    let config_before = std::fs::read_to_string(setup.config_file()).unwrap();
    let copy = setup.tmp.path().join("copy.db");
    let url = format!("sqlite://{}", copy.display());
    let run = setup.run(&["db", "copy", "--to", &url]);
    run.success();
    let out = run.stdout();
    assert_eq!(field(&out, "cases"), "5");
    assert_eq!(field(&out, "organisations"), "1");
    assert!(out.contains("[database]"), "{out}");
    assert!(out.contains(&format!("url = \"{url}\"")), "{out}");
    assert!(out.contains("not changed"), "{out}");
    assert!(out.contains("Evidence files"), "{out}");
    assert!(
        out.contains(&setup.data.join("evidence").display().to_string()),
        "{out}"
    );
    // The configuration is left alone.
    assert_eq!(
        std::fs::read_to_string(setup.config_file()).unwrap(),
        config_before
    );

    // The copy, through the environment, is the same register.
    let env = [("WEERBAAR_DATABASE__URL", url.as_str())];
    for command in [&["organisation", "list"][..], &["audit", "verify"][..]] {
        let here = setup.run(command);
        here.success();
        let there = setup.run_env(command, &env);
        there.success();
        assert_eq!(there.stdout(), here.stdout(), "{command:?}");
    }

    // Only into an empty database, and never into itself.
    let again = setup.run(&["db", "copy", "--to", &url]);
    again.failure();
    assert!(again.stderr().contains("not empty"), "{}", again.stderr());
    let own = format!("sqlite://{}", setup.data.join("weerbaar.db").display());
    let itself = setup.run(&["db", "copy", "--to", &own]);
    itself.failure();
    assert!(
        itself.stderr().contains("the register is in"),
        "{}",
        itself.stderr()
    );
    let nowhere = setup.run(&["db", "copy", "--to", "sqlite://no-such-folder/w.db"]);
    nowhere.failure();
    assert!(
        nowhere.stderr().contains("no-such-folder"),
        "{}",
        nowhere.stderr()
    );
    let mysql = setup.run(&["db", "copy", "--to", "mysql://localhost/w"]);
    mysql.failure();
    assert!(mysql.stderr().contains("mysql"), "{}", mysql.stderr());

    // A relative path is relative to the folder the command runs in.
    setup
        .run(&["db", "copy", "--to", "sqlite://relative.db"])
        .success();
    assert!(setup.tmp.path().join("relative.db").is_file());
}

#[test]
fn retention_without_periods_says_so_and_a_fresh_register_has_nothing_to_anonymise() {
    let (setup, _) = Setup::initialised("model");
    let run = setup.run(&["retention", "run"]);
    run.success();
    assert!(
        run.stdout().contains("No retention periods are configured"),
        "{}",
        run.stdout()
    );

    let original = std::fs::read_to_string(setup.config_file()).unwrap();
    std::fs::write(
        setup.config_file(),
        original.replace("[retention]", "[retention]\nafgerond = 0"),
    )
    .unwrap();
    let run = setup.run(&["retention", "run"]);
    run.success();
    assert!(
        run.stdout().contains("0 cases anonymised"),
        "{}",
        run.stdout()
    );
}

#[test]
fn retention_anonymises_the_closed_cases_whose_period_has_passed() {
    let (setup, _) = Setup::initialised("model");
    let cases = seed(&setup, 6);
    let case = |index: usize| cases[index].1.clone();
    let handlers = block_on(async {
        let register = open_register(&setup.data).await;
        let organisation = the_organisation(&register).await;
        let handlers = handlers(&register, &organisation, &cases).await;
        for (index, statuses) in [
            (0, &[CaseStatus::Afgerond][..]),
            (1, &[CaseStatus::InBehandeling, CaseStatus::Afgerond][..]),
            (2, &[CaseStatus::Afgerond, CaseStatus::Gearchiveerd][..]),
        ] {
            for status in statuses {
                register
                    .act(
                        &handlers[index],
                        &case(index),
                        Action::ChangeStatus { to: *status },
                    )
                    .await
                    .unwrap();
            }
        }
        register.db().close().await;
        handlers
    });

    // Closed cases are kept seven years: nothing expires.
    let original = std::fs::read_to_string(setup.config_file()).unwrap();
    let configure = |lines: &str| {
        std::fs::write(
            setup.config_file(),
            original.replace("[retention]", &format!("[retention]\n{lines}")),
        )
        .unwrap();
    };
    configure("afgerond = 2555\ngearchiveerd = 3650");
    let run = setup.run(&["retention", "run"]);
    run.success();
    assert!(
        run.stdout().contains("0 cases anonymised"),
        "{}",
        run.stdout()
    );

    // A period of 0 days: every case afgerond expires now; gearchiveerd has no period.
    configure("afgerond = 0");
    let run = setup.run(&["retention", "run"]);
    run.success();
    let out = run.stdout();
    let mut anonymised: Vec<&str> = out
        .lines()
        .filter_map(|line| line.strip_prefix("anonymised "))
        .collect();
    anonymised.sort_unstable();
    let mut expected = vec![case(0).0, case(1).0];
    expected.sort_unstable();
    assert_eq!(anonymised, expected, "{out}");
    assert!(out.contains("2 cases anonymised"), "{out}");

    block_on(async {
        let register = open_register(&setup.data).await;
        assert_eq!(handlers.len(), 6);
        for (index, handler) in handlers.iter().enumerate() {
            let view = register.open_case(handler, &case(index)).await.unwrap();
            assert_eq!(view.narrative.is_none(), index < 2, "case {index}");
        }
        register.db().close().await;
    });
    setup.run(&["audit", "verify"]).success();

    // Done once: a second run finds nothing more.
    let run = setup.run(&["retention", "run"]);
    run.success();
    assert!(
        run.stdout().contains("0 cases anonymised"),
        "{}",
        run.stdout()
    );
}

#[test]
fn audit_verify_names_the_first_event_changed_behind_the_registers_back() {
    let (setup, _) = Setup::initialised("leiden");
    let lines = seed(&setup, 3);
    setup.run(&["audit", "verify"]).success();
    // An attacker with access to the database file changes when something happened.
    let target = lines.iter().map(|(_, id)| id.clone()).min().unwrap();
    block_on(async {
        let register = open_register(&setup.data).await;
        let Db::Sqlite(pool) = register.db() else {
            panic!("these tests run on SQLite");
        };
        let changed =
            sqlx::query("UPDATE events SET at = at - 3600000000 WHERE case_id = $1 AND seq = 1")
                .bind(target.as_str())
                .execute(pool)
                .await
                .unwrap();
        assert_eq!(changed.rows_affected(), 1);
        register.db().close().await;
    });
    let run = setup.run(&["audit", "verify"]);
    assert_eq!(run.code(), Some(1), "{}{}", run.stdout(), run.stderr());
    assert!(
        run.stdout()
            .contains(&format!("case {}, event 1:", target.as_str())),
        "{}",
        run.stdout()
    );
}
