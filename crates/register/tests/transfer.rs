//! `weerbaar db copy`, `weerbaar backup` and `weerbaar restore`: a whole register moves
//! between SQLite and PostgreSQL, and through an encrypted backup file, with nothing lost.
//! Every table is compared row for row on both sides, by a reader written here that shares
//! only the table list (`schema::TABLES`) with the code under test. A backup carries the
//! evidence files, and a restored register reads them back byte for byte.

#[path = "support/world.rs"]
mod helpers;
#[path = "support/postgres.rs"]
mod postgres;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sqlx::{AssertSqlSafe, Row};
use weerbaar_protocol::{Behaviour, Role, Task};
use weerbaar_register::audit::verify_chains;
use weerbaar_register::schema::{ColumnType, TABLES, Table};
use weerbaar_register::transfer::{TransferSummary, backup, copy, restore};
use weerbaar_register::*;

use helpers::{facts, leiden_and_westerveld};
use postgres::TestCluster;

const NARRATIVE: &str = "Na de raadsvergadering schreef @boze_burger dat hij weet waar ik woon.";
const PLACE: &str = "Stadhuis, Stadhuisplein 1";
const PERPETRATOR: &str = "Piet Boos";
const RAADSLID: &str = "Fatima El Amrani";
/// The content of the evidence file every world holds: a statement, as text.
const STATEMENT: &str = "Verklaring: bewijsstuk over de dreiging na de raadsvergadering.";

// ---------------------------------------------------------------------------------------
// A register with content, made through the public API.

struct World {
    register: Register,
    /// The register's evidence directory, its own.
    evidence: tempfile::TempDir,
    /// The evidence file of the first case: [`STATEMENT`].
    statement: EvidenceId,
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    partner: PersonId,
    /// The first case: a task done and opened once.
    case: CaseId,
}

