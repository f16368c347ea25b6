//! Retention: cases are kept for a period per status (configuration), then anonymised.
//! Anonymising erases what identifies anyone — the account, the place, the people, the
//! perpetrator, the notes, the evidence, every event's payload — and keeps what the
//! statistics and the audit need: category, dates, roles, channel, the plan, and the
//! chain of events (which covers payload digests, so it stays verifiable).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::json;
use sqlx::Row;

use crate::admin::{AdminEventKind, log_admin_event, require_admin_actor};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, CaseStatus, EventKind, OrganisationId, PersonId};
use crate::register::{Register, append_event};
use crate::time::to_micros;

/// How long a case is kept in each status before it is anonymised, in days. A status
/// that is not listed is kept until its status changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub days: BTreeMap<&'static str, u32>,
}

impl RetentionPolicy {
    /// Sets the period of a status. Only closed cases may expire: an open case is still
    /// being worked.
    pub fn keep(mut self, status: CaseStatus, days: u32) -> Result<RetentionPolicy, RegisterError> {
        if !matches!(status, CaseStatus::Afgerond | CaseStatus::Gearchiveerd) {
            return Err(RegisterError::invalid(
                format!("retention.{}", status.as_str()),
                "only closed cases (afgerond, gearchiveerd) can expire",
            ));
        }
        self.days.insert(status.as_str(), days);
        Ok(self)
    }
}

/// The statuses that can expire: a closed case. An open case is still being worked.
pub const CLOSED_STATUSES: &[CaseStatus] = &[CaseStatus::Afgerond, CaseStatus::Gearchiveerd];

/// The longest period the register takes: a hundred years, well past any archive law.
pub const MAX_RETENTION_DAYS: u32 = 36_600;

/// Where the retention period in force for a status comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionSource {
    /// The organisation set its own period (on the administration pages).
    Organisation,
    /// The installation's default, `[retention]` in weerbaar.toml.
    Default,
    /// Neither: cases in this status are kept until their status changes.
    None,
}

/// The retention period in force for one closed status of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod {
    pub status: CaseStatus,
    pub days: Option<u32>,
    pub source: RetentionSource,
}

/// What one run of the retention job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRun {
    pub anonymised: Vec<CaseId>,
    /// Cases that expired but could not be anonymised, with the reason; tried again on
    /// the next run.
    pub failed: Vec<(CaseId, String)>,
}

