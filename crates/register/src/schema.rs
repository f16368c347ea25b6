//! A static description of every table the migrations create, in foreign-key order (a
//! table comes after every table it references), with a portable type per column.
//!
//! `weerbaar db copy`, `weerbaar backup` and `weerbaar restore` move rows table by table
//! with SQL built only from the names written here. A test opens a fresh register and
//! compares its tables, columns, types, nullability, primary keys and foreign keys with
//! this list, so a table added to the migrations but not here fails the tests.

/// A column's type as both backends hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `TEXT` on both backends.
    Text,
    /// A 64-bit integer: `INTEGER` on SQLite, `BIGINT` on PostgreSQL.
    Integer,
    /// `INTEGER` (0 or 1) on SQLite, `BOOLEAN` on PostgreSQL.
    Boolean,
    /// `BLOB` on SQLite, `BYTEA` on PostgreSQL.
    Blob,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
            ColumnType::Blob => "blob",
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
    /// The migration gives the column a `DEFAULT`, so an `INSERT` that leaves it out
    /// fills it (a restore of a backup made before the column was added relies on this).
    pub has_default: bool,
}

/// One table: its columns in the order the migration declares them, and its primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static [&'static str],
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The names of the columns, in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|column| column.name).collect()
    }
}

use ColumnType::{Blob, Boolean, Integer, Text};

/// A column that is never NULL, without a default.
const fn req(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        has_default: false,
    }
}

/// A column that may be NULL, without a default.
const fn opt(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        nullable: true,
        has_default: false,
    }
}

/// A column that is never NULL and has a `DEFAULT` in its migration.
const fn defaulted(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        has_default: true,
    }
}

