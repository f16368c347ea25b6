//! `weerbaar serve` with `[mail]` against aiosmtpd on 127.0.0.1 (tests/mail/smtp_sink.py
//! in the virtualenv of tests/mail/setup.sh): the scheduler sends the outbox; killed and
//! started again, it sends nothing twice, and what was queued while it was down once.
//! Without Python and aiosmtpd: skipped loudly, failing under `CI=true`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim, preset_text};
use weerbaar_register::{
    MasterKey, NewPerson, NewReport, NewVictim, OrganisationId, PersonId, Register, Relation,
};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> Option<PathBuf> {
    let python = std::env::var_os("WB_MAIL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/mail-venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let why = format!(
        "no Python with aiosmtpd at {} (run tests/mail/setup.sh)",
        python.display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "SMTP test cannot run under CI=true: {why}"
    );
    eprintln!("SMTP SKIPPED: {why}");
    None
}

fn mails(dir: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn serve(data: &Path) -> Killed {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weerbaar"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("WEERBAAR_")
        {
            command.env_remove(name);
        }
    }
    Killed(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

fn new_reports(mails: &[String]) -> usize {
    mails
        .iter()
        .filter(|m| m.contains("nieuwe melding"))
        .count()
}

/// The first two lines of each mail (recipient and subject): never one twice.
fn assert_no_duplicates(mails: &[String]) {
    let mut seen = std::collections::BTreeSet::new();
    for mail in mails {
        let head: Vec<_> = mail.lines().take(2).collect();
        assert!(seen.insert(head.join("|")), "twice: {head:?}");
    }
}

/// Waits until the sink holds `n` "nieuwe melding" mails (and a moment longer, to see no
/// more come).
fn wait_for(dir: &Path, n: usize) -> Vec<String> {
    let start = Instant::now();
    while new_reports(&mails(dir)) < n && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    mails(dir)
}

async fn report(register: &Register, org: &OrganisationId, raadslid: &PersonId) {
    register
        .register_report(NewReport {
            organisation: org.clone(),
            reporter: raadslid.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: raadslid.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts: Facts {
                occurred_at: jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2),
                reported_at: None,
                victim: Victim {
                    role: Role::Raadslid,
                    former: false,
                },
                behaviours: vec![Behaviour::Beledigen.into()],
                channel: Channel::InPersoon,
                persistent: false,
                corrected_after_warning: false,
                injury: Injury::Geen,
                criminal_offence_suspected: false,
                perpetrator_known: false,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            },
            narrative: String::from("Geheim verhaal over de markt."),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn serve_sends_the_outbox_once_across_a_kill_and_a_restart() {
    let Some(python) = python() else { return };
    let sink_dir = tempfile::tempdir().unwrap();
    let mut sink = Command::new(&python)
        .arg(root().join("tests/mail/smtp_sink.py"))
        .args(["--dir", sink_dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sink.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _sink = Killed(sink);
    let port: u16 = line.trim().strip_prefix("ready ").unwrap().parse().unwrap();

    let data = tempfile::tempdir().unwrap();
    let key = MasterKey::generate();
    key.write_key_file(&data.path().join("weerbaar.key"))
        .unwrap();
    std::fs::write(
        data.path().join("weerbaar.toml"),
        format!(
            "[server]\npublic_url = \"https://weerbaar.test\"\n\n[mail]\nserver = \"127.0.0.1\"\n\
             port = {port}\nsecurity = \"none\"\nsender = \"weerbaar@weerbaar.test\"\n\
             interval_seconds = 5\n"
        ),
    )
    .unwrap();
    let url = format!("sqlite://{}", data.path().join("weerbaar.db").display());
    let register = Register::open(&url, MasterKey::from_hex(&key.to_hex()).unwrap())
        .await
        .unwrap();
    let org = register
        .create_organisation("Gemeente Leiden", preset_text("leiden").unwrap())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (name, email, role) in [
        ("Rosa Raadslid", "raadslid@leiden.test", Role::Raadslid),
        ("Gijs Griffier", "griffier@leiden.test", Role::Griffier),
    ] {
        ids.push(
            register
                .add_person(
                    &org,
                    NewPerson {
                        name: name.into(),
                        email: Some(email.into()),
                        roles: vec![(role, true)],
                    },
                )
                .await
                .unwrap(),
        );
    }
    report(&register, &org, &ids[0]).await;

    // The first start sends the report's mail to the griffier.
    let server = serve(data.path());
    let first = wait_for(sink_dir.path(), 1);
    assert_eq!(new_reports(&first), 1, "{first:?}");
    assert!(
        first.iter().any(|m| m.contains("griffier@leiden.test")),
        "{first:?}"
    );
    assert!(first.iter().all(|m| !m.contains("Geheim verhaal")));
    drop(server); // killed, not stopped

    // A report while it is down; the second start sends that one, and nothing again.
    report(&register, &org, &ids[0]).await;
    let _server = serve(data.path());
    let second = wait_for(sink_dir.path(), 2);
    assert_eq!(new_reports(&second), 2, "{second:?}");
    assert!(second.len() > first.len());
    assert_no_duplicates(&second);
    assert!(second.iter().all(|m| !m.contains("Geheim verhaal")));
}
