//! The yearly report (PROTOCOL.md §17): what an organisation learns from a year of
//! incidents, as figures that name and point at nobody.
//!
//! Two steps, kept apart so that each can be checked on its own:
//!
//! 1. [`Register::yearly_counts`] reads one organisation's year in one consistent read
//!    transaction, with the same SQL on SQLite and PostgreSQL, and counts in Rust
//!    ([`YearlyCounts`], plain numbers). Only plain columns are read — codes, moments,
//!    the stored plan and the items' plain state — never sealed content, so cases that
//!    retention has anonymised count as well.
//! 2. [`YearlyCounts::publish`] applies the small-cell rule ([`suppress`]) and gives the
//!    [`YearlyReport`] whose JSON is the contract.
//!
//! What each figure means in terms of the register's data is written at its field, and
//! for people in docs/insight.md; the two must say the same.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use weerbaar_protocol::{Body, Category, Channel, Code, Measure, Role, TaskCode};

use crate::case_life::{AftercareConversation, ItemKind, PoliceContactKind};
use crate::db::{BeginSnapshot, on_db};
use crate::error::RegisterError;
use crate::model::{CaseKind, CaseStatus, EventKind, OrganisationId, PerpetratorKind};
use crate::register::Register;
use crate::time::{from_micros, to_micros};

/// The first year a report can be asked for. Nothing in the register is older, and a
/// typo (`--year 206`) should be an error, not an empty report.
pub const FIRST_YEAR: i16 = 1900;
/// The last year a report can be asked for (see [`FIRST_YEAR`]).
pub const LAST_YEAR: i16 = 2999;

/// Counts from 1 up to this one are shown as `"<5"` (§17).
const SMALL_UP_TO: u64 = 4;

/// The month keys of `by_month`, in calendar order.
pub(crate) const MONTHS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];
pub(crate) const ABCD: [&str; 4] = ["A", "B", "C", "D"];
pub(crate) const AFTERCARE_KEYS: [&str; 3] = ["on_time", "late", "not_held"];
pub(crate) const TASK_KEYS: [&str; 3] = ["on_time", "late", "overdue_open"];

// ---------------------------------------------------------------------------------------
// The small-cell rule

/// One published count: a number, `"<5"` for a count from 1 to 4, or `"x"` for a count
/// hidden so that a `"<5"` cannot be derived from the total (§17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(u64),
    /// A count from 1 to 4, shown as `"<5"`.
    Small,
    /// A count hidden by the secondary suppression, shown as `"x"`; always 5 or more.
    Hidden,
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Count(n) => serializer.serialize_u64(*n),
            Cell::Small => serializer.serialize_str("<5"),
            Cell::Hidden => serializer.serialize_str("x"),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Count(n) => Ok(Cell::Count(n)),
            Raw::Text(text) if text == "<5" => Ok(Cell::Small),
            Raw::Text(text) if text == "x" => Ok(Cell::Hidden),
            Raw::Text(text) => Err(serde::de::Error::custom(format!(
                "`{text}` is not a count: expected a number, \"<5\" or \"x\""
            ))),
        }
    }
}

/// A count on its own: 0 stays 0 (an empty cell says nothing about anyone), 1 to 4
/// becomes `"<5"`, anything larger is shown.
pub fn cell(count: u64) -> Cell {
    match count {
        1..=SMALL_UP_TO => Cell::Small,
        _ => Cell::Count(count),
    }
}

/// The cells of one breakdown, in the breakdown's key order. Each count goes through
/// [`cell`]. When the breakdown's total is shown (`total_shown`) and exactly one cell is
/// `"<5"`, that cell would be the total minus the others; so the smallest other non-zero
/// cell is hidden too, as `"x"`, the first in key order when several are equally small.
///
/// With exactly one `"<5"` every other non-zero cell is 5 or more, so an `"x"` cell is
/// always 5 or more. With no other non-zero cell nothing more can be hidden (zeros stay
/// 0): the total then is that cell, which the contract shows anyway.
pub fn suppress(counts: &[u64], total_shown: bool) -> Vec<Cell> {
    let mut cells: Vec<Cell> = counts.iter().map(|&count| cell(count)).collect();
    if !total_shown {
        return cells;
    }
    let small: Vec<usize> = cells
        .iter()
        .enumerate()
        .filter(|(_, shown)| **shown == Cell::Small)
        .map(|(index, _)| index)
        .collect();
    if let [only] = small[..] {
        let partner = counts
            .iter()
            .enumerate()
            .filter(|(index, count)| *index != only && **count > 0)
            .min_by_key(|(index, count)| (**count, *index))
            .map(|(index, _)| index);
        if let Some(partner) = partner {
            cells[partner] = Cell::Hidden;
        }
    }
    cells
}

// ---------------------------------------------------------------------------------------
// Counts and cells by key

/// Counts by key, in a fixed key order: every key is there, zeros included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally(Vec<(&'static str, u64)>);

