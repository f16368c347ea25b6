//! Notifications against a real SMTP server on 127.0.0.1: aiosmtpd from PyPI
//! (`tests/mail/smtp_sink.py`, in the virtualenv `tests/mail/setup.sh` makes), which
//! writes every mail it accepts to a folder.
//!
//! The right mail to the right person; no case content in any mail; no duplicates after a
//! restart; retries after the server refuses; and two instances on one PostgreSQL, each
//! running the scheduler, sending every mail and every reminder exactly once.
//!
//! Without Python and aiosmtpd the tests are skipped loudly (`SMTP SKIPPED`), except under
//! `CI=true`, where they fail.

#[path = "../../register/tests/support/postgres.rs"]
mod postgres;
#[path = "../../register/tests/support/world.rs"]
mod world;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Role};
use weerbaar_register::*;
use weerbaar_web::mail::{MailSecurity, MailSettings, Mailer, run_round};

use world::{add_people, facts, leiden_and_westerveld, leiden_office_holders, person};

const NARRATIVE: &str = "Na de raadsvergadering schreef @boze_burger dat hij weet waar ik woon.";
const PLACE: &str = "Stadhuis Breestraat";
const PLATE: &str = "GZ-123-K";
const PERPETRATOR: &str = "Karel Kwaadwillig";

/// The Python with aiosmtpd: `WB_MAIL_PYTHON`, or the virtualenv of tests/mail/setup.sh.
fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("WB_MAIL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/mail-venv/bin/python"));
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
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("SMTP tests cannot run under CI=true: {why}");
    }
    eprintln!("SMTP SKIPPED: {why}");
    None
}

/// aiosmtpd on a free port of 127.0.0.1, writing mails to its own folder.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    fn start(python: &Path, refuse: u32) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .args(["--dir", dir.path().to_str().unwrap()])
            .args(["--refuse", &refuse.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the SMTP sink said {line:?}"))
            .parse()
            .unwrap();
        Sink { child, port, dir }
    }

    /// The mails received: (recipient, whole message as text), in order.
    fn mails(&self) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let first = text.lines().next().unwrap();
                let to = first.strip_prefix("X-Rcpt-To: ").unwrap().to_owned();
                (to, text)
            })
            .collect()
    }

    fn mailer(&self) -> Mailer {
        Mailer::new(&MailSettings {
            server: String::from("127.0.0.1"),
            port: self.port,
            security: MailSecurity::None,
            sender: String::from("Weerbaar <weerbaar@leiden.example>"),
            username: None,
            password: None,
            public_url: String::from("https://weerbaar.leiden.example"),
            interval: Duration::from_secs(1),
        })
        .unwrap()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct People {
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
}

async fn people(register: &Register) -> People {
    let (leiden, other) = leiden_and_westerveld(register).await;
    let [raadslid, griffier, _burgemeester] = leiden_office_holders(register, &leiden).await;
    add_people(
        register,
        &leiden,
        [person(
            "Ada Veilig",
            "vpt@leiden.example",
            vec![(Role::AdviseurVpt, true)],
        )],
    )
    .await;
    add_people(
        register,
        &other,
        [person(
            "Iemand Anders",
            "x@westerveld.example",
            vec![(Role::Griffier, true)],
        )],
    )
    .await;
    People {
        leiden,
        raadslid,
        griffier,
    }
}

async fn report(register: &Register, people: &People) -> Registered {
    register
        .register_report(NewReport {
            organisation: people.leiden.clone(),
            reporter: people.raadslid.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: people.raadslid.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts: facts(&[Behaviour::Beledigen, Behaviour::DreigenMetGeweld]),
            narrative: NARRATIVE.into(),
            place: Some(PLACE.into()),
            during_meeting: false,
            perpetrator: Some(NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    name: Some(PERPETRATOR.into()),
                    licence_plate: Some(PLATE.into()),
                    accounts: vec!["@boze_burger".into()],
                    ..PerpetratorDetails::default()
                },
            }),
        })
        .await
        .unwrap()
}

