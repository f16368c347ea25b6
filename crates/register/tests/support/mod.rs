//! What the register's scenario suites (`access.rs`, `administration.rs`,
//! `conformance.rs`) share: the harness that runs every scenario on SQLite and on
//! PostgreSQL, and the helpers that build their worlds. A test file includes it with
//! `mod support;`.
// Not every suite uses every helper.
#![allow(dead_code)]

pub mod postgres;
pub mod world;

/// A fresh SQLite database in its own temporary folder: the folder, which must outlive
/// the register, and the database's URL.
pub fn sqlite_database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    (dir, url)
}

/// Runs each scenario — an `async fn(World)` at the test file's root — on a world built by
/// that file's `async fn world(url: &str) -> World`: once per scenario on its own SQLite
/// file (the tests `sqlite::<scenario>`), and all of them in the test `$postgres`, on one
/// throwaway PostgreSQL cluster with a fresh database each. Without PostgreSQL the
/// PostgreSQL test is skipped loudly, except under `CI=true`, where it fails
/// ([`postgres::TestCluster::start`]).
macro_rules! scenarios {
    ($postgres:ident: $($scenario:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let (_dir, url) = $crate::support::sqlite_database();
                    super::$scenario(super::world(&url).await).await;
                }
            )+
        }

        /// All scenarios on one throwaway PostgreSQL cluster, each on a fresh database.
        #[tokio::test]
        async fn $postgres() {
            let Some(cluster) = $crate::support::postgres::TestCluster::start() else {
                return;
            };
            $(
                $scenario(world(&cluster.fresh_database()).await).await;
            )+
        }
    };
}
pub(crate) use scenarios;