impl Tally {
    pub(crate) fn zeros(keys: impl IntoIterator<Item = &'static str>) -> Tally {
        Tally(keys.into_iter().map(|key| (key, 0)).collect())
    }

    /// Adds one to `key`; false (and nothing added) when the tally has no such key.
    fn add(&mut self, key: &str) -> bool {
        self.add_n(key, 1)
    }

    /// Adds `n` to `key`; false (and nothing added) when the tally has no such key.
    pub(crate) fn add_n(&mut self, key: &str, n: u64) -> bool {
        match self.0.iter_mut().find(|(known, _)| *known == key) {
            Some((_, count)) => {
                *count += n;
                true
            }
            None => false,
        }
    }

    /// The count of `key`, `None` for a key the tally does not have.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.0
            .iter()
            .find(|(known, _)| *known == key)
            .map(|(_, count)| *count)
    }

    /// The keys and their counts, in key order.
    pub fn entries(&self) -> &[(&'static str, u64)] {
        &self.0
    }

    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, count)| count).sum()
    }

    /// The cells as published; see [`suppress`].
    pub fn publish(&self, total_shown: bool) -> Shown {
        let counts: Vec<u64> = self.0.iter().map(|(_, count)| *count).collect();
        Shown(
            self.0
                .iter()
                .map(|(key, _)| *key)
                .zip(suppress(&counts, total_shown))
                .collect(),
        )
    }
}

/// Published cells by key, in key order; serialised as a JSON object in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown(pub Vec<(&'static str, Cell)>);

impl Shown {
    pub fn get(&self, key: &str) -> Option<Cell> {
        self.0
            .iter()
            .find(|(known, _)| *known == key)
            .map(|(_, cell)| *cell)
    }
}

impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, cell) in &self.0 {
            map.serialize_entry(key, cell)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------------------
// The figures

/// The groups of office holders of a body, in the order the report lists them (§17).
/// A group, never a role: a role that one person holds (the burgemeester, the dijkgraaf)
/// is always counted with others.
pub fn victim_groups(body: Body) -> &'static [&'static str] {
    match body {
        Body::Gemeente => &["raad", "college"],
        Body::Provincie => &["provinciale_staten", "gedeputeerde_staten"],
        Body::Waterschap => &["algemeen_bestuur", "dagelijks_bestuur"],
    }
}

/// The group a victim's role counts in (§17); `None` for staff and civil servants.
pub fn victim_group(role: Role) -> Option<&'static str> {
    use Role::*;
    match role {
        Raadslid | Duolid | Fractiemedewerker | AdviesorgaanLid => Some("raad"),
        Burgemeester | Wethouder => Some("college"),
        Statenlid => Some("provinciale_staten"),
        Gedeputeerde | CommissarisVanDeKoning => Some("gedeputeerde_staten"),
        AlgemeenBestuurslid => Some("algemeen_bestuur"),
        DagelijksBestuurslid | Dijkgraaf => Some("dagelijks_bestuur"),
        _ => None,
    }
}

/// One organisation's year in plain counts, before the small-cell rule.
///
/// "The year's incidents" are the organisation's cases of kind `melding` whose
/// `occurred_at` falls in the year in Europe/Amsterdam, whatever their status and also
/// when retention has anonymised them. Every figure below except `consults` is about
/// those incidents; a measure, police contact, conversation or task counts in the year
/// of its incident, not in the year it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyCounts {
    pub organisation: OrganisationId,
    pub year: i16,
    /// The year's incidents. Consults and incidents against civil servants (kept for
    /// recidive) are not among them.
    pub incidents: u64,
    /// Consults ("ik twijfel") asked in the year, whatever became of them; a consult that
    /// became a report counts here and its report among the incidents.
    pub consults: u64,
    /// By the category the protocol gave the incident (all five codes).
    pub by_category: Tally,
    /// By Leiden's ABCD letter of that category.
    pub by_abcd: Tally,
    /// By channel (all seven codes).
    pub by_channel: Tally,
    /// By month of `occurred_at` in Europe/Amsterdam, keys "1" to "12".
    pub by_month: Tally,
    /// By group of the first (routed) victim's role, over the groups of the bodies the
    /// organisation's protocol covers (`organisation.bodies`). An incident against a role
    /// of a body the protocol no longer covers is in no group.
    pub by_victim_group: Tally,
    /// By the kind of the perpetrator linked to the case. A case without one — none was
    /// given, or retention erased the link — counts as `onbekend`, so the breakdown
    /// partitions the incidents.
    pub by_perpetrator_kind: Tally,
    /// Incidents whose plan found recidive (the perpetrator had earlier registered
    /// incidents, against office holders or civil servants, when it was reported).
    pub recidive: u64,
    /// Police contacts recorded in the year's incidents, by kind: each contact once, so
    /// a case with a melding and later an aangifte counts in both.
    pub police: Tally,
    /// Measures decided in the year's incidents, by code (every decision once).
    pub measures: Tally,
    /// The aftercare conversations with a deadline (`nazorg_gesprek_1` to `_3`; a
    /// conversation without a deadline, such as Utrecht's tailored aftercare, is not
    /// counted). A conversation is held at the earliest `held_at` recorded for it, or,
    /// when none was recorded but its task was marked done, at that moment.
    /// `on_time`: held by the deadline; `late`: held after it; `not_held`: not held and
    /// either past the deadline at `now` or in a closed case (`afgerond`,
    /// `gearchiveerd`). A conversation still ahead in an open case is not counted.
    pub aftercare: Tally,
    /// The tasks with a firm deadline (`due_at` or `due_date`; a task without a deadline,
    /// or one its plan marks `"target": true`, is not counted). `on_time`: done by the
    /// deadline; `late`: done after it; `overdue_open`: not done and past the deadline at
    /// `now`, whatever the case's status. A task still ahead is not counted. Done means
    /// the moment the register recorded it done (`done_at`). A `due_date` deadline is met
    /// when done on that day in Europe/Amsterdam or before, and passed once that day is.
    pub tasks: Tally,
    /// The median, over the closed incidents (`afgerond` or `gearchiveerd`), of the days
    /// from `reported_at` to the moment the case was closed (its last move to
    /// `afgerond`), as a number of days with fractions, rounded to one decimal; with an
    /// even number of cases the mean of the two middle ones. `None` without closed cases.
    pub median_days_to_close: Option<f64>,
}

