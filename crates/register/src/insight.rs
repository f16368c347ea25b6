//! The dashboard of those who handle and follow cases (`/inzicht`, issue 12): the §17
//! breakdowns for a month, a quarter or a year beside the same period a year earlier,
//! what is open now (cases per handler and category, improvement actions), and the
//! perpetrators with more than one case in the last twelve months.
//!
//! The breakdowns are counted by the yearly report's own counting
//! ([`Register::period_counts`]), so the dashboard and the council's report can never
//! disagree about what a figure means. Everything is read from the query tables
//! (`cases`, `tasks`, `case_items`, `case_perpetrators`) through indexes, never from the
//! events; and nothing sealed is opened: the dashboard shows who and by when of an
//! improvement action, the case page shows what.
//!
//! Exact figures or §17's small cells is the caller's choice ([`Dashboard::shown`]): the
//! page gives exact counts to who handles cases and small cells to everyone else.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use sqlx::Row;
use weerbaar_protocol::{Category, Code, Role};

use crate::case_life::{IMPROVEMENT_TASK_PREFIX, ItemKind};
use crate::db::{BeginSnapshot, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, CaseKind, OrganisationId, PersonId};
use crate::register::Register;
use crate::time::to_micros;
use crate::yearly::{Cell, FIRST_YEAR, LAST_YEAR, Shown, Tally, YearlyCounts};

/// How long a span the dashboard shows at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

/// A calendar month, quarter or year in Europe/Amsterdam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i16,
    /// The month (1–12) or quarter (1–4); 0 for a year.
    pub number: i8,
}

impl Period {
    /// The period of `kind` that holds `day`.
    pub fn containing(kind: PeriodKind, day: Date) -> Period {
        let number = match kind {
            PeriodKind::Month => day.month(),
            PeriodKind::Quarter => (day.month() - 1) / 3 + 1,
            PeriodKind::Year => 0,
        };
        Period {
            kind,
            year: day.year(),
            number,
        }
    }

    /// Reads the key the page's chooser uses: `2026` (a year), `2026-K4` (a quarter),
    /// `2026-12` (a month); `None` for anything else, or a year outside the register's.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, rest) = match text.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (text, None),
        };
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let year: i16 = year.parse().ok()?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return None;
        }
        let digits = |text: &str| -> Option<i8> {
            (!text.is_empty() && text.len() <= 2 && text.chars().all(|c| c.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
        };
        let (kind, number) = match rest {
            None => (PeriodKind::Year, 0),
            Some(rest) => match rest.strip_prefix('K') {
                Some(quarter) => (PeriodKind::Quarter, digits(quarter)?),
                None => (PeriodKind::Month, digits(rest)?),
            },
        };
        let fits = match kind {
            PeriodKind::Year => true,
            PeriodKind::Quarter => (1..=4).contains(&number),
            PeriodKind::Month => (1..=12).contains(&number),
        };
        fits.then_some(Period { kind, year, number })
    }

    /// The key [`Period::parse`] reads.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Year => self.year.to_string(),
            PeriodKind::Quarter => format!("{}-K{}", self.year, self.number),
            PeriodKind::Month => format!("{}-{:02}", self.year, self.number),
        }
    }

    /// The first day of the period.
    pub fn first_day(&self) -> Result<Date, RegisterError> {
        let month = match self.kind {
            PeriodKind::Year => 1,
            PeriodKind::Quarter => (self.number - 1) * 3 + 1,
            PeriodKind::Month => self.number,
        };
        Date::new(self.year, month, 1)
            .map_err(|error| RegisterError::invalid("period", error.to_string()))
    }

    /// The period after this one.
    pub fn next(&self) -> Result<Period, RegisterError> {
        let step = match self.kind {
            PeriodKind::Month => 1.month(),
            PeriodKind::Quarter => 3.months(),
            PeriodKind::Year => 1.year(),
        };
        let day = self
            .first_day()?
            .checked_add(step)
            .map_err(|error| RegisterError::invalid("period", error.to_string()))?;
        Ok(Period::containing(self.kind, day))
    }

    /// The period before this one, for the chooser; `None` before the first year.
    pub fn previous(&self) -> Option<Period> {
        let step = match self.kind {
            PeriodKind::Month => 1.month(),
            PeriodKind::Quarter => 3.months(),
            PeriodKind::Year => 1.year(),
        };
        let day = self.first_day().ok()?.checked_sub(step).ok()?;
        (day.year() >= FIRST_YEAR).then(|| Period::containing(self.kind, day))
    }

    /// The same month, quarter or year a year earlier; `None` before the first year.
    pub fn a_year_earlier(&self) -> Option<Period> {
        let year = self
            .year
            .checked_sub(1)
            .filter(|year| *year >= FIRST_YEAR)?;
        Some(Period { year, ..*self })
    }

    /// The period's first moment and the next period's first moment in
    /// Europe/Amsterdam: midnight local time, whatever the offset that day.
    pub fn bounds(&self, tz: &TimeZone) -> Result<(Timestamp, Timestamp), RegisterError> {
        let midnight = |day: Date| -> Result<Timestamp, RegisterError> {
            day.to_zoned(tz.clone())
                .map(|zoned| zoned.timestamp())
                .map_err(|error| RegisterError::invalid("period", error.to_string()))
        };
        Ok((
            midnight(self.first_day()?)?,
            midnight(self.next()?.first_day()?)?,
        ))
    }
}

