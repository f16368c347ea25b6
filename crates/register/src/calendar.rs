//! What a person's calendar link shows: the deadlines of the open tasks of the roles they
//! hold now, and the aftercare conversations planned with them (as victim) or held by
//! them. Only numbers, codes and moments: no case content.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::db::on_db;
use crate::error::RegisterError;
use crate::model::{CaseId, CaseStatus, OrganisationId, PersonId};
use crate::register::{Register, parse_date};
use crate::time::from_micros;

/// When a calendar entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarWhen {
    At(Timestamp),
    Day(Date),
}

/// One entry of a person's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// Stable across fetches: the case and the task code or the aftercare item.
    pub uid: String,
    pub case: CaseId,
    pub case_number: i64,
    /// The task's code, or `None` for an aftercare conversation.
    pub task: Option<String>,
    /// The aftercare conversation (`eerste`, `tweede`, …).
    pub conversation: Option<String>,
    pub when: CalendarWhen,
}

impl Register {
    /// The calendar of `person` of `organisation`.
    pub async fn calendar_entries(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<Vec<CalendarEntry>, RegisterError> {
        let mut entries = Vec::new();
        on_db!(self.db(), pool => {
            let tasks = sqlx::query(
                "SELECT t.case_id, c.number, t.code, t.due_at, t.due_date FROM tasks t \
                 JOIN cases c ON c.id = t.case_id \
                 JOIN person_roles r ON r.role = t.assignee_role AND r.person_id = $1 AND r.current = $2 \
                 WHERE t.organisation_id = $3 AND t.done_at IS NULL AND c.anonymised_at IS NULL \
                 AND c.status <> $4 AND (t.due_at IS NOT NULL OR t.due_date IS NOT NULL) \
                 ORDER BY c.number, t.code",
            )
            .bind(person.as_str())
            .bind(true)
            .bind(organisation.as_str())
            .bind(CaseStatus::Gearchiveerd.as_str())
            .fetch_all(pool)
            .await?;
            for row in tasks {
                let case: String = row.try_get("case_id")?;
                let code: String = row.try_get("code")?;
                let when = match (row.try_get::<Option<i64>, _>("due_at")?, row.try_get::<Option<String>, _>("due_date")?) {
                    (Some(at), _) => CalendarWhen::At(from_micros(at)?),
                    (None, Some(date)) => CalendarWhen::Day(parse_date(date)?),
                    (None, None) => continue,
                };
                entries.push(CalendarEntry {
                    uid: format!("taak-{case}-{code}"),
                    case: CaseId(case),
                    case_number: row.try_get("number")?,
                    task: Some(code),
                    conversation: None,
                    when,
                });
            }
            let victim_of: Vec<String> = sqlx::query("SELECT case_id FROM case_victims WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| r.try_get("case_id"))
                .collect::<Result<_, _>>()?;
            let items = sqlx::query(
                "SELECT i.id, i.case_id, c.number, i.state_json FROM case_items i JOIN cases c ON c.id = i.case_id \
                 WHERE c.organisation_id = $1 AND i.kind = 'aftercare' AND c.anonymised_at IS NULL ORDER BY c.number, i.id",
            )
            .bind(organisation.as_str())
            .fetch_all(pool)
            .await?;
            for row in items {
                let case: String = row.try_get("case_id")?;
                let state: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("state_json")?)
                    .map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                let mine = state["by"].as_str() == Some(person.as_str()) || victim_of.contains(&case);
                if !mine || !state["held_at"].is_null() {
                    continue;
                }
                let Some(at) = state["planned_at"].as_str().and_then(|t| t.parse::<Timestamp>().ok()) else {
                    continue;
                };
                let item: String = row.try_get("id")?;
                entries.push(CalendarEntry {
                    uid: format!("nazorg-{item}"),
                    case: CaseId(case),
                    case_number: row.try_get("number")?,
                    task: None,
                    conversation: state["conversation"].as_str().map(str::to_owned),
                    when: CalendarWhen::At(at),
                });
            }
        });
        Ok(entries)
    }
}
