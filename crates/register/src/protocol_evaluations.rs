//! The yearly evaluation of the protocol itself (Leiden §5.2, Westerveld §3.2): once a
//! year the council and the college look back on the cases and the dilemmas and decide
//! what in the protocol should change. Each evaluation is a record of its own — when it
//! was held, who took part, what was discussed, what changes — kept under the protocol
//! version it evaluated and linked to the version that followed it, so that the next
//! version can be traced to the discussion that led to it.
//!
//! What was said is sealed with the organisation's data key: the discussion of dilemmas
//! may come close to cases. The dates and versions are plain, so that the reminder (a
//! year without an evaluation) needs no key.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use weerbaar_protocol::calendar::amsterdam;

use crate::admin::{AdminEventKind, log_admin_event};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, redacted_debug};
use crate::register::{Register, aad};
use crate::time::{from_micros, to_micros};

/// The most a text of an evaluation may hold, in characters: several pages of minutes.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// An evaluation as the person who records it enters it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewProtocolEvaluation {
    pub held_on: Date,
    /// Who took part (names or offices, as the minutes say).
    pub participants: String,
    /// What was discussed: cases, dilemmas, what went well and what did not.
    pub discussed: String,
    /// What changes in the protocol; empty when the protocol stays as it is.
    pub changes: String,
}

redacted_debug!(NewProtocolEvaluation {
    show: [held_on],
    hide: [participants, discussed, changes],
});

/// A recorded evaluation.
#[derive(Clone, PartialEq, Eq)]
pub struct ProtocolEvaluation {
    pub id: String,
    pub held_on: Date,
    /// The protocol version in force when it was recorded.
    pub protocol_version: String,
    pub participants: String,
    pub discussed: String,
    pub changes: String,
    pub recorded_by: PersonId,
    /// `None` when the person can no longer be read (removed by retention).
    pub recorded_by_name: Option<String>,
    pub recorded_at: Timestamp,
    /// The protocol version activated after it, and when.
    pub followed_by: Option<(String, Timestamp)>,
}

redacted_debug!(ProtocolEvaluation {
    show: [
        id,
        held_on,
        protocol_version,
        recorded_by,
        recorded_at,
        followed_by
    ],
    hide: [participants, discussed, changes, recorded_by_name],
});

/// The sealed part of an evaluation.
#[derive(Serialize, Deserialize)]
struct Content {
    participants: String,
    discussed: String,
    changes: String,
}

/// Whether the protocol is due for its yearly evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationDue {
    /// The last evaluation was held less than a year ago, or the organisation is younger
    /// than a year.
    No,
    /// The last evaluation was held on this day, more than a year ago.
    SinceLast(Date),
    /// No evaluation was ever recorded, and the organisation has used Weerbaar since
    /// this day, more than a year ago.
    Never(Date),
}

/// Today in Europe/Amsterdam, the calendar every date of the register is on.
pub fn today(now: Timestamp) -> Date {
    now.to_zoned(amsterdam()).date()
}

/// Whether a year has passed since `since` on `today`.
fn a_year_after(since: Date, today: Date) -> bool {
    since
        .checked_add(1.year())
        .is_ok_and(|anniversary| today > anniversary)
}