/// No mail holds anything of the case: narrative, place, perpetrator, plate, account, or
/// the victim's name.
fn assert_no_content(mails: &[(String, String)]) {
    for (_, text) in mails {
        for secret in [
            NARRATIVE,
            "boze_burger",
            PLACE,
            "Stadhuis",
            PERPETRATOR,
            "Kwaadwillig",
            PLATE,
            "GZ-123",
            "Fatima",
            "El Amrani",
            "Griffier",
        ] {
            assert!(!text.contains(secret), "`{secret}` in a mail:\n{text}");
        }
    }
}

fn by_recipient(mails: &[(String, String)]) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for (to, _) in mails {
        *count.entry(to.clone()).or_insert(0) += 1;
    }
    count
}

/// A report: "nieuwe melding" to the griffier, "er is een incident gemeld" to the
/// burgemeester and the adviseur VPT; aftercare to the raadslid with the time; reminders
/// to the griffier; no content anywhere. A second "instance" started afterwards on the
/// same database (a restart) sends nothing again.
#[tokio::test]
async fn the_right_mails_once_without_content() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python, 0);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("w.db").display());
    let key = MasterKey::generate();
    let register = Register::open(&url, MasterKey::from_hex(&key.to_hex()).unwrap())
        .await
        .unwrap();
    let people = people(&register).await;
    let registered = report(&register, &people).await;
    register
        .act(
            &people.griffier,
            &registered.case,
            Action::PlanAftercare {
                conversation: AftercareConversation::Eerste,
                at: "2026-03-10T09:00:00Z".parse().unwrap(),
                by: people.griffier.clone(),
            },
        )
        .await
        .unwrap();

    let mailer = sink.mailer();
    let round = run_round(&register, &mailer, "eerste", Timestamp::now())
        .await
        .unwrap();
    assert_eq!(round.failed, 0);
    let mails = sink.mails();
    assert_eq!(mails.len(), round.sent);
    assert_no_content(&mails);
    let count = by_recipient(&mails);
    assert!(count.get("griffie@leiden.example").is_some_and(|n| *n >= 2));
    assert_eq!(count.get("bm@leiden.example"), Some(&1));
    assert_eq!(count.get("vpt@leiden.example"), Some(&1));
    assert_eq!(count.get("f.elamrani@leiden.example"), Some(&1));
    assert_eq!(count.get("x@westerveld.example"), None);
    let to_victim = &mails
        .iter()
        .find(|(to, _)| to == "f.elamrani@leiden.example")
        .unwrap()
        .1;
    assert!(
        to_victim.contains("Subject: Weerbaar: afspraak nazorggesprek"),
        "{to_victim}"
    );
    assert!(to_victim.contains("10:00"), "Dutch time: {to_victim}");
    let case_link = format!(
        "https://weerbaar.leiden.example/zaken/{}",
        registered.case.as_str()
    );
    let to_griffier: Vec<_> = mails
        .iter()
        .filter(|(to, _)| to == "griffie@leiden.example")
        .collect();
    assert!(
        to_griffier
            .iter()
            .any(|(_, text)| text.contains("nieuwe melding") && text.contains(&case_link))
    );
    // The plan's deadlines (March 2026) have passed: the overdue reminders went too.
    assert!(
        to_griffier
            .iter()
            .any(|(_, text)| text.contains("over de termijn"))
    );

    // A restart: the register opened anew, another instance name, the same moment and a
    // later one. Nothing is sent twice.
    drop(register);
    let register = Register::open(&url, key).await.unwrap();
    let again = run_round(&register, &mailer, "tweede", Timestamp::now())
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
    let later = run_round(
        &register,
        &mailer,
        "tweede",
        Timestamp::now() + SignedDuration::from_hours(48),
    )
    .await
    .unwrap();
    assert_eq!(later.sent, 0);
    assert_eq!(sink.mails().len(), mails.len());
}

