//! What the privacy officer (the FG) oversees, without the content of any case (issue
//! 14): who read which case, when, and with which roles at that moment; who was let into
//! a case by its handler and who lost that access; and which cases retention anonymised.
//! The changes of roles and duties and the exports are entries of the administration log
//! ([`Register::admin_events`]); the page shows them beside these.
//!
//! Only a person with the privacy duty of the organisation reads this; anyone else is
//! refused. Reading it reads no case and is not a read of one.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::Row;
use weerbaar_protocol::Role;

use crate::access::{roles_of_read, scope_of};
use crate::db::{BeginSnapshot, on_db};
use crate::duties::Duty;
use crate::error::RegisterError;
use crate::model::{CaseStatus, EventKind, OrganisationId, PersonId, redacted_debug};
use crate::register::{Register, aad, parse_word};
use crate::time::from_micros;

/// How many entries of each list the overview holds; the page says when there are more.
pub const OVERVIEW_LENGTH: usize = 200;

/// One read of a case.
#[derive(Clone, PartialEq, Eq)]
pub struct CaseRead {
    pub at: Timestamp,
    pub case_number: i64,
    pub by: PersonId,
    pub by_name: String,
    /// The roles held at the moment of reading, or (when `roles_at_read` is false, for a
    /// read recorded before they were kept) the roles held now.
    pub by_roles: Vec<Role>,
    pub roles_at_read: bool,
    /// What was read, as [`crate::AccessLogEntry::scope`].
    pub scope: String,
}

redacted_debug!(CaseRead {
    show: [at, case_number, by, by_roles, roles_at_read, scope],
    hide: [by_name],
});

/// A handler let someone into a case, or ended that access.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessChange {
    pub at: Timestamp,
    pub case_number: i64,
    pub granted: bool,
    pub by: Option<PersonId>,
    pub by_name: String,
    pub to: Option<PersonId>,
    pub to_name: String,
}

redacted_debug!(AccessChange {
    show: [at, case_number, granted, by, to],
    hide: [by_name, to_name],
});

/// A case anonymised under the retention policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anonymisation {
    pub at: Timestamp,
    pub case_number: i64,
    /// The status whose period ran out.
    pub status: CaseStatus,
    pub period_days: i64,
}

/// The privacy officer's overview, newest first in each list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyOverview {
    pub reads: Vec<CaseRead>,
    /// More reads than [`OVERVIEW_LENGTH`] matched.
    pub more_reads: bool,
    pub access_changes: Vec<AccessChange>,
    pub anonymisations: Vec<Anonymisation>,
}

// Over all cases, the newest reads and access changes come from partial indexes of
// migration 0014 (events of those kinds by moment), walked newest first until the list
// is full; `CROSS JOIN` keeps SQLite from starting at the organisation's cases instead,
// which would read every event of every case (PostgreSQL reads it as a plain join and
// plans it itself). The kinds are literals, as they must be for the indexes to apply.
// For one case, its own events are read through the case.
const READS: &str = "SELECT e.case_id, e.seq, e.at, e.actor_id, e.payload_enc, c.number \
     FROM events e CROSS JOIN cases c \
     WHERE c.id = e.case_id AND e.kind = 'viewed' AND c.organisation_id = $1 \
     ORDER BY e.at DESC, e.seq DESC LIMIT $2";
const READS_OF_CASE: &str = "SELECT e.case_id, e.seq, e.at, e.actor_id, e.payload_enc, c.number \
     FROM cases c JOIN events e ON e.case_id = c.id \
     WHERE c.organisation_id = $1 AND c.number = $2 AND e.kind = 'viewed' \
     ORDER BY e.at DESC, e.seq DESC LIMIT $3";
const ACCESS_CHANGES: &str = "SELECT e.case_id, e.seq, e.at, e.kind, e.actor_id, e.payload_enc, c.number \
     FROM events e CROSS JOIN cases c \
     WHERE c.id = e.case_id AND e.kind IN ('access_granted', 'access_revoked') AND c.organisation_id = $1 \
     ORDER BY e.at DESC, e.seq DESC LIMIT $2";