/// The yearly report as published: the JSON of §17. `incidents` is always a number;
/// every other count is a [`Cell`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearlyReport {
    pub organisation: OrganisationId,
    pub year: i16,
    pub incidents: u64,
    pub consults: Cell,
    pub by_category: Shown,
    pub by_abcd: Shown,
    pub by_channel: Shown,
    pub by_month: Shown,
    pub by_victim_group: Shown,
    pub by_perpetrator_kind: Shown,
    pub recidive: Cell,
    pub police: Shown,
    pub measures: Shown,
    pub aftercare: Shown,
    pub tasks: Shown,
    pub median_days_to_close: Option<f64>,
}

impl YearlyCounts {
    /// The figures as published, under the small-cell rule. The breakdowns that divide
    /// the year's incidents among their keys (category, ABCD, channel, month, victim
    /// group, perpetrator kind) have their total shown — it is `incidents` — and get the
    /// secondary suppression; the others (police, measures, aftercare, tasks) count
    /// things of which no total is shown, and only hide their counts from 1 to 4.
    pub fn publish(&self) -> YearlyReport {
        YearlyReport {
            organisation: self.organisation.clone(),
            year: self.year,
            incidents: self.incidents,
            consults: cell(self.consults),
            by_category: self.by_category.publish(true),
            by_abcd: self.by_abcd.publish(true),
            by_channel: self.by_channel.publish(true),
            by_month: self.by_month.publish(true),
            by_victim_group: self.by_victim_group.publish(true),
            by_perpetrator_kind: self.by_perpetrator_kind.publish(true),
            recidive: cell(self.recidive),
            police: self.police.publish(false),
            measures: self.measures.publish(false),
            aftercare: self.aftercare.publish(false),
            tasks: self.tasks.publish(false),
            median_days_to_close: self.median_days_to_close,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading the year

/// A case of the year as the report reads it: plain columns only.
pub(crate) struct CaseRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) status: String,
    pub(crate) victim_role: String,
    pub(crate) category: Option<String>,
    pub(crate) channel: String,
    pub(crate) occurred_at: i64,
    pub(crate) reported_at: i64,
    pub(crate) status_since: Option<i64>,
    pub(crate) plan_json: Option<String>,
}

pub(crate) struct TaskRow {
    pub(crate) case_id: String,
    pub(crate) code: String,
    pub(crate) due_at: Option<i64>,
    pub(crate) due_date: Option<String>,
    pub(crate) done_at: Option<i64>,
}

/// Everything the report reads of one organisation's year.
#[derive(Default)]
pub(crate) struct YearRows {
    pub(crate) cases: Vec<CaseRow>,
    /// (case, perpetrator kind), in case and perpetrator order.
    pub(crate) perpetrators: Vec<(String, String)>,
    /// (case, item kind, plain state) of measures, aftercare and police contacts.
    pub(crate) items: Vec<(String, String, String)>,
    pub(crate) tasks: Vec<TaskRow>,
    /// (case, moment) of every status change of the archived incidents, in order.
    pub(crate) status_changes: Vec<(String, i64)>,
}

// The year's cases are selected the same way in every statement: the organisation, the
// kind, and `occurred_at` within [start, end) of the Amsterdam year, on the stored
// microseconds, so the SQL is the same on both backends.
pub(crate) const YEAR_CASES: &str = "SELECT id, kind, status, victim_role, category, channel, occurred_at, \
     reported_at, status_since, plan_json FROM cases \
     WHERE organisation_id = $1 AND (kind = $2 OR kind = $3) AND occurred_at >= $4 AND occurred_at < $5 \
     ORDER BY occurred_at, id";
pub(crate) const YEAR_PERPETRATORS: &str = "SELECT cp.case_id, p.kind FROM case_perpetrators cp \
     JOIN perpetrators p ON p.id = cp.perpetrator_id JOIN cases c ON c.id = cp.case_id \
     WHERE c.organisation_id = $1 AND c.kind = $2 AND c.occurred_at >= $3 AND c.occurred_at < $4 \
     ORDER BY cp.case_id, p.id";
pub(crate) const YEAR_ITEMS: &str = "SELECT ci.case_id, ci.kind, ci.state_json FROM case_items ci \
     JOIN cases c ON c.id = ci.case_id \
     WHERE c.organisation_id = $1 AND c.kind = $2 AND c.occurred_at >= $3 AND c.occurred_at < $4 \
     AND (ci.kind = $5 OR ci.kind = $6 OR ci.kind = $7) ORDER BY ci.case_id, ci.created_at, ci.id";
pub(crate) const YEAR_TASKS: &str = "SELECT t.case_id, t.code, t.due_at, t.due_date, t.done_at FROM tasks t \
     JOIN cases c ON c.id = t.case_id \
     WHERE c.organisation_id = $1 AND c.kind = $2 AND c.occurred_at >= $3 AND c.occurred_at < $4 \
     ORDER BY t.case_id, t.code";
const YEAR_STATUS_CHANGES: &str = "SELECT e.case_id, e.at FROM events e JOIN cases c ON c.id = e.case_id \
     WHERE c.organisation_id = $1 AND c.kind = $2 AND c.occurred_at >= $3 AND c.occurred_at < $4 \
     AND c.status = $5 AND e.kind = $6 ORDER BY e.case_id, e.seq";

impl Register {
    /// The yearly figures of one organisation (PROTOCOL.md §17), as published: the
    /// counts of [`Register::yearly_counts`] under the small-cell rule.
    pub async fn yearly_report(
        &self,
        organisation: &OrganisationId,
        year: i16,
        now: Timestamp,
    ) -> Result<YearlyReport, RegisterError> {
        Ok(self.yearly_counts(organisation, year, now).await?.publish())
    }

