//! The sync engine: one job per shop and stream (`sync_state`), a schedule, a cursor with an
//! overlap window, a backfill window for the first run, and claims through the database so that
//! several replicas never run the same job at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the
//! single writer on SQLite). A claim is a lease kept alive by heartbeats: a worker that dies lets
//! its lease expire and another resumes the job; posting is idempotent, so a job stopped at any
//! point and run again posts every line exactly once.

mod claim;
pub mod jobs;
pub mod progress;
pub mod status;

use std::time::Duration;

use chrono::Utc;
use entities::sync_state;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use tokio::sync::{watch, Notify};

pub use claim::{claim, claim_job, finish, heartbeat, Outcome};
pub use jobs::{ads_target, run_job, shop_client};

use crate::config::parse_ttl;
use crate::error::{Error, Result};
use crate::state::AppState;

/// The stream of a TikTok shop's orders and finance.
pub const SHOP_STREAM: &str = "tiktok.shop";
/// The stream prefix of a TikTok Ads account (`tiktok.ads:{advertiser}`).
pub const ADS_STREAM: &str = "tiktok.ads:";

/// In-process side of the engine: who this worker is and a bell to ring when a job is due now.
#[derive(Debug)]
pub struct SyncEngine {
    worker_id: String,
    wake: Notify,
}

impl Default for SyncEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncEngine {
    /// A new engine with a unique worker id.
    pub fn new() -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "pnl".to_owned());
        Self {
            worker_id: format!(
                "{host}-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ),
            wake: Notify::new(),
        }
    }

    /// This worker's id (stored in `locked_by`).
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Wakes the worker loop of this process.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

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
        .filter(sync_state::Column::ShopId.eq(shop_id))
        .filter(sync_state::Column::Stream.eq(stream))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut row: sync_state::ActiveModel = row.into();
            row.next_run_at = Set(Some(now));
            if row.state.as_ref() == "PAUSED" {
                row.state = Set("IDLE".to_owned());
            }
            row.updated_at = Set(now);
            row.update(db).await?;
        }
        None => {
            sync_state::ActiveModel {
                org_id: Set(org_id),
                shop_id: Set(shop_id),
                stream: Set(stream.to_owned()),
                state: Set("IDLE".to_owned()),
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
    schedule_now(db, org_id, shop.id, SHOP_STREAM).await?;
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
    let poll = parse_ttl(&state.config.sync.poll).unwrap_or(Duration::from_secs(5));
    tracing::info!(worker = state.sync.worker_id(), "sync worker started");
    loop {
        if *stop.borrow() {
            return;
        }
        match run_one(&state).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "sync worker failed to claim a job"),
        }
        tokio::select! {
            () = state.sync.wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Claims and runs one due job; false when none was due.
///
/// # Errors
/// Failures to claim or record the outcome (a failed job is recorded, not returned).
pub async fn run_one(state: &AppState) -> Result<bool> {
    let lease = parse_ttl(&state.config.sync.lease).unwrap_or(Duration::from_secs(120));
    let Some(job) = claim(&state.db, state.sync.worker_id(), lease).await? else {
        return Ok(false);
    };
    run_claimed(state, &job).await?;
    Ok(true)
}

/// Runs a job this worker has claimed, keeping its lease alive, and records the outcome.
///
/// # Errors
/// Failure to record the outcome.
pub async fn run_claimed(state: &AppState, job: &sync_state::Model) -> Result<Outcome> {
    let lease = parse_ttl(&state.config.sync.lease).unwrap_or(Duration::from_secs(120));
    // Stops with the job, even when the job's future is dropped (a cancelled or killed run):
    // otherwise the lease would be kept alive for a job nobody runs.
    let _beat = AbortOnDrop({
        let db = state.db.clone();
        let worker = state.sync.worker_id().to_owned();
        let id = job.id;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                if let Err(error) = heartbeat(&db, id, &worker, lease).await {
                    tracing::warn!(%error, job = id, "sync heartbeat failed");
                }
            }
        })
    });
    let outcome = run_job(state, job).await;
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
