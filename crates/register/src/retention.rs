//! Retention: cases are kept for a period per status (configuration), then anonymised.
//! Anonymising erases what identifies anyone — the account, the place, the people, the
//! perpetrator, the notes, the evidence, every event's payload — and keeps what the
//! statistics and the audit need: category, dates, roles, channel, the plan, and the
//! chain of events (which covers payload digests, so it stays verifiable).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::json;
use sqlx::Row;

use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, CaseStatus, EventKind};
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

/// What one run of the retention job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRun {
    pub anonymised: Vec<CaseId>,
    /// Cases that expired but could not be anonymised, with the reason; tried again on
    /// the next run.
    pub failed: Vec<(CaseId, String)>,
}

impl Register {
    /// Anonymises every case whose status has lasted longer than the policy keeps it,
    /// as of `now`. Each case is its own transaction, logged in `retention_log` and as an
    /// `anonymised` event on its timeline.
    pub async fn apply_retention(
        &self,
        policy: &RetentionPolicy,
        now: Timestamp,
    ) -> Result<RetentionRun, RegisterError> {
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
                     AND COALESCE(status_since, created_at) < $2 ORDER BY id",
                )
                .bind(*status)
                .bind(to_micros(cutoff))
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
