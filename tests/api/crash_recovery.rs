//! Crash recovery of the sync engine: a job whose worker died is resumed by a new process within
//! 30 s (at once on SQLite, where a starting process sees that the holder's lock file is free;
//! after the short lease on PostgreSQL), a live worker's lease is never taken by a starting
//! process, a job made due while it ran is not pushed back by its outcome, and a server that
//! stops releases what it holds.

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::sync_state;
use pnl::state::AppState;
use pnl::sync::{claim, finish, heartbeat, run_claimed, run_worker, schedule_now, Outcome};
use sea_orm::{DatabaseBackend, EntityTrait};

use crate::helpers::{TestApp, TestDb};
use crate::sync_engine::{config_for, connect_over_http, start_sandbox};

/// A server on a fresh database whose sync leases last `lease`, with the sandbox seller of
/// `org` connected (jobs scheduled, no worker running).
async fn connected(sandbox: &sandbox::Sandbox, org: &str, lease: &str) -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = config_for(&db, sandbox);
    config.sync.lease = pnl::config::parse_ttl(lease).unwrap();
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    let app = TestApp::spawn_with(db, config).await;
    connect_over_http(&app, org).await;
    app
}

/// Another process on the app's database: its own pool and sync engine, started as `pnl serve`
/// starts (the start-up rule runs here).
async fn process(app: &TestApp) -> AppState {
    pnl::startup::app_state(app.config.clone()).await.unwrap()
}