fn same_key(master: &MasterKey) -> MasterKey {
    MasterKey::from_hex(&master.to_hex()).unwrap()
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// The `n`th report: a few shapes, with the same perpetrator every third report (so
/// perpetrators are matched and recidive counted) and a second victim now and then.
fn report(world: &World, n: usize) -> NewReport {
    let behaviours: &[Behaviour] = match n % 3 {
        0 => &[Behaviour::Beledigen, Behaviour::DreigenMetGeweld],
        1 => &[Behaviour::Schelden],
        _ => &[Behaviour::Beledigen],
    };
    let mut victims = vec![NewVictim {
        person: world.raadslid.clone(),
        role: Role::Raadslid,
        relation: Relation::Zelf,
    }];
    if n % 4 == 1 {
        victims.push(NewVictim {
            person: world.partner.clone(),
            role: Role::Raadslid,
            relation: Relation::Gezin,
        });
    }
    let email = if n.is_multiple_of(3) {
        "piet.boos@example.nl".to_owned()
    } else {
        format!("anoniem{n}@example.nl")
    };
    NewReport {
        organisation: world.leiden.clone(),
        reporter: world.raadslid.clone(),
        on_behalf: n % 5 == 4,
        victims,
        facts: facts(behaviours),
        narrative: format!("{NARRATIVE} (melding {n})"),
        place: n.is_multiple_of(2).then(|| PLACE.to_owned()),
        during_meeting: n % 7 == 3,
        perpetrator: Some(NewPerpetrator {
            kind: PerpetratorKind::Persoon,
            details: PerpetratorDetails {
                name: Some(PERPETRATOR.into()),
                email: Some(email),
                accounts: vec!["@boze_burger".into()],
                description: Some("man, jaren vijftig, rode jas".into()),
                ..PerpetratorDetails::default()
            },
        }),
    }
}

/// Two organisations, people with current and former roles, `reports` reports, a task
/// done, an evidence file and online evidence, and a case opened.
async fn world(url: &str, master: &MasterKey, reports: usize) -> World {
    let evidence = tempfile::tempdir().unwrap();
    let register = Register::open(url, same_key(master))
        .await
        .unwrap()
        .with_evidence_dir(evidence.path());
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let person = |name: &str, email: Option<&str>, roles: Vec<(Role, bool)>| NewPerson {
        name: name.into(),
        email: email.map(Into::into),
        roles,
    };
    let raadslid = register
        .add_person(
            &leiden,
            person(
                RAADSLID,
                Some("f.elamrani@leiden.example"),
                vec![(Role::Raadslid, true)],
            ),
        )
        .await
        .unwrap();
    let griffier = register
        .add_person(
            &leiden,
            person(
                "Jan de Griffier",
                Some("griffie@leiden.example"),
                vec![(Role::Griffier, true)],
            ),
        )
        .await
        .unwrap();
    let partner = register
        .add_person(
            &leiden,
            person(
                "Oud Raadslid",
                None,
                vec![(Role::Raadslid, false), (Role::Wethouder, true)],
            ),
        )
        .await
        .unwrap();
    register
        .add_person(
            &westerveld,
            person(
                "Iemand Anders",
                Some("x@westerveld.example"),
                vec![(Role::Griffier, true)],
            ),
        )
        .await
        .unwrap();
    let mut world = World {
        register,
        evidence,
        statement: EvidenceId::generate(),
        leiden,
        raadslid,
        griffier,
        partner,
        case: CaseId::generate(),
    };
    for n in 0..reports {
        let registered = world
            .register
            .register_report(report(&world, n))
            .await
            .unwrap();
        if n == 0 {
            world.case = registered.case;
        }
    }
    world
        .register
        .complete_task(
            &world.griffier,
            &world.case,
            Task::NazorgGesprek1,
            Some("gesproken, thuis"),
        )
        .await
        .unwrap();
    // The case's life and its evidence: rows in case_items and evidence, with NULLs in
    // integer and text columns.
    world
        .register
        .act(
            &world.griffier,
            &world.case,
            Action::PoliceContact {
                kind: PoliceContactKind::Aangifte,
                at: "2026-03-04T10:00:00+01:00".parse().unwrap(),
                reference: Some("PL1500-2026-0001".into()),
                victim_consent: true,
            },
        )
        .await
        .unwrap();
    world
        .register
        .add_online_evidence(
            &world.griffier,
            &world.case,
            OnlineEvidence {
                platform: "X".into(),
                account: Some("@boze_burger".into()),
                url: Some("https://x.example/boze_burger/status/1".into()),
                moment: None,
                description: Some("het bericht over mijn adres".into()),
            },
        )
        .await
        .unwrap();
    world.statement = world
        .register
        .add_evidence_file(
            &world.griffier,
            &world.case,
            "verklaring.txt",
            "text/plain",
            STATEMENT.as_bytes(),
            Some("de verklaring"),
        )
        .await
        .unwrap();
    world
        .register
        .open_case(&world.griffier, &world.case)
        .await
        .unwrap();
    world
}

impl World {
    fn evidence_dir(&self) -> Option<&Path> {
        Some(self.evidence.path())
    }
}

/// Every file under `dir`, sorted (none when `dir` does not exist).
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------------------
// Reading a whole database, independently of the code under test.

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Null,
    Text(String),
    Integer(i64),
    Boolean(bool),
    Blob(Vec<u8>),
}

/// Every table's rows, sorted, in `TABLES` order.
type Dump = Vec<(&'static str, Vec<Vec<Cell>>)>;

macro_rules! fetch_table {
    ($pool:expr, $table:expr) => {{
        let table: &Table = $table;
        let sql = format!(
            "SELECT {} FROM {}",
            table.column_names().join(", "),
            table.name
        );
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all($pool)
            .await
            .unwrap_or_else(|e| panic!("reading {}: {e}", table.name))
            .iter()
            .map(|row| {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| match column.ty {
                        ColumnType::Text => row
                            .get::<Option<String>, _>(i)
                            .map_or(Cell::Null, Cell::Text),
                        ColumnType::Integer => row
                            .get::<Option<i64>, _>(i)
                            .map_or(Cell::Null, Cell::Integer),
                        ColumnType::Boolean => row
                            .get::<Option<bool>, _>(i)
                            .map_or(Cell::Null, Cell::Boolean),
                        ColumnType::Blob => row
                            .get::<Option<Vec<u8>>, _>(i)
                            .map_or(Cell::Null, Cell::Blob),
                    })
                    .collect::<Vec<Cell>>()
            })
            .collect::<Vec<_>>()
    }};
}

async fn dump(db: &Db) -> Dump {
    let mut dump = Vec::new();
    for table in TABLES {
        let mut rows = match db {
            Db::Sqlite(pool) => fetch_table!(pool, table),
            Db::Postgres(pool) => fetch_table!(pool, table),
        };
        rows.sort();
        dump.push((table.name, rows));
    }
    dump
}

fn counts(dump: &Dump) -> Vec<(&'static str, u64)> {
    dump.iter()
        .map(|(table, rows)| (*table, rows.len() as u64))
        .collect()
}