const ACCESS_CHANGES_OF_CASE: &str = "SELECT e.case_id, e.seq, e.at, e.kind, e.actor_id, e.payload_enc, c.number \
     FROM cases c JOIN events e ON e.case_id = c.id \
     WHERE c.organisation_id = $1 AND c.number = $2 AND e.kind IN ('access_granted', 'access_revoked') \
     ORDER BY e.at DESC, e.seq DESC LIMIT $3";
const ANONYMISATIONS: &str = "SELECT r.at, r.status, r.period_days, c.number FROM retention_log r \
     JOIN cases c ON c.id = r.case_id WHERE c.organisation_id = $1 \
     ORDER BY r.at DESC, c.number DESC LIMIT $2";
const ANONYMISATIONS_OF_CASE: &str = "SELECT r.at, r.status, r.period_days, c.number FROM retention_log r \
     JOIN cases c ON c.id = r.case_id WHERE c.organisation_id = $1 AND c.number = $2 \
     ORDER BY r.at DESC LIMIT $3";

/// A query of the overview with its arguments: over all cases, or over one.
fn bound<'q, DB: sqlx::Database>(
    all: &'static str,
    of_case: &'static str,
    organisation: &'q str,
    case_number: Option<i64>,
    limit: i64,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match case_number {
        None => sqlx::query(all).bind(organisation).bind(limit),
        Some(number) => sqlx::query(of_case)
            .bind(organisation)
            .bind(number)
            .bind(limit),
    }
}

/// An event row as read, before its payload is opened: case id, sequence number,
/// moment, kind, actor, sealed payload, case number.
type EventRow = (
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<Vec<u8>>,
    i64,
);

/// The event rows of a query of the overview, as [`EventRow`]s; `kind` when the query
/// reads one kind and so does not select it.
macro_rules! event_rows {
    ($rows:expr, $kind:expr) => {{
        let mut out: Vec<EventRow> = Vec::with_capacity($rows.len());
        for row in &$rows {
            out.push((
                row.try_get("case_id")?,
                row.try_get("seq")?,
                row.try_get("at")?,
                match $kind {
                    Some(kind) => kind.to_owned(),
                    None => row.try_get("kind")?,
                },
                row.try_get("actor_id")?,
                row.try_get("payload_enc")?,
                row.try_get("number")?,
            ));
        }
        out
    }};
}

