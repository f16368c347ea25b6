//! The durability promise: a report that the register has acknowledged is on disk.
//!
//! `weerbaar demo seed --cases 100000` runs as a child process and prints
//! `acknowledged <n> <case id>` after each report is committed. Once at least 200 lines
//! have arrived, the child is killed with SIGKILL in the middle of its stream of
//! submissions. Then, as after a restart, the register is opened again and must hold
//! every acknowledged case whole: it opens, its events run 1, 2, 3 … and include
//! `reported` and `classified`, every task of its plan is there, and `weerbaar audit
//! verify` finds every chain whole. Nothing is half-written either: every case in the
//! register, acknowledged or not (the one being committed when the kill came may or may
//! not be there), passes the same checks. Finally the register takes new reports.
//!
//! On SQLite (WAL with synchronous=FULL) and on PostgreSQL. The throwaway PostgreSQL
//! cluster of the test harness runs with `fsync=off`. That does not weaken this test: it
//! kills a process, not the machine. What the server has written is in the operating
//! system's cache and reaches the disk without fsync; only a power loss (or a crash of
//! the operating system) needs fsync, and that is PostgreSQL's own `fsync=on` promise in
//! production, not something a test can cut the power to check.

#![cfg(unix)]

#[path = "../../register/tests/support/postgres.rs"]
mod postgres;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use weerbaar_register::{CaseAccess, CaseId, Db, EventKind, MasterKey, PersonId, Register};

/// Far more than can be registered before the kill.
const CASES: &str = "100000";
/// Acknowledged reports to wait for before the kill.
const AT_LEAST: usize = 200;
/// How long to wait for them.
const TIMEOUT: Duration = Duration::from_secs(60);

/// `weerbaar --data-dir DATA ARGS…`, without the `WEERBAAR_*` variables of the
/// environment the tests run in.
fn weerbaar(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weerbaar"));
    command.arg("--data-dir").arg(data).args(args);
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("WEERBAAR_")
        {
            command.env_remove(name);
        }
    }
    command.stdin(Stdio::null());
    command
}