    /// The yearly figures of one organisation in plain counts. `now` is the moment that
    /// decides which open tasks and conversations are past their deadline; it is a
    /// parameter so that a report can be made again as it was, and tested.
    ///
    /// This reads no case content and records no read: it answers for the whole
    /// organisation, and whoever calls it (the command line, later the API) decides who
    /// may ask.
    pub async fn yearly_counts(
        &self,
        organisation: &OrganisationId,
        year: i16,
        now: Timestamp,
    ) -> Result<YearlyCounts, RegisterError> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(RegisterError::invalid(
                "year",
                format!("{year} is not a year from {FIRST_YEAR} to {LAST_YEAR}"),
            ));
        }
        // Unknown organisations are refused here, and the protocol says which bodies,
        // and so which victim groups, the report lists.
        let protocol = self.protocol(organisation).await?;
        let tz = weerbaar_protocol::calendar::amsterdam();
        let (start, end) = year_bounds(year, &tz)?;
        let rows = self.year_rows(organisation, start, end, true).await?;
        count_year(organisation, year, &protocol.bodies, rows, now, &tz)
    }

    /// The same counts as [`Register::yearly_counts`] for the incidents that happened in
    /// `[start, end)` — a month, a quarter, any span the dashboard asks for (its bounds are
    /// the caller's, in Europe/Amsterdam). `year` is the year `start` falls in, and
    /// `by_month` counts the months of the incidents, whatever their year. The median
    /// days to closure is not computed (`None`): it is the one figure that reads the
    /// events of archived cases, and the dashboard does not show it.
    pub async fn period_counts(
        &self,
        organisation: &OrganisationId,
        start: Timestamp,
        end: Timestamp,
        now: Timestamp,
    ) -> Result<YearlyCounts, RegisterError> {
        if end < start {
            return Err(RegisterError::invalid(
                "end",
                "the period ends before it starts",
            ));
        }
        let protocol = self.protocol(organisation).await?;
        let tz = weerbaar_protocol::calendar::amsterdam();
        let year = start.to_zoned(tz.clone()).year();
        let rows = self
            .year_rows(organisation, to_micros(start), to_micros(end), false)
            .await?;
        let mut counts = count_year(organisation, year, &protocol.bodies, rows, now, &tz)?;
        counts.median_days_to_close = None;
        Ok(counts)
    }

    /// The rows of the incidents in `[start, end)`; the status changes of archived cases
    /// (for the median) only when `closing` is asked for.
    pub(crate) async fn year_rows(
        &self,
        organisation: &OrganisationId,
        start: i64,
        end: i64,
        closing: bool,
    ) -> Result<YearRows, RegisterError> {
        let org = organisation.as_str();
        let melding = CaseKind::Melding.as_str();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_snapshot().await?;
            let mut rows = YearRows::default();
            for row in sqlx::query(YEAR_CASES)
                .bind(org)
                .bind(melding)
                .bind(CaseKind::Consult.as_str())
                .bind(start)
                .bind(end)
                .fetch_all(&mut *tx)
                .await?
            {
                rows.cases.push(CaseRow {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    status: row.try_get("status")?,
                    victim_role: row.try_get("victim_role")?,
                    category: row.try_get("category")?,
                    channel: row.try_get("channel")?,
                    occurred_at: row.try_get("occurred_at")?,
                    reported_at: row.try_get("reported_at")?,
                    status_since: row.try_get("status_since")?,
                    plan_json: row.try_get("plan_json")?,
                });
            }
            for row in sqlx::query(YEAR_PERPETRATORS)
                .bind(org)
                .bind(melding)
                .bind(start)
                .bind(end)
                .fetch_all(&mut *tx)
                .await?
            {
                rows.perpetrators.push((row.try_get("case_id")?, row.try_get("kind")?));
            }
            for row in sqlx::query(YEAR_ITEMS)
                .bind(org)
                .bind(melding)
                .bind(start)
                .bind(end)
                .bind(ItemKind::Measure.as_str())
                .bind(ItemKind::Aftercare.as_str())
                .bind(ItemKind::Police.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                rows.items.push((row.try_get("case_id")?, row.try_get("kind")?, row.try_get("state_json")?));
            }
            for row in sqlx::query(YEAR_TASKS)
                .bind(org)
                .bind(melding)
                .bind(start)
                .bind(end)
                .fetch_all(&mut *tx)
                .await?
            {
                rows.tasks.push(TaskRow {
                    case_id: row.try_get("case_id")?,
                    code: row.try_get("code")?,
                    due_at: row.try_get("due_at")?,
                    due_date: row.try_get("due_date")?,
                    done_at: row.try_get("done_at")?,
                });
            }
            let status_changes = if closing {
                sqlx::query(YEAR_STATUS_CHANGES)
                    .bind(org)
                    .bind(melding)
                    .bind(start)
                    .bind(end)
                    .bind(CaseStatus::Gearchiveerd.as_str())
                    .bind(EventKind::StatusChanged.as_str())
                    .fetch_all(&mut *tx)
                    .await?
            } else {
                Vec::new()
            };
            for row in status_changes {
                rows.status_changes.push((row.try_get("case_id")?, row.try_get("at")?));
            }
            tx.commit().await?;
            Ok(rows)
        })
    }
}

