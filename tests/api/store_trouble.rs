//! A database that drops the sync's connections mid-run (PostgreSQL restarting: "terminating
//! connection due to administrator command") does not fail the job for five minutes: the run is
//! retried with backoff and the sync finishes, posting every line once.

use entities::sync_state;
use pnl::sync::run_one;
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait};

use crate::sync_engine::{
    assert_all_statements_match, connect_over_http, spawn_for, start_sandbox,
};

#[tokio::test]
async fn a_sync_whose_connections_are_terminated_retries_and_finishes() {
    let sandbox = start_sandbox(20).await;
    let app = spawn_for(&sandbox).await;
    if app.db.backend() != DatabaseBackend::Postgres {
        eprintln!("store trouble test: PostgreSQL only (PNL_TEST_DATABASE_URL)");
        return;
    }
    connect_over_http(&app, "acme").await;
    let admin = sea_orm::Database::connect(std::env::var("PNL_TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    let database: String = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT current_database() AS name",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "name")
        .unwrap();
    let state = app.state.clone();
    let worker = tokio::spawn(async move { while run_one(&state).await.unwrap_or(true) {} });
    // Kill every connection of the test database a few times while the backfill runs.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{database}' AND pid <> pg_backend_pid()"
            ))
            .await
            .unwrap();
    }
    tokio::time::timeout(std::time::Duration::from_secs(120), worker)
        .await
        .expect("the sync finishes")
        .unwrap();
    let jobs = sync_state::Entity::find().all(app.db.conn()).await.unwrap();
    assert!(
        jobs.iter().all(|job| job.state == "IDLE"),
        "{:?}",
        jobs.iter()
            .map(|j| (&j.stream, &j.state, &j.last_error))
            .collect::<Vec<_>>()
    );
    assert_all_statements_match(&app, "acme").await;
    admin.close().await.unwrap();
    sandbox.shutdown().await;
}