fn check(new: &NewProtocolEvaluation, today: Date) -> Result<(), RegisterError> {
    if new.held_on > today {
        return Err(RegisterError::invalid(
            "held_on",
            "an evaluation is recorded after it was held, not before",
        ));
    }
    if new.held_on.year() < 1900 {
        return Err(RegisterError::invalid("held_on", "a date from 1900 on"));
    }
    for (field, text, required) in [
        ("participants", &new.participants, true),
        ("discussed", &new.discussed, true),
        ("changes", &new.changes, false),
    ] {
        if required && text.trim().is_empty() {
            return Err(RegisterError::invalid(field, "required"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(RegisterError::invalid(
                field,
                format!("at most {MAX_TEXT_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

impl Register {
    /// Records an evaluation of the organisation's protocol, under the version in force
    /// now, and writes it to the administration log. Only a person who handles cases
    /// under the protocol records one (the web checks this too).
    pub async fn record_protocol_evaluation(
        &self,
        organisation: &OrganisationId,
        actor: &PersonId,
        new: &NewProtocolEvaluation,
        now: Timestamp,
    ) -> Result<String, RegisterError> {
        check(new, today(now))?;
        let (key, protocol) = self.organisation(organisation).await?;
        let person = self.person(organisation, actor).await?;
        let handlers = protocol.handler_roles();
        let handles = person
            .roles
            .iter()
            .any(|(role, current)| *current && handlers.contains(role));
        if !handles {
            return Err(RegisterError::Forbidden {
                what: "protocol evaluation",
                id: actor.to_string(),
            });
        }
        let id = uuid::Uuid::now_v7().to_string();
        let content = serde_json::to_string(&Content {
            participants: new.participants.trim().to_owned(),
            discussed: new.discussed.trim().to_owned(),
            changes: new.changes.trim().to_owned(),
        })
        .map_err(|error| RegisterError::Corrupt(format!("evaluation: {error}")))?;
        let sealed = key.seal_str(&content, &aad("protocol_evaluations.content", &id));
        let at = to_micros(now);
        let held_on = new.held_on.to_string();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO protocol_evaluations (id, organisation_id, held_on, protocol_version, \
                 content_enc, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(organisation.as_str())
            .bind(&held_on)
            .bind(&protocol.version)
            .bind(&sealed)
            .bind(actor.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            log_admin_event!(tx, organisation, Some(actor), at, AdminEventKind::ProtocolEvaluated, None,
                serde_json::json!({ "held_on": held_on, "version": protocol.version }));
            tx.commit().await?;
        });
        Ok(id)
    }

    /// The organisation's evaluations of its protocol, the most recently held first.
    pub async fn protocol_evaluations(
        &self,
        organisation: &OrganisationId,
    ) -> Result<Vec<ProtocolEvaluation>, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        type EvaluationRow = (
            String,
            String,
            String,
            Vec<u8>,
            String,
            Option<Vec<u8>>,
            i64,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<EvaluationRow> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT e.id, e.held_on, e.protocol_version, e.content_enc, e.recorded_by, \
                 p.name_enc, e.recorded_at, e.followed_by_version, e.followed_at \
                 FROM protocol_evaluations e LEFT JOIN people p ON p.id = e.recorded_by \
                 WHERE e.organisation_id = $1 ORDER BY e.held_on DESC, e.recorded_at DESC",
            )
            .bind(organisation.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| -> Result<EvaluationRow, sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("held_on")?,
                    row.try_get("protocol_version")?,
                    row.try_get("content_enc")?,
                    row.try_get("recorded_by")?,
                    row.try_get("name_enc")?,
                    row.try_get("recorded_at")?,
                    row.try_get("followed_by_version")?,
                    row.try_get("followed_at")?,
                ))
            })
            .collect::<Result<_, _>>()?
        });
        rows.into_iter()
            .map(
                |(id, held_on, version, sealed, by, name, recorded_at, next, next_at)| {
                    let text =
                        key.open_string(&sealed, &aad("protocol_evaluations.content", &id))?;
                    let content: Content = serde_json::from_str(&text).map_err(|error| {
                        RegisterError::Corrupt(format!("evaluation {id}: {error}"))
                    })?;
                    let recorded_by_name = name
                        .map(|sealed| key.open_string(&sealed, &aad("people.name", &by)))
                        .transpose()?;
                    let followed_by = match (next, next_at) {
                        (Some(version), Some(at)) => Some((version, from_micros(at)?)),
                        _ => None,
                    };
                    Ok(ProtocolEvaluation {
                        held_on: held_on.parse().map_err(|_| {
                            RegisterError::Corrupt(format!("stored date `{held_on}`"))
                        })?,
                        id,
                        protocol_version: version,
                        participants: content.participants,
                        discussed: content.discussed,
                        changes: content.changes,
                        recorded_by: PersonId(by),
                        recorded_by_name,
                        recorded_at: from_micros(recorded_at)?,
                        followed_by,
                    })
                },
            )
            .collect()
    }

    /// Whether a year has passed without an evaluation of the protocol on `now`'s day.
    /// Reads dates only, no sealed content.
    pub async fn protocol_evaluation_due(
        &self,
        organisation: &OrganisationId,
        now: Timestamp,
    ) -> Result<EvaluationDue, RegisterError> {
        let (last, created_at): (Option<String>, Option<i64>) = on_db!(self.db(), pool => {
            let row = sqlx::query(
                "SELECT o.created_at, (SELECT MAX(e.held_on) FROM protocol_evaluations e \
                 WHERE e.organisation_id = o.id) AS last FROM organisations o WHERE o.id = $1",
            )
            .bind(organisation.as_str())
            .fetch_optional(pool)
            .await?;
            match row {
                Some(row) => (row.try_get("last")?, Some(row.try_get("created_at")?)),
                None => (None, None),
            }
        });
        let Some(created_at) = created_at else {
            return Err(RegisterError::NotFound {
                what: "organisation",
                id: organisation.to_string(),
            });
        };
        let today = today(now);
        if let Some(last) = last {
            let last: Date = last
                .parse()
                .map_err(|_| RegisterError::Corrupt(format!("stored date `{last}`")))?;
            return Ok(if a_year_after(last, today) {
                EvaluationDue::SinceLast(last)
            } else {
                EvaluationDue::No
            });
        }
        let since = today_of_micros(created_at)?;
        Ok(if a_year_after(since, today) {
            EvaluationDue::Never(since)
        } else {
            EvaluationDue::No
        })
    }
}

fn today_of_micros(micros: i64) -> Result<Date, RegisterError> {
    Ok(today(from_micros(micros)?))
}

/// Links the evaluations not yet followed by a version to `version`, activated `at`:
/// called inside the transaction that activates a protocol. An evaluation recorded
/// under the same version (the file was stored again unchanged in version) keeps waiting.
macro_rules! link_evaluations_to {
    ($tx:expr, $organisation:expr, $version:expr, $at:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let version: &str = $version;
        let at: i64 = $at;
        sqlx::query(
            "UPDATE protocol_evaluations SET followed_by_version = $1, followed_at = $2 \
             WHERE organisation_id = $3 AND followed_by_version IS NULL AND protocol_version <> $1",
        )
        .bind(version)
        .bind(at)
        .bind(organisation.as_str())
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use link_evaluations_to;

#[cfg(test)]
mod tests {
    use super::*;

    fn new(held_on: Date) -> NewProtocolEvaluation {
        NewProtocolEvaluation {
            held_on,
            participants: "Presidium".into(),
            discussed: "De casussen van het jaar.".into(),
            changes: String::new(),
        }
    }

    #[test]
    fn a_year_has_passed_only_after_the_anniversary() {
        let last = jiff::civil::date(2025, 3, 10);
        assert!(!a_year_after(last, jiff::civil::date(2026, 3, 10)));
        assert!(a_year_after(last, jiff::civil::date(2026, 3, 11)));
        // A leap day's anniversary is the last day of February.
        let leap = jiff::civil::date(2024, 2, 29);
        assert!(!a_year_after(leap, jiff::civil::date(2025, 2, 28)));
        assert!(a_year_after(leap, jiff::civil::date(2025, 3, 1)));
    }

    #[test]
    fn an_evaluation_is_refused_by_the_field_that_is_wrong() {
        let today = jiff::civil::date(2026, 12, 8);
        let field = |new: &NewProtocolEvaluation| match check(new, today) {
            Err(RegisterError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(field(&new(jiff::civil::date(2026, 12, 9))), "held_on");
        assert_eq!(field(&new(jiff::civil::date(1899, 12, 31))), "held_on");
        let mut blank = new(today);
        blank.participants = "  ".into();
        assert_eq!(field(&blank), "participants");
        let mut blank = new(today);
        blank.discussed = String::new();
        assert_eq!(field(&blank), "discussed");
        let mut long = new(today);
        long.changes = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(field(&long), "changes");
        assert!(check(&new(today), today).is_ok());
    }
}
