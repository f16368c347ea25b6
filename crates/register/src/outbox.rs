//! The outbox: every mail Weerbaar sends, queued in the database in the same transaction
//! as the event that causes it, and sent by a scheduler that claims mails by lease.
//!
//! A mail row holds no content: only its kind, its recipient and the ids it is about (the
//! case, and a task code or an aftercare item). The sender renders it when it is sent
//! ([`OutgoingMail`]), and what it renders carries no case content either: what kind of
//! thing waits, the case's number and a link.
//!
//! What is queued, to whom:
//! - a report arrives: the people who hold the handler's role now get
//!   [`MailKind::NieuweMelding`]; the people who hold an informed role now get
//!   [`MailKind::IncidentGemeld`] (not the reporter);
//! - aftercare is planned: each victim of the case gets [`MailKind::NazorgAfspraak`];
//! - a task is due within a day, or overdue: the people who hold its role get
//!   [`MailKind::TaakBijna`] or [`MailKind::TaakVerlopen`] ([`Register::queue_reminders`]).
//!
//! Each mail has a unique dedupe key (kind, case, subject, person), so it is queued once
//! however often or by however many instances it is queued. A person may turn each kind
//! off ([`Register::set_mail_preference`]); a person without an e-mail address gets none.
//!
//! Sending: [`Register::claim_mails`] leases due mails to one sender (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so instances never claim the same mail; on SQLite the write
//! transaction serialises). [`Register::mail_sent`] or [`Register::mail_failed`] closes
//! the attempt; a failure is retried after 1 minute, 5 minutes, 30 minutes and 2 hours,
//! and is then `failed` for good, which administrators see ([`Register::outbox`]).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{BeginWrite, Db, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, OrganisationId, PersonId, words};
use crate::register::{Register, aad, parse_word};
use crate::sessions::{new_token, token_hash};
use crate::time::{from_micros, to_micros};

words!(
    /// What a mail is about.
    MailKind {
        /// To the handler: a new report waits.
        NieuweMelding = "nieuwe_melding",
        /// To an informed role: an incident was reported (nothing more).
        IncidentGemeld = "incident_gemeld",
        /// To the victim: an aftercare conversation was planned.
        NazorgAfspraak = "nazorg_afspraak",
        /// To the handler: a task is due within a day.
        TaakBijna = "taak_bijna",
        /// To the handler: a task is overdue.
        TaakVerlopen = "taak_verlopen",
        /// To whoever handles cases now and to the privacy officers: someone was given a
        /// role with which they handle, and so read, cases (issue 14). Cannot be turned off.
        BehandelrolGegeven = "behandelrol_gegeven",
    }
);

impl MailKind {
    /// The Dutch description, for the preferences page.
    pub fn label(self) -> &'static str {
        match self {
            MailKind::NieuweMelding => "Een nieuwe melding voor mij als behandelaar",
            MailKind::IncidentGemeld => "Er is een incident gemeld (voor geïnformeerde rollen)",
            MailKind::NazorgAfspraak => "Een afspraak voor een nazorggesprek met mij",
            MailKind::TaakBijna => "Een taak moet binnen een dag af zijn",
            MailKind::TaakVerlopen => "Een taak is over de termijn",
            MailKind::BehandelrolGegeven => {
                "Iemand kreeg een functie waarmee die meldingen behandelt"
            }
        }
    }

    /// Whether a person may turn this mail off. The announcement of a new handler may not
    /// be: it is how the people who handle cases learn that someone else now reads them.
    pub fn optional(self) -> bool {
        self != MailKind::BehandelrolGegeven
    }
}

words!(
    /// Where a mail stands.
    MailState {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
    }
);

/// How long after each failed attempt the next one is made; after the last, the mail is
/// `failed`.
pub const RETRY_AFTER: [SignedDuration; 4] = [
    SignedDuration::from_mins(1),
    SignedDuration::from_mins(5),
    SignedDuration::from_mins(30),
    SignedDuration::from_hours(2),
];

/// How far ahead a task's deadline gives a reminder.
pub const REMINDER_AHEAD: SignedDuration = SignedDuration::from_hours(24);