/// A category that rose against the same period a year earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rise {
    pub category: Category,
    pub now: u64,
    pub before: u64,
}

/// An improvement action that is not done yet. What it is stays sealed in the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenImprovement {
    pub case: CaseId,
    pub case_number: i64,
    /// The case's task (`verbeteractie_N`).
    pub task: String,
    pub who: PersonId,
    pub by: Date,
}

/// The open cases of one handler's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenForHandler {
    /// `None` for cases not routed to anyone (yet).
    pub role: Option<Role>,
    pub cases: u64,
}

/// Everything the dashboard shows, in plain counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub period: Period,
    pub counts: YearlyCounts,
    /// The same period a year earlier (`None` before the first year).
    pub a_year_earlier: Option<YearlyCounts>,
    /// Open incidents (gemeld, in behandeling, heropend) by the role that handles them,
    /// in the order of the roles' codes, the unrouted last.
    pub open_by_handler: Vec<OpenForHandler>,
    /// Open incidents by category (all five codes).
    pub open_by_category: Tally,
    /// The case numbers of each perpetrator linked to more than one case (incidents and
    /// incidents against civil servants) that happened in the twelve months before now;
    /// each list in number order, the lists by their first number.
    pub repeat_perpetrators: Vec<Vec<i64>>,
    /// Improvement actions not done, soonest first.
    pub open_improvements: Vec<OpenImprovement>,
}

// Open is what still asks for work: not afgerond, not gearchiveerd. The open statuses
// are literals (a test checks them against the statuses): the partial
// index `cases_open` of migration 0010 applies only to a query whose condition implies
// the index's, and a bound parameter implies nothing.
const OPEN_CASES: &str = "SELECT handler_role, category, COUNT(*) AS n FROM cases \
     WHERE organisation_id = $1 AND kind = $2 \
     AND status IN ('gemeld', 'in_behandeling', 'heropend') \
     GROUP BY handler_role, category";
const RECENT_PERPETRATORS: &str = "SELECT cp.perpetrator_id, c.number FROM cases c \
     JOIN case_perpetrators cp ON cp.case_id = c.id \
     WHERE c.organisation_id = $1 AND c.occurred_at >= $2 AND c.occurred_at <= $3 AND c.kind <> $4 \
     ORDER BY cp.perpetrator_id, c.number";