fn is_empty(dump: &Dump) -> bool {
    dump.iter().all(|(_, rows)| rows.is_empty())
}

/// Asserts two dumps are the same, naming the first table that differs.
fn assert_same(left: &Dump, right: &Dump, what: &str) {
    assert_eq!(left.len(), right.len());
    for ((table, a), (_, b)) in left.iter().zip(right) {
        assert_eq!(
            a.len(),
            b.len(),
            "{what}: table `{table}` has {} rows on one side and {} on the other",
            a.len(),
            b.len()
        );
        for (row_a, row_b) in a.iter().zip(b) {
            assert_eq!(row_a, row_b, "{what}: table `{table}` differs");
        }
    }
}

fn column(table: &str, name: &str) -> usize {
    TABLES
        .iter()
        .find(|t| t.name == table)
        .and_then(|t| t.columns.iter().position(|c| c.name == name))
        .unwrap_or_else(|| panic!("no column {table}.{name}"))
}

fn rows<'a>(dump: &'a Dump, table: &str) -> &'a [Vec<Cell>] {
    &dump.iter().find(|(name, _)| *name == table).unwrap().1
}

/// The register opens on `url` with `master` and shows the first case whole, its evidence
/// file read from `evidence` byte for byte, and every chain of events is unbroken.
async fn opens_whole(url: &str, master: &MasterKey, evidence: &Path, world: &World, cases: u64) {
    let register = Register::open(url, same_key(master))
        .await
        .unwrap()
        .with_evidence_dir(evidence);
    let report = verify_chains(register.db()).await.unwrap();
    assert_eq!(report.broken, None, "{url}");
    assert_eq!(report.cases, cases, "{url}");
    let view = register
        .open_case(&world.griffier, &world.case)
        .await
        .unwrap();
    assert_eq!(
        view.narrative.as_deref(),
        Some(format!("{NARRATIVE} (melding 0)").as_str())
    );
    assert_eq!(view.place.as_deref(), Some(PLACE));
    assert_eq!(view.perpetrators[0].2.name.as_deref(), Some(PERPETRATOR));
    assert!(
        view.tasks
            .iter()
            .any(|t| t.code == Task::NazorgGesprek1 && t.done_by.as_ref() == Some(&world.griffier))
    );
    assert!(view.events.iter().any(|e| e.kind == EventKind::TaskDone));
    assert_eq!(view.items.len(), 1, "the police contact");
    assert_eq!(
        register
            .evidence_list(&world.griffier, &world.case)
            .await
            .unwrap()
            .len(),
        2
    );
    let (summary, content) = register
        .read_evidence_file(&world.griffier, &world.case, &world.statement)
        .await
        .unwrap();
    assert_eq!(content, STATEMENT.as_bytes(), "{url}");
    assert_eq!(summary.file_name(), Some("verklaring.txt"));
    // Reading again added events; the chain is still whole.
    assert_eq!(verify_chains(register.db()).await.unwrap().broken, None);
    register.db().close().await;
}

/// The PostgreSQL tables have the types, nullability and defaults (whether a column has
/// one) `schema.rs` says (the SQLite side is checked by the unit test in `schema.rs`).
async fn postgres_types_match_the_schema(db: &Db) {
    let Db::Postgres(pool) = db else {
        panic!("not PostgreSQL")
    };
    for table in TABLES {
        let actual: Vec<(String, String, bool, bool)> = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS ty, is_nullable = 'YES' AS nullable, \
             column_default IS NOT NULL AS has_default \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(table.name)
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.get("name"),
                row.get("ty"),
                row.get("nullable"),
                row.get("has_default"),
            )
        })
        .collect();
        let expected: Vec<(String, String, bool, bool)> = table
            .columns
            .iter()
            .map(|c| {
                let ty = match c.ty {
                    ColumnType::Text => "text",
                    ColumnType::Integer => "bigint",
                    ColumnType::Boolean => "boolean",
                    ColumnType::Blob => "bytea",
                };
                (c.name.to_owned(), ty.to_owned(), c.nullable, c.has_default)
            })
            .collect();
        assert_eq!(
            actual, expected,
            "table `{}`: PostgreSQL (left) and src/schema.rs (right) disagree",
            table.name
        );
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        tables,
        TABLES.len() as i64,
        "PostgreSQL has tables src/schema.rs lacks"
    );
}

// ---------------------------------------------------------------------------------------
// (1) SQLite → PostgreSQL → SQLite, nothing lost.