/// The first moment of `year` and of the year after, in Europe/Amsterdam, as stored.
pub(crate) fn year_bounds(year: i16, tz: &TimeZone) -> Result<(i64, i64), RegisterError> {
    let first_moment = |year: i16| -> Result<i64, RegisterError> {
        let start = jiff::civil::date(year, 1, 1)
            .to_zoned(tz.clone())
            .map_err(|error| RegisterError::invalid("year", error.to_string()))?;
        Ok(to_micros(start.timestamp()))
    };
    Ok((first_moment(year)?, first_moment(year + 1)?))
}

/// A firm deadline: a moment (hours and days), or a date (working days), which is met
/// by the end of that day in Europe/Amsterdam.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deadline {
    At(Timestamp),
    Date(Date),
}

impl Deadline {
    pub(crate) fn of(
        due_at: Option<i64>,
        due_date: Option<&str>,
    ) -> Result<Option<Deadline>, RegisterError> {
        if let Some(due_at) = due_at {
            return Ok(Some(Deadline::At(from_micros(due_at)?)));
        }
        due_date
            .map(|text| {
                text.parse().map(Deadline::Date).map_err(|_| {
                    RegisterError::Corrupt(format!("stored date `{text}` is not a date"))
                })
            })
            .transpose()
    }

    pub(crate) fn met_by(self, moment: Timestamp, tz: &TimeZone) -> bool {
        match self {
            Deadline::At(due) => moment <= due,
            Deadline::Date(due) => moment.to_zoned(tz.clone()).date() <= due,
        }
    }

    pub(crate) fn passed_at(self, now: Timestamp, tz: &TimeZone) -> bool {
        !self.met_by(now, tz)
    }
}

pub(crate) fn corrupt(what: &str, text: &str) -> RegisterError {
    RegisterError::Corrupt(format!("unknown stored {what} `{text}`"))
}

fn parse_moment(value: &serde_json::Value) -> Result<Option<Timestamp>, RegisterError> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) => text
            .parse()
            .map(Some)
            .map_err(|_| RegisterError::Corrupt(format!("stored moment `{text}` is not a moment"))),
        other => Err(RegisterError::Corrupt(format!(
            "stored moment {other} is not a moment"
        ))),
    }
}