/// Every table of the register, in foreign-key order (`_sqlx_migrations` excepted: each
/// database gets it from its own migrations).
pub const TABLES: &[Table] = &[
    Table {
        name: "organisations",
        columns: &[
            req("id", Text),
            req("name", Text),
            req("protocol_id", Text),
            req("protocol_toml", Text),
            req("protocol_version", Text),
            req("wrapped_key", Blob),
            req("master_key_id", Text),
            defaulted("case_counter", Integer),
            req("created_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "people",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("name_enc", Blob),
            opt("email_enc", Blob),
            opt("email_index", Blob),
            req("created_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "person_roles",
        columns: &[
            req("person_id", Text),
            req("role", Text),
            req("current", Boolean),
        ],
        primary_key: &["person_id", "role"],
    },
    Table {
        name: "cases",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("number", Integer),
            req("kind", Text),
            req("status", Text),
            req("victim_role", Text),
            opt("category", Text),
            opt("report", Text),
            opt("handler_role", Text),
            req("channel", Text),
            req("injury", Text),
            req("occurred_at", Integer),
            req("reported_at", Integer),
            opt("reported_by", Text),
            req("on_behalf", Boolean),
            req("during_meeting", Boolean),
            req("damage", Boolean),
            opt("facts_json", Text),
            opt("plan_json", Text),
            opt("protocol_version", Text),
            opt("narrative_enc", Blob),
            opt("place_enc", Blob),
            defaulted("event_count", Integer),
            opt("last_hash", Blob),
            opt("status_since", Integer),
            opt("anonymised_at", Integer),
            req("created_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "case_victims",
        columns: &[
            req("case_id", Text),
            req("person_id", Text),
            req("role", Text),
            req("former", Boolean),
            req("relation", Text),
        ],
        primary_key: &["case_id", "person_id"],
    },
    Table {
        name: "case_behaviours",
        columns: &[req("case_id", Text), req("behaviour", Text)],
        primary_key: &["case_id", "behaviour"],
    },
    Table {
        name: "perpetrators",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("kind", Text),
            req("details_enc", Blob),
            req("created_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "perpetrator_index",
        columns: &[
            req("perpetrator_id", Text),
            req("organisation_id", Text),
            req("kind", Text),
            req("digest", Blob),
        ],
        primary_key: &["perpetrator_id", "kind", "digest"],
    },
    Table {
        name: "case_perpetrators",
        columns: &[req("case_id", Text), req("perpetrator_id", Text)],
        primary_key: &["case_id", "perpetrator_id"],
    },
    Table {
        name: "events",
        columns: &[
            req("case_id", Text),
            req("seq", Integer),
            req("kind", Text),
            opt("actor_id", Text),
            req("at", Integer),
            opt("payload_enc", Blob),
            req("payload_digest", Blob),
            req("prev_hash", Blob),
            req("hash", Blob),
        ],
        primary_key: &["case_id", "seq"],
    },
    Table {
        name: "tasks",
        columns: &[
            req("case_id", Text),
            req("organisation_id", Text),
            req("code", Text),
            req("assignee_role", Text),
            opt("opens_at", Integer),
            opt("due_at", Integer),
            opt("due_date", Text),
            opt("done_at", Integer),
            opt("done_by", Text),
            defaulted("target", Boolean),
        ],
        primary_key: &["case_id", "code"],
    },
    Table {
        name: "case_items",
        columns: &[
            req("id", Text),
            req("case_id", Text),
            req("kind", Text),
            req("state_json", Text),
            opt("content_enc", Blob),
            req("created_at", Integer),
            req("updated_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "case_access",
        columns: &[
            req("case_id", Text),
            req("person_id", Text),
            req("granted_by", Text),
            req("granted_at", Integer),
        ],
        primary_key: &["case_id", "person_id"],
    },
    Table {
        name: "retention_log",
        columns: &[
            req("case_id", Text),
            req("at", Integer),
            req("status", Text),
            req("period_days", Integer),
        ],
        primary_key: &["case_id"],
    },
    Table {
        name: "evidence",
        columns: &[
            req("id", Text),
            req("case_id", Text),
            req("kind", Text),
            opt("media_type", Text),
            opt("size", Integer),
            opt("stored_name", Text),
            req("details_enc", Blob),
            req("added_by", Text),
            req("added_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "accounts",
        columns: &[
            req("person_id", Text),
            opt("password_hash", Text),
            opt("totp_secret_enc", Blob),
            defaulted("totp_confirmed", Boolean),
            defaulted("recovery_codes", Text),
            defaulted("disabled", Boolean),
            req("created_at", Integer),
            req("updated_at", Integer),
            defaulted("code_failures", Integer),
            opt("code_locked_until", Integer),
            opt("last_code_step", Integer),
        ],
        primary_key: &["person_id"],
    },
    Table {
        name: "login_failures",
        columns: &[
            req("organisation_id", Text),
            req("login_digest", Blob),
            req("failed_attempts", Integer),
            opt("locked_until", Integer),
        ],
        primary_key: &["organisation_id", "login_digest"],
    },
    Table {
        name: "person_duties",
        columns: &[req("person_id", Text), req("duty", Text)],
        primary_key: &["person_id", "duty"],
    },
    Table {
        name: "sessions",
        columns: &[
            req("token_hash", Blob),
            req("organisation_id", Text),
            req("person_id", Text),
            req("csrf", Text),
            req("verified", Boolean),
            req("created_at", Integer),
            req("last_seen", Integer),
            defaulted("source", Text),
        ],
        primary_key: &["token_hash"],
    },
    Table {
        name: "case_informed",
        columns: &[
            req("case_id", Text),
            req("organisation_id", Text),
            req("role", Text),
        ],
        primary_key: &["case_id", "role"],
    },
    Table {
        name: "admin_events",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            opt("actor_id", Text),
            req("at", Integer),
            req("kind", Text),
            opt("subject_id", Text),
            req("detail_json", Text),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "retention_periods",
        columns: &[
            req("organisation_id", Text),
            req("status", Text),
            req("days", Integer),
            req("updated_at", Integer),
        ],
        primary_key: &["organisation_id", "status"],
    },
    Table {
        name: "api_tokens",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("person_id", Text),
            req("name", Text),
            req("prefix", Text),
            req("token_hash", Blob),
            req("scope", Text),
            req("created_at", Integer),
            req("expires_at", Integer),
            opt("last_used_at", Integer),
            opt("revoked_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "api_token_uses",
        columns: &[
            req("id", Text),
            req("token_id", Text),
            req("at", Integer),
            req("method", Text),
            req("route", Text),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "outbox",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("person_id", Text),
            req("kind", Text),
            opt("case_id", Text),
            opt("subject", Text),
            req("dedupe_key", Text),
            req("state", Text),
            req("attempts", Integer),
            req("next_attempt_at", Integer),
            opt("lease_owner", Text),
            opt("lease_until", Integer),
            opt("last_error", Text),
            req("created_at", Integer),
            opt("sent_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "mail_preferences",
        columns: &[
            req("person_id", Text),
            req("kind", Text),
            req("enabled", Boolean),
            req("updated_at", Integer),
        ],
        primary_key: &["person_id", "kind"],
    },
    Table {
        name: "calendar_feeds",
        columns: &[
            req("person_id", Text),
            req("organisation_id", Text),
            req("token_hash", Blob),
            req("created_at", Integer),
        ],
        primary_key: &["person_id"],
    },
    Table {
        name: "provider_sign_ins",
        columns: &[
            req("state_hash", Blob),
            req("organisation_id", Text),
            req("nonce_enc", Blob),
            req("verifier_enc", Blob),
            req("return_to", Text),
            req("created_at", Integer),
        ],
        primary_key: &["state_hash"],
    },
    Table {
        name: "yearly_discussions",
        columns: &[
            req("organisation_id", Text),
            req("year", Integer),
            req("dilemmas_enc", Blob),
            req("conclusions_enc", Blob),
            req("changes_enc", Blob),
            req("updated_by", Text),
            req("updated_at", Integer),
            opt("figures_json", Text),
            opt("finalised_by", Text),
            opt("finalised_at", Integer),
        ],
        primary_key: &["organisation_id", "year"],
    },
    Table {
        name: "protocol_evaluations",
        columns: &[
            req("id", Text),
            req("organisation_id", Text),
            req("held_on", Text),
            req("protocol_version", Text),
            req("content_enc", Blob),
            req("recorded_by", Text),
            req("recorded_at", Integer),
            opt("followed_by_version", Text),
            opt("followed_at", Integer),
        ],
        primary_key: &["id"],
    },
    Table {
        name: "sign_in_attempts",
        columns: &[
            req("address_digest", Blob),
            req("window_start", Integer),
            req("attempts", Integer),
        ],
        primary_key: &["address_digest"],
    },
];

// What a backup made by an earlier version may lack.
//
// A restore takes a backup of an earlier schema (this one as an earlier migration left
// it) only when the result is what upgrading that register in place would have given: a
// migration that creates a table empty, or adds a column whose default is right for every
// row made before it, can be replayed by a restore that leaves the table empty or lets the
// database fill the column. A migration that fills a new table or column from the rows
// already there cannot: a restore would leave it empty or at its default where the upgrade
// filled it in. Tables of the first migration (0001) are in every backup any version
// wrote; a backup lacking one is damaged, not old, and is refused. A test reads the
// migrations and checks that every table and column they add after 0001 is in exactly one
// of the lists below, so a new migration must decide here.

/// Tables added after the first migration that a backup made before them lacks, and that
/// a restore of such a backup leaves empty — as each one's migration created it empty:
///
/// - `person_duties` (0002): before it nobody had a duty; the upgrade leaves it empty too
///   (`weerbaar user add --duty beheerder` makes an administrator).
/// - `sessions` (0002), `provider_sign_ins` (0006): sign-ins done or in progress; without
///   them people sign in again, and nothing else refers to them.
/// - `admin_events`, `retention_periods` (0003): no administrative change was logged before
///   the log existed; without a row of its own an organisation keeps the installation's
///   retention periods, as it did.
/// - `api_tokens`, `api_token_uses` (0004), `outbox`, `mail_preferences`, `calendar_feeds`
///   (0005): no tokens, queued mails, mail choices (a kind without a row is sent) or
///   calendar links existed before them.
/// - `yearly_discussions` (0009): no text of a yearly discussion was written before it.
/// - `protocol_evaluations` (0011): no evaluation of the protocol was recorded before it.
/// - `sign_in_attempts` (0013): counts of a minute's sign-in attempts, worthless a minute
///   later.
///
/// What the end of a restore checks holds for a backup without them: each table the backup
/// holds has the rows its end line lists (it lists only those tables), and every evidence
/// file the `evidence` rows name came (none of these tables names a file). No case, event,
/// evidence row or person refers to a row of these tables.
pub const LEFT_EMPTY_WHEN_ABSENT: &[&str] = &[
    "person_duties",
    "sessions",
    "admin_events",
    "retention_periods",
    "api_tokens",
    "api_token_uses",
    "outbox",
    "mail_preferences",
    "calendar_feeds",
    "provider_sign_ins",
    "yearly_discussions",
    "protocol_evaluations",
    "sign_in_attempts",
];

/// Tables added after the first migration whose migration filled them from the rows
/// already there, so that a backup lacking one is refused rather than restored with the
/// table empty: `case_informed` (0002) holds the roles each case's plan informs, which the
/// lists of cases read; left empty, the people informed of a case would no longer find it.
/// (So a backup from before 0002 is refused, though it lacks `person_duties` and
/// `sessions` too, which on their own could be left empty.)
pub const REFUSED_WHEN_ABSENT: &[&str] = &["case_informed"];

/// Columns a later migration added to a table that existed (`ALTER TABLE … ADD COLUMN`),
/// as (table, column): a backup made before one lacks it, and a restore lets the database
/// fill it with its default. Each is nullable or has a default (a test checks), and that
/// default is right for every row made before the column existed:
///
/// - `sessions.source` (0006), default `'password'`: before sign-in through the identity
///   provider existed, every session began with a password.
/// - `tasks.target` (0008), default false: before own protocols, every deadline was firm.
/// - `accounts.code_failures`, `code_locked_until`, `last_code_step` (0012), default 0 and
///   NULL: the guards of the second factor lived in memory before; a restored account
///   starts without failures, lock or used step, as after a restart then.
pub const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("sessions", "source"),
    ("tasks", "target"),
    ("accounts", "code_failures"),
    ("accounts", "code_locked_until"),
    ("accounts", "last_code_step"),
];

/// Whether a backup may lack the table `name`, which a restore then leaves empty.
pub fn may_be_absent(name: &str) -> bool {
    LEFT_EMPTY_WHEN_ABSENT.contains(&name)
}

/// Whether a backup may lack `column` of `table`, which a restore then lets the database
/// fill: a column a later migration added, nullable or with a default.
pub fn may_lack_column(table: &Table, column: &Column) -> bool {
    (column.nullable || column.has_default) && ADDED_COLUMNS.contains(&(table.name, column.name))
}

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|table| table.name == name)
}

/// Whether `name` can be written into SQL as it is: lowercase ASCII letters, digits and
/// underscores, not starting with a digit. Every name in [`TABLES`] is (a test checks),
/// which is what makes the SQL built from them safe.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use sqlx::Row;

    use super::*;
    use crate::db::Db;

    #[test]
    fn names_are_plain_unique_and_keys_are_columns() {
        let mut tables = BTreeSet::new();
        for table in TABLES {
            assert!(
                is_plain_identifier(table.name),
                "table name `{}`",
                table.name
            );
            assert!(tables.insert(table.name), "table `{}` twice", table.name);
            let mut columns = BTreeSet::new();
            for column in table.columns {
                assert!(
                    is_plain_identifier(column.name),
                    "column name `{}.{}`",
                    table.name,
                    column.name
                );
                assert!(
                    columns.insert(column.name),
                    "column `{}.{}` twice",
                    table.name,
                    column.name
                );
            }
            assert!(
                !table.primary_key.is_empty(),
                "table `{}` has no primary key",
                table.name
            );
            for key in table.primary_key {
                let column = table.column(key).unwrap_or_else(|| {
                    panic!("primary key `{key}` of `{}` is not a column", table.name)
                });
                assert!(
                    !column.nullable,
                    "primary key column `{}.{key}` must be NOT NULL",
                    table.name
                );
            }
        }
        assert!(is_plain_identifier("case_v2"));
        assert!(!is_plain_identifier("2cases"));
        assert!(!is_plain_identifier("cases\"; DROP"));
        assert!(!is_plain_identifier(""));
    }

    /// What one migration file adds: the tables it creates, and the (table, column) pairs
    /// it adds to an existing table.
    #[derive(Debug, Default)]
    struct Added {
        tables: Vec<String>,
        columns: Vec<(String, String)>,
        /// Tables it writes rows into (`INSERT INTO`, `UPDATE`).
        filled: Vec<String>,
    }

    /// What each migration file of `backend` adds, by the file's name.
    fn added_by_migrations(backend: &str) -> BTreeMap<String, Added> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut found = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".sql") {
                continue;
            }
            // Words, without comments, as the SQL reads them.
            let text = std::fs::read_to_string(&path).unwrap();
            let words: Vec<String> = text
                .lines()
                .map(|line| line.split("--").next().unwrap_or_default())
                .flat_map(|line| line.split(|c: char| c.is_whitespace() || c == '(' || c == ';'))
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .collect();
            let (mut tables, mut columns, mut filled) = (Vec::new(), Vec::new(), Vec::new());
            for (at, window) in words.windows(3).enumerate() {
                if window[0] == "insert" && window[1] == "into" {
                    filled.push(window[2].clone());
                }
                if window[0] == "update" && (at == 0 || words[at - 1] != "on") {
                    filled.push(window[1].clone());
                }
                if window[0] == "create" && window[1] == "table" {
                    tables.push(window[2].clone());
                }
                if window[0] == "alter" && window[1] == "table" {
                    assert_eq!(
                        words.get(at + 3..at + 5),
                        Some(&["add".to_owned(), "column".to_owned()][..]),
                        "{name}: an ALTER TABLE other than ADD COLUMN; decide here what a \
                         restore of a backup made before it does"
                    );
                    columns.push((window[2].clone(), words[at + 5].clone()));
                }
            }
            found.insert(
                name,
                Added {
                    tables,
                    columns,
                    filled,
                },
            );
        }
        found
    }

    /// Every table and column a migration after the first adds is in exactly one of the
    /// lists that say what a restore does with a backup made before it, on both backends;
    /// and an added column is filled by the database when a backup lacks it.
    #[test]
    fn what_an_older_backup_may_lack_follows_the_migrations() {
        for backend in ["sqlite", "postgres"] {
            let migrations = added_by_migrations(backend);
            assert!(migrations.len() >= 6, "{backend}: {migrations:?}");
            let (
                first,
                Added {
                    tables: first_tables,
                    ..
                },
            ) = migrations.first_key_value().unwrap();
            assert!(first.starts_with("0001_"), "{first}");
            for name in LEFT_EMPTY_WHEN_ABSENT.iter().chain(REFUSED_WHEN_ABSENT) {
                assert!(table(name).is_some(), "`{name}` is not in TABLES");
                assert!(
                    !first_tables.iter().any(|t| t == name),
                    "`{name}` is made by {first}: every backup holds it"
                );
            }
            let mut later_tables: Vec<String> = migrations
                .values()
                .skip(1)
                .flat_map(|added| added.tables.clone())
                .collect();
            later_tables.sort();
            let mut listed: Vec<String> = LEFT_EMPTY_WHEN_ABSENT
                .iter()
                .chain(REFUSED_WHEN_ABSENT)
                .map(|name| (*name).to_owned())
                .collect();
            listed.sort();
            assert_eq!(
                later_tables, listed,
                "{backend}: the tables made after {first} (left) must each be in \
                 LEFT_EMPTY_WHEN_ABSENT or REFUSED_WHEN_ABSENT, once (right)"
            );
            // A migration that fills rows from those already there cannot be replayed by
            // leaving a table empty or letting the database fill a column.
            assert!(
                migrations
                    .values()
                    .any(|added| added.filled.iter().any(|name| name == "case_informed")),
                "{backend}: 0002 fills case_informed from the cases"
            );
            for (file, added) in migrations.iter().skip(1) {
                for name in &added.filled {
                    assert!(
                        REFUSED_WHEN_ABSENT.contains(&name.as_str()),
                        "{backend}/{file} writes rows of `{name}`: a backup made before it \
                         cannot be restored by leaving the table empty or filling a column \
                         with its default; put the table in REFUSED_WHEN_ABSENT, or make \
                         restore do what the migration does"
                    );
                }
            }
            let mut later_columns: Vec<(String, String)> = migrations
                .values()
                .flat_map(|added| added.columns.clone())
                .collect();
            later_columns.sort();
            let mut listed: Vec<(String, String)> = ADDED_COLUMNS
                .iter()
                .map(|(table, column)| ((*table).to_owned(), (*column).to_owned()))
                .collect();
            listed.sort();
            assert_eq!(
                later_columns, listed,
                "{backend}: the columns added by ALTER TABLE (left) and ADDED_COLUMNS (right)"
            );
        }
        for (name, column) in ADDED_COLUMNS {
            let table = table(name).unwrap();
            let column = table.column(column).unwrap();
            assert!(
                column.nullable || column.has_default,
                "`{name}.{}` was added later but is NOT NULL without a default: a backup made \
                 before it cannot be restored",
                column.name
            );
            assert!(may_lack_column(table, column));
        }
        // A column of the first migration may not be missing, default or not.
        let cases = table("cases").unwrap();
        assert!(!may_lack_column(
            cases,
            cases.column("event_count").unwrap()
        ));
        assert!(!may_lack_column(
            cases,
            cases.column("narrative_enc").unwrap()
        ));
        assert!(may_be_absent("provider_sign_ins"));
        assert!(!may_be_absent("case_informed") && !may_be_absent("cases"));
    }

    /// One column as SQLite describes it.
    #[derive(Debug, PartialEq, Eq)]
    struct Described {
        name: String,
        ty: String,
        nullable: bool,
        has_default: bool,
    }

    /// The declared type SQLite's migration uses for a portable type.
    fn sqlite_types(ty: ColumnType) -> &'static [&'static str] {
        match ty {
            ColumnType::Text => &["TEXT"],
            ColumnType::Integer => &["INTEGER"],
            ColumnType::Boolean => &["INTEGER", "BOOLEAN"],
            ColumnType::Blob => &["BLOB"],
        }
    }

    /// The tables of a fresh SQLite register — columns, primary keys, foreign keys — are
    /// exactly those of [`TABLES`], and every table comes after the tables it references.
    #[tokio::test]
    async fn schema_matches_the_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("x.db").display());
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite(pool) = &db else {
            unreachable!("a sqlite: url opens SQLite")
        };

        let in_database: BTreeSet<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("name"))
        .collect();
        let described: BTreeSet<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
        let missing: Vec<&String> = in_database.difference(&described).collect();
        let extra: Vec<&String> = described.difference(&in_database).collect();
        assert!(
            missing.is_empty(),
            "tables in the migrations but not in src/schema.rs: {missing:?}; \
             add them to TABLES (in foreign-key order) so copy, backup and restore carry them"
        );
        assert!(
            extra.is_empty(),
            "tables in src/schema.rs but not in the migrations: {extra:?}"
        );

        let position: BTreeMap<&str, usize> = TABLES
            .iter()
            .enumerate()
            .map(|(index, table)| (table.name, index))
            .collect();
        for (index, table) in TABLES.iter().enumerate() {
            let rows = sqlx::query(
                "SELECT name, type, \"notnull\" AS not_null, pk, dflt_value IS NOT NULL AS has_default \
                 FROM pragma_table_info($1) ORDER BY cid",
            )
            .bind(table.name)
            .fetch_all(pool)
            .await
            .unwrap();
            let mut keys: Vec<(i64, String)> = Vec::new();
            let actual: Vec<Described> = rows
                .iter()
                .map(|row| {
                    let name: String = row.get("name");
                    let pk: i64 = row.get("pk");
                    if pk > 0 {
                        keys.push((pk, name.clone()));
                    }
                    let not_null: i64 = row.get("not_null");
                    Described {
                        name,
                        ty: row.get::<String, _>("type").to_uppercase(),
                        // SQLite lets a non-integer primary key be NULL unless declared
                        // NOT NULL; the register never writes one, and PostgreSQL forbids it.
                        nullable: not_null == 0 && pk == 0,
                        has_default: row.get::<bool, _>("has_default"),
                    }
                })
                .collect();
            let expected: Vec<Described> = table
                .columns
                .iter()
                .map(|column| Described {
                    name: column.name.to_owned(),
                    ty: actual
                        .iter()
                        .find(|d| d.name == column.name)
                        .map(|d| d.ty.clone())
                        .filter(|ty| sqlite_types(column.ty).contains(&ty.as_str()))
                        .unwrap_or_else(|| sqlite_types(column.ty)[0].to_owned()),
                    nullable: column.nullable,
                    has_default: column.has_default,
                })
                .collect();
            assert_eq!(
                actual, expected,
                "table `{}`: the migration (left) and src/schema.rs (right) disagree",
                table.name
            );
            keys.sort();
            let keys: Vec<String> = keys.into_iter().map(|(_, name)| name).collect();
            assert_eq!(
                keys, table.primary_key,
                "primary key of `{}`: the migration (left) and src/schema.rs (right) disagree",
                table.name
            );

            let references: Vec<String> =
                sqlx::query("SELECT \"table\" AS target FROM pragma_foreign_key_list($1)")
                    .bind(table.name)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get("target"))
                    .collect();
            for target in references {
                let at = position.get(target.as_str()).copied();
                assert!(
                    at.is_some_and(|at| at < index),
                    "`{}` references `{target}`, which must come before it in TABLES",
                    table.name
                );
            }
        }

        // The lists of cases, sessions and API tokens read these in order; losing one would turn a
        // page of the inbox into a scan of every case.
        let indexes: BTreeSet<String> =
            sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index'")
                .fetch_all(pool)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<String, _>("name"))
                .collect();
        for wanted in [
            "tasks_inbox",
            "cases_handler",
            "cases_handler_status",
            "cases_reported_by",
            "case_informed_role",
            "sessions_person",
            "api_tokens_person",
            "api_token_uses_token",
        ] {
            assert!(indexes.contains(wanted), "index `{wanted}` is missing");
        }
        db.close().await;
    }
}
