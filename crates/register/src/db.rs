//! The database: SQLite by default, PostgreSQL when configured, behind one enum so that
//! every query is written once and compiled for each backend (`on_db!`).

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::RegisterError;

/// A connection pool to one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same body against whichever backend `$db` is: the body is compiled once per
/// backend, with `$pool` the concrete pool.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// Opens a write transaction. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads and then writes can fail with "database
/// is locked" when another writer got there first, whatever the busy timeout.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

/// Opens a read transaction that sees one consistent state while others write: figures
/// read with several statements (the yearly report) then agree with each other. On
/// PostgreSQL that takes `REPEATABLE READ` (the default, `READ COMMITTED`, gives each
/// statement its own snapshot); on SQLite in WAL mode a deferred transaction keeps the
/// snapshot of its first read.
pub(crate) trait BeginSnapshot {
    type Database: sqlx::Database;
    fn begin_snapshot(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginSnapshot for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_snapshot(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

impl BeginSnapshot for PgPool {
    type Database = sqlx::Postgres;
    fn begin_snapshot(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }
}

/// The migrations of each backend, embedded in the binary. Both folders hold the same
/// versions (a test checks the folders on disk against these lists).
pub const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "register",
        include_str!("../migrations/sqlite/0001_register.sql"),
    ),
    (
        2,
        "access",
        include_str!("../migrations/sqlite/0002_access.sql"),
    ),
    (
        3,
        "administration",
        include_str!("../migrations/sqlite/0003_administration.sql"),
    ),
    (
        4,
        "api_tokens",
        include_str!("../migrations/sqlite/0004_api_tokens.sql"),
    ),
    (
        5,
        "outbox",
        include_str!("../migrations/sqlite/0005_outbox.sql"),
    ),
    (
        6,
        "provider_sign_ins",
        include_str!("../migrations/sqlite/0006_provider_sign_ins.sql"),
    ),
    (
        7,
        "open_task_indexes",
        include_str!("../migrations/sqlite/0007_open_task_indexes.sql"),
    ),
    (
        8,
        "task_target",
        include_str!("../migrations/sqlite/0008_task_target.sql"),
    ),
    (
        9,
        "yearly_discussion",
        include_str!("../migrations/sqlite/0009_yearly_discussion.sql"),
    ),
    (
        10,
        "dashboard_indexes",
        include_str!("../migrations/sqlite/0010_dashboard_indexes.sql"),
    ),
    (
        11,
        "protocol_evaluations",
        include_str!("../migrations/sqlite/0011_protocol_evaluations.sql"),
    ),
    (
        12,
        "second_factor_guard",
        include_str!("../migrations/sqlite/0012_second_factor_guard.sql"),
    ),
    (
        13,
        "sign_in_attempts",
        include_str!("../migrations/sqlite/0013_sign_in_attempts.sql"),
    ),
    (
        14,
        "privacy_indexes",
        include_str!("../migrations/sqlite/0014_privacy_indexes.sql"),
    ),
];
pub const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "register",
        include_str!("../migrations/postgres/0001_register.sql"),
    ),
    (
        2,
        "access",
        include_str!("../migrations/postgres/0002_access.sql"),
    ),
    (
        3,
        "administration",
        include_str!("../migrations/postgres/0003_administration.sql"),
    ),
    (
        4,
        "api_tokens",
        include_str!("../migrations/postgres/0004_api_tokens.sql"),
    ),
    (
        5,
        "outbox",
        include_str!("../migrations/postgres/0005_outbox.sql"),
    ),
    (
        6,
        "provider_sign_ins",
        include_str!("../migrations/postgres/0006_provider_sign_ins.sql"),
    ),
    (
        7,
        "open_task_indexes",
        include_str!("../migrations/postgres/0007_open_task_indexes.sql"),
    ),
    (
        8,
        "task_target",
        include_str!("../migrations/postgres/0008_task_target.sql"),
    ),
    (
        9,
        "yearly_discussion",
        include_str!("../migrations/postgres/0009_yearly_discussion.sql"),
    ),
    (
        10,
        "dashboard_indexes",
        include_str!("../migrations/postgres/0010_dashboard_indexes.sql"),
    ),
    (
        11,
        "protocol_evaluations",
        include_str!("../migrations/postgres/0011_protocol_evaluations.sql"),
    ),
    (
        12,
        "second_factor_guard",
        include_str!("../migrations/postgres/0012_second_factor_guard.sql"),
    ),
    (
        13,
        "sign_in_attempts",
        include_str!("../migrations/postgres/0013_sign_in_attempts.sql"),
    ),
    (
        14,
        "privacy_indexes",
        include_str!("../migrations/postgres/0014_privacy_indexes.sql"),
    ),
];