async fn job(app: &TestApp, id: i64) -> sync_state::Model {
    sync_state::Entity::find_by_id(id)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_job_held_by_a_worker_that_died_is_resumed_by_a_new_process_within_30s() {
    // Arrange: on SQLite the dying worker's lease is long, so only the start-up rule can free
    // it in time; on PostgreSQL the lease is short and its expiry is what frees it.
    let postgres = std::env::var("PNL_TEST_DATABASE_URL").is_ok();
    let lease = if postgres { "3s" } else { "10m" };
    let sandbox = start_sandbox(30).await;
    let app = connected(&sandbox, "acme", lease).await;
    let dying = process(&app).await;
    let held = claim(
        &dying.db,
        dying.sync.worker_id(),
        pnl::config::parse_ttl(lease).unwrap(),
    )
    .await
    .unwrap()
    .expect("a due job");
    // It dies mid-run, in the shop's statements: posted lines, no outcome, its lease held.
    let running = {
        let (state, held) = (dying.clone(), held.clone());
        tokio::spawn(async move { run_claimed(&state, &held).await })
    };
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let progress = job(&app, held.id).await.progress.unwrap_or_default();
        if progress.contains("statement transactions") && !progress.contains("\"done\":0") {
            break;
        }
        assert!(
            !running.is_finished(),
            "the job finished before it could die"
        );
    }
    running.abort();
    let _ = running.await;
    let dead_worker = dying.sync.worker_id().to_owned();
    dying.db.clone().close().await;
    drop(dying);
    let stale = job(&app, held.id).await;
    assert_eq!(stale.locked_by.as_deref(), Some(dead_worker.as_str()));
    assert!(
        stale.locked_until.unwrap() > Utc::now(),
        "the lease is live"
    );

    // Act: a new process starts and runs its worker.
    let started = Instant::now();
    let restarted = process(&app).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(run_worker(restarted.clone(), stopped));
    let resumed = loop {
        let row = job(&app, held.id).await;
        if row.locked_by.as_deref() == Some(restarted.sync.worker_id())
            || row.last_success_at.is_some()
        {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not resumed within 30 s: {row:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Assert: resumed in time (on SQLite before any lease could expire), and every job ends
    // idle with every statement of the ledger matching its payout.
    if app.db.backend() == DatabaseBackend::Sqlite {
        assert!(resumed < Duration::from_secs(5), "{resumed:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = sync_state::Entity::find().all(app.db.conn()).await.unwrap();
        if rows
            .iter()
            .all(|r| r.state == "IDLE" && r.last_success_at.is_some())
        {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not finish: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    worker.await.unwrap();
    crate::sync_engine::assert_all_statements_match(&app, "acme").await;
    eprintln!(
        "crash recovery: job {} resumed {resumed:?} after the restart",
        held.id
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_starting_process_leaves_a_live_workers_lease_alone() {
    let sandbox = start_sandbox(3).await;
    let app = connected(&sandbox, "acme", "10m").await;
    let live = process(&app).await;
    let held = claim(&live.db, live.sync.worker_id(), Duration::from_secs(600))
        .await
        .unwrap()
        .unwrap();

    let other = process(&app).await;
    while let Some(job) = claim(&other.db, other.sync.worker_id(), Duration::from_secs(600))
        .await
        .unwrap()
    {
        assert_ne!(job.id, held.id, "a live worker's job was claimed again");
    }
    assert_eq!(other.sync.release_dead(&other.db).await.unwrap(), 0);
    assert_eq!(
        job(&app, held.id).await.locked_by.as_deref(),
        Some(live.sync.worker_id())
    );
    assert!(heartbeat(
        &live.db,
        held.id,
        live.sync.worker_id(),
        Duration::from_secs(600)
    )
    .await
    .unwrap());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_learns_it_from_its_heartbeat() {
    let sandbox = start_sandbox(3).await;
    let app = connected(&sandbox, "acme", "1s").await;
    let slow = claim(&app.db, "slow-worker", Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut taken = None;
    while let Some(job) = claim(&app.db, "next-worker", Duration::from_secs(60))
        .await
        .unwrap()
    {
        if job.id == slow.id {
            taken = Some(job);
        }
    }
    assert!(taken.is_some(), "the expired lease was claimed");
    assert!(
        !heartbeat(&app.db, slow.id, "slow-worker", Duration::from_secs(1))
            .await
            .unwrap(),
        "the slow worker still believes it holds the job"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_job_made_due_while_it_ran_stays_due_whatever_the_outcome() {
    let sandbox = start_sandbox(3).await;
    let app = connected(&sandbox, "acme", "1m").await;
    for outcome in [
        Outcome::Failed("stale credentials".to_owned()),
        Outcome::Paused("revoked credentials".to_owned()),
        Outcome::Done {
            cursor: Utc::now().to_rfc3339(),
        },
    ] {
        let running = claim(&app.db, app.state.sync.worker_id(), Duration::from_secs(60))
            .await
            .unwrap()
            .expect("a due job");
        // A reconnect while it runs (what `pnl demo` does on a restart).
        tokio::time::sleep(Duration::from_millis(5)).await;
        schedule_now(
            app.db.conn(),
            running.org_id,
            running.shop_id,
            &running.stream,
        )
        .await
        .unwrap();
        finish(&app.state, &running, outcome.clone()).await.unwrap();
        let row = job(&app, running.id).await;
        assert!(
            row.next_run_at.unwrap() <= Utc::now(),
            "{outcome:?} pushed the reconnect's schedule back: {row:?}"
        );
        assert!(row.locked_by.is_none());
        assert_ne!(row.state, "PAUSED", "a reconnect while it ran unpauses it");
    }

    // Without a reschedule the outcome's own delay stands.
    let quiet = claim(&app.db, app.state.sync.worker_id(), Duration::from_secs(60))
        .await
        .unwrap()
        .expect("a due job");
    finish(&app.state, &quiet, Outcome::Failed("down".to_owned()))
        .await
        .unwrap();
    assert!(job(&app, quiet.id).await.next_run_at.unwrap() > Utc::now());
    let revoked = claim(&app.db, app.state.sync.worker_id(), Duration::from_secs(60))
        .await
        .unwrap()
        .expect("a due job");
    finish(&app.state, &revoked, Outcome::Paused("revoked".to_owned()))
        .await
        .unwrap();
    let row = job(&app, revoked.id).await;
    assert_eq!((row.state.as_str(), row.next_run_at), ("PAUSED", None));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_server_that_stops_releases_its_leases() {
    let sandbox = start_sandbox(3).await;
    let app = connected(&sandbox, "acme", "10m").await;
    let held = claim(
        &app.db,
        app.state.sync.worker_id(),
        Duration::from_secs(600),
    )
    .await
    .unwrap()
    .unwrap();
    let test_db = app.stop().await;
    let db = pnl::db::Db::connect(&test_db.url).await.unwrap();
    let row = sync_state::Entity::find_by_id(held.id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.locked_by, row.state.as_str()), (None, "IDLE"));
    assert!(
        row.next_run_at.is_some_and(|at| at <= Utc::now()),
        "still due"
    );
    db.close().await;
    sandbox.shutdown().await;
}
