//! Notifications by e-mail: the sender of the register's outbox, and the scheduler that
//! runs inside `weerbaar serve`.
//!
//! Every round the scheduler queues the reminders that are due
//! ([`Register::queue_reminders`]), claims the mails that are due under its own lease
//! ([`Register::claim_mails`]), sends each over SMTP (lettre, with rustls: STARTTLS,
//! implicit TLS, or plain for a server on the machine itself) and records the outcome.
//! Several instances on one PostgreSQL each run it; the leases keep them from sending a
//! mail twice.
//!
//! A mail is Dutch plain text and carries no case content: what kind of thing waits, the
//! case's number, a moment where one belongs (a deadline, an aftercare appointment) and a
//! link. Never a name, a narrative, a place or anything of a perpetrator.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Deserialize;
use weerbaar_protocol::{Code, Task};
use weerbaar_register::{MailKind, OutgoingMail, Register};

use crate::dates::moment;
use crate::labels::task_label;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// STARTTLS, required (port 587 as a rule).
    Starttls,
    /// Implicit TLS from the first byte (port 465 as a rule).
    Tls,
    /// No encryption: only for a server on the machine itself (tests, a local relay).
    None,
}

/// What the sender needs to know (`[mail]` in the configuration).
#[derive(Clone)]
pub struct MailSettings {
    pub server: String,
    pub port: u16,
    pub security: MailSecurity,
    /// The From address, e.g. `Weerbaar <weerbaar@gemeente.example>`.
    pub sender: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Where Weerbaar is reached, for the links in mails (`https://weerbaar.gemeente.example`).
    pub public_url: String,
    /// How often the scheduler runs.
    pub interval: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// Sends the outbox's mails.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// How long a claimed mail is a sender's before another may take it over: far longer
/// than a send takes (the SMTP timeout is 30 seconds).
pub const LEASE: SignedDuration = SignedDuration::from_mins(5);
/// How many mails a round claims at most.
const BATCH: u32 = 20;

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let builder = match settings.security {
            MailSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.server)
                    .map_err(|e| format!("mail.server: {e}"))?
            }
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.server)
                .map_err(|e| format!("mail.server: {e}"))?,
            MailSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.server)
            }
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
        }
        let from: Mailbox = settings
            .sender
            .parse()
            .map_err(|e| format!("mail.sender: {e}"))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends one mail. The error names what went wrong (the SMTP reply code, a
    /// connection or TLS failure), never the mail or the address.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        let (subject, body) = render(mail, &self.public_url);
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| String::from("ongeldig e-mailadres"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|_| String::from("bericht niet op te bouwen"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| describe(&error))
    }
}

fn describe(error: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = error.status() {
        format!("SMTP {code}")
    } else if error.is_timeout() {
        String::from("time-out")
    } else if error.is_tls() {
        String::from("TLS mislukt")
    } else {
        String::from("verbinding mislukt")
    }
}

/// The subject and plain-text body of a mail: Dutch, without case content.
pub fn render(mail: &OutgoingMail, public_url: &str) -> (String, String) {
    let number = mail
        .case_number
        .map(|n| format!(" (melding {n})"))
        .unwrap_or_default();
    let case = mail.case.as_ref().map(|c| c.as_str()).unwrap_or_default();
    let task = mail
        .subject
        .as_deref()
        .and_then(|code| Task::parse(code).ok())
        .map(|task| task_label(task).to_lowercase())
        .unwrap_or_else(|| String::from("een taak"));
    let (subject, lines) = match mail.kind {
        MailKind::NieuweMelding => (
            format!("Weerbaar: nieuwe melding{number}"),
            vec![
                String::from(
                    "Er is een nieuwe melding binnengekomen die u als behandelaar oppakt.",
                ),
                format!("Bekijk de melding: {public_url}/zaken/{case}"),
            ],
        ),
        MailKind::IncidentGemeld => (
            format!("Weerbaar: er is een incident gemeld{number}"),
            vec![
                String::from(
                    "Er is een incident gemeld waarover u volgens het agressieprotocol wordt geïnformeerd.",
                ),
                format!("Bekijk het overzicht: {public_url}/overzicht/{case}"),
            ],
        ),
        MailKind::NazorgAfspraak => (
            String::from("Weerbaar: afspraak nazorggesprek"),
            vec![
                match mail.planned_at {
                    Some(at) => format!("Er is een nazorggesprek met u gepland op {}.", moment(at)),
                    None => String::from("Er is een nazorggesprek met u gepland."),
                },
                format!("Bekijk uw melding: {public_url}/mijn-meldingen/{case}"),
            ],
        ),
        MailKind::TaakBijna => (
            format!("Weerbaar: taak {task} moet binnen een dag af{number}"),
            vec![
                match mail.due_at {
                    Some(at) => format!("De taak {task} moet af zijn op {}.", moment(at)),
                    None => format!("De taak {task} moet binnen een dag af zijn."),
                },
                format!("Bekijk de melding: {public_url}/zaken/{case}"),
            ],
        ),
        MailKind::BehandelrolGegeven => (
            String::from("Weerbaar: iemand kan nu meldingen behandelen"),
            vec![
                String::from(
                    "Een beheerder heeft iemand een functie gegeven waarmee die meldingen behandelt en dus leest. \
                     U krijgt dit bericht omdat u zelf meldingen behandelt of privacyfunctionaris bent.",
                ),
                format!("Wie en wanneer ziet u op de startpagina: {public_url}/"),
                String::from(
                    "Klopt dit niet? Neem dan meteen contact op met de privacyfunctionaris of de griffier.",
                ),
            ],
        ),
        MailKind::TaakVerlopen => (
            format!("Weerbaar: taak {task} is over de termijn{number}"),
            vec![
                match mail.due_at {
                    Some(at) => format!("De taak {task} had af moeten zijn op {}.", moment(at)),
                    None => format!("De taak {task} is over de termijn."),
                },
                format!("Bekijk de melding: {public_url}/zaken/{case}"),
            ],
        ),
    };
    let mut body = String::from("Beste,\n\n");
    for line in lines {
        body.push_str(&line);
        body.push_str("\n\n");
    }
    body.push_str(
        "Deze e-mail bevat bewust geen inhoud van de melding; u leest die na het aanmelden.\n",
    );
    if mail.kind.optional() {
        body.push_str("Welke e-mails u krijgt, kiest u zelf: {url}/instellingen/e-mail\n");
    } else {
        body.push_str("Deze e-mail kunt u niet uitzetten.\n");
    }
    body.push_str("\n-- \nWeerbaar\n");
    let body = body.replace("{url}", public_url);
    (subject, body)
}

