//! Anonymised case rows for those who analyse further (issue 12, "Export"): one row per
//! incident of a year with what the yearly figures count — the month, never the day; the
//! category, channel, victim group (never the role: a burgemeester is one person) and
//! kind of perpetrator; recidive, status and how its deadlines were kept — and nothing
//! that names or points at a person: no name, narrative, place, day or case number.
//!
//! The rows are read from the same plain columns as the yearly report
//! ([`crate::yearly`]), so anonymised cases are in them too. Rows are sorted by their
//! values, not by when the incidents happened, so that their order tells nothing more
//! than the month does. Every export is written to the administration log before the
//! rows are returned: who exported which year, and how many rows.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::json;
use weerbaar_protocol::{Category, Channel, Code, Role};

use crate::admin::{AdminEventKind, log_admin_event};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{CaseKind, CaseStatus, OrganisationId, PerpetratorKind, PersonId};
use crate::register::Register;
use crate::time::{from_micros, to_micros};
use crate::yearly::{
    Deadline, FIRST_YEAR, LAST_YEAR, YearRows, corrupt, victim_group, year_bounds,
};

/// One incident as the export shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymisedCase {
    /// 1 to 12, in Europe/Amsterdam.
    pub month: i8,
    /// `None` for an incident the protocol has not classified (a consult-like report
    /// without behaviour).
    pub category: Option<Category>,
    pub channel: Channel,
    /// The victim's group (§17); `None` for staff.
    pub victim_group: Option<&'static str>,
    pub perpetrator_kind: PerpetratorKind,
    pub recidive: bool,
    pub status: CaseStatus,
    /// Tasks with a firm deadline: done by it, done after it, open and past it.
    pub tasks_on_time: u32,
    pub tasks_late: u32,
    pub tasks_overdue_open: u32,
}

impl Register {
    /// The year's incidents of an organisation as anonymised rows, after the export is
    /// written to the administration log (`actor` is `None` for the command line on the
    /// server). `now` decides which open tasks are past their deadline.
    pub async fn export_anonymised_cases(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        year: i16,
        now: Timestamp,
    ) -> Result<Vec<AnonymisedCase>, RegisterError> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(RegisterError::invalid(
                "year",
                format!("{year} is not a year from {FIRST_YEAR} to {LAST_YEAR}"),
            ));
        }
        // Refuses an organisation that does not exist.
        self.organisation(organisation).await?;
        let tz = weerbaar_protocol::calendar::amsterdam();
        let (start, end) = year_bounds(year, &tz)?;
        let rows = anonymise(
            self.year_rows(organisation, start, end, false).await?,
            now,
            &tz,
        )?;
        let at = to_micros(now);
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::CasesExported, None,
                json!({ "year": year, "rows": rows.len() }));
            tx.commit().await?;
        });
        Ok(rows)
    }
}

fn anonymise(
    rows: YearRows,
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<AnonymisedCase>, RegisterError> {
    // The first perpetrator of each case (a report links at most one), as the yearly
    // figures count it.
    let mut perpetrator_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (case, kind) in &rows.perpetrators {
        perpetrator_of.entry(case.as_str()).or_insert(kind.as_str());
    }
    let mut tasks: BTreeMap<&str, Vec<&crate::yearly::TaskRow>> = BTreeMap::new();
    for task in &rows.tasks {
        tasks.entry(task.case_id.as_str()).or_default().push(task);
    }

    let mut out = Vec::new();
    for case in &rows.cases {
        if CaseKind::parse(&case.kind) != Some(CaseKind::Melding) {
            continue;
        }
        let plan: serde_json::Value = match &case.plan_json {
            Some(text) => serde_json::from_str(text)
                .map_err(|error| RegisterError::Corrupt(format!("stored plan: {error}")))?,
            None => serde_json::Value::Null,
        };
        // §16.4: a target is not a firm deadline and is not held against anyone.
        let targets: BTreeSet<&str> = plan["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|task| task["target"].as_bool() == Some(true))
            .filter_map(|task| task["code"].as_str())
            .collect();
        let mut row = AnonymisedCase {
            month: from_micros(case.occurred_at)?.to_zoned(tz.clone()).month(),
            category: case
                .category
                .as_deref()
                .map(|code| Category::parse(code).map_err(|_| corrupt("category", code)))
                .transpose()?,
            channel: Channel::parse(&case.channel)
                .map_err(|_| corrupt("channel", &case.channel))?,
            victim_group: victim_group(
                Role::parse(&case.victim_role).map_err(|_| corrupt("role", &case.victim_role))?,
            ),
            perpetrator_kind: match perpetrator_of.get(case.id.as_str()) {
                Some(kind) => {
                    PerpetratorKind::parse(kind).ok_or_else(|| corrupt("perpetrator kind", kind))?
                }
                None => PerpetratorKind::Onbekend,
            },
            recidive: plan["recidive"].as_bool() == Some(true),
            status: CaseStatus::parse(&case.status)
                .ok_or_else(|| corrupt("status", &case.status))?,
            tasks_on_time: 0,
            tasks_late: 0,
            tasks_overdue_open: 0,
        };
        for task in tasks.get(case.id.as_str()).into_iter().flatten() {
            if targets.contains(task.code.as_str()) {
                continue;
            }
            let Some(deadline) = Deadline::of(task.due_at, task.due_date.as_deref())? else {
                continue;
            };
            match task.done_at.map(from_micros).transpose()? {
                Some(done) if deadline.met_by(done, tz) => row.tasks_on_time += 1,
                Some(_) => row.tasks_late += 1,
                None if deadline.passed_at(now, tz) => row.tasks_overdue_open += 1,
                None => {}
            }
        }
        out.push(row);
    }
    out.sort_by_key(|row| {
        (
            row.month,
            row.category.map(Code::as_str),
            row.channel.as_str(),
            row.victim_group,
            row.perpetrator_kind.as_str(),
            row.recidive,
            row.status.as_str(),
            (row.tasks_on_time, row.tasks_late, row.tasks_overdue_open),
        )
    });
    Ok(out)
}