/// The server refuses the first two mails (451): they are retried after a minute and
/// after five, and then delivered; the administrators saw the error in between.
#[tokio::test]
async fn refused_mails_are_retried() {
    let Some(python) = python() else { return };
    let sink = Sink::start(&python, 2);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("w.db").display());
    let register = Register::open(&url, MasterKey::generate()).await.unwrap();
    let people = people(&register).await;
    report(&register, &people).await;
    let now = Timestamp::now();

    let mailer = sink.mailer();
    let round = weerbaar_web::mail::run_round(&register, &mailer, "a", now)
        .await
        .unwrap();
    assert_eq!(round.failed, 2);
    let outbox = register.outbox(&people.leiden, 100).await.unwrap();
    let waiting: Vec<_> = outbox
        .iter()
        .filter(|e| e.state == MailState::Queued)
        .collect();
    assert_eq!(waiting.len(), 2);
    assert!(
        waiting
            .iter()
            .all(|e| e.attempts == 1 && e.last_error.as_deref().is_some_and(|x| x.contains("451")))
    );
    let sent_before = sink.mails().len();

    // Not yet after 30 seconds; after a minute, yes.
    let early = run_round(&register, &mailer, "a", now + SignedDuration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(early.sent + early.failed, 0);
    let retry = run_round(&register, &mailer, "a", now + SignedDuration::from_secs(61))
        .await
        .unwrap();
    assert_eq!((retry.sent, retry.failed), (2, 0));
    assert_eq!(sink.mails().len(), sent_before + 2);
    let outbox = register.outbox(&people.leiden, 100).await.unwrap();
    assert!(outbox.iter().all(|e| e.state == MailState::Sent));
    // Every mail of the outbox reached the server once (the report's and the overdue
    // reminders of its plan, whose deadlines lie in March 2026).
    assert_eq!(sink.mails().len(), outbox.len());
    let count = by_recipient(&sink.mails());
    assert_eq!(count.get("bm@leiden.example"), Some(&1));
    assert_eq!(count.get("vpt@leiden.example"), Some(&1));
}

/// Two instances on one PostgreSQL, each with its own register and its scheduler running
/// at once, over many reports and their reminders: every mail reaches the server once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_send_each_mail_once() {
    let Some(python) = python() else { return };
    let Some(cluster) = postgres::TestCluster::start() else {
        return;
    };
    let sink = Sink::start(&python, 0);
    let url = cluster.fresh_database();
    let key = MasterKey::generate();
    let first = std::sync::Arc::new(
        Register::open(&url, MasterKey::from_hex(&key.to_hex()).unwrap())
            .await
            .unwrap(),
    );
    let second = std::sync::Arc::new(Register::open(&url, key).await.unwrap());
    let people = people(&first).await;
    for _ in 0..6 {
        report(&first, &people).await;
    }
    let mailer = sink.mailer();
    let mut instances = Vec::new();
    for (name, register) in [("eerste", first.clone()), ("tweede", second.clone())] {
        let mailer = mailer.clone();
        instances.push(tokio::spawn(async move {
            let mut sent = 0;
            for _ in 0..5 {
                // Both queue the same reminders and claim from the same outbox.
                let round = run_round(&register, &mailer, name, Timestamp::now())
                    .await
                    .unwrap();
                sent += round.sent;
            }
            sent
        }));
    }
    let mut sent = 0;
    for instance in instances {
        sent += instance.await.unwrap();
    }
    let outbox = first.outbox(&people.leiden, 10_000).await.unwrap();
    assert!(outbox.iter().all(|e| e.state == MailState::Sent));
    assert_eq!(sent, outbox.len());
    let mails = sink.mails();
    assert_eq!(
        mails.len(),
        outbox.len(),
        "every mail reached the server once"
    );
    // 6 reports: 6 to the griffier, 6 to the burgemeester, 6 to the adviseur, and the
    // reminders of every open task, each once.
    let count = by_recipient(&mails);
    assert_eq!(count.get("bm@leiden.example"), Some(&6));
    assert_eq!(count.get("vpt@leiden.example"), Some(&6));
    let reminders = outbox
        .iter()
        .filter(|e| matches!(e.kind, MailKind::TaakBijna | MailKind::TaakVerlopen))
        .count();
    assert!(reminders > 0);
    assert_no_content(&mails);
}