/// Enough reports that the larger tables span several pages of 500 rows.
const REPORTS: usize = 150;

#[tokio::test]
async fn a_register_moves_from_sqlite_to_postgres_and_back_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let source_url = sqlite_url(dir.path(), "source.db");
    let world = world(&source_url, &master, REPORTS).await;
    let source = world.register.db();
    let original = dump(source).await;
    assert!(
        original
            .iter()
            .any(|(_, rows)| rows.len() > 2 * transfer::PAGE),
        "the test register should span several pages: {:?}",
        counts(&original)
    );
    for table in [
        "person_roles",
        "case_victims",
        "perpetrator_index",
        "case_items",
        "evidence",
    ] {
        assert!(
            !rows(&original, table).is_empty(),
            "the test register has no {table}"
        );
    }

    let back_url = sqlite_url(dir.path(), "back.db");
    let back = Db::connect(&back_url).await.unwrap();
    let cluster = TestCluster::start();
    let mut postgres_url = None;
    let summary: TransferSummary = match &cluster {
        Some(cluster) => {
            let url = cluster.fresh_database();
            let postgres = Db::connect(&url).await.unwrap();
            postgres_types_match_the_schema(&postgres).await;
            let there = copy(source, &postgres).await.unwrap();
            assert_eq!(there.tables, counts(&original));
            assert_same(&original, &dump(&postgres).await, "SQLite → PostgreSQL");
            let summary = copy(&postgres, &back).await.unwrap();
            assert_eq!(summary, there);
            postgres.close().await;
            postgres_url = Some(url);
            summary
        }
        None => copy(source, &back).await.unwrap(),
    };
    assert_eq!(summary.tables, counts(&original));
    assert_eq!(
        summary.total(),
        original.iter().map(|(_, r)| r.len() as u64).sum::<u64>()
    );
    assert_eq!(
        summary.rows("events"),
        Some(rows(&original, "events").len() as u64)
    );
    assert_same(&original, &dump(&back).await, "back in SQLite");
    back.close().await;

    // The copies are registers: the same master key opens the case, chains whole.
    // A copy moves the database only: the copies read the evidence files where they are.
    assert_eq!((summary.evidence_files, summary.evidence_bytes), (0, 0));
    let cases = REPORTS as u64;
    if let Some(url) = &postgres_url {
        opens_whole(url, &master, world.evidence.path(), &world, cases).await;
    }
    opens_whole(&back_url, &master, world.evidence.path(), &world, cases).await;
}

// ---------------------------------------------------------------------------------------
// (2) A target that is not empty is refused and left as it was.

async fn refuses_a_full_target(source: &Db, target_url: &str, master: &MasterKey) {
    let occupant = world(target_url, master, 1).await;
    let target = occupant.register.db();
    let before = dump(target).await;
    let source_before = dump(source).await;
    let error = copy(source, target).await.unwrap_err();
    assert!(
        matches!(&error, RegisterError::Invalid { field, reason }
            if field == "to" && reason.contains("not empty") && reason.contains("organisations")),
        "{error}"
    );
    assert_same(&before, &dump(target).await, "the refused target");
    assert_same(&source_before, &dump(source).await, "the source");
    // A register copied onto itself is refused the same way.
    let error = copy(source, source).await.unwrap_err();
    assert!(
        matches!(&error, RegisterError::Invalid { field, .. } if field == "to"),
        "{error}"
    );
}

#[tokio::test]
async fn a_copy_into_a_register_that_is_not_empty_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 2).await;
    refuses_a_full_target(
        world.register.db(),
        &sqlite_url(dir.path(), "full.db"),
        &master,
    )
    .await;
    if let Some(cluster) = TestCluster::start() {
        refuses_a_full_target(world.register.db(), &cluster.fresh_database(), &master).await;
        // And from PostgreSQL into a full SQLite register.
        let postgres = world_on(&cluster.fresh_database(), &master).await;
        let full = Db::connect(&sqlite_url(dir.path(), "full.db"))
            .await
            .unwrap();
        let before = dump(&full).await;
        assert!(copy(postgres.register.db(), &full).await.is_err());
        assert_same(&before, &dump(&full).await, "the refused SQLite target");
    }
}

async fn world_on(url: &str, master: &MasterKey) -> World {
    world(url, master, 2).await
}

