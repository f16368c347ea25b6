//! Moving a whole register: `weerbaar db copy --to URL` (SQLite to PostgreSQL or back),
//! `weerbaar backup FILE` and `weerbaar restore FILE`.
//!
//! All three read or write every table of [`crate::schema::TABLES`] in foreign-key order,
//! with SQL built only from the static names written there, and values bound by each
//! column's portable type.
//!
//! - The source is read inside one read transaction, so what is copied or backed up is a
//!   consistent snapshot even while the register keeps serving: on PostgreSQL a
//!   `REPEATABLE READ READ ONLY` transaction, on SQLite a read transaction in WAL mode.
//!   Tables are read in pages of [`PAGE`] rows by primary key, so memory stays bounded.
//! - The target is written in one transaction and must be empty: a copy or restore that
//!   fails half-way leaves it as empty as it was.
//!
//! Evidence files stay where they are in a copy (it moves the database only); a backup
//! carries them, and a restore writes them into the evidence directory it is given.
//!
//! # Backup file format (version 2)
//!
//! ```text
//! WEERBAAR-BACKUP\n
//! {"format":2,"created_at":"…","master_key_fingerprint":"…","file_id":"<32 hex>","chunk_size":1048576}\n
//! chunk*   — each: [last: u8 (0 or 1)] [length: u32 BE] [24-byte nonce] [ciphertext + 16-byte tag]
//! ```
//!
//! The plaintext, cut into chunks of `chunk_size` bytes, is JSON lines: per table a line
//! `{"table":NAME,"columns":[…]}` followed by one JSON array per row (text as strings,
//! integers as numbers, booleans, blobs as hexadecimal strings, NULL as null). After the
//! tables, per evidence file an `evidence` row names (its `stored_name`), a line
//! `{"file":STORED_NAME,"size":BYTES}`, then the file's bytes as they lie in the evidence
//! directory (already sealed with the organisation's data key) and a newline. At the end
//! `{"end":[[NAME,ROWS],…],"files":{"count":FILES,"bytes":BYTES}}`.
//!
//! Version 1 (written before backups carried evidence files) is the same without file
//! records and without `files` in the end line. It is still restored when none of its
//! evidence rows names a file, and refused, naming how many files it lacks, when one does:
//! restoring it would leave evidence rows pointing at nothing.
//!
//! # Backups of an earlier schema
//!
//! A restore takes a backup made by an earlier version of Weerbaar, whose tables are this
//! version's as an earlier migration left them, when restoring it gives what upgrading
//! that register in place would have given (the lists and their reasons are in
//! [`crate::schema`]):
//!
//! - a table the backup lacks is left empty, if a later migration added it empty
//!   ([`crate::schema::LEFT_EMPTY_WHEN_ABSENT`]); any other table missing is refused;
//! - a column the backup's table lacks is filled by the database's default, if a later
//!   migration added it with one or nullable ([`crate::schema::ADDED_COLUMNS`]); any other
//!   column missing is refused, naming table and column.
//!
//! A table or column this version does not know (a backup of a later version), or columns
//! in another order, are refused: restore with the version that made the backup. The end
//! line lists the tables the backup holds; the summary lists every table of this version,
//! those the backup lacked with 0 rows.
//!
//! Each chunk is sealed with XChaCha20-Poly1305 under a key derived from the master key and
//! the file's random id (HMAC-SHA256). Its associated data is the SHA-256 of the magic and
//! header line, the chunk's index and whether it is the last, so a changed header, a chunk
//! altered, moved, dropped or taken from another backup, and a file cut short are all
//! noticed. The file holds nothing in the clear beyond the header.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};
use zeroize::Zeroizing;

use crate::crypto::MasterKey;
use crate::db::{BeginWrite, Db};
use crate::error::RegisterError;
use crate::schema::{Column, ColumnType, TABLES, Table};

/// Rows read per page from the source, and the most rows written per `INSERT`.
pub const PAGE: usize = 500;
/// Upper bound of bound parameters in one `INSERT` (SQLite allows 32766, PostgreSQL 65535).
const MAX_PARAMETERS: usize = 10_000;

/// The magic line a backup file starts with.
pub const BACKUP_MAGIC: &[u8; 16] = b"WEERBAAR-BACKUP\n";
/// The backup format this version writes (and reads, with [`BACKUP_FORMAT_V1`]).
pub const BACKUP_FORMAT: u32 = 2;
/// The format before backups carried evidence files; still read (see the module docs).
pub const BACKUP_FORMAT_V1: u32 = 1;
/// Plaintext bytes per sealed chunk.
const CHUNK_SIZE: usize = 1 << 20;
/// The largest chunk size a backup file may declare: a bound on what reading allocates.
const MAX_CHUNK_SIZE: u64 = 64 << 20;
/// The header line is short; anything longer is not a Weerbaar backup.
const MAX_HEADER_LEN: usize = 4096;
/// Domain separation for the backup key.
const BACKUP_KEY_LABEL: &[u8] = b"weerbaar backup v1";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// `last` flag and length in front of every chunk.
const FRAME_LEN: usize = 5;
/// Bytes read from an evidence file at a time.
const FILE_PIECE: usize = 256 * 1024;

type HmacSha256 = Hmac<Sha256>;

/// What a copy, backup or restore moved: rows per table, in [`TABLES`] order, and the
/// evidence files a backup or restore carried (a copy moves none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSummary {
    pub tables: Vec<(&'static str, u64)>,
    /// Evidence files in the backup.
    pub evidence_files: u64,
    /// Their bytes, as stored (sealed).
    pub evidence_bytes: u64,
}

impl TransferSummary {
    /// All rows moved.
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }

    /// The rows moved of `table`, `None` for a table the register does not have.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|(name, _)| *name == table)
            .map(|(_, rows)| *rows)
    }
}

impl fmt::Display for TransferSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (table, rows) in &self.tables {
            writeln!(f, "{table:<20} {rows:>10}")?;
        }
        write!(f, "{:<20} {:>10}", "total", self.total())?;
        if self.evidence_files > 0 {
            write!(
                f,
                "\n{:<20} {:>10} ({} bytes)",
                "evidence files", self.evidence_files, self.evidence_bytes
            )?;
        }
        Ok(())
    }
}

/// One stored value, typed by its column's [`ColumnType`].
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Text(String),
    Integer(i64),
    Boolean(bool),
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Text(_) => "text",
            Value::Integer(_) => "integer",
            Value::Boolean(_) => "boolean",
            Value::Blob(_) => "blob",
        }
    }

    /// The value in a backup line.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Integer(number) => serde_json::Value::from(*number),
            Value::Boolean(flag) => serde_json::Value::Bool(*flag),
            Value::Blob(bytes) => serde_json::Value::String(hex::encode(bytes)),
        }
    }

    /// The value of `column` from a backup line; `None` when it does not fit the column.
    fn from_json(column: &Column, json: &serde_json::Value) -> Option<Value> {
        if json.is_null() {
            return column.nullable.then_some(Value::Null);
        }
        match column.ty {
            ColumnType::Text => json.as_str().map(|text| Value::Text(text.to_owned())),
            ColumnType::Integer => json.as_i64().map(Value::Integer),
            ColumnType::Boolean => json.as_bool().map(Value::Boolean),
            ColumnType::Blob => json
                .as_str()
                .and_then(|text| hex::decode(text).ok())
                .map(Value::Blob),
        }
    }
}

