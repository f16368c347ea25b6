//! A fast pre-fill for the benches: the register's API makes a few thousand real cases
//! (`demo::seed_in_batches`), and this copies their rows in large transactions until
//! the register holds N. Through the API a case costs about six commits (200 cases/s on
//! two cores); a copy is a handful of `INSERT … SELECT` statements per thousands of
//! cases, so that 1,000,000 cases take minutes instead of hours.
//!
//! A copy has the template's codes, statuses, plans, tasks, items and perpetrator links,
//! with new ids (the template's id and a suffix) and numbers, and its moments moved back
//! by a whole number of five-year steps, so that the cases spread over twenty years (the
//! templates' five and three earlier spans of five) instead of piling up in one. Dates of
//! working-day deadlines (`due_date`) are text and stay as they are. The copies have no
//! events and their sealed content does not open (it is bound to the template's ids):
//! they are for the figures that read the query tables — the yearly report and the
//! dashboard — and the benches open only the templates.

use weerbaar_register::schema;
use weerbaar_register::{Db, OrganisationId, Register, RegisterError};

/// Five years of 365.2425 days, in microseconds.
const FIVE_YEARS: i64 = 5 * 31_556_952_000_000;

/// Columns holding a moment, which a copy moves back.
const MOMENTS: [&str; 10] = [
    "occurred_at",
    "reported_at",
    "created_at",
    "status_since",
    "anonymised_at",
    "opens_at",
    "due_at",
    "done_at",
    "updated_at",
    "at",
];

/// The tables copied with each case, by their `case_id`.
const CASE_TABLES: [&str; 6] = [
    "tasks",
    "case_items",
    "case_perpetrators",
    "case_victims",
    "case_behaviours",
    "case_informed",
];

/// `INSERT INTO table (…) SELECT … FROM table WHERE …` for one copy: `$2` is the id
/// suffix, `$3` the number offset, `$4` the shift back in microseconds, and `$1`/`$5`
/// select the templates (the organisation's cases numbered up to `$5`).
fn copy_statement(name: &str) -> Option<String> {
    let table = schema::table(name)?;
    let columns = table.column_names();
    let values: Vec<String> = columns
        .iter()
        .map(|column| match (name, *column) {
            ("cases", "id") | (_, "case_id") => format!("{column} || $2"),
            ("case_items", "id") => "id || $2".to_owned(),
            ("cases", "number") => "number + $3".to_owned(),
            (_, moment) if MOMENTS.contains(&moment) => format!("{moment} - $4"),
            (_, other) => other.to_owned(),
        })
        .collect();
    let templates = if name == "cases" {
        "organisation_id = $1 AND number <= $5".to_owned()
    } else {
        "case_id IN (SELECT id FROM cases WHERE organisation_id = $1 AND number <= $5)".to_owned()
    };
    // Keep the binds in use in every statement, so both backends take the same five.
    Some(format!(
        "INSERT INTO {name} ({}) SELECT {} FROM {name} WHERE {templates} AND $2 IS NOT NULL \
         AND $3 IS NOT NULL AND $4 IS NOT NULL",
        columns.join(", "),
        values.join(", ")
    ))
}

/// Copies the organisation's first `templates` cases until it has `total` cases, in
/// transactions of `copies_per_commit` copies; returns how many cases it added.
pub async fn copy_until(
    register: &Register,
    organisation: &OrganisationId,
    templates: i64,
    total: i64,
    copies_per_commit: i64,
) -> Result<i64, RegisterError> {
    let statements: Vec<String> = std::iter::once("cases")
        .chain(CASE_TABLES)
        .filter_map(copy_statement)
        .collect();
    let mut added = 0;
    let mut copy = 0_i64;
    while templates + added < total {
        macro_rules! one_commit {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                for _ in 0..copies_per_commit {
                    let wanted = (total - templates - added).min(templates);
                    if wanted <= 0 {
                        break;
                    }
                    copy += 1;
                    let suffix = format!("-c{copy}");
                    let shift = FIVE_YEARS * (copy % 4);
                    for statement in &statements {
                        // Built only from the names in `schema` and the constants here.
                        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                            .bind(organisation.as_str())
                            .bind(suffix.as_str())
                            .bind(copy * templates)
                            .bind(shift)
                            .bind(wanted)
                            .execute(&mut *tx)
                            .await?;
                    }
                    added += wanted;
                }
                sqlx::query(
                    "UPDATE organisations SET case_counter = \
                     (SELECT MAX(number) FROM cases WHERE organisation_id = $1) WHERE id = $1",
                )
                .bind(organisation.as_str())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }};
        }
        match register.db() {
            Db::Sqlite(pool) => one_commit!(pool),
            Db::Postgres(pool) => one_commit!(pool),
        }
    }
    // As a register that has lived with its data would be: statistics for the planner.
    match register.db() {
        Db::Sqlite(pool) => {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
    }
    Ok(added)
}
