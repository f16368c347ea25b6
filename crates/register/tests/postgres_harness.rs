//! The PostgreSQL test harness itself: a throwaway cluster starts, hands out separate empty
//! databases, and sqlx can connect to each of them.

#[path = "support/postgres.rs"]
mod postgres;

use postgres::TestCluster;

#[tokio::test]
async fn a_throwaway_cluster_hands_out_separate_databases() {
    // Without PostgreSQL (and CI not "true") start() has printed "POSTGRESQL SKIPPED: …".
    let Some(cluster) = TestCluster::start() else {
        return;
    };

    let first = cluster.fresh_database();
    let second = cluster.fresh_database();
    assert_ne!(
        first, second,
        "two fresh databases must have different URLs"
    );

    for url in [&first, &second] {
        assert!(
            url.starts_with(&format!(
                "postgres://postgres@127.0.0.1:{}/",
                cluster.port()
            )),
            "unexpected URL {url}"
        );
        let pool = sqlx::PgPool::connect(url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("SELECT 1 on {url} failed: {e}"));
        assert_eq!(one, 1);
        let database: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("SELECT current_database() on {url} failed: {e}"));
        assert!(
            url.ends_with(&format!("/{database}")),
            "{url} connected to database {database}"
        );
        pool.close().await;
    }
}