/// Counts the rows of one organisation's year (see [`YearlyCounts`] for what each
/// figure means).
fn count_year(
    organisation: &OrganisationId,
    year: i16,
    bodies: &[Body],
    rows: YearRows,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<YearlyCounts, RegisterError> {
    let groups = Body::ALL
        .iter()
        .filter(|body| bodies.contains(body))
        .flat_map(|body| victim_groups(*body).iter().copied());
    let mut counts = YearlyCounts {
        organisation: organisation.clone(),
        year,
        incidents: 0,
        consults: 0,
        by_category: Tally::zeros(Category::ALL.iter().map(|c| c.as_str())),
        by_abcd: Tally::zeros(ABCD),
        by_channel: Tally::zeros(Channel::ALL.iter().map(|c| c.as_str())),
        by_month: Tally::zeros(MONTHS),
        by_victim_group: Tally::zeros(groups),
        by_perpetrator_kind: Tally::zeros(PerpetratorKind::ALL.iter().map(|k| k.as_str())),
        recidive: 0,
        police: Tally::zeros(PoliceContactKind::ALL.iter().map(|k| k.as_str())),
        measures: Tally::zeros(Measure::ALL.iter().map(|m| m.as_str())),
        aftercare: Tally::zeros(AFTERCARE_KEYS),
        tasks: Tally::zeros(TASK_KEYS),
        median_days_to_close: None,
    };

    // The first perpetrator of each case (a report links at most one).
    let mut perpetrator_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (case, kind) in &rows.perpetrators {
        perpetrator_of.entry(case.as_str()).or_insert(kind.as_str());
    }
    // For archived cases: the moments of their status changes, in order.
    let mut status_changes: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (case, at) in &rows.status_changes {
        status_changes.entry(case.as_str()).or_default().push(*at);
    }

    // Per incident: closed or not, and the tasks its plan marks as a target only.
    let mut closed: BTreeSet<&str> = BTreeSet::new();
    let mut targets: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut days_to_close: Vec<f64> = Vec::new();
    for case in &rows.cases {
        let kind = CaseKind::parse(&case.kind).ok_or_else(|| corrupt("case kind", &case.kind))?;
        if kind == CaseKind::Consult {
            counts.consults += 1;
            continue;
        }
        counts.incidents += 1;
        if let Some(category) = &case.category {
            let category = Category::parse(category).map_err(|_| corrupt("category", category))?;
            counts.by_category.add(category.as_str());
            counts.by_abcd.add(abcd_key(category));
        }
        if !counts.by_channel.add(&case.channel) {
            return Err(corrupt("channel", &case.channel));
        }
        let occurred = from_micros(case.occurred_at)?.to_zoned(tz.clone());
        let month = usize::try_from(occurred.month() - 1)
            .ok()
            .and_then(|index| MONTHS.get(index))
            .ok_or_else(|| RegisterError::Corrupt(format!("month of {}", case.occurred_at)))?;
        counts.by_month.add(month);
        let role =
            Role::parse(&case.victim_role).map_err(|_| corrupt("role", &case.victim_role))?;
        if let Some(group) = victim_group(role) {
            counts.by_victim_group.add(group);
        }
        counts.by_perpetrator_kind.add(
            perpetrator_of
                .get(case.id.as_str())
                .copied()
                .unwrap_or(PerpetratorKind::Onbekend.as_str()),
        );

        let plan: serde_json::Value = match &case.plan_json {
            Some(text) => serde_json::from_str(text)
                .map_err(|error| RegisterError::Corrupt(format!("stored plan: {error}")))?,
            None => serde_json::Value::Null,
        };
        if plan["recidive"].as_bool() == Some(true) {
            counts.recidive += 1;
        }
        // §16.4 lets a protocol mark a deadline as a target rather than a firm one; such
        // a task is not held against the organisation in `tasks`.
        if let Some(planned) = plan["tasks"].as_array() {
            for task in planned {
                if task["target"].as_bool() == Some(true)
                    && let Some(code) = task["code"].as_str()
                {
                    targets.insert((case.id.as_str(), code.to_owned()));
                }
            }
        }

        let status =
            CaseStatus::parse(&case.status).ok_or_else(|| corrupt("status", &case.status))?;
        let closed_at = match status {
            CaseStatus::Afgerond => case.status_since,
            // Only an afgerond case can be archived, and only by a status change: the
            // change before the last one closed it. (Its payload, which says so, may be
            // erased by retention; the moments stay.)
            CaseStatus::Gearchiveerd => status_changes
                .get(case.id.as_str())
                .and_then(|moments| moments.len().checked_sub(2).and_then(|i| moments.get(i)))
                .copied()
                .or(case.status_since),
            _ => None,
        };
        if matches!(status, CaseStatus::Afgerond | CaseStatus::Gearchiveerd) {
            closed.insert(case.id.as_str());
            if let Some(closed_at) = closed_at {
                // Microseconds to days: exact enough for any span a register holds.
                #[allow(clippy::cast_precision_loss)]
                let days = (closed_at - case.reported_at) as f64 / 86_400_000_000.0;
                days_to_close.push(days);
            }
        }
    }
    counts.median_days_to_close =
        median(&mut days_to_close).map(|days| (days * 10.0).round() / 10.0);

    // Measures, police contacts, and when each aftercare conversation was held.
    let mut held: BTreeMap<(&str, &'static str), Timestamp> = BTreeMap::new();
    for (case, kind, state) in &rows.items {
        let state: serde_json::Value = serde_json::from_str(state)
            .map_err(|error| RegisterError::Corrupt(format!("stored item state: {error}")))?;
        let kind = ItemKind::parse(kind).ok_or_else(|| corrupt("item kind", kind))?;
        match kind {
            ItemKind::Measure => {
                let measure = state["measure"].as_str().unwrap_or_default();
                if !counts.measures.add(measure) {
                    return Err(corrupt("measure", measure));
                }
            }
            ItemKind::Police => {
                let contact = state["kind"].as_str().unwrap_or_default();
                if !counts.police.add(contact) {
                    return Err(corrupt("police contact", contact));
                }
            }
            ItemKind::Aftercare => {
                let word = state["conversation"].as_str().unwrap_or_default();
                let conversation = AftercareConversation::parse(word)
                    .ok_or_else(|| corrupt("conversation", word))?;
                if let Some(at) = parse_moment(&state["held_at"])? {
                    let earliest = held
                        .entry((case.as_str(), conversation.task().as_str()))
                        .or_insert(at);
                    *earliest = (*earliest).min(at);
                }
            }
            _ => {}
        }
    }

    let conversations: Vec<&'static str> = AftercareConversation::ALL
        .iter()
        .map(|conversation| conversation.task().as_str())
        .collect();
    for task in &rows.tasks {
        // An own task of the protocol (§16) or an improvement action is a task like any
        // other here; only the spec's conversations count as aftercare.
        let code = TaskCode::parse(&task.code).map_err(|_| corrupt("task", &task.code))?;
        let Some(deadline) = Deadline::of(task.due_at, task.due_date.as_deref())? else {
            continue;
        };
        let done = task.done_at.map(from_micros).transpose()?;
        if !targets.contains(&(task.case_id.as_str(), task.code.clone())) {
            let outcome = match done {
                Some(done) if deadline.met_by(done, tz) => Some("on_time"),
                Some(_) => Some("late"),
                None if deadline.passed_at(now, tz) => Some("overdue_open"),
                None => None,
            };
            if let Some(outcome) = outcome {
                counts.tasks.add(outcome);
            }
        }
        if let Some(conversation) = conversations.iter().copied().find(|c| *c == code.as_str()) {
            let held_at = held
                .get(&(task.case_id.as_str(), conversation))
                .copied()
                .or(done);
            let outcome = match held_at {
                Some(at) if deadline.met_by(at, tz) => Some("on_time"),
                Some(_) => Some("late"),
                None if deadline.passed_at(now, tz) || closed.contains(task.case_id.as_str()) => {
                    Some("not_held")
                }
                None => None,
            };
            if let Some(outcome) = outcome {
                counts.aftercare.add(outcome);
            }
        }
    }
    Ok(counts)
}

fn abcd_key(category: Category) -> &'static str {
    match category.abcd() {
        weerbaar_protocol::Abcd::A => "A",
        weerbaar_protocol::Abcd::B => "B",
        weerbaar_protocol::Abcd::C => "C",
        weerbaar_protocol::Abcd::D => "D",
    }
}

/// The median; with an even number of values the mean of the two middle ones.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => values.get(middle).copied(),
        _ => Some((values.get(middle - 1)? + values.get(middle)?) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use Cell::{Count, Hidden, Small};

    #[test]
    fn counts_from_one_to_four_are_small_and_zero_stays_zero() {
        assert_eq!(cell(0), Count(0));
        for n in 1..=4 {
            assert_eq!(cell(n), Small);
        }
        assert_eq!(cell(5), Count(5));
        assert_eq!(cell(123), Count(123));
    }

    #[test]
    fn cells_serialise_as_numbers_or_the_two_strings() {
        let cells = vec![Count(0), Small, Hidden, Count(7)];
        let json = serde_json::to_string(&cells).unwrap();
        assert_eq!(json, r#"[0,"<5","x",7]"#);
        let back: Vec<Cell> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cells);
        assert!(serde_json::from_str::<Cell>(r#""5""#).is_err());
    }

    #[test]
    fn one_small_cell_takes_the_smallest_other_non_zero_cell_with_it() {
        assert_eq!(
            suppress(&[3, 0, 9, 6, 12], true),
            [Small, Count(0), Count(9), Hidden, Count(12)]
        );
        // Without a shown total nothing more is hidden.
        assert_eq!(
            suppress(&[3, 0, 9, 6, 12], false),
            [Small, Count(0), Count(9), Count(6), Count(12)]
        );
    }

    #[test]
    fn ties_hide_the_first_in_key_order() {
        assert_eq!(
            suppress(&[8, 2, 8, 5, 5], true),
            [Count(8), Small, Count(8), Hidden, Count(5)]
        );
    }

    #[test]
    fn two_small_cells_protect_each_other() {
        assert_eq!(
            suppress(&[1, 4, 5, 20], true),
            [Small, Small, Count(5), Count(20)]
        );
    }

    #[test]
    fn a_lone_small_cell_has_nothing_to_hide_behind() {
        assert_eq!(suppress(&[0, 3, 0], true), [Count(0), Small, Count(0)]);
        assert_eq!(suppress(&[0, 0, 0], true), [Count(0), Count(0), Count(0)]);
        assert_eq!(suppress(&[], true), Vec::<Cell>::new());
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [10.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(&mut [10.0, 1.0, 4.0, 2.0]), Some(3.0));
    }

    #[test]
    fn every_office_holder_has_a_group_of_its_own_body() {
        for role in Role::ALL {
            match (role.office_of(), victim_group(*role)) {
                (Some(body), Some(group)) => assert!(
                    victim_groups(body).contains(&group),
                    "{role} counts in {group}, not a group of its {body}"
                ),
                (None, None) => {}
                (body, group) => panic!("{role}: body {body:?}, group {group:?}"),
            }
        }
    }

    #[test]
    fn the_year_runs_from_new_year_to_new_year_in_amsterdam() {
        let tz = weerbaar_protocol::calendar::amsterdam();
        let (start, end) = year_bounds(2026, &tz).unwrap();
        let at = |text: &str| to_micros(text.parse::<Timestamp>().unwrap());
        assert_eq!(start, at("2025-12-31T23:00:00Z"));
        assert_eq!(end, at("2026-12-31T23:00:00Z"));
    }

    #[test]
    fn a_date_deadline_lasts_the_whole_day_in_amsterdam() {
        let tz = weerbaar_protocol::calendar::amsterdam();
        let deadline = Deadline::Date(jiff::civil::date(2026, 3, 5));
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert!(deadline.met_by(at("2026-03-05T22:59:59Z"), &tz));
        assert!(!deadline.met_by(at("2026-03-05T23:00:00Z"), &tz));
        let moment = Deadline::At(at("2026-03-03T19:15:00Z"));
        assert!(moment.met_by(at("2026-03-03T19:15:00Z"), &tz));
        assert!(moment.passed_at(at("2026-03-03T19:15:00.000001Z"), &tz));
    }

    proptest! {
        /// The rule of §17, for any breakdown: small counts never show, zeros and large
        /// counts show as they are, and a total never lays bare a lone hidden cell.
        #[test]
        fn no_small_count_shows_and_no_hidden_cell_follows_from_the_total(
            counts in proptest::collection::vec(
                prop_oneof![Just(0_u64), 1_u64..=4, 5_u64..=8, 9_u64..=1000],
                0..14,
            ),
            total_shown in any::<bool>(),
        ) {
            let cells = suppress(&counts, total_shown);
            prop_assert_eq!(cells.len(), counts.len());
            for (count, shown) in counts.iter().zip(&cells) {
                match shown {
                    Count(n) => {
                        prop_assert_eq!(n, count);
                        prop_assert!(*n == 0 || *n > SMALL_UP_TO);
                    }
                    Small => prop_assert!((1..=SMALL_UP_TO).contains(count)),
                    // An "x" hides a count of 5 or more, and only where a total is shown.
                    Hidden => prop_assert!(total_shown && *count > SMALL_UP_TO),
                }
            }
            let hidden = cells.iter().filter(|c| matches!(c, Small | Hidden)).count();
            prop_assert!(cells.iter().filter(|c| **c == Hidden).count() <= 1);
            let non_zero = counts.iter().filter(|n| **n > 0).count();
            if total_shown && hidden == 1 {
                // The only way one hidden cell remains: it is the only non-zero one.
                prop_assert_eq!(non_zero, 1);
            }
            if !total_shown {
                prop_assert!(!cells.contains(&Hidden));
            }
            // The "x" is the smallest other non-zero count, the first of equals.
            if let Some(x) = cells.iter().position(|c| *c == Hidden) {
                let small = cells.iter().position(|c| *c == Small);
                for (index, count) in counts.iter().enumerate() {
                    if Some(index) != small && index != x && *count > 0 {
                        prop_assert!(*count > counts[x] || (*count == counts[x] && index > x));
                    }
                }
            }
        }
    }
}
