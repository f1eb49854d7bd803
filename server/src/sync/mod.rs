//! The sync engine: one job per shop and stream (`sync_state`), a schedule, a cursor with an
//! overlap window, a backfill window for the first run, and claims through the database so that
//! several replicas never run the same job at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the
//! single writer on SQLite). Posting is idempotent, so a job stopped at any point and run again
//! posts every line exactly once.
//!
//! # Crash recovery
//! A claim is a lease (`sync.lease`, 20 s by default) renewed by a heartbeat every quarter of it;
//! a worker whose heartbeat finds the job claimed by another stops running it. A worker that
//! dies stops renewing, and:
//! - On PostgreSQL (replicas on many machines) nobody can tell a dead worker from a slow one, so
//!   the lease decides: an idle worker wakes when the next lease runs out and claims the job,
//!   one lease (at most) after the dead worker's last heartbeat.
//! - On a SQLite file (one machine) a process can know: every worker holds an advisory lock on
//!   a file of its own beside the database for as long as it runs ([`liveness`]), and the
//!   operating system drops it when the process dies. A starting process (and an idle worker, at
//!   each poll) releases at once the leases of every worker whose lock it can take, so a
//!   restart after `kill -9` resumes the backfill immediately. A lease whose holder has no lock
//!   file (a worker of an older version) is left to expire. A single lock for the whole file
//!   would not do: `pnl sync` runs beside `pnl serve` on one file, and either may die alone.
//! - A server stopped with SIGTERM or Ctrl-C releases its own leases on the way out.
//!
//! A released or expired job stays due (its schedule is not pushed back), and a job made due
//! again while it ran (a reconnect, a trigger) keeps that schedule whatever the run's outcome,
//! so an interrupted backfill is never left waiting for the next interval or a retry backoff.

mod claim;
mod engine;
mod job_state;
pub mod jobs;
mod liveness;
pub mod progress;
pub mod status;

use std::time::Duration;

use chrono::Utc;
use entities::sync_state;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use tokio::sync::watch;

pub use claim::{claim, claim_job, finish, heartbeat, next_lease_end, release, Outcome};
pub use engine::SyncEngine;
pub use job_state::SyncState;
pub use jobs::run_job;

use crate::error::{Error, Result};
use crate::state::AppState;

/// Ensures the job of `stream` for `shop_id` exists and is due now (and not paused).
///
/// # Errors
/// Database failures.
pub async fn schedule_now(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    stream: &str,
) -> Result<()> {
    let now = Utc::now();
    let existing = sync_state::Entity::find()
        .filter(sync_state::Column::OrgId.eq(org_id))
        .filter(sync_state::Column::ShopId.eq(shop_id))
        .filter(sync_state::Column::Stream.eq(stream))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut row: sync_state::ActiveModel = row.into();
            row.next_run_at = Set(Some(now));
            if row.state.as_ref() == SyncState::Paused.as_str() {
                row.state = Set(SyncState::Idle.as_str().to_owned());
            }
            row.updated_at = Set(now);
            row.update(db).await?;
        }
        None => {
            sync_state::ActiveModel {
                org_id: Set(org_id),
                shop_id: Set(shop_id),
                stream: Set(stream.to_owned()),
                state: Set(SyncState::Idle.as_str().to_owned()),
                next_run_at: Set(Some(now)),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Makes every job of `shop_id` in `org_id` due now; NOT_FOUND when the org has no such shop.
///
/// # Errors
/// NOT_FOUND, or database failures.
pub async fn trigger(state: &AppState, org_id: i64, shop_id: i64) -> Result<()> {
    let db = state.db.conn();
    let shop = entities::shop::Entity::find_by_id(shop_id)
        .filter(entities::shop::Column::OrgId.eq(org_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: shop_id.to_string(),
        })?;
    let connector = state.connectors.channel(shop.channel.parse()?)?;
    schedule_now(db, org_id, shop.id, connector.shop_stream()).await?;
    sync_state::Entity::update_many()
        .col_expr(sync_state::Column::NextRunAt, Expr::value(Some(Utc::now())))
        .filter(sync_state::Column::OrgId.eq(org_id))
        .filter(sync_state::Column::ShopId.eq(shop.id))
        .exec(db)
        .await?;
    state.sync.wake();
    Ok(())
}

/// The worker loop: claims due jobs and runs them until `stop` turns true.
pub async fn run_worker(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = state.config.sync.poll;
    tracing::info!(worker = state.sync.worker_id(), "sync worker started");
    loop {
        if *stop.borrow() {
            return;
        }
        match run_one(&state).await {
            Ok(true) => continue,
            // Idle: free what dead workers of this SQLite file still hold, and claim it now.
            Ok(false) => match state.sync.release_dead(&state.db).await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(error) => tracing::error!(%error, "sync worker failed to release dead leases"),
            },
            Err(error) => tracing::error!(%error, "sync worker failed to claim a job"),
        }
        // Wake when the next lease runs out, if sooner than the poll: a replica that died is
        // replaced one lease after its last heartbeat, not a lease and a poll.
        let nap = match next_lease_end(&state.db).await {
            Ok(Some(end)) => (end - Utc::now())
                .to_std()
                .map_or(poll, |left| poll.min(left + Duration::from_millis(50))),
            Ok(None) => poll,
            Err(error) => {
                tracing::error!(%error, "sync worker failed to read the leases");
                poll
            }
        };
        tokio::select! {
            () = state.sync.wake.notified() => {}
            () = tokio::time::sleep(nap) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Claims and runs one due job; false when none was due.
///
/// # Errors
/// Failures to claim or record the outcome (a failed job is recorded, not returned).
pub async fn run_one(state: &AppState) -> Result<bool> {
    let lease = state.config.sync.lease;
    let Some(job) = claim(&state.db, state.sync.worker_id(), lease).await? else {
        return Ok(false);
    };
    run_claimed(state, &job).await?;
    Ok(true)
}

/// Runs a job this worker has claimed, keeping its lease alive, and records the outcome. A
/// run whose lease was taken over (it expired while this worker stalled) stops at once and
/// records nothing: the job is the other worker's now.
///
/// # Errors
/// Failure to record the outcome.
pub async fn run_claimed(state: &AppState, job: &sync_state::Model) -> Result<Outcome> {
    let lease = state.config.sync.lease;
    let (lost, lost_rx) = tokio::sync::oneshot::channel::<()>();
    // Stops with the job, even when the job's future is dropped (a cancelled or killed run):
    // otherwise the lease would be kept alive for a job nobody runs. A quarter of the lease:
    // three beats can fail or stall before it expires.
    let _beat = AbortOnDrop({
        let db = state.db.clone();
        let worker = state.sync.worker_id().to_owned();
        let id = job.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 4).await;
                match heartbeat(&db, id, &worker, lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        let _ = lost.send(());
                        return;
                    }
                    Err(error) => tracing::warn!(%error, job = id, "sync heartbeat failed"),
                }
            }
        })
    });
    let outcome = tokio::select! {
        outcome = run_job(state, job) => outcome,
        Ok(()) = lost_rx => {
            tracing::warn!(job = job.id, stream = job.stream, "sync lease lost to another worker; run stopped");
            return Ok(Outcome::Failed("the job's lease was taken over by another worker".to_owned()));
        }
    };
    finish(state, job, outcome.clone()).await?;
    Ok(outcome)
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