/// Creates a new SQLite database file readable and writable by its owner only (0600, as
/// the key file and the evidence are): the umask would make it 0644, readable by every
/// account on the machine. SQLite gives its `-wal` and `-shm` files the database file's
/// permissions. An existing file is left as it is.
fn create_private(path: &std::path::Path) -> Result<(), RegisterError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A folder that does not exist yet: sqlx says so in its own words below.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(RegisterError::Config(format!(
            "cannot create the database file {}: {error}",
            path.display()
        ))),
    }
}

fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    false,
                )
            })
            .collect(),
    )
}

impl Db {
    /// Connects to `url` (`sqlite://path/to/weerbaar.db` or `postgres://…`) and brings the
    /// schema up to date.
    pub async fn connect(url: &str) -> Result<Db, RegisterError> {
        let db = Db::connect_existing(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without touching the schema: for reading, as the auditor does, who must
    /// not write to what they check.
    pub async fn connect_existing(url: &str) -> Result<Db, RegisterError> {
        let db = if url.starts_with("sqlite:") {
            // WAL with synchronous=FULL: every commit is fsynced in the WAL before it is
            // acknowledged, so an acknowledged report survives a crash and a power loss.
            // (NORMAL would be faster but may lose the last commits on power loss.)
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|error| RegisterError::Config(format!("database url: {error}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // Erased content (retention) is overwritten with zeros, not left in free pages.
                .pragma("secure_delete", "ON")
                .busy_timeout(Duration::from_secs(10));
            if !url.contains(":memory:") && !url.contains("mode=memory") {
                create_private(options.get_filename())?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Db::Postgres(pool)
        } else {
            return Err(RegisterError::Config(format!(
                "database url `{}` is neither sqlite: nor postgres:",
                redact_url(url)
            )));
        };
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), RegisterError> {
        match self {
            Db::Sqlite(pool) => migrator(SQLITE_MIGRATIONS).run(pool).await?,
            Db::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// A database URL without its password, for messages and logs: neither the one after the
/// user name nor one given as a `password=` parameter.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = redact_user_password(base);
    match query {
        None => base,
        Some(query) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                        format!("{name}=***")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            format!("{base}?{}", params.join("&"))
        }
    }
}

fn redact_user_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions_on_disk(folder: &str) -> Vec<i64> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder);
        let mut versions: Vec<i64> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .map(|name| name.split('_').next().unwrap().parse().unwrap())
            .collect();
        versions.sort_unstable();
        versions
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_database_and_its_wal_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("weerbaar.db");
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        let wal = dir.path().join("weerbaar.db-wal");
        assert!(wal.exists(), "the migrations wrote through the WAL");
        assert_eq!(mode(&wal), 0o600);
        db.close().await;
    }

    #[test]
    fn both_backends_hold_the_same_migration_versions() {
        let sqlite = versions_on_disk("sqlite");
        let postgres = versions_on_disk("postgres");
        assert_eq!(
            sqlite, postgres,
            "migrations/sqlite and migrations/postgres differ"
        );
        let embedded = |list: &[(i64, &str, &str)]| list.iter().map(|m| m.0).collect::<Vec<_>>();
        assert_eq!(
            embedded(SQLITE_MIGRATIONS),
            sqlite,
            "a sqlite migration is not embedded"
        );
        assert_eq!(
            embedded(POSTGRES_MIGRATIONS),
            postgres,
            "a postgres migration is not embedded"
        );
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact_url("postgres://weerbaar:geheim@db.example:5432/weerbaar"),
            "postgres://weerbaar:***@db.example:5432/weerbaar"
        );
        assert_eq!(
            redact_url("sqlite://data/weerbaar.db"),
            "sqlite://data/weerbaar.db"
        );
        assert_eq!(
            redact_url("postgres://db.example/weerbaar?user=w&password=geheim&sslmode=require"),
            "postgres://db.example/weerbaar?user=w&password=***&sslmode=require"
        );
    }
}