// ---------------------------------------------------------------------------------------
// (3) A backup while the register keeps taking reports, restored on both backends.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_whole_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = Arc::new(world(&sqlite_url(dir.path(), "live.db"), &master, 10).await);

    // Another task keeps registering reports for as long as the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let registered = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (world, stop, registered) = (
            Arc::clone(&world),
            Arc::clone(&stop),
            Arc::clone(&registered),
        );
        tokio::spawn(async move {
            let mut n = 1000;
            while !stop.load(Ordering::SeqCst) {
                world
                    .register
                    .register_report(report(&world, n))
                    .await
                    .unwrap();
                registered.fetch_add(1, Ordering::SeqCst);
                n += 1;
            }
        })
    };
    while registered.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let at_start = registered.load(Ordering::SeqCst);
    let file = dir.path().join("register.backup");
    let summary = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap();
    let at_end = registered.load(Ordering::SeqCst);
    // Let the writer register a few more after the backup, then stop it.
    while registered.load(Ordering::SeqCst) < at_end + 3 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(!Path::new(&format!("{}.tmp", file.display())).exists());

    let cases = summary.rows("cases").unwrap();
    assert!(
        (10 + at_start as u64..=10 + at_end as u64 + 1).contains(&cases),
        "the backup holds {cases} cases; between {} and {} were registered while it ran",
        10 + at_start,
        10 + at_end
    );

    assert_eq!(summary.evidence_files, 1);
    assert_eq!(
        summary.evidence_bytes,
        files_in(world.evidence.path())
            .iter()
            .map(|path| std::fs::metadata(path).unwrap().len())
            .sum::<u64>()
    );

    let restored_url = sqlite_url(dir.path(), "restored.db");
    let restored_evidence = dir.path().join("restored-evidence");
    let restored = Db::connect(&restored_url).await.unwrap();
    let restored_summary = restore(&restored, &master, Some(&restored_evidence), &file)
        .await
        .unwrap();
    assert_eq!(restored_summary, summary);
    let restored_dump = dump(&restored).await;
    assert_eq!(counts(&restored_dump), summary.tables);
    restored.close().await;

    // A consistent snapshot: each organisation's case counter matches its cases, and every
    // restored row but the counters is in the live register as it is now.
    let live = dump(world.register.db()).await;
    let (org_id, counter) = (
        column("organisations", "id"),
        column("organisations", "case_counter"),
    );
    let case_org = column("cases", "organisation_id");
    for organisation in rows(&restored_dump, "organisations") {
        let held = rows(&restored_dump, "cases")
            .iter()
            .filter(|case| case[case_org] == organisation[org_id])
            .count() as i64;
        assert_eq!(organisation[counter], Cell::Integer(held));
    }
    // A matched perpetrator's details grow with each new report, so their rows are only
    // checked to exist.
    let perpetrator_id = column("perpetrators", "id");
    let live_perpetrators: Vec<&Cell> = rows(&live, "perpetrators")
        .iter()
        .map(|p| &p[perpetrator_id])
        .collect();
    for perpetrator in rows(&restored_dump, "perpetrators") {
        assert!(
            live_perpetrators.contains(&&perpetrator[perpetrator_id]),
            "a restored perpetrator is gone"
        );
    }
    for (table, restored_rows) in &restored_dump {
        if *table == "organisations" || *table == "perpetrators" {
            continue;
        }
        let now = rows(&live, table);
        for row in restored_rows {
            assert!(
                now.binary_search(row).is_ok(),
                "a restored row of `{table}` is not in the register"
            );
        }
    }
    opens_whole(&restored_url, &master, &restored_evidence, &world, cases).await;

    if let Some(cluster) = TestCluster::start() {
        let url = cluster.fresh_database();
        let postgres = Db::connect(&url).await.unwrap();
        let postgres_evidence = dir.path().join("postgres-evidence");
        assert_eq!(
            restore(&postgres, &master, Some(&postgres_evidence), &file)
                .await
                .unwrap(),
            summary
        );
        assert_same(
            &restored_dump,
            &dump(&postgres).await,
            "restored in PostgreSQL",
        );
        postgres.close().await;
        opens_whole(&url, &master, &postgres_evidence, &world, cases).await;

        // A backup of PostgreSQL restores into SQLite the same.
        let again = dir.path().join("postgres.backup");
        let postgres = Db::connect(&url).await.unwrap();
        let from_postgres = backup(&postgres, &master, Some(&postgres_evidence), &again)
            .await
            .unwrap();
        assert_eq!(from_postgres.evidence_files, 1);
        let sqlite_evidence = dir.path().join("from-postgres-evidence");
        let sqlite = Db::connect(&sqlite_url(dir.path(), "from-postgres.db"))
            .await
            .unwrap();
        assert_eq!(
            restore(&sqlite, &master, Some(&sqlite_evidence), &again)
                .await
                .unwrap(),
            from_postgres
        );
        assert_eq!(
            std::fs::read(&files_in(&sqlite_evidence)[0]).unwrap(),
            std::fs::read(&files_in(world.evidence.path())[0]).unwrap()
        );
        assert_same(
            &dump(&postgres).await,
            &dump(&sqlite).await,
            "PostgreSQL → file → SQLite",
        );
    }
}