impl Register {
    /// The overview for `actor`, who must hold the privacy duty of `organisation`; with
    /// `case_number`, only what concerns that case.
    pub async fn privacy_overview(
        &self,
        organisation: &OrganisationId,
        actor: &PersonId,
        case_number: Option<i64>,
    ) -> Result<PrivacyOverview, RegisterError> {
        let me = self.person(organisation, actor).await?;
        if !me.duties.contains(&Duty::Privacy) {
            return Err(RegisterError::Forbidden {
                what: "privacy overview",
                id: actor.to_string(),
            });
        }
        let (key, _) = self.organisation(organisation).await?;
        let org = organisation.as_str();
        let limit = i64::try_from(OVERVIEW_LENGTH + 1).unwrap_or(i64::MAX);
        let (reads, changes, retention) = on_db!(self.db(), pool => {
            let mut tx = pool.begin_snapshot().await?;
            let reads = bound(READS, READS_OF_CASE, org, case_number, limit)
                .fetch_all(&mut *tx)
                .await?;
            let reads = event_rows!(reads, Some(EventKind::Viewed.as_str()));
            let changes = bound(ACCESS_CHANGES, ACCESS_CHANGES_OF_CASE, org, case_number, limit)
                .fetch_all(&mut *tx)
                .await?;
            let changes = event_rows!(changes, None::<&str>);
            let mut retention = Vec::new();
            for row in bound(ANONYMISATIONS, ANONYMISATIONS_OF_CASE, org, case_number, limit)
                .fetch_all(&mut *tx)
                .await?
            {
                let at: i64 = row.try_get("at")?;
                let status: String = row.try_get("status")?;
                let period_days: i64 = row.try_get("period_days")?;
                let number: i64 = row.try_get("number")?;
                retention.push((at, status, period_days, number));
            }
            tx.commit().await?;
            (reads, changes, retention)
        });

        let people: HashMap<String, (String, Vec<Role>)> = self
            .people(organisation)
            .await?
            .into_iter()
            .map(|p| {
                let current = p
                    .roles
                    .iter()
                    .filter(|(_, now)| *now)
                    .map(|(r, _)| *r)
                    .collect();
                (p.id.to_string(), (p.name, current))
            })
            .collect();
        let name_of = |id: Option<&str>| {
            id.and_then(|id| people.get(id))
                .map(|(name, _)| name.clone())
                .unwrap_or_default()
        };
        let open = |row: &EventRow| -> Result<Option<serde_json::Value>, RegisterError> {
            let (case, seq, _, _, _, payload, _) = row;
            payload
                .as_ref()
                .map(|sealed| {
                    let bytes =
                        key.open(sealed, &aad("events.payload", &format!("{case}:{seq}")))?;
                    serde_json::from_slice(&bytes)
                        .map_err(|e| RegisterError::Corrupt(e.to_string()))
                })
                .transpose()
        };

        let more_reads = reads.len() > OVERVIEW_LENGTH;
        let mut read_list = Vec::with_capacity(reads.len().min(OVERVIEW_LENGTH));
        for row in reads.iter().take(OVERVIEW_LENGTH) {
            let payload = open(row)?;
            let actor = row.4.clone().unwrap_or_default();
            let roles_then = roles_of_read(payload.as_ref())?;
            let roles_now = people
                .get(&actor)
                .map(|(_, roles)| roles.clone())
                .unwrap_or_default();
            read_list.push(CaseRead {
                at: from_micros(row.2)?,
                case_number: row.6,
                by_name: name_of(Some(&actor)),
                by: PersonId(actor),
                roles_at_read: roles_then.is_some(),
                by_roles: roles_then.unwrap_or(roles_now),
                scope: scope_of(payload.as_ref()),
            });
        }
        let mut access_changes = Vec::with_capacity(changes.len());
        for row in changes.iter().take(OVERVIEW_LENGTH) {
            let payload = open(row)?;
            let to = payload
                .as_ref()
                .and_then(|p| p.get("person"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            access_changes.push(AccessChange {
                at: from_micros(row.2)?,
                case_number: row.6,
                granted: row.3 == EventKind::AccessGranted.as_str(),
                by_name: name_of(row.4.as_deref()),
                by: row.4.clone().map(PersonId),
                to_name: name_of(to.as_deref()),
                to: to.map(PersonId),
            });
        }
        let mut anonymisations = Vec::with_capacity(retention.len());
        for (at, status, period_days, number) in retention.into_iter().take(OVERVIEW_LENGTH) {
            anonymisations.push(Anonymisation {
                at: from_micros(at)?,
                case_number: number,
                status: parse_word(CaseStatus::parse, status)?,
                period_days,
            });
        }
        Ok(PrivacyOverview {
            reads: read_list,
            more_reads,
            access_changes,
            anonymisations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overview's lists come from the partial indexes of migration 0014, not from a
    /// scan of every event.
    #[tokio::test]
    async fn the_overviews_reads_use_their_indexes_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let db = crate::db::Db::connect(&url).await.unwrap();
        let crate::db::Db::Sqlite(pool) = &db else {
            panic!("not SQLite")
        };
        for (sql, index) in [
            (READS, "events_viewed_at"),
            (ACCESS_CHANGES, "events_access_at"),
        ] {
            let rows = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!(
                "EXPLAIN QUERY PLAN {sql}"
            )))
            .bind("org")
            .bind(201_i64)
            .fetch_all(pool)
            .await
            .unwrap();
            let plan: Vec<&str> = rows.iter().map(|row| row.3.as_str()).collect();
            assert!(
                plan.iter().any(|line| line.contains(index)),
                "{sql}\n{}",
                plan.join("\n")
            );
        }
        db.close().await;
    }
}
