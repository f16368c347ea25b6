//! Figures for the operator's monitoring (Prometheus `/metrics`): counts only, per
//! organisation, never a name, a case or anything personal.

use jiff::Timestamp;
use sqlx::Row;

use crate::db::on_db;
use crate::error::RegisterError;
use crate::model::OrganisationId;
use crate::register::Register;
use crate::time::to_micros;

impl Register {
    /// Per organisation, the open tasks of cases that are not closed whose deadline has
    /// passed at `now`: a moment before `now`, or a day before today in Amsterdam.
    /// Organisations without such tasks are listed with 0.
    pub async fn overdue_tasks_per_organisation(
        &self,
        now: Timestamp,
    ) -> Result<Vec<(OrganisationId, u64)>, RegisterError> {
        let today = now
            .in_tz("Europe/Amsterdam")
            .map_err(|error| RegisterError::invalid("now", error.to_string()))?
            .date()
            .to_string();
        let at = to_micros(now);
        let rows: Vec<(String, i64)> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT o.id AS organisation_id, \
                 (SELECT COUNT(*) FROM tasks t JOIN cases c ON c.id = t.case_id \
                  WHERE t.organisation_id = o.id AND t.done_at IS NULL \
                  AND c.status NOT IN ('afgerond', 'gearchiveerd') \
                  AND ((t.due_at IS NOT NULL AND t.due_at < $1) \
                       OR (t.due_date IS NOT NULL AND t.due_date < $2))) AS overdue \
                 FROM organisations o ORDER BY o.id",
            )
            .bind(at)
            .bind(&today)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| Ok((row.try_get("organisation_id")?, row.try_get("overdue")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows
            .into_iter()
            .map(|(id, count)| (OrganisationId(id), u64::try_from(count).unwrap_or(0)))
            .collect())
    }

    /// Per organisation, the mails in the outbox that still wait to be sent (`queued`)
    /// and those that gave up after their retries (`failed`). Organisations without such
    /// mails are listed with 0 for both.
    pub async fn outbox_depth_per_organisation(
        &self,
    ) -> Result<Vec<(OrganisationId, u64, u64)>, RegisterError> {
        let rows: Vec<(String, i64, i64)> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT o.id AS organisation_id, \
                 (SELECT COUNT(*) FROM outbox m WHERE m.organisation_id = o.id \
                  AND m.state = 'queued') AS queued, \
                 (SELECT COUNT(*) FROM outbox m WHERE m.organisation_id = o.id \
                  AND m.state = 'failed') AS failed \
                 FROM organisations o ORDER BY o.id",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| Ok((row.try_get("organisation_id")?, row.try_get("queued")?, row.try_get("failed")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows
            .into_iter()
            .map(|(id, queued, failed)| {
                (
                    OrganisationId(id),
                    u64::try_from(queued).unwrap_or(0),
                    u64::try_from(failed).unwrap_or(0),
                )
            })
            .collect())
    }
}