// ---------------------------------------------------------------------------------------
// (4) The wrong key, an altered or truncated file: refused, clearly, and nothing written.
// Nothing of the register is readable in the file.

fn message(result: Result<TransferSummary, RegisterError>) -> String {
    match result {
        Ok(summary) => panic!("restored although it should not: {summary:?}"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn a_wrong_key_or_a_damaged_backup_is_refused_and_the_file_shows_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    // Enough for several chunks of 1 MiB, so that a late chunk fails after earlier
    // chunks' rows went into the transaction.
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 200).await;
    let file = dir.path().join("register.backup");
    let summary = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap();
    assert_eq!(summary.evidence_files, 1);
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"WEERBAAR-BACKUP\n"));
    assert!(
        bytes.len() > 1 << 20,
        "the backup is {} bytes, one chunk",
        bytes.len()
    );

    // Nothing in the clear: not the narrative, place, names, e-mail addresses, accounts,
    // the organisation's name or its protocol.
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    for secret in [
        "raadsvergadering",
        "Stadhuisplein",
        PERPETRATOR,
        RAADSLID,
        "Jan de Griffier",
        "f.elamrani@leiden.example",
        "piet.boos@example.nl",
        "@boze_burger",
        "rode jas",
        "Gemeente Leiden",
        "leiden-2025",
        "gesproken, thuis",
        "PL1500-2026-0001",
        "x.example",
        "organisations",
        "bewijsstuk",
        "verklaring.txt",
    ] {
        assert!(
            !find(secret.as_bytes()),
            "`{secret}` is in the backup in the clear"
        );
        assert!(
            !find(hex_of(secret).as_bytes()),
            "`{secret}` is in the backup as hexadecimal"
        );
    }

    // Nor the sealed evidence file as it lies on disk: the chunks seal it once more.
    let sealed = std::fs::read(&files_in(world.evidence.path())[0]).unwrap();
    assert!(!find(&sealed[sealed.len() - 32..]));

    let target = Db::connect(&sqlite_url(dir.path(), "target.db"))
        .await
        .unwrap();
    // Every refused restore leaves the evidence directory as it found it: empty.
    let evidence_dir = dir.path().join("restored-evidence");
    let evidence = Some(evidence_dir.as_path());

    // The wrong master key: named by both fingerprints.
    let other = MasterKey::generate();
    let error = message(restore(&target, &other, evidence, &file).await);
    assert!(
        error.contains(&master.fingerprint()) && error.contains(&other.fingerprint()),
        "{error}"
    );

    // One byte flipped anywhere: in the header, the first chunk, the middle, the last byte.
    let flips = [
        20,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 100,
        bytes.len() - 1,
    ];
    for (n, at) in flips.into_iter().enumerate() {
        let mut altered = bytes.clone();
        altered[at] ^= 0x01;
        let path = dir.path().join(format!("flipped-{n}.backup"));
        std::fs::write(&path, &altered).unwrap();
        let error = message(restore(&target, &master, evidence, &path).await);
        assert!(
            error.contains("altered")
                || error.contains("damaged")
                || error.contains("truncated")
                || error.contains("fingerprint"),
            "byte {at}: {error}"
        );
        assert!(error.contains(&path.display().to_string()) || error.contains("master key"));
        assert!(
            is_empty(&dump(&target).await),
            "byte {at}: rows were written"
        );
        assert_eq!(files_in(&evidence_dir), Vec::<PathBuf>::new(), "byte {at}");
    }

    // Cut short anywhere: after the header, inside a chunk, between chunks, one byte short.
    let header_end = bytes.iter().skip(16).position(|b| *b == b'\n').unwrap() + 17;
    for keep in [
        10,
        header_end,
        header_end + 3,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let path = dir.path().join(format!("cut-{keep}.backup"));
        std::fs::write(&path, &bytes[..keep]).unwrap();
        let error = message(restore(&target, &master, evidence, &path).await);
        assert!(
            error.contains("truncated") || error.contains("not a Weerbaar backup"),
            "cut at {keep}: {error}"
        );
        assert!(
            is_empty(&dump(&target).await),
            "cut at {keep}: rows were written"
        );
        assert_eq!(
            files_in(&evidence_dir),
            Vec::<PathBuf>::new(),
            "cut at {keep}"
        );
    }

    // Something appended after the last chunk.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"extra");
    let path = dir.path().join("longer.backup");
    std::fs::write(&path, &longer).unwrap();
    let error = message(restore(&target, &master, evidence, &path).await);
    assert!(error.contains("after its last chunk"), "{error}");
    assert!(is_empty(&dump(&target).await));
    assert_eq!(files_in(&evidence_dir), Vec::<PathBuf>::new());

    // Not a backup at all, and a file that is not there.
    let path = dir.path().join("not-a-backup");
    std::fs::write(&path, b"SQLite format 3\0 and so on").unwrap();
    assert!(
        message(restore(&target, &master, evidence, &path).await).contains("not a Weerbaar backup")
    );
    assert!(
        message(restore(&target, &master, evidence, &dir.path().join("missing")).await)
            .contains("does not exist")
    );

    // The intact file still restores, and only into an empty register.
    assert_eq!(
        restore(&target, &master, evidence, &file).await.unwrap(),
        summary
    );
    let error = restore(&target, &master, evidence, &file)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RegisterError::Invalid { reason, .. } if reason.contains("not empty")),
        "{error}"
    );
    assert_same(
        &dump(world.register.db()).await,
        &dump(&target).await,
        "restored",
    );
    assert_eq!(
        stored_files(&evidence_dir),
        stored_files(world.evidence.path())
    );
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------
// (5) A backup never overwrites a file.

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 1).await;
    let file = dir.path().join("register.backup");
    std::fs::write(&file, b"an earlier backup").unwrap();
    let error = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), b"an earlier backup");
    assert!(!dir.path().join("register.backup.tmp").exists());

    // A second backup to the name of the first is refused too.
    let fresh = dir.path().join("fresh.backup");
    backup(world.register.db(), &master, world.evidence_dir(), &fresh)
        .await
        .unwrap();
    let written = std::fs::read(&fresh).unwrap();
    assert!(
        backup(world.register.db(), &master, world.evidence_dir(), &fresh)
            .await
            .is_err()
    );
    assert_eq!(std::fs::read(&fresh).unwrap(), written);

    // A leftover temporary file is not overwritten either, and named in the error.
    let leftover = dir.path().join("other.backup.tmp");
    std::fs::write(&leftover, b"left behind").unwrap();
    let error = backup(
        world.register.db(),
        &master,
        world.evidence_dir(),
        &dir.path().join("other.backup"),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("other.backup.tmp"), "{error}");
    assert_eq!(std::fs::read(&leftover).unwrap(), b"left behind");
    assert!(!dir.path().join("other.backup").exists());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup is readable only by its owner");
    }
}