// The improvement tasks by a range on their code (`verbeteractie_` up to the next
// character after `_`), which both backends take from the index on open tasks by code.
const OPEN_IMPROVEMENTS: &str = "SELECT t.case_id, c.number, t.code, t.due_date, i.state_json \
     FROM tasks t JOIN cases c ON c.id = t.case_id \
     JOIN case_items i ON i.case_id = t.case_id AND i.kind = $4 \
     WHERE t.organisation_id = $1 AND t.done_at IS NULL AND t.code >= $2 AND t.code < $3 \
     AND c.anonymised_at IS NULL \
     ORDER BY t.due_date, c.number, t.code";

impl Register {
    /// The dashboard of one organisation for `period`, as it stands at `now` (which
    /// decides what is past its deadline and which twelve months are "the last").
    pub async fn dashboard(
        &self,
        organisation: &OrganisationId,
        period: Period,
        now: Timestamp,
    ) -> Result<Dashboard, RegisterError> {
        let tz = weerbaar_protocol::calendar::amsterdam();
        let (start, end) = period.bounds(&tz)?;
        let counts = self.period_counts(organisation, start, end, now).await?;
        let a_year_earlier = match period.a_year_earlier() {
            Some(earlier) => {
                let (start, end) = earlier.bounds(&tz)?;
                Some(self.period_counts(organisation, start, end, now).await?)
            }
            None => None,
        };
        let twelve_months_ago = now
            .to_zoned(tz.clone())
            .checked_sub(12.months())
            .map_err(|error| RegisterError::invalid("now", error.to_string()))?
            .timestamp();
        let org = organisation.as_str();
        let mut end_of_prefix = IMPROVEMENT_TASK_PREFIX.to_owned();
        end_of_prefix.pop();
        end_of_prefix.push('`'); // the character after '_'
        let (open_rows, perpetrator_rows, improvement_rows) = on_db!(self.db(), pool => {
            let mut tx = pool.begin_snapshot().await?;
            let mut open_rows: Vec<(Option<String>, Option<String>, i64)> = Vec::new();
            for row in sqlx::query(OPEN_CASES)
                .bind(org)
                .bind(CaseKind::Melding.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                open_rows.push((row.try_get("handler_role")?, row.try_get("category")?, row.try_get("n")?));
            }
            let mut perpetrator_rows: Vec<(String, i64)> = Vec::new();
            for row in sqlx::query(RECENT_PERPETRATORS)
                .bind(org)
                .bind(to_micros(twelve_months_ago))
                .bind(to_micros(now))
                .bind(CaseKind::Consult.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                perpetrator_rows.push((row.try_get("perpetrator_id")?, row.try_get("number")?));
            }
            let mut improvement_rows: Vec<(String, i64, String, Option<String>, String)> = Vec::new();
            for row in sqlx::query(OPEN_IMPROVEMENTS)
                .bind(org)
                .bind(IMPROVEMENT_TASK_PREFIX)
                .bind(end_of_prefix.as_str())
                .bind(ItemKind::Improvement.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                improvement_rows.push((
                    row.try_get("case_id")?,
                    row.try_get("number")?,
                    row.try_get("code")?,
                    row.try_get("due_date")?,
                    row.try_get("state_json")?,
                ));
            }
            tx.commit().await?;
            Ok::<_, RegisterError>((open_rows, perpetrator_rows, improvement_rows))
        })?;

        let (open_by_handler, open_by_category) = open_figures(open_rows)?;
        Ok(Dashboard {
            period,
            counts,
            a_year_earlier,
            open_by_handler,
            open_by_category,
            repeat_perpetrators: repeats(perpetrator_rows),
            open_improvements: improvements(improvement_rows)?,
        })
    }
}