/// `"name"`: every name comes from [`TABLES`], whose names are plain identifiers (a test in
/// `schema` checks), so quoting cannot be escaped.
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn column_list<'a>(columns: impl IntoIterator<Item = &'a Column>) -> String {
    columns
        .into_iter()
        .map(|column| quoted(column.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, …, $(first + count - 1)`.
fn parameters(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|number| format!("${number}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next page of `table` in primary-key order, after the key bound as `$1…` when
/// `after` is set. Row-value comparison works alike on SQLite and PostgreSQL.
fn select_sql(table: &Table, after: bool) -> String {
    let key = table
        .primary_key
        .iter()
        .map(|name| quoted(name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "SELECT {} FROM {}",
        column_list(table.columns),
        quoted(table.name)
    );
    if after {
        sql.push_str(&format!(
            " WHERE ({key}) > ({})",
            parameters(1, table.primary_key.len())
        ));
    }
    sql.push_str(&format!(" ORDER BY {key} LIMIT {PAGE}"));
    sql
}

/// An `INSERT` of `rows` rows into `columns` of `table`; the columns left out take their
/// default (a restore of a backup made before a column was added).
fn insert_sql(table: &Table, columns: &[&Column], rows: usize) -> String {
    let width = columns.len();
    let values = (0..rows)
        .map(|row| format!("({})", parameters(row * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES {values}",
        quoted(table.name),
        column_list(columns.iter().copied())
    )
}

/// Where the primary key's columns are in a row of `table`.
fn key_positions(table: &Table) -> Result<Vec<&'static Column>, RegisterError> {
    table
        .primary_key
        .iter()
        .map(|name| {
            table.column(name).ok_or_else(|| {
                RegisterError::Corrupt(format!(
                    "src/schema.rs: the primary key `{name}` of table `{}` is not one of its columns",
                    table.name
                ))
            })
        })
        .collect()
}

/// The primary key of `row`, to read the page after it.
fn key_of(table: &Table, keys: &[&Column], row: &[Value]) -> Result<Vec<Value>, RegisterError> {
    keys.iter()
        .map(|key| {
            table
                .columns
                .iter()
                .position(|column| column.name == key.name)
                .and_then(|index| row.get(index))
                .cloned()
                .ok_or_else(|| {
                    RegisterError::Corrupt(format!(
                        "a row of `{}` lacks its key column `{}`",
                        table.name, key.name
                    ))
                })
        })
        .collect()
}

/// Binds `$value` to `$query` as `$column`'s type (a NULL as a typed NULL, which
/// PostgreSQL needs); evaluates to `Result<query, RegisterError>`.
macro_rules! bind_value {
    ($query:ident, $table:expr, $column:expr, $value:expr) => {{
        let column: &Column = $column;
        let value: &Value = $value;
        match (column.ty, value) {
            (ColumnType::Text, Value::Null) => Ok($query.bind(None::<String>)),
            (ColumnType::Integer, Value::Null) => Ok($query.bind(None::<i64>)),
            (ColumnType::Boolean, Value::Null) => Ok($query.bind(None::<bool>)),
            (ColumnType::Blob, Value::Null) => Ok($query.bind(None::<Vec<u8>>)),
            (ColumnType::Text, Value::Text(text)) => Ok($query.bind(text.as_str())),
            (ColumnType::Integer, Value::Integer(number)) => Ok($query.bind(*number)),
            (ColumnType::Boolean, Value::Boolean(flag)) => Ok($query.bind(*flag)),
            (ColumnType::Blob, Value::Blob(bytes)) => Ok($query.bind(bytes.as_slice())),
            (ty, value) => Err(RegisterError::Corrupt(format!(
                "column `{}.{}` holds {}, a {} value",
                $table.name,
                column.name,
                ty.as_str(),
                value.kind()
            ))),
        }
    }};
}

/// Decodes one row of `$table` from either backend; evaluates to
/// `Result<Vec<Value>, RegisterError>`.
macro_rules! decode_row {
    ($row:expr, $table:expr) => {{
        let row = $row;
        let table: &Table = $table;
        let mut values = Vec::with_capacity(table.columns.len());
        let mut failed = None;
        for (index, column) in table.columns.iter().enumerate() {
            let decoded = match column.ty {
                ColumnType::Text => row
                    .try_get::<Option<String>, _>(index)
                    .map(|value| value.map_or(Value::Null, Value::Text)),
                ColumnType::Integer => row
                    .try_get::<Option<i64>, _>(index)
                    .map(|value| value.map_or(Value::Null, Value::Integer)),
                ColumnType::Boolean => row
                    .try_get::<Option<bool>, _>(index)
                    .map(|value| value.map_or(Value::Null, Value::Boolean)),
                ColumnType::Blob => row
                    .try_get::<Option<Vec<u8>>, _>(index)
                    .map(|value| value.map_or(Value::Null, Value::Blob)),
            };
            match decoded {
                Ok(Value::Null) if !column.nullable => {
                    failed = Some(format!(
                        "column `{}.{}` is NULL, which it may not be",
                        table.name, column.name
                    ));
                    break;
                }
                Ok(value) => values.push(value),
                Err(error) => {
                    failed = Some(format!(
                        "column `{}.{}` does not read as {}: {error}",
                        table.name,
                        column.name,
                        column.ty.as_str()
                    ));
                    break;
                }
            }
        }
        match failed {
            Some(reason) => Err(RegisterError::Corrupt(reason)),
            None => Ok(values),
        }
    }};
}

/// An open transaction on either backend: a snapshot to read, or the target to write.
enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

macro_rules! on_tx {
    ($tx:expr, $inner:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite($inner) => $body,
            Tx::Postgres($inner) => $body,
        }
    };
}

impl Tx {
    /// A read transaction that sees one consistent state of `db` while others write. On
    /// SQLite (WAL) the snapshot is fixed by the first read, which comes right after.
    async fn snapshot(db: &Db) -> Result<Tx, RegisterError> {
        Ok(match db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// The write transaction on the target. On SQLite it holds the write lock from the
    /// start; on PostgreSQL every table is locked against other writers, so nothing can
    /// slip in between the check that the target is empty and the commit.
    async fn target(db: &Db) -> Result<Tx, RegisterError> {
        Ok(match db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_write().await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let tables = TABLES
                    .iter()
                    .map(|table| quoted(table.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                sqlx::query(AssertSqlSafe(format!(
                    "LOCK TABLE {tables} IN EXCLUSIVE MODE"
                )))
                .execute(&mut *tx)
                .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Refuses a target that holds any row: `field` names the target in the error.
    async fn ensure_empty(&mut self, field: &str, advice: &str) -> Result<(), RegisterError> {
        for table in TABLES {
            let sql = format!("SELECT 1 FROM {} LIMIT 1", quoted(table.name));
            let found = on_tx!(self, tx => {
                sqlx::query(AssertSqlSafe(sql))
                    .fetch_optional(&mut **tx)
                    .await?
                    .is_some()
            });
            if found {
                return Err(RegisterError::invalid(
                    field,
                    format!(
                        "the target database is not empty: table `{}` already has rows; {advice}",
                        table.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The database's tables (but `_sqlx_migrations`) with their column names.
    async fn described(&mut self) -> Result<BTreeMap<String, BTreeSet<String>>, RegisterError> {
        let sql = match self {
            Tx::Sqlite(_) => {
                "SELECT m.name AS table_name, p.name AS column_name \
                 FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' \
                 AND m.name <> '_sqlx_migrations'"
            }
            Tx::Postgres(_) => {
                "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name \
                 FROM information_schema.columns AS c \
                 JOIN information_schema.tables AS t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'"
            }
        };
        let pairs: Vec<(String, String)> = on_tx!(self, tx => {
            sqlx::query(sql)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("table_name")?, row.try_get("column_name")?)))
            .collect::<Result<_, sqlx::Error>>()?
        });
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in pairs {
            tables.entry(table).or_default().insert(column);
        }
        Ok(tables)
    }

    /// Refuses a database whose tables are not those of [`TABLES`], so that no column or
    /// table is silently left behind. `all_tables`: also refuse tables `TABLES` lacks (for
    /// a source; a target may hold other tables, which are left alone).
    async fn check_schema(&mut self, which: &str, all_tables: bool) -> Result<(), RegisterError> {
        let actual = self.described().await?;
        let mut problems = Vec::new();
        for table in TABLES {
            let Some(columns) = actual.get(table.name) else {
                problems.push(format!("table `{}` is missing", table.name));
                continue;
            };
            let known: BTreeSet<&str> = table.columns.iter().map(|c| c.name).collect();
            let unknown: Vec<&str> = columns
                .iter()
                .map(String::as_str)
                .filter(|c| !known.contains(c))
                .collect();
            let missing: Vec<&str> = known
                .iter()
                .copied()
                .filter(|c| !columns.contains(*c))
                .collect();
            if !unknown.is_empty() {
                problems.push(format!(
                    "table `{}` has columns {unknown:?} that are not in src/schema.rs",
                    table.name
                ));
            }
            if !missing.is_empty() {
                problems.push(format!(
                    "table `{}` lacks the columns {missing:?}",
                    table.name
                ));
            }
        }
        if all_tables {
            for name in actual.keys() {
                if crate::schema::table(name).is_none() {
                    problems.push(format!("table `{name}` is not in src/schema.rs"));
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(RegisterError::invalid(
            "schema",
            format!(
                "the tables of the {which} database are not the ones this version of \
                 Weerbaar moves (src/schema.rs), so rows could be left behind; nothing was \
                 written: {}",
                problems.join("; ")
            ),
        ))
    }

    /// Up to [`PAGE`] rows of `table` after the primary key `after`, in key order.
    async fn page(
        &mut self,
        table: &'static Table,
        keys: &[&Column],
        after: Option<&[Value]>,
    ) -> Result<Vec<Vec<Value>>, RegisterError> {
        let sql = select_sql(table, after.is_some());
        on_tx!(self, tx => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (column, value) in keys.iter().zip(after.unwrap_or_default()) {
                query = bind_value!(query, table, column, value)?;
            }
            query
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|row| decode_row!(row, table))
                .collect()
        })
    }

    /// Inserts `rows` of `table`, each holding the values of `columns` (all of the table's
    /// but those a restore lets the database fill), as few statements as the parameter
    /// limit allows.
    async fn insert(
        &mut self,
        table: &'static Table,
        columns: &[&'static Column],
        rows: &[Vec<Value>],
    ) -> Result<(), RegisterError> {
        let width = columns.len().max(1);
        let per_statement = (MAX_PARAMETERS / width).clamp(1, PAGE);
        for batch in rows.chunks(per_statement) {
            let sql = insert_sql(table, columns, batch.len());
            on_tx!(self, tx => {
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for row in batch {
                    if row.len() != columns.len() {
                        return Err(RegisterError::Corrupt(format!(
                            "a row of `{}` has {} values for {} columns",
                            table.name,
                            row.len(),
                            columns.len()
                        )));
                    }
                    for (column, value) in columns.iter().copied().zip(row) {
                        query = bind_value!(query, table, column, value)?;
                    }
                }
                query.execute(&mut **tx).await.map_err(|error| {
                    RegisterError::invalid(
                        format!("table {}", table.name),
                        format!("the rows cannot be written to the target: {error}"),
                    )
                })?;
            });
        }
        Ok(())
    }

    async fn commit(self) -> Result<(), RegisterError> {
        on_tx!(self, tx => tx.commit().await?);
        Ok(())
    }

    /// Ends a read transaction.
    async fn finish(self) -> Result<(), RegisterError> {
        on_tx!(self, tx => tx.rollback().await?);
        Ok(())
    }
}

/// Where [`each_page`] puts the pages it reads.
enum Sink<'a, 'b> {
    /// Copy: each page goes straight into the target's transaction.
    Target(&'a mut Tx),
    /// Backup: each page becomes row lines. The organisations' data keys must be wrapped
    /// under the master key (with this fingerprint) that seals the backup, or the backup
    /// could not be used with that key alone.
    /// The `stored_name`s of the `evidence` rows are gathered into `files` (to the id of
    /// the first row naming each), so that the files can follow the tables.
    File {
        writer: &'a mut ChunkWriter<'b>,
        fingerprint: String,
        files: &'a mut BTreeMap<String, String>,
    },
}

impl Sink<'_, '_> {
    async fn take(
        &mut self,
        table: &'static Table,
        rows: Vec<Vec<Value>>,
    ) -> Result<(), RegisterError> {
        match self {
            Sink::Target(target) => {
                if rows.is_empty() {
                    return Ok(());
                }
                let columns: Vec<&'static Column> = table.columns.iter().collect();
                target.insert(table, &columns, &rows).await
            }
            Sink::File {
                writer,
                fingerprint,
                files,
            } => {
                let key_columns = (table.name == "organisations")
                    .then(|| {
                        let id = table.columns.iter().position(|c| c.name == "id")?;
                        let key = table
                            .columns
                            .iter()
                            .position(|c| c.name == "master_key_id")?;
                        Some((id, key))
                    })
                    .flatten();
                let evidence_columns = (table.name == "evidence")
                    .then(|| {
                        let id = table.columns.iter().position(|c| c.name == "id")?;
                        let name = table.columns.iter().position(|c| c.name == "stored_name")?;
                        Some((id, name))
                    })
                    .flatten();
                for row in rows {
                    if let Some((id, name)) = evidence_columns
                        && let (Some(Value::Text(id)), Some(Value::Text(name))) =
                            (row.get(id), row.get(name))
                    {
                        files.entry(name.clone()).or_insert_with(|| id.clone());
                    }
                    if let Some((id, key)) = key_columns
                        && let (Some(Value::Text(id)), Some(Value::Text(key))) =
                            (row.get(id), row.get(key))
                        && key != fingerprint
                    {
                        return Err(RegisterError::WrongMasterKey {
                            organisation: id.clone(),
                            given: fingerprint.clone(),
                            expected: key.clone(),
                        });
                    }
                    let line: Vec<serde_json::Value> = row.iter().map(Value::to_json).collect();
                    writer.line(&line)?;
                }
                Ok(())
            }
        }
    }
}

/// Reads every row of `table` from the snapshot, page by page in primary-key order,
/// handing each page to `sink`. Returns the number of rows.
async fn each_page(
    source: &mut Tx,
    table: &'static Table,
    sink: &mut Sink<'_, '_>,
) -> Result<u64, RegisterError> {
    let keys = key_positions(table)?;
    let mut after: Option<Vec<Value>> = None;
    let mut count = 0u64;
    loop {
        let rows = source.page(table, &keys, after.as_deref()).await?;
        count += rows.len() as u64;
        let full = rows.len() >= PAGE;
        if let Some(last) = rows.last() {
            after = Some(key_of(table, &keys, last)?);
        }
        sink.take(table, rows).await?;
        if !full {
            return Ok(count);
        }
    }
}

/// Copies the whole register in `from` into the empty register `to` (either backend to
/// either backend), from one consistent snapshot of `from`, in one transaction on `to`.
pub async fn copy(from: &Db, to: &Db) -> Result<TransferSummary, RegisterError> {
    let mut target = Tx::target(to).await?;
    target.check_schema("target", false).await?;
    target
        .ensure_empty(
            "to",
            "copy only into a new, empty database (nothing was written)",
        )
        .await?;
    let mut source = Tx::snapshot(from).await?;
    source.check_schema("source", true).await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let rows = each_page(&mut source, table, &mut Sink::Target(&mut target)).await?;
        tables.push((table.name, rows));
    }
    source.finish().await?;
    target.commit().await?;
    Ok(TransferSummary {
        tables,
        evidence_files: 0,
        evidence_bytes: 0,
    })
}

// ---------------------------------------------------------------------------------------
// Backup and restore.

/// The header line after the magic.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: u32,
    created_at: String,
    master_key_fingerprint: String,
    file_id: String,
    chunk_size: u64,
}

/// One line of a backup's plaintext other than a row.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Marker {
    Table {
        table: String,
        columns: Vec<String>,
    },
    /// An evidence file: `size` bytes and a newline follow the line.
    File {
        file: String,
        size: u64,
    },
    /// `files` is absent in version 1.
    End {
        end: Vec<(String, u64)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        files: Option<FileTotals>,
    },
}

/// The evidence files of a backup, in its end line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileTotals {
    count: u64,
    bytes: u64,
}

/// Where a stored evidence file lives: `<dir>/<first two characters>/<name>`, as
/// `src/evidence.rs` keeps it. `None` for a name the register cannot have made (32
/// lowercase hexadecimal characters), which keeps a row or a backup from pointing
/// elsewhere.
fn evidence_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let valid = name.len() == 32 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let shard = name.get(..2).filter(|_| valid)?;
    Some(dir.join(shard).join(name))
}

/// A name from a backup or a row, shown in a message: bounded, and escaped.
fn shown_name(name: &str) -> String {
    let short: String = name.chars().take(40).collect();
    format!("{short:?}")
}

fn file_error(path: &Path, reason: impl Into<String>) -> RegisterError {
    RegisterError::invalid(format!("backup file {}", path.display()), reason)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], RegisterError> {
    let mut bytes = [0u8; N];
    OsRng.try_fill_bytes(&mut bytes).map_err(|error| {
        RegisterError::Config(format!(
            "the operating system cannot provide random numbers: {error}"
        ))
    })?;
    Ok(bytes)
}

/// The backup key of one file: HMAC-SHA256 under the master key over a label and the
/// file's random id, so that no two backups share a key.
fn backup_cipher(master: &MasterKey, file_id: &[u8]) -> Result<XChaCha20Poly1305, RegisterError> {
    let hex_key = Zeroizing::new(master.to_hex());
    let mut master_bytes = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(hex_key.as_bytes(), master_bytes.as_mut_slice())
        .map_err(|_| RegisterError::Crypto(crate::crypto::CryptoError::MalformedKey))?;
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master_bytes.as_slice())
        .map_err(|_| RegisterError::Crypto(crate::crypto::CryptoError::MalformedKey))?;
    mac.update(BACKUP_KEY_LABEL);
    mac.update(&[0]);
    mac.update(file_id);
    let mut derived = Zeroizing::new([0u8; 32]);
    derived.copy_from_slice(&mac.finalize().into_bytes());
    Ok(XChaCha20Poly1305::new(Key::from_slice(derived.as_slice())))
}

/// What each chunk's seal is bound to.
fn chunk_aad(header_hash: &[u8; 32], index: u64, last: bool) -> [u8; 41] {
    let mut aad = [0u8; 41];
    aad[..32].copy_from_slice(header_hash);
    aad[32..40].copy_from_slice(&index.to_be_bytes());
    aad[40] = u8::from(last);
    aad
}

/// Cuts the plaintext into chunks and writes each one sealed.
struct ChunkWriter<'a> {
    out: &'a mut std::fs::File,
    path: &'a Path,
    cipher: XChaCha20Poly1305,
    header_hash: [u8; 32],
    index: u64,
    buffer: Vec<u8>,
}

impl ChunkWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), RegisterError> {
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= CHUNK_SIZE {
            let rest = self.buffer.split_off(CHUNK_SIZE);
            let chunk = std::mem::replace(&mut self.buffer, rest);
            self.seal(&chunk, false)?;
        }
        Ok(())
    }

    fn line(&mut self, json: &impl Serialize) -> Result<(), RegisterError> {
        let mut line = serde_json::to_vec(json).map_err(|error| {
            RegisterError::Corrupt(format!("a row cannot be serialised: {error}"))
        })?;
        line.push(b'\n');
        self.write(&line)
    }

    fn seal(&mut self, plain: &[u8], last: bool) -> Result<(), RegisterError> {
        let nonce: [u8; NONCE_LEN] = random_bytes()?;
        let aad = chunk_aad(&self.header_hash, self.index, last);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| file_error(self.path, format!("chunk {} cannot be sealed", self.index)))?;
        let length = u32::try_from(NONCE_LEN + sealed.len())
            .map_err(|_| file_error(self.path, "a chunk is too large"))?;
        let mut frame = Vec::with_capacity(FRAME_LEN + NONCE_LEN + sealed.len());
        frame.push(u8::from(last));
        frame.extend_from_slice(&length.to_be_bytes());
        frame.extend_from_slice(&nonce);
        frame.extend_from_slice(&sealed);
        self.out
            .write_all(&frame)
            .map_err(|error| file_error(self.path, format!("cannot be written: {error}")))?;
        self.index += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<(), RegisterError> {
        let rest = std::mem::take(&mut self.buffer);
        self.seal(&rest, true)
    }
}

/// `out` with `.tmp` added to its name.
fn temporary_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// Makes a new directory entry in the folder of `path` durable; best effort, as not every
/// platform can sync a folder.
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
}

/// Writes a consistent snapshot of the whole register in `db`, with the evidence files
/// its `evidence` rows name (read from `evidence_dir`), to the new file `out`, encrypted
/// under a key derived from `master`. Writes `out.tmp` first, syncs it and then gives it
/// its name; never overwrites an existing file.
///
/// Refused, with nothing written, when a named evidence file is missing or unreadable
/// (a backup that silently lacked evidence would be worse than none), and when the
/// register has evidence files but `evidence_dir` is `None`.
pub async fn backup(
    db: &Db,
    master: &MasterKey,
    evidence_dir: Option<&Path>,
    out: &Path,
) -> Result<TransferSummary, RegisterError> {
    if out.symlink_metadata().is_ok() {
        return Err(file_error(
            out,
            "already exists; a backup never overwrites a file, choose a new name",
        ));
    }
    let temporary = temporary_path(out);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&temporary)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => file_error(
                &temporary,
                "already exists, perhaps left by an interrupted backup; remove it and try again",
            ),
            _ => file_error(&temporary, format!("cannot be created: {error}")),
        })?;
    let written = write_backup(db, master, evidence_dir, &mut file, &temporary).await;
    let summary = match written.and_then(|summary| {
        file.sync_all()
            .map_err(|error| file_error(&temporary, format!("cannot be synced: {error}")))?;
        Ok(summary)
    }) {
        Ok(summary) => summary,
        Err(error) => {
            drop(file);
            let _ = std::fs::remove_file(&temporary);
            return Err(error);
        }
    };
    drop(file);
    // A hard link gives the file its name only if the name is still free; where links are
    // not supported, check and rename.
    match std::fs::hard_link(&temporary, out) {
        Ok(()) => {
            let _ = std::fs::remove_file(&temporary);
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(&temporary);
            return Err(file_error(
                out,
                "appeared while the backup was written; a backup never overwrites a file",
            ));
        }
        Err(_) => {
            if out.symlink_metadata().is_ok() {
                let _ = std::fs::remove_file(&temporary);
                return Err(file_error(
                    out,
                    "appeared while the backup was written; a backup never overwrites a file",
                ));
            }
            std::fs::rename(&temporary, out).map_err(|error| {
                file_error(
                    out,
                    format!(
                        "cannot be given its name (from {}): {error}",
                        temporary.display()
                    ),
                )
            })?;
        }
    }
    sync_parent(out);
    Ok(summary)
}

async fn write_backup(
    db: &Db,
    master: &MasterKey,
    evidence_dir: Option<&Path>,
    file: &mut std::fs::File,
    path: &Path,
) -> Result<TransferSummary, RegisterError> {
    let file_id: [u8; 16] = random_bytes()?;
    let header = Header {
        format: BACKUP_FORMAT,
        created_at: crate::time::now().to_string(),
        master_key_fingerprint: master.fingerprint(),
        file_id: hex::encode(file_id),
        chunk_size: CHUNK_SIZE as u64,
    };
    let mut head = BACKUP_MAGIC.to_vec();
    head.extend_from_slice(
        &serde_json::to_vec(&header)
            .map_err(|error| file_error(path, format!("header: {error}")))?,
    );
    head.push(b'\n');
    file.write_all(&head)
        .map_err(|error| file_error(path, format!("cannot be written: {error}")))?;
    let mut writer = ChunkWriter {
        out: file,
        path,
        cipher: backup_cipher(master, &file_id)?,
        header_hash: Sha256::digest(&head).into(),
        index: 0,
        buffer: Vec::with_capacity(CHUNK_SIZE + 64 * 1024),
    };

    let mut source = Tx::snapshot(db).await?;
    source.check_schema("source", true).await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    let mut files = BTreeMap::new();
    for table in TABLES {
        writer.line(&Marker::Table {
            table: table.name.to_owned(),
            columns: table
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })?;
        let mut sink = Sink::File {
            writer: &mut writer,
            fingerprint: master.fingerprint(),
            files: &mut files,
        };
        let rows = each_page(&mut source, table, &mut sink).await?;
        tables.push((table.name, rows));
    }
    // The files are read while the snapshot is still open: they are the files of the rows
    // just written.
    let totals = match (evidence_dir, files.len()) {
        (_, 0) => FileTotals { count: 0, bytes: 0 },
        (None, count) => {
            return Err(RegisterError::Config(format!(
                "the register keeps {count} evidence file(s) in its evidence directory, but no \
                 evidence directory was given to the backup; give the backup the evidence \
                 directory the register is configured with, so that the files are backed up \
                 with the database (no backup was written)"
            )));
        }
        (Some(dir), _) => {
            let mut totals = FileTotals { count: 0, bytes: 0 };
            for (name, id) in &files {
                totals.bytes += write_evidence_file(&mut writer, dir, name, id)?;
                totals.count += 1;
            }
            totals
        }
    };
    source.finish().await?;
    writer.line(&Marker::End {
        end: tables
            .iter()
            .map(|(name, rows)| ((*name).to_owned(), *rows))
            .collect(),
        files: Some(totals),
    })?;
    writer.finish()?;
    Ok(TransferSummary {
        tables,
        evidence_files: totals.count,
        evidence_bytes: totals.bytes,
    })
}

/// Writes the record of the evidence file `name` (of the evidence `id`) in `dir`: its
/// line, its bytes as stored, a newline. Returns its size.
fn write_evidence_file(
    writer: &mut ChunkWriter<'_>,
    dir: &Path,
    name: &str,
    id: &str,
) -> Result<u64, RegisterError> {
    let refuse = |reason: String| {
        RegisterError::Config(format!(
            "evidence `{id}`: {reason}; no backup was written, as a backup without this file \
             would lose evidence (is {} the register's evidence directory?)",
            dir.display()
        ))
    };
    let Some(path) = evidence_path(dir, name) else {
        return Err(RegisterError::Corrupt(format!(
            "evidence `{id}` names the stored file {}, which is not a name the register makes; \
             no backup was written",
            shown_name(name)
        )));
    };
    let mut file = std::fs::File::open(&path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => refuse(format!("its file {} is missing", path.display())),
        _ => refuse(format!(
            "its file {} cannot be read: {error}",
            path.display()
        )),
    })?;
    let size = file
        .metadata()
        .map_err(|error| {
            refuse(format!(
                "its file {} cannot be read: {error}",
                path.display()
            ))
        })?
        .len();
    writer.line(&Marker::File {
        file: name.to_owned(),
        size,
    })?;
    let mut piece = vec![0u8; FILE_PIECE];
    let mut left = size;
    while left > 0 {
        let want = usize::try_from(left).map_or(FILE_PIECE, |left| left.min(FILE_PIECE));
        let buffer = piece.get_mut(..want).unwrap_or_default();
        let read = read_up_to(&mut file, buffer).map_err(|error| {
            refuse(format!(
                "its file {} cannot be read: {error}",
                path.display()
            ))
        })?;
        if read < want {
            return Err(refuse(format!(
                "its file {} became shorter while it was read",
                path.display()
            )));
        }
        writer.write(buffer)?;
        left -= want as u64;
    }
    let read = read_up_to(&mut file, piece.get_mut(..1).unwrap_or_default()).map_err(|error| {
        refuse(format!(
            "its file {} cannot be read: {error}",
            path.display()
        ))
    })?;
    if read > 0 {
        return Err(refuse(format!(
            "its file {} grew while it was read",
            path.display()
        )));
    }
    writer.write(b"\n")?;
    Ok(size)
}

/// Reads into `buf` until it is full or the input ends; returns how much was read.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Reads and checks the magic and header line; returns the header and the hash the
/// chunks are bound to.
fn read_header(input: &mut impl BufRead, path: &Path) -> Result<(Header, [u8; 32]), RegisterError> {
    let not_a_backup = || {
        file_error(
            path,
            "is not a Weerbaar backup (it does not start with `WEERBAAR-BACKUP`)",
        )
    };
    let mut magic = [0u8; BACKUP_MAGIC.len()];
    let read = read_up_to(input, &mut magic)
        .map_err(|error| file_error(path, format!("cannot be read: {error}")))?;
    if read < magic.len() || &magic != BACKUP_MAGIC {
        return Err(not_a_backup());
    }
    let mut line = Vec::new();
    input
        .take(MAX_HEADER_LEN as u64)
        .read_until(b'\n', &mut line)
        .map_err(|error| file_error(path, format!("cannot be read: {error}")))?;
    if line.last() != Some(&b'\n') {
        return Err(file_error(
            path,
            "has a damaged header (no complete header line after `WEERBAAR-BACKUP`)",
        ));
    }
    let header: Header = serde_json::from_slice(&line)
        .map_err(|error| file_error(path, format!("has a damaged header: {error}")))?;
    let mut hasher = Sha256::new();
    hasher.update(BACKUP_MAGIC);
    hasher.update(&line);
    Ok((header, hasher.finalize().into()))
}

/// Reads and opens the chunks in order, noticing any that is altered, missing, moved or
/// cut short.
struct ChunkReader<'a, R> {
    input: R,
    path: &'a Path,
    cipher: XChaCha20Poly1305,
    header_hash: [u8; 32],
    chunk_size: usize,
    index: u64,
    ended: bool,
}

impl<R: Read> ChunkReader<'_, R> {
    fn next(&mut self) -> Result<Option<Zeroizing<Vec<u8>>>, RegisterError> {
        let read_error = |path: &Path, error: std::io::Error| {
            file_error(path, format!("cannot be read: {error}"))
        };
        let mut frame = [0u8; FRAME_LEN];
        let read = read_up_to(&mut self.input, &mut frame).map_err(|e| read_error(self.path, e))?;
        if self.ended {
            return if read == 0 {
                Ok(None)
            } else {
                Err(file_error(
                    self.path,
                    format!(
                        "was altered: there is data after its last chunk ({})",
                        self.index
                    ),
                ))
            };
        }
        if read == 0 {
            return Err(file_error(
                self.path,
                format!(
                    "is truncated: it ends after chunk {} without its final chunk",
                    self.index
                ),
            ));
        }
        if read < FRAME_LEN {
            return Err(self.truncated());
        }
        let [flag, length @ ..] = frame;
        let last = match flag {
            0 => false,
            1 => true,
            _ => return Err(self.altered()),
        };
        let length = u32::from_be_bytes(length) as usize;
        if length < NONCE_LEN + TAG_LEN || length > NONCE_LEN + self.chunk_size + TAG_LEN {
            return Err(self.altered());
        }
        let mut sealed = vec![0u8; length];
        let read =
            read_up_to(&mut self.input, &mut sealed).map_err(|e| read_error(self.path, e))?;
        if read < length {
            return Err(self.truncated());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| self.altered())?;
        let aad = chunk_aad(&self.header_hash, self.index, last);
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| self.altered())?;
        self.index += 1;
        self.ended = last;
        Ok(Some(plain))
    }

    fn truncated(&self) -> RegisterError {
        file_error(
            self.path,
            format!("is truncated: it ends inside chunk {}", self.index),
        )
    }

    fn altered(&self) -> RegisterError {
        file_error(
            self.path,
            format!(
                "was altered or is damaged: chunk {} does not verify (a changed byte, a \
                 changed header, or chunks removed or reordered)",
                self.index
            ),
        )
    }
}

/// Restores the backup `file`, made with `master`, into the empty register `db` (either
/// backend), in one transaction: every chunk is verified before anything is committed.
///
/// The evidence files in the backup are written into `evidence_dir` (each a temporary
/// file, synced, then given its name; folders made readable by the owner only) before
/// the transaction commits, and removed again when the restore fails. A file already in
/// `evidence_dir` under the same name is never overwritten: the restore is refused.
/// `evidence_dir` may be `None` only for a backup without evidence files.
pub async fn restore(
    db: &Db,
    master: &MasterKey,
    evidence_dir: Option<&Path>,
    file: &Path,
) -> Result<TransferSummary, RegisterError> {
    let opened = std::fs::File::open(file).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => file_error(file, "does not exist"),
        _ => file_error(file, format!("cannot be opened: {error}")),
    })?;
    let mut input = BufReader::with_capacity(256 * 1024, opened);
    let (header, header_hash) = read_header(&mut input, file)?;
    if header.format != BACKUP_FORMAT && header.format != BACKUP_FORMAT_V1 {
        return Err(file_error(
            file,
            format!(
                "has backup format version {}, which this Weerbaar does not read (it reads \
                 versions {BACKUP_FORMAT_V1} and {BACKUP_FORMAT})",
                header.format
            ),
        ));
    }
    if header.master_key_fingerprint != master.fingerprint() {
        return Err(RegisterError::invalid(
            "master key",
            format!(
                "the backup {} was made with the master key with fingerprint {}, but the given \
                 master key has fingerprint {}; restore with the key the backup was made with",
                file.display(),
                header.master_key_fingerprint,
                master.fingerprint()
            ),
        ));
    }
    let file_id = hex::decode(&header.file_id)
        .ok()
        .filter(|id| id.len() == 16)
        .ok_or_else(|| file_error(file, "has a damaged header (file_id)"))?;
    if header.chunk_size == 0 || header.chunk_size > MAX_CHUNK_SIZE {
        return Err(file_error(
            file,
            format!("has a damaged header (chunk_size {})", header.chunk_size),
        ));
    }
    let mut reader = ChunkReader {
        input,
        path: file,
        cipher: backup_cipher(master, &file_id)?,
        header_hash,
        chunk_size: usize::try_from(header.chunk_size).unwrap_or(CHUNK_SIZE),
        index: 0,
        ended: false,
    };

    let mut target = Tx::target(db).await?;
    target.check_schema("target", false).await?;
    target
        .ensure_empty(
            "db",
            "restore only into a new, empty database (nothing was written)",
        )
        .await?;
    let mut restorer = Restorer {
        path: file,
        format: header.format,
        target: &mut target,
        current: None,
        columns: Vec::new(),
        batch: Vec::with_capacity(PAGE),
        counts: Vec::new(),
        end: None,
        line: 0,
        pending: Vec::new(),
        evidence_dir,
        expected: BTreeMap::new(),
        incoming: None,
        in_files: false,
        written: WrittenFiles::default(),
        totals: FileTotals { count: 0, bytes: 0 },
    };
    while let Some(chunk) = reader.next()? {
        restorer.feed(&chunk).await?;
    }
    let (tables, totals, written) = restorer.finish().await?;
    // Dropped, and so removed, if the commit fails.
    target.commit().await?;
    written.keep();
    Ok(TransferSummary {
        tables,
        evidence_files: totals.count,
        evidence_bytes: totals.bytes,
    })
}

/// The evidence files a restore wrote, removed again when dropped before `keep`: on any
/// error, and when the restore's future is dropped half-way. Holds only files the
/// restore itself made.
#[derive(Debug, Default)]
struct WrittenFiles {
    paths: Vec<PathBuf>,
}

impl WrittenFiles {
    fn keep(mut self) {
        self.paths.clear();
    }
}

impl Drop for WrittenFiles {
    fn drop(&mut self) {
        for path in self.paths.drain(..) {
            // Best effort: an orphaned file holds nothing readable, it is sealed.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// An evidence file being restored: its bytes go to `temporary` until `remaining` is 0,
/// then a newline ends it.
#[derive(Debug)]
struct IncomingFile {
    id: String,
    path: PathBuf,
    temporary: PathBuf,
    file: std::fs::File,
    size: u64,
    remaining: u64,
}

fn evidence_dir_error(path: &Path, reason: impl fmt::Display) -> RegisterError {
    RegisterError::Config(format!("evidence directory, {}: {reason}", path.display()))
}

/// What kind of JSON value `value` is, for a message that must not show the value.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Drop for IncomingFile {
    fn drop(&mut self) {
        // Gone already once the file has its name; otherwise a half-written file.
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// The end line as read: rows per table, and the evidence files (absent in version 1).
type EndLine = (Vec<(String, u64)>, Option<FileTotals>);

/// Turns the plaintext of a backup into rows on the target and files in the evidence
/// directory.
struct Restorer<'a> {
    path: &'a Path,
    format: u32,
    target: &'a mut Tx,
    current: Option<&'static Table>,
    /// The columns of `current` the backup holds, in its order: all of them, or (a backup
    /// made before a column was added) all but columns the database fills.
    columns: Vec<&'static Column>,
    batch: Vec<Vec<Value>>,
    counts: Vec<(&'static str, u64)>,
    end: Option<EndLine>,
    line: u64,
    /// The start of a line whose end is in a later chunk.
    pending: Vec<u8>,
    evidence_dir: Option<&'a Path>,
    /// The files the restored `evidence` rows name and the backup has not yet brought, to
    /// the id of the first row naming each.
    expected: BTreeMap<String, String>,
    incoming: Option<IncomingFile>,
    /// Past the tables: only files and the end may follow.
    in_files: bool,
    written: WrittenFiles,
    totals: FileTotals,
}

impl Restorer<'_> {
    fn error(&self, reason: impl fmt::Display) -> RegisterError {
        file_error(
            self.path,
            format!("line {} of its contents: {reason}", self.line),
        )
    }

    /// Takes the next piece of plaintext: lines, and the bytes of evidence files.
    async fn feed(&mut self, mut rest: &[u8]) -> Result<(), RegisterError> {
        while !rest.is_empty() {
            if let Some(incoming) = &mut self.incoming {
                if incoming.remaining > 0 {
                    let take = usize::try_from(incoming.remaining)
                        .map_or(rest.len(), |remaining| remaining.min(rest.len()));
                    let (bytes, after) = rest.split_at(take);
                    incoming.file.write_all(bytes).map_err(|error| {
                        evidence_dir_error(
                            &incoming.temporary,
                            format!("cannot be written: {error}"),
                        )
                    })?;
                    incoming.remaining -= take as u64;
                    rest = after;
                    continue;
                }
                let Some((&b'\n', after)) = rest.split_first() else {
                    return Err(self.error("an evidence file is longer than its record says"));
                };
                rest = after;
                self.place_file()?;
                continue;
            }
            match rest.iter().position(|byte| *byte == b'\n') {
                Some(end) => {
                    let (start, after) = rest.split_at(end);
                    rest = after.get(1..).unwrap_or_default();
                    if self.pending.is_empty() {
                        self.line(start).await?;
                    } else {
                        let mut line = std::mem::take(&mut self.pending);
                        line.extend_from_slice(start);
                        self.line(&line).await?;
                    }
                }
                None => {
                    self.pending.extend_from_slice(rest);
                    rest = &[];
                }
            }
        }
        Ok(())
    }

    async fn line(&mut self, line: &[u8]) -> Result<(), RegisterError> {
        self.line += 1;
        if self.end.is_some() {
            return Err(self.error("there is content after the end"));
        }
        match line.first() {
            Some(b'[') => self.row(line).await,
            Some(b'{') => {
                let marker: Marker =
                    serde_json::from_slice(line).map_err(|error| self.error(error))?;
                self.flush().await?;
                match marker {
                    Marker::Table { table, columns } => self.start_table(&table, &columns),
                    Marker::File { file, size } => self.start_file(&file, size),
                    Marker::End { end, files } => {
                        self.end = Some((end, files));
                        Ok(())
                    }
                }
            }
            _ => Err(self.error("not a table, a row, a file or the end")),
        }
    }

    fn start_table(&mut self, name: &str, columns: &[String]) -> Result<(), RegisterError> {
        if self.in_files {
            return Err(self.error(format!("table `{name}` after the evidence files")));
        }
        let Some(table) = crate::schema::table(name) else {
            return Err(self.error(format!(
                "table `{name}` is not a table of this register; restore with the Weerbaar \
                 version that made the backup"
            )));
        };
        if self.counts.iter().any(|(seen, _)| *seen == table.name) {
            return Err(self.error(format!("table `{name}` appears twice")));
        }
        self.columns = self.backup_columns(table, columns)?;
        self.current = Some(table);
        self.counts.push((table.name, 0));
        Ok(())
    }

    /// The columns of `table` that the backup's table holds (named `columns` there). A
    /// backup made by an earlier version may lack a column a later migration added, which
    /// the database then fills (see [`crate::schema::ADDED_COLUMNS`]); any other
    /// difference — a column this version does not know, the columns in another order, a
    /// column missing that has no default — is refused.
    fn backup_columns(
        &self,
        table: &'static Table,
        columns: &[String],
    ) -> Result<Vec<&'static Column>, RegisterError> {
        let name = table.name;
        let differ = || {
            self.error(format!(
                "table `{name}` has the columns {columns:?} in the backup but {:?} in this \
                 register; restore with the Weerbaar version that made the backup",
                table.column_names()
            ))
        };
        // The backup's columns are this table's in its order, some perhaps left out.
        let mut held = Vec::with_capacity(columns.len());
        let mut rest = table.columns.iter();
        for column in columns {
            let Some(found) = rest.by_ref().find(|known| known.name == column.as_str()) else {
                return Err(differ());
            };
            held.push(found);
        }
        for column in table.columns {
            if held.iter().any(|known| known.name == column.name)
                || crate::schema::may_lack_column(table, column)
            {
                continue;
            }
            return Err(if column.nullable || column.has_default {
                self.error(format!(
                    "table `{name}` lacks the column `{}`, which every backup of a register \
                     holds (it is not one a later version added); the backup is damaged \
                     (nothing was written)",
                    column.name
                ))
            } else {
                self.error(format!(
                    "table `{name}` lacks the column `{}`, which may not be empty and has \
                     no default in this register, so its rows cannot be restored; restore \
                     with the Weerbaar version that made the backup (nothing was written)",
                    column.name
                ))
            });
        }
        Ok(held)
    }

    async fn row(&mut self, line: &[u8]) -> Result<(), RegisterError> {
        let Some(table) = self.current else {
            return Err(self.error("a row before any table, or among the evidence files"));
        };
        let json: Vec<serde_json::Value> =
            serde_json::from_slice(line).map_err(|error| self.error(error))?;
        if json.len() != self.columns.len() {
            return Err(self.error(format!(
                "a row of `{}` has {} values for {} columns",
                table.name,
                json.len(),
                self.columns.len()
            )));
        }
        let mut row = Vec::with_capacity(json.len());
        for (column, value) in self.columns.iter().copied().zip(&json) {
            let Some(value) = Value::from_json(column, value) else {
                return Err(self.error(format!(
                    "`{}.{}` should be {}{}, not {}",
                    table.name,
                    column.name,
                    column.ty.as_str(),
                    if column.nullable { " or null" } else { "" },
                    json_kind(value),
                )));
            };
            row.push(value);
        }
        if table.name == "evidence" {
            let value = |name: &str| {
                self.columns
                    .iter()
                    .position(|column| column.name == name)
                    .and_then(|index| row.get(index))
            };
            if let (Some(Value::Text(id)), Some(Value::Text(name))) =
                (value("id"), value("stored_name"))
            {
                self.expected
                    .entry(name.clone())
                    .or_insert_with(|| id.clone());
            }
        }
        self.batch.push(row);
        if let Some((_, count)) = self.counts.last_mut() {
            *count += 1;
        }
        if self.batch.len() >= PAGE {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), RegisterError> {
        if let Some(table) = self.current
            && !self.batch.is_empty()
        {
            let rows = std::mem::take(&mut self.batch);
            self.target.insert(table, &self.columns, &rows).await?;
        }
        Ok(())
    }

    /// The record of an evidence file: checks its name against the restored `evidence`
    /// rows and opens a new temporary file for its bytes, never touching a file that is
    /// there already.
    fn start_file(&mut self, name: &str, size: u64) -> Result<(), RegisterError> {
        if self.format == BACKUP_FORMAT_V1 {
            return Err(self.error(format!(
                "an evidence file in a backup of format version {BACKUP_FORMAT_V1}, which \
                 holds none"
            )));
        }
        self.in_files = true;
        self.current = None;
        let Some(dir) = self.evidence_dir else {
            return Err(RegisterError::Config(format!(
                "the backup {} holds evidence files, but no evidence directory was given to \
                 restore them into; give the restore the evidence directory the restored \
                 register is to use (nothing was written)",
                self.path.display()
            )));
        };
        let Some(path) = evidence_path(dir, name) else {
            return Err(self.error(format!(
                "the evidence file {} is not a name the register makes",
                shown_name(name)
            )));
        };
        let Some(id) = self.expected.remove(name) else {
            return Err(self.error(format!(
                "the evidence file {} is not named by any restored evidence row, or comes \
                 twice",
                shown_name(name)
            )));
        };
        if path.symlink_metadata().is_ok() {
            return Err(evidence_dir_error(
                &path,
                format!(
                    "already exists (the file of evidence `{id}`); a restore never overwrites \
                     an evidence file: restore into an empty evidence directory (nothing was \
                     written)"
                ),
            ));
        }
        let Some(shard) = path.parent() else {
            return Err(evidence_dir_error(&path, "has no folder"));
        };
        let mut folders = std::fs::DirBuilder::new();
        folders.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            folders.mode(0o700);
        }
        folders
            .create(shard)
            .map_err(|error| evidence_dir_error(shard, format!("cannot be created: {error}")))?;
        let temporary = shard.join(format!(".{name}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&temporary)
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::AlreadyExists => evidence_dir_error(
                    &temporary,
                    "already exists, perhaps left by an interrupted restore; remove it and try \
                     again",
                ),
                _ => evidence_dir_error(&temporary, format!("cannot be created: {error}")),
            })?;
        self.incoming = Some(IncomingFile {
            id,
            path,
            temporary,
            file,
            size,
            remaining: size,
        });
        Ok(())
    }

    /// All bytes of the incoming file are there: syncs it and gives it its name, which
    /// must still be free.
    fn place_file(&mut self) -> Result<(), RegisterError> {
        let Some(incoming) = self.incoming.take() else {
            return Ok(());
        };
        incoming.file.sync_all().map_err(|error| {
            evidence_dir_error(&incoming.temporary, format!("cannot be synced: {error}"))
        })?;
        let taken = || {
            evidence_dir_error(
                &incoming.path,
                format!(
                    "appeared while the restore wrote it (the file of evidence `{}`); a \
                     restore never overwrites an evidence file (nothing was written)",
                    incoming.id
                ),
            )
        };
        // A hard link gives the file its name only if the name is still free; where links
        // are not supported, check and rename.
        match std::fs::hard_link(&incoming.temporary, &incoming.path) {
            Ok(()) => {
                self.written.paths.push(incoming.path.clone());
                let _ = std::fs::remove_file(&incoming.temporary);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(taken());
            }
            Err(_) => {
                if incoming.path.symlink_metadata().is_ok() {
                    return Err(taken());
                }
                std::fs::rename(&incoming.temporary, &incoming.path).map_err(|error| {
                    evidence_dir_error(&incoming.path, format!("cannot be given its name: {error}"))
                })?;
                self.written.paths.push(incoming.path.clone());
            }
        }
        if let Some(shard) = incoming.path.parent() {
            std::fs::File::open(shard)
                .and_then(|folder| folder.sync_all())
                .map_err(|error| evidence_dir_error(shard, format!("cannot be synced: {error}")))?;
        }
        self.totals.count += 1;
        self.totals.bytes += incoming.size;
        Ok(())
    }

    /// Checks the end line against what was read, and that every file the evidence rows
    /// name came; the rows per table of the register, the files, and the files written.
    async fn finish(
        mut self,
    ) -> Result<(Vec<(&'static str, u64)>, FileTotals, WrittenFiles), RegisterError> {
        self.flush().await?;
        if self.incoming.is_some() {
            return Err(file_error(self.path, "ends inside an evidence file"));
        }
        if !self.pending.is_empty() {
            return Err(file_error(self.path, "ends in the middle of a line"));
        }
        let Some((end, files)) = self.end.take() else {
            return Err(file_error(
                self.path,
                "has no end line: its contents are incomplete",
            ));
        };
        let read: Vec<(String, u64)> = self
            .counts
            .iter()
            .map(|(name, rows)| ((*name).to_owned(), *rows))
            .collect();
        if end != read {
            return Err(file_error(
                self.path,
                format!("lists the rows {end:?} at its end, but holds {read:?}"),
            ));
        }
        // A table the backup lacks stays empty, which only a table that a later migration
        // added empty may (see `crate::schema::LEFT_EMPTY_WHEN_ABSENT` for why each).
        for table in TABLES {
            if self.counts.iter().any(|(name, _)| *name == table.name)
                || crate::schema::may_be_absent(table.name)
            {
                continue;
            }
            let reason = if crate::schema::REFUSED_WHEN_ABSENT.contains(&table.name) {
                format!(
                    "lacks the table `{}`, which this version fills from the cases when it \
                     upgrades a register and cannot leave empty: restore the backup with the \
                     Weerbaar version that made it, upgrade that register to this version and \
                     make a new backup (nothing was written)",
                    table.name
                )
            } else {
                format!(
                    "lacks the table `{}`, which every backup of a register holds; it is \
                     incomplete (nothing was written)",
                    table.name
                )
            };
            return Err(file_error(self.path, reason));
        }
        match (self.format, files) {
            (BACKUP_FORMAT_V1, None) => {}
            (BACKUP_FORMAT_V1, Some(_)) => {
                return Err(file_error(
                    self.path,
                    format!(
                        "lists evidence files at its end, which format version \
                         {BACKUP_FORMAT_V1} does not"
                    ),
                ));
            }
            (_, None) => {
                return Err(file_error(
                    self.path,
                    "does not list its evidence files at its end: its contents are incomplete",
                ));
            }
            (_, Some(files)) if files != self.totals => {
                return Err(file_error(
                    self.path,
                    format!(
                        "lists {} evidence files of {} bytes at its end, but holds {} of {} \
                         bytes",
                        files.count, files.bytes, self.totals.count, self.totals.bytes
                    ),
                ));
            }
            (_, Some(_)) => {}
        }
        if let Some((name, id)) = self.expected.first_key_value() {
            let reason = if self.format == BACKUP_FORMAT_V1 {
                format!(
                    "was made by an earlier Weerbaar (backup format version {BACKUP_FORMAT_V1}), \
                     which did not put evidence files in backups; its evidence rows name {} \
                     file(s) it does not hold, so restoring it would lose evidence (nothing was \
                     written)",
                    self.expected.len()
                )
            } else {
                format!(
                    "lacks the file {} of evidence `{id}` ({} evidence file(s) missing; nothing \
                     was written)",
                    shown_name(name),
                    self.expected.len()
                )
            };
            return Err(file_error(self.path, reason));
        }
        if let Some(dir) = self.evidence_dir
            && self.totals.count > 0
        {
            // New shard folders, and a new evidence directory, are durable once their
            // folders are.
            std::fs::File::open(dir)
                .and_then(|folder| folder.sync_all())
                .map_err(|error| evidence_dir_error(dir, format!("cannot be synced: {error}")))?;
            sync_parent(dir);
        }
        let tables = TABLES
            .iter()
            .map(|table| {
                let rows = self
                    .counts
                    .iter()
                    .find(|(name, _)| *name == table.name)
                    .map_or(0, |(_, rows)| *rows);
                (table.name, rows)
            })
            .collect();
        let written = std::mem::take(&mut self.written);
        Ok((tables, self.totals, written))
    }
}

/// The throwaway PostgreSQL cluster of the integration tests, for the tests below (and the
/// register's other unit tests).
#[cfg(test)]
#[path = "../tests/support/postgres.rs"]
pub(crate) mod postgres;

#[cfg(test)]
mod tests {
    use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim, preset_text};

    use super::*;
    use crate::model::{NewPerson, NewReport, NewVictim, OrganisationId, PersonId, Relation};
    use crate::provider_sign_ins::PendingSignIn;
    use crate::register::Register;
    use crate::sessions::SessionSource;

    /// The plaintext of the backup at `path`, made with `master`.
    fn plaintext(master: &MasterKey, path: &Path) -> Vec<u8> {
        let mut input = BufReader::new(std::fs::File::open(path).unwrap());
        let (header, header_hash) = read_header(&mut input, path).unwrap();
        let file_id = hex::decode(&header.file_id).unwrap();
        let mut reader = ChunkReader {
            input,
            path,
            cipher: backup_cipher(master, &file_id).unwrap(),
            header_hash,
            chunk_size: CHUNK_SIZE,
            index: 0,
            ended: false,
        };
        let mut plain = Vec::new();
        while let Some(chunk) = reader.next().unwrap() {
            plain.extend_from_slice(&chunk);
        }
        plain
    }

    /// Writes `plain` as a backup of format `format` to `path`, sealed as a backup is.
    fn seal(master: &MasterKey, format: u32, plain: &[u8], path: &Path) {
        let file_id: [u8; 16] = random_bytes().unwrap();
        let header = Header {
            format,
            created_at: crate::time::now().to_string(),
            master_key_fingerprint: master.fingerprint(),
            file_id: hex::encode(file_id),
            chunk_size: CHUNK_SIZE as u64,
        };
        let mut head = BACKUP_MAGIC.to_vec();
        head.extend_from_slice(&serde_json::to_vec(&header).unwrap());
        head.push(b'\n');
        let mut file = std::fs::File::create(path).unwrap();
        file.write_all(&head).unwrap();
        let mut writer = ChunkWriter {
            out: &mut file,
            path,
            cipher: backup_cipher(master, &file_id).unwrap(),
            header_hash: Sha256::digest(&head).into(),
            index: 0,
            buffer: Vec::new(),
        };
        writer.write(plain).unwrap();
        writer.finish().unwrap();
    }

    /// `plain` without its evidence file records, its end line listing `files` (none:
    /// as version 1 writes it).
    fn without_files(plain: &[u8], files: Option<FileTotals>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = plain;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            let (line, after) = rest.split_at(end);
            rest = &after[1..];
            match serde_json::from_slice::<Marker>(line) {
                Ok(Marker::File { size, .. }) => {
                    rest = &rest[size as usize + 1..];
                }
                Ok(Marker::End { end, .. }) => {
                    out.extend(serde_json::to_vec(&Marker::End { end, files }).unwrap());
                    out.push(b'\n');
                }
                _ => {
                    out.extend_from_slice(line);
                    out.push(b'\n');
                }
            }
        }
        out
    }

    /// A register with one organisation, and with `file`, one case holding an evidence
    /// file.
    async fn register(dir: &Path, master: &MasterKey, file: bool) -> Register {
        let url = format!("sqlite://{}", dir.join("source.db").display());
        let register = Register::open(&url, MasterKey::from_hex(&master.to_hex()).unwrap())
            .await
            .unwrap()
            .with_evidence_dir(dir.join("evidence"));
        let leiden = register
            .create_organisation("Gemeente Leiden", preset_text("leiden").unwrap())
            .await
            .unwrap();
        if !file {
            return register;
        }
        let raadslid = register
            .add_person(
                &leiden,
                NewPerson {
                    name: "Fatima El Amrani".into(),
                    email: None,
                    roles: vec![(Role::Raadslid, true)],
                },
            )
            .await
            .unwrap();
        let registered = register
            .register_report(NewReport {
                organisation: leiden,
                reporter: raadslid.clone(),
                on_behalf: false,
                victims: vec![NewVictim {
                    person: raadslid.clone(),
                    role: Role::Raadslid,
                    relation: Relation::Zelf,
                }],
                facts: Facts {
                    occurred_at: "2026-03-02T20:15:00+01:00".parse().unwrap(),
                    reported_at: None,
                    victim: Victim {
                        role: Role::Raadslid,
                        former: false,
                    },
                    behaviours: vec![Behaviour::Schelden.into()],
                    channel: Channel::SocialeMedia,
                    persistent: false,
                    corrected_after_warning: false,
                    injury: Injury::Geen,
                    criminal_offence_suspected: false,
                    perpetrator_known: false,
                    prior_incidents: 0,
                    damage: false,
                    addressed: None,
                    report_to: None,
                    situation: None,
                },
                narrative: "Uitgescholden online.".into(),
                place: None,
                during_meeting: false,
                perpetrator: None,
            })
            .await
            .unwrap();
        register
            .add_evidence_file(
                &raadslid,
                &registered.case,
                "bericht.txt",
                "text/plain",
                b"het bericht",
                None,
            )
            .await
            .unwrap();
        register
    }

    async fn fresh(dir: &Path, name: &str) -> Db {
        Db::connect(&format!("sqlite://{}", dir.join(name).display()))
            .await
            .unwrap()
    }

    async fn organisations(db: &Db) -> i64 {
        let Db::Sqlite(pool) = db else {
            panic!("not SQLite")
        };
        sqlx::query_scalar("SELECT count(*) FROM organisations")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_version_1_backup_restores_when_it_names_no_evidence_file() {
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let register = register(dir.path(), &master, false).await;
        let current = dir.path().join("current.backup");
        let summary = backup(register.db(), &master, None, &current)
            .await
            .unwrap();
        assert_eq!((summary.evidence_files, summary.evidence_bytes), (0, 0));
        let old = dir.path().join("old.backup");
        seal(
            &master,
            BACKUP_FORMAT_V1,
            &without_files(&plaintext(&master, &current), None),
            &old,
        );
        let target = fresh(dir.path(), "target.db").await;
        assert_eq!(
            restore(&target, &master, None, &old).await.unwrap(),
            summary
        );
        assert_eq!(organisations(&target).await, 1);
    }

    #[tokio::test]
    async fn a_version_1_backup_whose_rows_name_evidence_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let register = register(dir.path(), &master, true).await;
        let current = dir.path().join("current.backup");
        let summary = backup(register.db(), &master, register.evidence_dir(), &current)
            .await
            .unwrap();
        assert_eq!(summary.evidence_files, 1);
        let plain = plaintext(&master, &current);
        let old = dir.path().join("old.backup");
        seal(
            &master,
            BACKUP_FORMAT_V1,
            &without_files(&plain, None),
            &old,
        );
        let target = fresh(dir.path(), "target.db").await;
        let restored_evidence = dir.path().join("restored");
        let error = restore(&target, &master, Some(&restored_evidence), &old)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("format version 1") && error.contains("1 file(s)"),
            "{error}"
        );
        assert_eq!(organisations(&target).await, 0);

        // A current backup that lacks a file its rows name is refused the same way.
        let lacking = dir.path().join("lacking.backup");
        seal(
            &master,
            BACKUP_FORMAT,
            &without_files(&plain, Some(FileTotals { count: 0, bytes: 0 })),
            &lacking,
        );
        let error = restore(&target, &master, Some(&restored_evidence), &lacking)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("lacks the file"), "{error}");
        assert_eq!(organisations(&target).await, 0);
        assert!(!restored_evidence.exists());

        // And the backup as made restores.
        assert_eq!(
            restore(&target, &master, Some(&restored_evidence), &current)
                .await
                .unwrap(),
            summary
        );
    }

    /// `plain` as an earlier or later version could have written it: without the tables
    /// `tables` (also in the end line), without the columns `columns` (table, column) in
    /// their table's line and rows, and with the columns `added` (table, column) at the
    /// end of their table's line, null in every row. Evidence files stay as they are.
    fn reshaped(
        plain: &[u8],
        tables: &[&str],
        columns: &[(&str, &str)],
        added: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = plain;
        // Of the current table: whether it is left out, the positions of the columns kept,
        // and how many columns are added.
        let (mut skip, mut keep, mut extra) = (false, Vec::new(), 0);
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            let (line, after) = rest.split_at(end);
            rest = &after[1..];
            if line.first() == Some(&b'[') {
                if skip {
                    continue;
                }
                let row: Vec<serde_json::Value> = serde_json::from_slice(line).unwrap();
                let mut row: Vec<serde_json::Value> =
                    keep.iter().map(|at: &usize| row[*at].clone()).collect();
                row.extend(std::iter::repeat_n(serde_json::Value::Null, extra));
                out.extend(serde_json::to_vec(&row).unwrap());
                out.push(b'\n');
                continue;
            }
            let marker = match serde_json::from_slice::<Marker>(line).unwrap() {
                Marker::Table {
                    table,
                    columns: names,
                } => {
                    skip = tables.contains(&table.as_str());
                    if skip {
                        continue;
                    }
                    keep = (0..names.len())
                        .filter(|at| !columns.contains(&(table.as_str(), names[*at].as_str())))
                        .collect();
                    let mut kept: Vec<String> = keep.iter().map(|at| names[*at].clone()).collect();
                    let new: Vec<String> = added
                        .iter()
                        .filter(|(name, _)| *name == table)
                        .map(|(_, column)| (*column).to_owned())
                        .collect();
                    extra = new.len();
                    kept.extend(new);
                    Marker::Table {
                        table,
                        columns: kept,
                    }
                }
                Marker::File { file, size } => {
                    out.extend(serde_json::to_vec(&Marker::File { file, size }).unwrap());
                    out.push(b'\n');
                    let (bytes, after) = rest.split_at(size as usize + 1);
                    out.extend_from_slice(bytes);
                    rest = after;
                    continue;
                }
                Marker::End { end, files } => Marker::End {
                    end: end
                        .into_iter()
                        .filter(|(table, _)| !tables.contains(&table.as_str()))
                        .collect(),
                    files,
                },
            };
            out.extend(serde_json::to_vec(&marker).unwrap());
            out.push(b'\n');
        }
        assert!(rest.is_empty());
        out
    }

    /// How many files are in `dir` and its folders (none when it does not exist).
    fn files_under(dir: &Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { files_under(&path) } else { 1 })
            .sum()
    }

    /// The table 0006 added, and the column it added to `sessions`: what a backup made
    /// before 0006 lacks.
    const BEFORE_0006: (&[&str], &[(&str, &str)]) =
        (&["provider_sign_ins"], &[("sessions", "source")]);

    /// Gives the register's person a password, a session through the provider (so its
    /// `source` is not the default) and a sign-in at the provider in progress.
    async fn sign_ins(register: &Register) {
        let Db::Sqlite(pool) = register.db() else {
            panic!("not SQLite")
        };
        let (person, organisation): (String, String) =
            sqlx::query_as("SELECT id, organisation_id FROM people")
                .fetch_one(pool)
                .await
                .unwrap();
        let (person, organisation) = (PersonId(person), OrganisationId(organisation));
        register
            .set_password(&organisation, &person, "een lange zin als wachtwoord")
            .await
            .unwrap();
        let now = jiff::Timestamp::now();
        for source in [SessionSource::Password, SessionSource::Provider] {
            register
                .start_session_from(&organisation, &person, true, source, now)
                .await
                .unwrap();
        }
        register
            .begin_provider_sign_in(
                &organisation,
                "de-state",
                &PendingSignIn {
                    nonce: "nonce".into(),
                    verifier: "verifier".into(),
                    return_to: "/".into(),
                },
                now,
            )
            .await
            .unwrap();
    }

    /// The `source` of every session in `db`.
    async fn session_sources(db: &Db) -> Vec<String> {
        let sql = "SELECT source FROM sessions ORDER BY token_hash";
        match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }

    /// Restores the backup made before 0006 `old` into `target` and checks it against
    /// `summary` (of the backup it was made from) and `forged` (its plaintext): every row
    /// and file there, sessions from a password, no sign-in in progress.
    async fn restores_as_upgraded(
        target: &Db,
        master: &MasterKey,
        evidence: &Path,
        old: &Path,
        summary: &TransferSummary,
        forged: &[u8],
    ) {
        let restored = restore(target, master, Some(evidence), old).await.unwrap();
        let mut expected = summary.clone();
        for (table, rows) in &mut expected.tables {
            if *table == "provider_sign_ins" {
                *rows = 0;
            }
        }
        assert_eq!(restored, expected);
        assert_eq!(session_sources(target).await, ["password", "password"]);
        // Backed up again, and the new table and column left out as before: the rows and
        // files are those of the old backup, byte for byte.
        let dir = tempfile::tempdir().unwrap();
        let again = dir.path().join("again.backup");
        backup(target, master, Some(evidence), &again)
            .await
            .unwrap();
        let (tables, columns) = BEFORE_0006;
        assert!(
            reshaped(&plaintext(master, &again), tables, columns, &[]) == forged,
            "the restored register differs from the backup"
        );
    }

    #[tokio::test]
    async fn a_backup_made_before_a_table_and_a_column_were_added_restores_on_both_backends() {
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let register = register(dir.path(), &master, true).await;
        sign_ins(&register).await;
        let current = dir.path().join("current.backup");
        let summary = backup(register.db(), &master, register.evidence_dir(), &current)
            .await
            .unwrap();
        assert_eq!(
            (summary.rows("cases"), summary.rows("evidence")),
            (Some(1), Some(1))
        );
        assert_eq!(
            (summary.rows("sessions"), summary.rows("provider_sign_ins")),
            (Some(2), Some(1))
        );
        assert_eq!(summary.evidence_files, 1);
        let (tables, columns) = BEFORE_0006;
        let forged = reshaped(&plaintext(&master, &current), tables, columns, &[]);
        let text = String::from_utf8_lossy(&forged);
        assert!(!text.contains("provider_sign_ins") && !text.contains("\"source\""));
        let old = dir.path().join("old.backup");
        seal(&master, BACKUP_FORMAT, &forged, &old);

        let sqlite = fresh(dir.path(), "target.db").await;
        restores_as_upgraded(
            &sqlite,
            &master,
            &dir.path().join("sqlite-evidence"),
            &old,
            &summary,
            &forged,
        )
        .await;

        if let Some(cluster) = super::postgres::TestCluster::start() {
            let target = Db::connect(&cluster.fresh_database()).await.unwrap();
            restores_as_upgraded(
                &target,
                &master,
                &dir.path().join("postgres-evidence"),
                &old,
                &summary,
                &forged,
            )
            .await;
            target.close().await;
        }
    }

    #[tokio::test]
    async fn a_backup_is_refused_when_it_lacks_what_this_version_cannot_fill_or_holds_what_it_does_not_know()
     {
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let register = register(dir.path(), &master, true).await;
        let current = dir.path().join("current.backup");
        backup(register.db(), &master, register.evidence_dir(), &current)
            .await
            .unwrap();
        let plain = plaintext(&master, &current);
        let target = fresh(dir.path(), "target.db").await;
        let evidence = dir.path().join("restored");
        let refused = async |tables: &[&str], columns: &[(&str, &str)], added: &[(&str, &str)]| {
            let file = dir.path().join("forged.backup");
            let _ = std::fs::remove_file(&file);
            seal(
                &master,
                BACKUP_FORMAT,
                &reshaped(&plain, tables, columns, added),
                &file,
            );
            let error = restore(&target, &master, Some(&evidence), &file)
                .await
                .unwrap_err()
                .to_string();
            assert_eq!(organisations(&target).await, 0, "{error}");
            assert_eq!(files_under(&evidence), 0, "{error}");
            error
        };

        // NOT NULL without a default: the database cannot fill it.
        let error = refused(&[], &[("cases", "reported_at")], &[]).await;
        assert!(
            error.contains("table `cases` lacks the column `reported_at`")
                && error.contains("no default"),
            "{error}"
        );
        // Nullable or with a default, but in every backup since the first version: damaged.
        for (table, column) in [("cases", "narrative_enc"), ("cases", "event_count")] {
            let error = refused(&[], &[(table, column)], &[]).await;
            assert!(
                error.contains(&format!("table `{table}` lacks the column `{column}`"))
                    && error.contains("damaged"),
                "{error}"
            );
        }
        // A column or a table this version does not know: a backup of a later version.
        let error = refused(&[], &[], &[("cases", "later_column")]).await;
        assert!(
            error.contains("table `cases` has the columns")
                && error.contains("later_column")
                && error.contains("restore with the Weerbaar version that made the backup"),
            "{error}"
        );
        let error = refused(&[], &[("sessions", "csrf")], &[("sessions", "csrf")]).await;
        assert!(
            error.contains("table `sessions` has the columns"),
            "the same column at another place: {error}"
        );
        // A table of every backup, or one its migration filled from the cases.
        let error = refused(&["case_behaviours"], &[], &[]).await;
        assert!(
            error.contains("lacks the table `case_behaviours`"),
            "{error}"
        );
        let error = refused(&["case_informed"], &[], &[]).await;
        assert!(
            error.contains("lacks the table `case_informed`")
                && error.contains("upgrade that register"),
            "{error}"
        );

        // The backup as made restores.
        restore(&target, &master, Some(&evidence), &current)
            .await
            .unwrap();
        assert_eq!(organisations(&target).await, 1);
    }

    #[test]
    fn only_names_the_register_makes_become_evidence_paths() {
        let dir = Path::new("/evidence");
        let name = "0123456789abcdef0123456789abcdef";
        assert_eq!(evidence_path(dir, name), Some(dir.join("01").join(name)));
        for bad in [
            "../../etc/passwd",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "",
            "/123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(evidence_path(dir, bad), None, "{bad}");
        }
    }
}