#[track_caller]
fn succeed(output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Kills the child when the test fails before it does.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sets up a data folder (SQLite in it, or the PostgreSQL database `database_url`),
/// seeds it in a child process, kills the child after at least [`AT_LEAST`]
/// acknowledged reports, and checks the register.
fn crash_and_check(database_url: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut init = vec!["init", "--preset", "model"];
    if let Some(url) = database_url {
        init.extend(["--database-url", url]);
    }
    succeed(weerbaar(&data, &init).output().unwrap());

    let stderr = tmp.path().join("seed.stderr");
    let mut child = Killed(
        weerbaar(&data, &["demo", "seed", "--cases", CASES])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (sender, lines) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    // A line is acknowledged once it is whole.
                    if !line.ends_with('\n') || sender.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let child_stderr = || std::fs::read_to_string(&stderr).unwrap_or_default();

    let deadline = Instant::now() + TIMEOUT;
    let mut received = Vec::new();
    while received.len() < AT_LEAST {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => received.push(line),
            Err(RecvTimeoutError::Timeout) => panic!(
                "only {} acknowledged reports within {TIMEOUT:?}\nstderr:\n{}",
                received.len(),
                child_stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the seeding ended after {} lines, before the kill\nstderr:\n{}",
                received.len(),
                child_stderr()
            ),
        }
    }
    // `kill` sends SIGKILL: no destructor, no rollback, no flush runs in the child.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the seeding was to be killed in the middle, but it ended: {status:?}\nstderr:\n{}",
        child_stderr()
    );
    // What the child printed before it died is still in the pipe.
    reader.join().unwrap();
    received.extend(lines.try_iter());

    let acknowledged: Vec<(i64, CaseId)> = received
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let words: Vec<&str> = line.trim_end().split(' ').collect();
            assert!(
                words.len() == 3 && words[0] == "acknowledged",
                "line {}: not `acknowledged <n> <case id>`: {line:?}",
                index + 1
            );
            let n: i64 = words[1].parse().unwrap();
            assert_eq!(n, index as i64 + 1, "{line:?}");
            (n, CaseId(words[2].to_owned()))
        })
        .collect();
    assert!(acknowledged.len() >= AT_LEAST);
    eprintln!(
        "killed after {} acknowledged reports ({})",
        acknowledged.len(),
        database_url.map_or("SQLite", |_| "PostgreSQL")
    );

    // The state the crash left: every chain whole.
    let verified = succeed(weerbaar(&data, &["audit", "verify"]).output().unwrap());
    assert!(verified.contains("every chain is whole"), "{verified}");
    let chains: usize = verified
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{verified}"));
    assert!(chains >= acknowledged.len(), "{verified}");

    let url = match database_url {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}", data.join("weerbaar.db").display()),
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(check_register(&url, &data, &acknowledged));

    // And the register goes on after the restart.
    let more = succeed(
        weerbaar(&data, &["demo", "seed", "--cases", "2"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        more.lines()
            .filter(|line| line.starts_with("acknowledged "))
            .count(),
        2,
        "{more}"
    );
    succeed(weerbaar(&data, &["audit", "verify"]).output().unwrap());
}

/// Runs one query on whichever backend `$db` is.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// The person of `people` who handles `case` (`CaseAccess::Handler`: holds the case's
/// handler role now). A few roles handle most cases, so the one found moves to the front
/// of `people`, to be asked first for the next case.
async fn handler_of(register: &Register, people: &mut Vec<PersonId>, case: &CaseId) -> PersonId {
    for index in 0..people.len() {
        if register.case_access(&people[index], case).await.unwrap() == CaseAccess::Handler {
            let person = people.remove(index);
            people.insert(0, person.clone());
            return person;
        }
    }
    panic!("no one handles case {case}");
}

async fn check_register(url: &str, data: &Path, acknowledged: &[(i64, CaseId)]) {
    let key = MasterKey::read_key_file(&data.join("weerbaar.key")).unwrap();
    let register = Register::open(url, key)
        .await
        .unwrap()
        .with_evidence_dir(data.join("evidence"));
    let organisations = register.organisations().await.unwrap();
    assert_eq!(organisations.len(), 1);
    // Only the handler of a case opens it in full.
    let mut people: Vec<PersonId> = register
        .people(&organisations[0].id)
        .await
        .unwrap()
        .into_iter()
        .map(|person| person.id)
        .collect();
    let stored: Vec<String> = on_db!(register.db(), pool => {
        sqlx::query_scalar("SELECT id FROM cases ORDER BY number")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    let stored_set: BTreeSet<&str> = stored.iter().map(String::as_str).collect();

    // Every acknowledged report is there, under its number.
    for (n, case) in acknowledged {
        assert!(
            stored_set.contains(case.as_str()),
            "acknowledged case {n} ({case}) is lost"
        );
        let handler = handler_of(&register, &mut people, case).await;
        let view = register.open_case(&handler, case).await.unwrap();
        assert_eq!(view.number, *n, "{case}");
    }
    // At most the one being committed when the kill came is there unannounced.
    assert!(
        stored.len() <= acknowledged.len() + 1,
        "{} cases stored, {} acknowledged",
        stored.len(),
        acknowledged.len()
    );

    // Every case, acknowledged or not, is whole.
    let mut tasks = 0;
    for case in &stored {
        let case = CaseId(case.clone());
        let handler = handler_of(&register, &mut people, &case).await;
        let view = register
            .open_case(&handler, &case)
            .await
            .unwrap_or_else(|error| panic!("case {case} does not open: {error}"));
        let seqs: Vec<i64> = view.events.iter().map(|event| event.seq).collect();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(
            seqs, expected,
            "case {case}: the events do not run 1, 2, 3 …"
        );
        let kinds: Vec<EventKind> = view.events.iter().map(|event| event.kind).collect();
        for kind in [
            EventKind::Reported,
            EventKind::Classified,
            EventKind::Viewed,
        ] {
            assert!(
                kinds.contains(&kind),
                "case {case}: no {kind:?} in {kinds:?}"
            );
        }
        assert!(
            view.narrative.as_deref().is_some_and(|n| !n.is_empty()),
            "case {case}: no narrative"
        );
        let plan = view
            .plan
            .as_ref()
            .unwrap_or_else(|| panic!("case {case}: no plan"));
        let planned: BTreeSet<String> = plan["tasks"]
            .as_array()
            .unwrap_or_else(|| panic!("case {case}: the plan has no tasks: {plan}"))
            .iter()
            .map(|task| task["code"].to_string())
            .collect();
        let kept: BTreeSet<String> = view
            .tasks
            .iter()
            .map(|task| serde_json::to_value(task.code).unwrap().to_string())
            .collect();
        assert_eq!(kept, planned, "case {case}: its tasks are not whole");
        tasks += kept.len();
    }
    // (A plan may hold no task, but the seeded cases hold many.)
    assert!(
        tasks > stored.len(),
        "{tasks} tasks in {} cases",
        stored.len()
    );
    register.db().close().await;
}

#[test]
fn every_acknowledged_report_survives_a_kill_on_sqlite() {
    crash_and_check(None);
}

#[test]
fn every_acknowledged_report_survives_a_kill_on_postgresql() {
    // Without PostgreSQL (and CI not "true") start() has printed "POSTGRESQL SKIPPED: …".
    let Some(cluster) = postgres::TestCluster::start() else {
        return;
    };
    let url = cluster.fresh_database();
    crash_and_check(Some(&url));
}