fn open_figures(
    rows: Vec<(Option<String>, Option<String>, i64)>,
) -> Result<(Vec<OpenForHandler>, Tally), RegisterError> {
    let mut by_role: BTreeMap<Option<Role>, u64> = BTreeMap::new();
    let mut by_category = Tally::zeros(Category::ALL.iter().map(|c| c.as_str()));
    for (role, category, n) in rows {
        let n = u64::try_from(n).unwrap_or_default();
        let role = role
            .map(|role| Role::parse(&role).map_err(|_| corrupt("role", &role)))
            .transpose()?;
        // `None` sorts first in a BTreeMap; the unrouted go last below.
        *by_role.entry(role).or_default() += n;
        if let Some(category) = category {
            by_category.add_n(&category, n);
        }
    }
    let mut open: Vec<OpenForHandler> = by_role
        .iter()
        .filter(|(role, _)| role.is_some())
        .map(|(role, cases)| OpenForHandler {
            role: *role,
            cases: *cases,
        })
        .collect();
    if let Some(cases) = by_role.get(&None) {
        open.push(OpenForHandler {
            role: None,
            cases: *cases,
        });
    }
    Ok((open, by_category))
}

/// The case numbers of each perpetrator with more than one case, from rows ordered by
/// perpetrator and number.
fn repeats(rows: Vec<(String, i64)>) -> Vec<Vec<i64>> {
    let mut by_perpetrator: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (perpetrator, number) in rows {
        let numbers = by_perpetrator.entry(perpetrator).or_default();
        if !numbers.contains(&number) {
            numbers.push(number);
        }
    }
    let mut lists: Vec<Vec<i64>> = by_perpetrator
        .into_values()
        .filter(|numbers| numbers.len() > 1)
        .map(|mut numbers| {
            numbers.sort_unstable();
            numbers
        })
        .collect();
    lists.sort();
    lists
}

fn improvements(
    rows: Vec<(String, i64, String, Option<String>, String)>,
) -> Result<Vec<OpenImprovement>, RegisterError> {
    let mut open = Vec::new();
    for (case, number, code, due_date, state) in rows {
        let state: serde_json::Value = serde_json::from_str(&state)
            .map_err(|error| RegisterError::Corrupt(format!("stored item state: {error}")))?;
        // The join pairs each open task with every action item of its case; the item
        // that names the task is its own.
        if state["task"].as_str() != Some(code.as_str()) {
            continue;
        }
        let due = due_date.or_else(|| state["by"].as_str().map(str::to_owned));
        let by = due
            .as_deref()
            .and_then(|text| text.parse::<Date>().ok())
            .ok_or_else(|| corrupt("improvement date", due.as_deref().unwrap_or_default()))?;
        let who = state["who"].as_str().unwrap_or_default().to_owned();
        open.push(OpenImprovement {
            case: CaseId(case),
            case_number: number,
            task: code,
            who: PersonId(who),
            by,
        });
    }
    Ok(open)
}

fn corrupt(what: &str, text: &str) -> RegisterError {
    RegisterError::Corrupt(format!("unknown stored {what} `{text}`"))
}

/// How many more a category must count than a year earlier to be called a rise: two at
/// the least, so that one more incident is not news, and a quarter more.
fn is_rise(now: u64, before: u64) -> bool {
    now >= before + 2 && now * 4 >= before * 5
}

impl Dashboard {
    /// The categories that rose against the same period a year earlier, in the order of
    /// the categories. With `exact` false only where both counts are shown as numbers
    /// under §17's rule, so that the words never tell what a `"<5"` or `"x"` hides.
    pub fn rises(&self, exact: bool) -> Vec<Rise> {
        let Some(earlier) = &self.a_year_earlier else {
            return Vec::new();
        };
        let now_shown = shown(&self.counts.by_category, exact);
        let before_shown = shown(&earlier.by_category, exact);
        Category::ALL
            .iter()
            .filter_map(|category| {
                let key = category.as_str();
                let (Some(Cell::Count(now)), Some(Cell::Count(before))) =
                    (now_shown.get(key), before_shown.get(key))
                else {
                    return None;
                };
                is_rise(now, before).then_some(Rise {
                    category: *category,
                    now,
                    before,
                })
            })
            .collect()
    }
}

/// A breakdown whose total is shown, exact or under §17's rule (with the secondary
/// suppression).
pub fn shown(tally: &Tally, exact: bool) -> Shown {
    if exact {
        Shown(
            tally
                .entries()
                .iter()
                .map(|(key, count)| (*key, Cell::Count(*count)))
                .collect(),
        )
    } else {
        tally.publish(true)
    }
}