impl Register {
    /// The periods an organisation set itself, by status.
    async fn own_retention(
        &self,
        organisation: &OrganisationId,
    ) -> Result<BTreeMap<String, u32>, RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query("SELECT status, days FROM retention_periods WHERE organisation_id = $1")
                .bind(organisation.as_str())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| -> Result<(String, u32), RegisterError> {
                    let days: i64 = row.try_get("days")?;
                    let days = u32::try_from(days)
                        .map_err(|_| RegisterError::Corrupt(format!("retention period of {days} days")))?;
                    Ok((row.try_get("status")?, days))
                })
                .collect()
        })
    }

    /// The retention period in force for each closed status of an organisation: its
    /// own where it set one, else the installation's default, else none.
    pub async fn retention_in_force(
        &self,
        organisation: &OrganisationId,
    ) -> Result<Vec<RetentionPeriod>, RegisterError> {
        self.organisation(organisation).await?;
        self.periods_in_force(organisation).await
    }

    /// [`Register::retention_in_force`] without opening the organisation's key: the
    /// retention run must go on past an organisation whose key is not this master key
    /// (its cases are then reported as failed, one by one).
    async fn periods_in_force(
        &self,
        organisation: &OrganisationId,
    ) -> Result<Vec<RetentionPeriod>, RegisterError> {
        let own = self.own_retention(organisation).await?;
        Ok(CLOSED_STATUSES
            .iter()
            .map(|status| {
                let key = status.as_str();
                match (own.get(key), self.retention_defaults().days.get(key)) {
                    (Some(days), _) => RetentionPeriod {
                        status: *status,
                        days: Some(*days),
                        source: RetentionSource::Organisation,
                    },
                    (None, Some(days)) => RetentionPeriod {
                        status: *status,
                        days: Some(*days),
                        source: RetentionSource::Default,
                    },
                    (None, None) => RetentionPeriod {
                        status: *status,
                        days: None,
                        source: RetentionSource::None,
                    },
                }
            })
            .collect())
    }

    /// Sets the organisation's own retention periods: for each listed closed status,
    /// `Some(days)` sets its own period and `None` returns it to the installation's
    /// default. Logged in the administration log in the same transaction.
    pub async fn set_retention_periods(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        periods: &[(CaseStatus, Option<u32>)],
    ) -> Result<(), RegisterError> {
        for (status, days) in periods {
            if !CLOSED_STATUSES.contains(status) {
                return Err(RegisterError::invalid(
                    format!("retention.{}", status.as_str()),
                    "only closed cases (afgerond, gearchiveerd) can expire",
                ));
            }
            if days.is_some_and(|days| days > MAX_RETENTION_DAYS) {
                return Err(RegisterError::invalid(
                    format!("retention.{}", status.as_str()),
                    format!("at most {MAX_RETENTION_DAYS} days"),
                ));
            }
        }
        self.organisation(organisation).await?;
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            let mut from = serde_json::Map::new();
            for row in sqlx::query("SELECT status, days FROM retention_periods WHERE organisation_id = $1")
                .bind(organisation.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                from.insert(row.try_get("status")?, json!(row.try_get::<i64, _>("days")?));
            }
            let mut to = from.clone();
            for (status, days) in periods {
                sqlx::query("DELETE FROM retention_periods WHERE organisation_id = $1 AND status = $2")
                    .bind(organisation.as_str())
                    .bind(status.as_str())
                    .execute(&mut *tx)
                    .await?;
                to.remove(status.as_str());
                if let Some(days) = days {
                    sqlx::query(
                        "INSERT INTO retention_periods (organisation_id, status, days, updated_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(organisation.as_str())
                    .bind(status.as_str())
                    .bind(i64::from(*days))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    to.insert(status.as_str().to_owned(), json!(days));
                }
            }
            if from != to {
                log_admin_event!(tx, organisation, actor, at, AdminEventKind::RetentionChanged, None,
                    json!({ "from": from, "to": to }));
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Applies, organisation by organisation, the retention periods in force for it
    /// ([`Register::retention_in_force`]) as of `now`.
    pub async fn apply_retention_in_force(
        &self,
        now: Timestamp,
    ) -> Result<RetentionRun, RegisterError> {
        let mut run = RetentionRun::default();
        for organisation in self.organisations().await? {
            let mut policy = RetentionPolicy::default();
            for period in self.periods_in_force(&organisation.id).await? {
                if let Some(days) = period.days {
                    policy = policy.keep(period.status, days)?;
                }
            }
            let part = self
                .apply_retention_to(&policy, Some(&organisation.id), now)
                .await?;
            run.anonymised.extend(part.anonymised);
            run.failed.extend(part.failed);
        }
        Ok(run)
    }

    /// Anonymises every case whose status has lasted longer than the policy keeps it,
    /// as of `now`, in every organisation alike. Each case is its own transaction, logged
    /// in `retention_log` and as an `anonymised` event on its timeline.
    pub async fn apply_retention(
        &self,
        policy: &RetentionPolicy,
        now: Timestamp,
    ) -> Result<RetentionRun, RegisterError> {
        self.apply_retention_to(policy, None, now).await
    }

    /// [`Register::apply_retention`], for one organisation's cases or (`None`) for all.
    async fn apply_retention_to(
        &self,
        policy: &RetentionPolicy,
        organisation: Option<&OrganisationId>,
        now: Timestamp,
    ) -> Result<RetentionRun, RegisterError> {
        let organisation = organisation.map(OrganisationId::as_str);
        let mut run = RetentionRun::default();
        for (status, days) in &policy.days {
            // Days of 24 hours: a retention period of years does not hinge on an hour.
            let cutoff = now
                .checked_sub(jiff::SignedDuration::from_hours(i64::from(*days) * 24))
                .map_err(|_| {
                    RegisterError::invalid(format!("retention.{status}"), "the period is too long")
                })?;
            let expired: Vec<(String, String)> = on_db!(self.db(), pool => {
                sqlx::query(
                    "SELECT id, organisation_id FROM cases WHERE status = $1 AND anonymised_at IS NULL \
                     AND COALESCE(status_since, created_at) < $2 \
                     AND ($3 IS NULL OR organisation_id = $3) ORDER BY id",
                )
                .bind(*status)
                .bind(to_micros(cutoff))
                .bind(organisation)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("id")?, row.try_get("organisation_id")?)))
                .collect::<Result<_, sqlx::Error>>()?
            });
            for (case, organisation) in expired {
                let case = CaseId(case);
                // One case that cannot be anonymised (say, its organisation's key is not
                // this master key) must not keep every later case from expiring.
                match self
                    .anonymise(
                        &case,
                        &crate::model::OrganisationId(organisation),
                        status,
                        *days,
                        now,
                    )
                    .await
                {
                    Ok(true) => run.anonymised.push(case),
                    Ok(false) => {}
                    Err(error) => run.failed.push((case, error.to_string())),
                }
            }
        }
        Ok(run)
    }

    async fn anonymise(
        &self,
        case: &CaseId,
        organisation: &crate::model::OrganisationId,
        status: &str,
        days: u32,
        now: Timestamp,
    ) -> Result<bool, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let at = to_micros(now);
        let evidence_files: Vec<String> = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            // Claim the case first, with the conditions in the update itself: this locks the
            // row on PostgreSQL, and a case re-opened a moment ago no longer matches.
            let claimed = sqlx::query(
                "UPDATE cases SET narrative_enc = NULL, place_enc = NULL, reported_by = NULL, anonymised_at = $1 \
                 WHERE id = $2 AND status = $3 AND anonymised_at IS NULL",
            )
            .bind(at)
            .bind(case.as_str())
            .bind(status)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() != 1 {
                return Ok(false);
            }
            let files = sqlx::query("SELECT stored_name FROM evidence WHERE case_id = $1 AND stored_name IS NOT NULL")
                .bind(case.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("stored_name"))
                .collect::<Result<Vec<_>, _>>()?;
            sqlx::query("UPDATE case_items SET content_enc = NULL, updated_at = $2 WHERE case_id = $1")
                .bind(case.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            for statement in [
                "UPDATE events SET payload_enc = NULL WHERE case_id = $1",
                "DELETE FROM case_victims WHERE case_id = $1",
                "DELETE FROM case_access WHERE case_id = $1",
            ] {
                sqlx::query(statement).bind(case.as_str()).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM evidence WHERE case_id = $1")
                .bind(case.as_str())
                .execute(&mut *tx)
                .await?;
            // The perpetrator goes with the last case that names them.
            let perpetrators = sqlx::query("SELECT perpetrator_id FROM case_perpetrators WHERE case_id = $1")
                .bind(case.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("perpetrator_id"))
                .collect::<Result<Vec<_>, _>>()?;
            sqlx::query("DELETE FROM case_perpetrators WHERE case_id = $1")
                .bind(case.as_str())
                .execute(&mut *tx)
                .await?;
            for perpetrator in perpetrators {
                let other = sqlx::query("SELECT case_id FROM case_perpetrators WHERE perpetrator_id = $1 LIMIT 1")
                    .bind(&perpetrator)
                    .fetch_optional(&mut *tx)
                    .await?;
                if other.is_none() {
                    sqlx::query("DELETE FROM perpetrator_index WHERE perpetrator_id = $1")
                        .bind(&perpetrator)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM perpetrators WHERE id = $1")
                        .bind(&perpetrator)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            sqlx::query("INSERT INTO retention_log (case_id, at, status, period_days) VALUES ($1, $2, $3, $4)")
                .bind(case.as_str())
                .bind(at)
                .bind(status)
                .bind(i64::from(days))
                .execute(&mut *tx)
                .await?;
            append_event!(tx, key, case, EventKind::Anonymised, None, at, json!({
                "status": status, "period_days": days,
            }));
            tx.commit().await?;
            files
        });
        // Files go after the commit: a crash in between leaves a sealed orphan file, never
        // a case that points at a missing one.
        if let Some(dir) = self.evidence_dir() {
            // Only names the register itself gives: a tampered row cannot point elsewhere.
            for path in evidence_files
                .iter()
                .filter_map(|name| crate::evidence::stored_path(dir, name))
            {
                let _ = std::fs::remove_file(path);
            }
        }
        // Freed pages still hold the erased ciphertext until they are reused: PostgreSQL
        // reclaims them with VACUUM (SQLite runs with secure_delete, which zeroes them).
        if let crate::db::Db::Postgres(pool) = self.db() {
            for table in ["cases", "events", "case_items", "perpetrators", "evidence"] {
                let sql = format!("VACUUM {table}");
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await;
            }
        }
        Ok(true)
    }
}