// ---------------------------------------------------------------------------------------
// (6) A backup carries the evidence files; a restored register reads them byte for byte.

/// The files under `root`, as paths relative to it, with their bytes.
fn stored_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(root)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(root).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

/// A second evidence file in the first case, with `content` as text.
async fn another_file(world: &World, content: &str) -> EvidenceId {
    world
        .register
        .add_evidence_file(
            &world.griffier,
            &world.case,
            "tweede.txt",
            "text/plain",
            content.as_bytes(),
            None,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_restored_register_reads_the_same_evidence_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 2).await;
    // A binary file too: every byte value, behind a PNG signature.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for _ in 0..64 {
        png.extend(0..=255u8);
    }
    let picture = world
        .register
        .add_evidence_file(
            &world.griffier,
            &world.case,
            "schermafdruk.png",
            "image/png",
            &png,
            None,
        )
        .await
        .unwrap();
    let file = dir.path().join("register.backup");

    // Without the evidence directory a register with evidence files is not backed up.
    let error = backup(world.register.db(), &master, None, &file)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RegisterError::Config(reason) if reason.contains("evidence directory")),
        "{error}"
    );
    assert!(!file.exists());
    assert!(!dir.path().join("register.backup.tmp").exists());

    let summary = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap();
    let original = stored_files(world.evidence.path());
    assert_eq!(original.len(), 2);
    assert_eq!(summary.evidence_files, 2);
    assert_eq!(
        summary.evidence_bytes,
        original.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
    );
    assert!(summary.to_string().contains("evidence files"), "{summary}");

    // A restore needs somewhere to put them; without it, nothing is written.
    let restored_url = sqlite_url(dir.path(), "restored.db");
    let restored = Db::connect(&restored_url).await.unwrap();
    let error = restore(&restored, &master, None, &file).await.unwrap_err();
    assert!(
        matches!(&error, RegisterError::Config(reason) if reason.contains("evidence directory")),
        "{error}"
    );
    assert!(is_empty(&dump(&restored).await));

    let new_dir = dir.path().join("new-evidence");
    assert_eq!(
        restore(&restored, &master, Some(&new_dir), &file)
            .await
            .unwrap(),
        summary
    );
    assert_same(
        &dump(world.register.db()).await,
        &dump(&restored).await,
        "restored",
    );
    restored.close().await;
    // The same sealed files under the same names, and no temporary file left.
    assert_eq!(stored_files(&new_dir), original);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        for (relative, _) in &original {
            let path = new_dir.join(relative);
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            assert_eq!(mode(path.parent().unwrap()), 0o700, "{}", path.display());
        }
        assert_eq!(mode(&new_dir), 0o700);
    }

    // The restored register, given the new directory, opens them as they were added.
    let register = Register::open(&restored_url, same_key(&master))
        .await
        .unwrap()
        .with_evidence_dir(&new_dir);
    let (statement, content) = register
        .read_evidence_file(&world.griffier, &world.case, &world.statement)
        .await
        .unwrap();
    assert_eq!(content, STATEMENT.as_bytes());
    assert_eq!(statement.file_name(), Some("verklaring.txt"));
    let (summary, content) = register
        .read_evidence_file(&world.griffier, &world.case, &picture)
        .await
        .unwrap();
    assert_eq!(content, png);
    assert_eq!(summary.file_name(), Some("schermafdruk.png"));
    assert_eq!(verify_chains(register.db()).await.unwrap().broken, None);
}

