//! What enters the register besides a report: a consult ("ik twijfel", Westerveld §5.1,
//! Nijmegen §6.1, Leiden §7.1) that can become a report, and an incident against a civil
//! servant, kept because it counts for recidive (Westerveld §5.2, Nijmegen §6.2).

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::json;
use sqlx::Row;
use weerbaar_protocol::{Channel, Code, Facts, Injury, Role, evaluate};

use crate::access::{ACT, access_in, require};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{
    CaseId, CaseKind, CaseStatus, EventKind, NewPerpetrator, NewReport, OrganisationId, PersonId,
    Registered,
};
use crate::register::{
    Register, aad, append_event, check_report, digests, due_columns, match_perpetrator,
    register_in_tx, store_perpetrator,
};
use crate::time::{now, to_micros};

impl Register {
    /// An office holder in doubt asks the handler. The consult is routed as a report of
    /// the asker's role would be, holds no plan and no tasks, and can become a report.
    pub async fn register_consult(
        &self,
        organisation: &OrganisationId,
        asker: &PersonId,
        role: Role,
        question: &str,
    ) -> Result<CaseId, RegisterError> {
        if question.trim().is_empty() {
            return Err(RegisterError::invalid(
                "question",
                "say what you are in doubt about",
            ));
        }
        let (key, protocol) = self.organisation(organisation).await?;
        let Some(route) = protocol.routes.get(&role) else {
            return Err(RegisterError::invalid(
                "role",
                format!("the protocol routes no consult of a `{role}`"),
            ));
        };
        let case = CaseId::generate();
        let at = to_micros(now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let holds_role = sqlx::query(
                "SELECT r.current FROM person_roles r JOIN people p ON p.id = r.person_id \
                 WHERE r.person_id = $1 AND r.role = $2 AND p.organisation_id = $3",
            )
            .bind(asker.as_str())
            .bind(role.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if holds_role.is_none() {
                return Err(RegisterError::invalid("role", format!("the asker does not hold the role `{role}`")));
            }
            let number: i64 = sqlx::query(
                "UPDATE organisations SET case_counter = case_counter + 1 WHERE id = $1 RETURNING case_counter",
            )
            .bind(organisation.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get("case_counter")?;
            sqlx::query(
                "INSERT INTO cases (id, organisation_id, number, kind, status, victim_role, handler_role, \
                 channel, injury, occurred_at, reported_at, reported_by, on_behalf, during_meeting, damage, \
                 narrative_enc, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(case.as_str())
            .bind(organisation.as_str())
            .bind(number)
            .bind(CaseKind::Consult.as_str())
            .bind(CaseStatus::Gemeld.as_str())
            .bind(role.as_str())
            .bind(route.handler.as_str())
            .bind(Channel::Overig.as_str())
            .bind(Injury::Geen.as_str())
            .bind(at)
            .bind(at)
            .bind(asker.as_str())
            .bind(false)
            .bind(false)
            .bind(false)
            .bind(key.seal_str(question.trim(), &aad("cases.narrative", case.as_str())))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            append_event!(tx, key, &case, EventKind::Reported, Some(asker), at, json!({ "consult": true, "role": role }));
            tx.commit().await?;
            Ok(case)
        })
    }

    /// A consult becomes a report: in one transaction the report is registered as any
    /// other and the consult is closed with a link to it. Only an open consult can, once.
    pub async fn promote_consult(
        &self,
        actor: &PersonId,
        consult: &CaseId,
        report: NewReport,
    ) -> Result<Registered, RegisterError> {
        let organisation = self.organisation_of_case(consult).await?;
        if organisation != report.organisation {
            return Err(RegisterError::NotFound {
                what: "consult",
                id: consult.to_string(),
            });
        }
        check_report(&report, &organisation)?;
        let (key, protocol) = self.organisation(&organisation).await?;
        let at = to_micros(now());
        let reports = [report];
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            // The consult's handler turns it into a report, as they act in any case.
            require(access_in(&mut tx, actor, consult).await?, ACT, consult)?;
            // Claiming the consult is the first write: a second promotion finds it closed.
            let claimed = sqlx::query(
                "UPDATE cases SET status = $1, status_since = $2 \
                 WHERE id = $3 AND kind = $4 AND status = $5 AND anonymised_at IS NULL",
            )
            .bind(CaseStatus::Afgerond.as_str())
            .bind(at)
            .bind(consult.as_str())
            .bind(CaseKind::Consult.as_str())
            .bind(CaseStatus::Gemeld.as_str())
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() != 1 {
                return Err(RegisterError::invalid("consult", "only an open consult can become a report"));
            }
            let mut registered = register_in_tx!(tx, &reports, key, protocol, organisation);
            let Some(registered) = registered.pop() else {
                return Err(RegisterError::Corrupt(String::from("the report was not registered")));
            };
            append_event!(tx, key, consult, EventKind::ConsultPromoted, Some(actor), at, json!({
                "report": registered.case, "number": registered.number,
            }));
            tx.commit().await?;
            Ok(registered)
        })
    }

    /// An incident against a civil servant: not routed by the protocol, but its
    /// perpetrator's later incidents against office holders count it as recidive.
    pub async fn register_staff_incident(
        &self,
        organisation: &OrganisationId,
        recorded_by: &PersonId,
        occurred_at: Timestamp,
        perpetrator: NewPerpetrator,
        note: &str,
    ) -> Result<CaseId, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let found = digests(&key, &perpetrator.details);
        if found.is_empty() {
            return Err(RegisterError::invalid(
                "perpetrator",
                "give at least one identifying detail, or the incident can never be matched",
            ));
        }
        let case = CaseId::generate();
        let at = to_micros(now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(recorded_by.as_str())
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: recorded_by.to_string() });
            }
            let number: i64 = sqlx::query(
                "UPDATE organisations SET case_counter = case_counter + 1 WHERE id = $1 RETURNING case_counter",
            )
            .bind(organisation.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get("case_counter")?;
            sqlx::query(
                "INSERT INTO cases (id, organisation_id, number, kind, status, victim_role, channel, injury, \
                 occurred_at, reported_at, reported_by, on_behalf, during_meeting, damage, narrative_enc, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(case.as_str())
            .bind(organisation.as_str())
            .bind(number)
            .bind(CaseKind::AmbtenaarIncident.as_str())
            .bind(CaseStatus::Afgerond.as_str())
            .bind(Role::Ambtenaar.as_str())
            .bind(Channel::Overig.as_str())
            .bind(Injury::Geen.as_str())
            .bind(to_micros(occurred_at))
            .bind(at)
            .bind(recorded_by.as_str())
            .bind(false)
            .bind(false)
            .bind(false)
            .bind(key.seal_str(note.trim(), &aad("cases.narrative", case.as_str())))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            append_event!(tx, key, &case, EventKind::Reported, Some(recorded_by), at, json!({ "staff_incident": true }));
            let matched = match_perpetrator(&mut tx, organisation, &found).await?;
            let (id, is_match) =
                store_perpetrator(&mut tx, &key, organisation, &case, &perpetrator, &found, matched.as_ref(), at).await?;
            append_event!(tx, key, &case, EventKind::PerpetratorLinked, Some(recorded_by), at, json!({
                "perpetrator": id, "matched_earlier_cases": is_match,
            }));
            tx.commit().await?;
            Ok(case)
        })
    }
}