/// What one round of the scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// One round: queue the reminders due at `now`, then claim and send the due mails as
/// `owner` until none is left.
pub async fn run_round(
    register: &Register,
    mailer: &Mailer,
    owner: &str,
    now: Timestamp,
) -> Result<Round, weerbaar_register::RegisterError> {
    register.queue_reminders(now).await?;
    let mut round = Round::default();
    loop {
        let mails = register.claim_mails(owner, now, LEASE, BATCH).await?;
        if mails.is_empty() {
            return Ok(round);
        }
        for mail in mails {
            match mailer.send(&mail).await {
                Ok(()) => {
                    register
                        .mail_sent(&mail.id, owner, Timestamp::now())
                        .await?;
                    round.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail = %mail.id, kind = mail.kind.as_str(), %error, "a mail was not sent");
                    register
                        .mail_failed(&mail.id, owner, Timestamp::now(), &error)
                        .await?;
                    round.failed += 1;
                }
            }
        }
    }
}

/// Runs a round every `settings.interval` until `shutdown` resolves; a round under way
/// finishes first (its mails are then recorded, not left to their leases).
pub async fn run_scheduler(
    state: crate::AppState,
    mailer: Mailer,
    owner: String,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {}
        }
        if let Err(error) = run_round(state.register(), &mailer, &owner, Timestamp::now()).await {
            tracing::error!(%error, "the mail round failed");
        }
    }
}

/// A name for this instance's leases: the host name (when known) and a random part.
pub fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| String::from("weerbaar"));
    format!("{host}-{}", uuid_like())
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.random_range(0..36)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use weerbaar_register::{CaseId, OrganisationId, PersonId};

    fn mail(kind: MailKind) -> OutgoingMail {
        OutgoingMail {
            id: String::from("m"),
            organisation: OrganisationId(String::from("o")),
            person: PersonId(String::from("p")),
            to: String::from("griffie@leiden.example"),
            kind,
            case: Some(CaseId(String::from("c1"))),
            case_number: Some(12),
            subject: Some(String::from("nazorg_gesprek_1")),
            planned_at: Some("2026-03-10T09:00:00Z".parse().unwrap()),
            due_at: Some("2026-03-10T09:00:00Z".parse().unwrap()),
            attempts: 0,
        }
    }

    #[test]
    fn every_kind_renders_dutch_with_a_link() {
        for kind in MailKind::ALL {
            let (subject, body) = render(&mail(*kind), "https://w.example");
            assert!(subject.starts_with("Weerbaar: "), "{subject}");
            assert!(body.contains("https://w.example/"), "{body}");
            assert!(body.contains("geen inhoud"), "{body}");
        }
        let (_, body) = render(&mail(MailKind::NazorgAfspraak), "https://w.example");
        assert!(body.contains("10:00"), "Dutch time: {body}");
        let (subject, _) = render(&mail(MailKind::TaakVerlopen), "https://w.example");
        assert!(subject.contains("(melding 12)"), "{subject}");
    }
}