// ---------------------------------------------------------------------------------------
// (7) A backup that would lack an evidence file is refused.

#[tokio::test]
async fn a_backup_is_refused_when_an_evidence_file_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 1).await;
    let stored = files_in(world.evidence.path());
    assert_eq!(stored.len(), 1);
    std::fs::remove_file(&stored[0]).unwrap();
    let file = dir.path().join("register.backup");
    let error = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&world.statement.to_string()),
        "the evidence id: {error}"
    );
    assert!(
        error.contains(&stored[0].display().to_string()),
        "the path: {error}"
    );
    assert!(error.contains("missing"), "{error}");
    assert!(!file.exists());
    assert!(!dir.path().join("register.backup.tmp").exists());
}

// ---------------------------------------------------------------------------------------
// (8) A restore never overwrites an evidence file: refused, and nothing written.

#[tokio::test]
async fn a_restore_into_an_evidence_directory_that_holds_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::generate();
    let world = world(&sqlite_url(dir.path(), "source.db"), &master, 1).await;
    another_file(&world, "Een tweede verklaring.").await;
    let file = dir.path().join("register.backup");
    let summary = backup(world.register.db(), &master, world.evidence_dir(), &file)
        .await
        .unwrap();
    assert_eq!(summary.evidence_files, 2);
    let original = stored_files(world.evidence.path());

    // The file the backup brings last is there already, so the first was written by the
    // time the restore is refused.
    let occupied_dir = dir.path().join("occupied");
    let occupied = occupied_dir.join(&original[1].0);
    std::fs::create_dir_all(occupied.parent().unwrap()).unwrap();
    std::fs::write(&occupied, b"already here").unwrap();
    let target = Db::connect(&sqlite_url(dir.path(), "target.db"))
        .await
        .unwrap();
    let error = restore(&target, &master, Some(&occupied_dir), &file)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("already exists"), "{error}");
    assert!(error.contains(&occupied.display().to_string()), "{error}");
    assert!(is_empty(&dump(&target).await), "rows were written");
    assert_eq!(files_in(&occupied_dir), vec![occupied.clone()]);
    assert_eq!(std::fs::read(&occupied).unwrap(), b"already here");

    // Once the name is free, the restore goes through.
    std::fs::remove_file(&occupied).unwrap();
    assert_eq!(
        restore(&target, &master, Some(&occupied_dir), &file)
            .await
            .unwrap(),
        summary
    );
    assert_eq!(stored_files(&occupied_dir), original);
}