/// Queues one mail inside an open write transaction `$tx`, unless the person turned the
/// kind off, has no e-mail address, or the same mail was queued before.
macro_rules! enqueue_mail {
    ($tx:expr, $org:expr, $person:expr, $kind:expr, $case:expr, $subject:expr, $at:expr) => {{
        let person: &str = $person;
        let kind: $crate::outbox::MailKind = $kind;
        let case: Option<&str> = $case;
        let subject: Option<&str> = $subject;
        let at: i64 = $at;
        let dedupe = format!(
            "{}:{}:{}:{}",
            kind.as_str(),
            case.unwrap_or("-"),
            subject.unwrap_or("-"),
            person
        );
        sqlx::query(
            "INSERT INTO outbox (id, organisation_id, person_id, kind, case_id, subject, dedupe_key, state, \
             attempts, next_attempt_at, created_at) \
             SELECT $1, p.organisation_id, p.id, $2, $3, $4, $5, 'queued', 0, $6, $6 FROM people p \
             WHERE p.id = $7 AND p.organisation_id = $8 AND p.email_enc IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM mail_preferences m WHERE m.person_id = p.id AND m.kind = $2 AND m.enabled = $9) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(kind.as_str())
        .bind(case)
        .bind(subject)
        .bind(dedupe)
        .bind(at)
        .bind(person)
        .bind($org)
        .bind(false)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use enqueue_mail;

/// Queues a mail to everyone who holds `$role` now in `$org` (but `$except`).
macro_rules! enqueue_for_role {
    ($tx:expr, $org:expr, $role:expr, $except:expr, $kind:expr, $case:expr, $subject:expr, $at:expr) => {{
        let org: &str = $org;
        let except: Option<&str> = $except;
        let holders = sqlx::query(
            "SELECT r.person_id FROM person_roles r JOIN people p ON p.id = r.person_id \
             WHERE r.role = $1 AND r.current = $2 AND p.organisation_id = $3 ORDER BY r.person_id",
        )
        .bind($role)
        .bind(true)
        .bind(org)
        .fetch_all(&mut *$tx)
        .await?;
        for holder in holders {
            let holder: String = sqlx::Row::try_get(&holder, "person_id")?;
            if Some(holder.as_str()) == except {
                continue;
            }
            $crate::outbox::enqueue_mail!($tx, org, holder.as_str(), $kind, $case, $subject, $at);
        }
    }};
}
pub(crate) use enqueue_for_role;

/// One mail in the administrators' overview: never its content, never the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub person: PersonId,
    pub kind: MailKind,
    pub state: MailState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// A mail claimed for sending, with what rendering it needs: the address, the case's
/// number and id, the task or the aftercare moment. No content of the case.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: String,
    pub organisation: OrganisationId,
    pub person: PersonId,
    pub to: String,
    pub kind: MailKind,
    pub case: Option<CaseId>,
    pub case_number: Option<i64>,
    /// The task's code (reminders) or the aftercare item's id.
    pub subject: Option<String>,
    /// The planned moment of an aftercare conversation.
    pub planned_at: Option<Timestamp>,
    /// The task's deadline (reminders).
    pub due_at: Option<Timestamp>,
    /// Attempts made before this one.
    pub attempts: u32,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("case", &self.case)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// What a reminder run queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemindersQueued {
    /// Tasks looked at (open, with a deadline within a day or past).
    pub tasks: usize,
}

/// The deadline of a task stored as a date: the end of that day in Amsterdam.
fn date_deadline(date: &str) -> Result<Timestamp, RegisterError> {
    let date: jiff::civil::Date = date
        .parse()
        .map_err(|e: jiff::Error| RegisterError::Corrupt(e.to_string()))?;
    let next = date
        .tomorrow()
        .map_err(|e| RegisterError::Corrupt(e.to_string()))?;
    next.to_zoned(
        jiff::tz::TimeZone::get("Europe/Amsterdam")
            .map_err(|e| RegisterError::Corrupt(e.to_string()))?,
    )
    .map(|z| z.timestamp())
    .map_err(|e| RegisterError::Corrupt(e.to_string()))
}

impl Register {
    /// Queues the reminders due at `now`: for each open task of a case that is not
    /// archived or anonymised, whose deadline lies within [`REMINDER_AHEAD`] (a
    /// [`MailKind::TaakBijna`]) or has passed ([`MailKind::TaakVerlopen`]), a mail to each
    /// holder of its role. Each reminder is queued once (its dedupe key), however often
    /// this runs and on however many instances.
    pub async fn queue_reminders(&self, now: Timestamp) -> Result<RemindersQueued, RegisterError> {
        let now_micros = to_micros(now);
        let ahead = now
            .checked_add(REMINDER_AHEAD)
            .map_err(|_| RegisterError::invalid("now", "outside the calendar"))?;
        // Dates compare as text (ISO); a day later covers every date deadline within a day.
        let ahead_date = ahead
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .tomorrow()
            .map_err(|e| RegisterError::Corrupt(e.to_string()))?
            .to_string();
        let mut queued = RemindersQueued::default();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let rows = sqlx::query(
                "SELECT t.case_id, t.organisation_id, t.code, t.assignee_role, t.due_at, t.due_date \
                 FROM tasks t JOIN cases c ON c.id = t.case_id \
                 WHERE t.done_at IS NULL AND c.anonymised_at IS NULL AND c.status <> $1 \
                 AND ((t.due_at IS NOT NULL AND t.due_at <= $2) OR (t.due_date IS NOT NULL AND t.due_date <= $3)) \
                 ORDER BY t.case_id, t.code",
            )
            .bind(crate::model::CaseStatus::Gearchiveerd.as_str())
            .bind(to_micros(ahead))
            .bind(ahead_date.as_str())
            .fetch_all(&mut *tx)
            .await?;
            for row in rows {
                let case: String = row.try_get("case_id")?;
                let org: String = row.try_get("organisation_id")?;
                let code: String = row.try_get("code")?;
                let role: String = row.try_get("assignee_role")?;
                let due = match (row.try_get::<Option<i64>, _>("due_at")?, row.try_get::<Option<String>, _>("due_date")?) {
                    (Some(due), _) => from_micros(due)?,
                    (None, Some(date)) => date_deadline(&date)?,
                    (None, None) => continue,
                };
                let kind = if due <= now {
                    MailKind::TaakVerlopen
                } else if due <= ahead {
                    MailKind::TaakBijna
                } else {
                    continue;
                };
                queued.tasks += 1;
                enqueue_for_role!(tx, org.as_str(), role.as_str(), None, kind, Some(case.as_str()), Some(code.as_str()), now_micros);
            }
            tx.commit().await?;
        });
        Ok(queued)
    }

    /// Claims up to `limit` mails due at `now` for `owner` (an instance's name) until
    /// `now + lease`, and reads what sending them needs. A mail leased to another sender
    /// whose lease has not run out is not claimed.
    pub async fn claim_mails(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> Result<Vec<OutgoingMail>, RegisterError> {
        let now_micros = to_micros(now);
        let until = to_micros(
            now.checked_add(lease)
                .map_err(|_| RegisterError::invalid("lease", "outside the calendar"))?,
        );
        let claimed: Vec<String> = match self.db() {
            Db::Postgres(pool) => {
                let rows = sqlx::query(
                    "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN (\
                     SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $3 \
                     AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id \
                     LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id",
                )
                .bind(owner)
                .bind(until)
                .bind(now_micros)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<_, _>>()?
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_write().await?;
                let rows = sqlx::query(
                    "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN (\
                     SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $3 \
                     AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id \
                     LIMIT $4) RETURNING id",
                )
                .bind(owner)
                .bind(until)
                .bind(now_micros)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<_, _>>()?
            }
        };
        let mut mails = Vec::with_capacity(claimed.len());
        for id in claimed {
            mails.push(self.outgoing(&id).await?);
        }
        Ok(mails)
    }

    /// What sending the mail `id` needs.
    async fn outgoing(&self, id: &str) -> Result<OutgoingMail, RegisterError> {
        type Fields = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<Vec<u8>>,
            Option<i64>,
        );
        let row: Fields = on_db!(self.db(), pool => {
            let row = sqlx::query(
                "SELECT o.organisation_id, o.person_id, o.kind, o.case_id, o.subject, o.attempts, p.email_enc, c.number \
                 FROM outbox o JOIN people p ON p.id = o.person_id LEFT JOIN cases c ON c.id = o.case_id \
                 WHERE o.id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?;
            (
                row.try_get("organisation_id")?,
                row.try_get("person_id")?,
                row.try_get("kind")?,
                row.try_get("case_id")?,
                row.try_get("subject")?,
                row.try_get("attempts")?,
                row.try_get("email_enc")?,
                row.try_get("number")?,
            )
        });
        let (org, person, kind, case, subject, attempts, email_enc, number) = row;
        let organisation = OrganisationId(org);
        let (key, _) = self.organisation(&organisation).await?;
        let to = match email_enc {
            Some(sealed) => key.open_string(&sealed, &aad("people.email", &person))?,
            None => String::new(),
        };
        let kind = parse_word(MailKind::parse, kind)?;
        let mut planned_at = None;
        let mut due_at = None;
        if let (Some(case), Some(subject)) = (&case, &subject) {
            match kind {
                MailKind::NazorgAfspraak => {
                    let state: Option<String> = on_db!(self.db(), pool => {
                        sqlx::query("SELECT state_json FROM case_items WHERE id = $1 AND case_id = $2")
                            .bind(subject.as_str())
                            .bind(case.as_str())
                            .fetch_optional(pool)
                            .await?
                            .map(|r| r.try_get::<String, _>("state_json"))
                            .transpose()?
                    });
                    planned_at = state
                        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                        .and_then(|v| {
                            v["planned_at"]
                                .as_str()
                                .and_then(|t| t.parse::<Timestamp>().ok())
                        });
                }
                MailKind::TaakBijna | MailKind::TaakVerlopen => {
                    let due: Option<(Option<i64>, Option<String>)> = on_db!(self.db(), pool => {
                        sqlx::query("SELECT due_at, due_date FROM tasks WHERE case_id = $1 AND code = $2")
                            .bind(case.as_str())
                            .bind(subject.as_str())
                            .fetch_optional(pool)
                            .await?
                            .map(|r| -> Result<_, sqlx::Error> { Ok((r.try_get("due_at")?, r.try_get("due_date")?)) })
                            .transpose()?
                    });
                    due_at = match due {
                        Some((Some(micros), _)) => Some(from_micros(micros)?),
                        Some((None, Some(date))) => Some(date_deadline(&date)?),
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        Ok(OutgoingMail {
            id: id.to_owned(),
            organisation,
            person: PersonId(person),
            to,
            kind,
            case: case.map(CaseId),
            case_number: number,
            subject,
            planned_at,
            due_at,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        })
    }

    /// Records that `owner` sent the mail `id`. False when the lease was no longer
    /// `owner`'s (another sender took it over after the lease ran out).
    pub async fn mail_sent(
        &self,
        id: &str,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, RegisterError> {
        let done = on_db!(self.db(), pool => {
            sqlx::query(
                "UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, lease_owner = NULL, \
                 lease_until = NULL, last_error = NULL WHERE id = $2 AND lease_owner = $3 AND state = 'queued'",
            )
            .bind(to_micros(now))
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a failed attempt of `owner` to send the mail `id`: retried after the next
    /// step of [`RETRY_AFTER`], or `failed` after the last. `error` says what went wrong
    /// (the SMTP reply's class, a connection error), never the mail; it is cut to 200
    /// characters.
    pub async fn mail_failed(
        &self,
        id: &str,
        owner: &str,
        now: Timestamp,
        error: &str,
    ) -> Result<MailState, RegisterError> {
        let error: String = error.chars().take(200).collect();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let row = sqlx::query("SELECT attempts FROM outbox WHERE id = $1 AND lease_owner = $2 AND state = 'queued'")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(RegisterError::NotFound { what: "leased mail", id: id.to_owned() });
            };
            let attempts: i64 = row.try_get("attempts")?;
            let step = usize::try_from(attempts).unwrap_or(usize::MAX);
            let (state, next) = match RETRY_AFTER.get(step) {
                Some(wait) => (
                    MailState::Queued,
                    now.checked_add(*wait).map_err(|_| RegisterError::invalid("now", "outside the calendar"))?,
                ),
                None => (MailState::Failed, now),
            };
            sqlx::query(
                "UPDATE outbox SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, \
                 lease_owner = NULL, lease_until = NULL WHERE id = $4",
            )
            .bind(state.as_str())
            .bind(to_micros(next))
            .bind(error.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(state)
        })
    }

    /// The organisation's outbox for its administrators, newest first, at most `limit`
    /// mails: kind, state, attempts, the last error; no content, no address.
    pub async fn outbox(
        &self,
        organisation: &OrganisationId,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, RegisterError> {
        on_db!(self.db(), pool => {
            let rows = sqlx::query(
                "SELECT id, person_id, kind, state, attempts, next_attempt_at, last_error, created_at, sent_at \
                 FROM outbox WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            )
            .bind(organisation.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(OutboxEntry {
                        id: row.try_get("id")?,
                        person: PersonId(row.try_get("person_id")?),
                        kind: parse_word(MailKind::parse, row.try_get("kind")?)?,
                        state: parse_word(MailState::parse, row.try_get("state")?)?,
                        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                        next_attempt_at: from_micros(row.try_get("next_attempt_at")?)?,
                        last_error: row.try_get("last_error")?,
                        created_at: from_micros(row.try_get("created_at")?)?,
                        sent_at: row.try_get::<Option<i64>, _>("sent_at")?.map(from_micros).transpose()?,
                    })
                })
                .collect()
        })
    }

    /// Which kinds of mail `person` gets: every kind, with whether it is on.
    pub async fn mail_preferences(
        &self,
        person: &PersonId,
    ) -> Result<Vec<(MailKind, bool)>, RegisterError> {
        let off: Vec<String> = on_db!(self.db(), pool => {
            sqlx::query("SELECT kind FROM mail_preferences WHERE person_id = $1 AND enabled = $2")
                .bind(person.as_str())
                .bind(false)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get("kind"))
                .collect::<Result<_, _>>()?
        });
        Ok(MailKind::ALL
            .iter()
            .map(|kind| (*kind, !off.iter().any(|o| o == kind.as_str())))
            .collect())
    }

    /// Turns one kind of mail on or off for `person` (of `organisation`). Mails already
    /// queued are still sent.
    pub async fn set_mail_preference(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        kind: MailKind,
        enabled: bool,
    ) -> Result<(), RegisterError> {
        if !kind.optional() {
            return Err(RegisterError::invalid(
                "kind",
                format!("the mail `{}` cannot be turned off", kind.as_str()),
            ));
        }
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(person.as_str())
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: person.to_string() });
            }
            sqlx::query(
                "INSERT INTO mail_preferences (person_id, kind, enabled, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (person_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
            )
            .bind(person.as_str())
            .bind(kind.as_str())
            .bind(enabled)
            .bind(to_micros(Timestamp::now()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Makes a new secret calendar link for `person`, replacing any earlier one; returns
    /// the token, shown once (only its hash is kept).
    pub async fn create_calendar_feed(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<String, RegisterError> {
        let token = new_token();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(person.as_str())
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: person.to_string() });
            }
            sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
                .bind(person.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO calendar_feeds (person_id, organisation_id, token_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(person.as_str())
                .bind(organisation.as_str())
                .bind(token_hash(&token))
                .bind(to_micros(Timestamp::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(token)
    }

    /// When `person`'s calendar link was made, if they have one.
    pub async fn calendar_feed_since(
        &self,
        person: &PersonId,
    ) -> Result<Option<Timestamp>, RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query("SELECT created_at FROM calendar_feeds WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_optional(pool)
                .await?
                .map(|r| from_micros(r.try_get("created_at")?))
                .transpose()
        })
    }

    /// Revokes `person`'s calendar link; true when there was one.
    pub async fn revoke_calendar_feed(&self, person: &PersonId) -> Result<bool, RegisterError> {
        let gone = on_db!(self.db(), pool => {
            sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
                .bind(person.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(gone > 0)
    }

    /// Whose calendar link `token` is, if it is a live one of an account that is not
    /// disabled.
    pub async fn calendar_feed_owner(
        &self,
        token: &str,
    ) -> Result<Option<(OrganisationId, PersonId)>, RegisterError> {
        on_db!(self.db(), pool => {
            let row = sqlx::query(
                "SELECT f.organisation_id, f.person_id FROM calendar_feeds f \
                 LEFT JOIN accounts a ON a.person_id = f.person_id \
                 WHERE f.token_hash = $1 AND (a.disabled IS NULL OR a.disabled = $2)",
            )
            .bind(token_hash(token))
            .bind(false)
            .fetch_optional(pool)
            .await?;
            row.map(|r| -> Result<_, RegisterError> {
                Ok((OrganisationId(r.try_get("organisation_id")?), PersonId(r.try_get("person_id")?)))
            })
            .transpose()
        })
    }
}