/// A count on its own, exact or under §17's rule.
pub fn shown_count(count: u64, exact: bool) -> Cell {
    if exact {
        Cell::Count(count)
    } else {
        crate::yearly::cell(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaseStatus;

    #[test]
    fn periods_read_and_write_their_keys() {
        for key in ["2026", "2026-K4", "2026-01", "2026-12", "1900-K1"] {
            assert_eq!(Period::parse(key).unwrap().key(), key);
        }
        for bad in [
            "", "26", "2026-K5", "2026-13", "2026-00", "2026-K", "1899", "3000", "2026-1a", "abcd",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_quarter_runs_from_midnight_to_midnight_in_amsterdam() {
        let tz = weerbaar_protocol::calendar::amsterdam();
        let q4 = Period::parse("2025-K4").unwrap();
        let (start, end) = q4.bounds(&tz).unwrap();
        assert_eq!(start, "2025-09-30T22:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(end, "2025-12-31T23:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(q4.next().unwrap().key(), "2026-K1");
        assert_eq!(q4.previous().unwrap().key(), "2025-K3");
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().unwrap().key(),
            "2025-12"
        );
        assert_eq!(q4.a_year_earlier().unwrap().key(), "2024-K4");
    }

    #[test]
    fn a_rise_is_two_more_and_a_quarter_more() {
        assert!(is_rise(7, 3));
        assert!(is_rise(2, 0));
        assert!(!is_rise(1, 0));
        assert!(!is_rise(11, 10));
        assert!(is_rise(10, 8));
        assert!(!is_rise(3, 3));
    }

    /// The period's cases, the last twelve months' perpetrators and the open improvement
    /// actions are read through the indexes of migration 0010, not by reading every case
    /// or task of the organisation.
    #[tokio::test]
    async fn the_dashboards_reads_use_their_indexes_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let db = crate::db::Db::connect(&url).await.unwrap();
        let crate::db::Db::Sqlite(pool) = &db else {
            panic!("not SQLite")
        };
        for (sql, index, binds) in [
            (crate::yearly::YEAR_CASES, "cases_org_occurred", 5),
            (crate::yearly::YEAR_TASKS, "cases_org_occurred", 4),
            (crate::yearly::YEAR_ITEMS, "cases_org_occurred", 7),
            (crate::yearly::YEAR_PERPETRATORS, "cases_org_occurred", 4),
            (RECENT_PERPETRATORS, "cases_org_occurred", 4),
            (OPEN_IMPROVEMENTS, "tasks_open_code", 4),
            (OPEN_CASES, "cases_open", 2),
        ] {
            let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(
                format!("EXPLAIN QUERY PLAN {sql}"),
            ));
            for _ in 0..binds {
                query = query.bind("x");
            }
            let rows = query.fetch_all(pool).await.unwrap();
            let plan: Vec<&str> = rows.iter().map(|row| row.3.as_str()).collect();
            assert!(
                plan.iter().any(|line| line.contains(index)),
                "{sql}\n{}",
                plan.join("\n")
            );
        }
        db.close().await;
    }

    #[test]
    fn the_open_cases_query_names_the_open_statuses() {
        let open = CaseStatus::ALL
            .iter()
            .filter(|s| !matches!(s, CaseStatus::Afgerond | CaseStatus::Gearchiveerd));
        let literals: Vec<String> = open.map(|s| format!("'{}'", s.as_str())).collect();
        assert!(OPEN_CASES.contains(&format!("status IN ({})", literals.join(", "))));
    }

    #[test]
    fn repeats_list_case_numbers_of_perpetrators_with_more_than_one_case() {
        let rows = vec![
            ("b".to_owned(), 4),
            ("a".to_owned(), 9),
            ("a".to_owned(), 2),
            ("c".to_owned(), 1),
            ("b".to_owned(), 3),
        ];
        assert_eq!(repeats(rows), vec![vec![2, 9], vec![3, 4]]);
    }
}
