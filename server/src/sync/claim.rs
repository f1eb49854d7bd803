//! Claiming, heartbeating, finishing and releasing jobs in the database.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::sync_state;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};

use super::SyncState;
use crate::db::{placeholder, Db};
use crate::error::Result;
use crate::state::AppState;

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Synced up to `cursor` (RFC 3339).
    Done {
        /// The new cursor.
        cursor: String,
    },
    /// Failed; retried on the next schedule.
    Failed(String),
    /// Cannot run until someone acts (re-authorise the shop); not retried.
    Paused(String),
}

fn lease_end(lease: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(2))
}

/// Claims the most overdue job that nobody holds, for `worker`, for `lease`.
///
/// # Errors
/// Database failures.
pub async fn claim(db: &Db, worker: &str, lease: Duration) -> Result<Option<sync_state::Model>> {
    let now = Utc::now();
    let backend = db.backend();
    // One statement: pick and lock in the same step, so two replicas never take the same row.
    let lock = if backend == DatabaseBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let p = |n: usize| placeholder(backend, n);
    let sql = format!(
        "UPDATE sync_state SET locked_by = {w}, locked_until = {until}, state = '{running}', updated_at = {now1} \
         WHERE id = (SELECT id FROM sync_state \
             WHERE state <> '{paused}' AND (next_run_at IS NULL OR next_run_at <= {now2}) \
               AND (locked_until IS NULL OR locked_until < {now3}) \
             ORDER BY next_run_at, id LIMIT 1 {lock}) \
         RETURNING id",
        w = p(1),
        until = p(2),
        now1 = p(3),
        now2 = p(4),
        now3 = p(5),
        running = SyncState::Running.as_str(),
        paused = SyncState::Paused.as_str(),
    );
    let values: Vec<Value> = vec![
        worker.into(),
        lease_end(lease).into(),
        now.into(),
        now.into(),
        now.into(),
    ];
    let txn = db.begin_write().await?;
    let row = txn
        .query_one(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    txn.commit().await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("", "id")?;
    Ok(sync_state::Entity::find_by_id(id).one(db.conn()).await?)
}

/// Claims job `id` for `worker` if nobody holds it (for running one shop's sync on demand).
///
/// # Errors
/// Database failures.
pub async fn claim_job(
    db: &Db,
    id: i64,
    worker: &str,
    lease: Duration,
) -> Result<Option<sync_state::Model>> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let claimed = sync_state::Entity::update_many()
        .col_expr(
            sync_state::Column::LockedBy,
            Expr::value(Some(worker.to_owned())),
        )
        .col_expr(
            sync_state::Column::LockedUntil,
            Expr::value(Some(lease_end(lease))),
        )
        .col_expr(
            sync_state::Column::State,
            Expr::value(SyncState::Running.as_str()),
        )
        .col_expr(sync_state::Column::UpdatedAt, Expr::value(now))
        .filter(sync_state::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(sync_state::Column::LockedUntil.is_null())
                .add(sync_state::Column::LockedUntil.lt(now)),
        )
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if claimed.rows_affected == 0 {
        return Ok(None);
    }
    Ok(sync_state::Entity::find_by_id(id).one(db.conn()).await?)
}

/// Extends `worker`'s lease on job `id`; false when `worker` no longer holds it (its lease
/// expired and another worker claimed the job, or it was released).
///
/// # Errors
/// Database failures.
pub async fn heartbeat(db: &Db, id: i64, worker: &str, lease: Duration) -> Result<bool> {
    let renewed = sync_state::Entity::update_many()
        .col_expr(
            sync_state::Column::LockedUntil,
            Expr::value(Some(lease_end(lease))),
        )
        .filter(sync_state::Column::Id.eq(id))
        .filter(sync_state::Column::LockedBy.eq(worker))
        .exec(db.conn())
        .await?;
    Ok(renewed.rows_affected > 0)
}

/// When the first lease that is still running out ends (none: no job is held).
///
/// # Errors
/// Database failures.
pub async fn next_lease_end(db: &Db) -> Result<Option<DateTime<Utc>>> {
    let next = sync_state::Entity::find()
        .select_only()
        .column(sync_state::Column::LockedUntil)
        .filter(sync_state::Column::LockedUntil.gt(Utc::now()))
        .order_by_asc(sync_state::Column::LockedUntil)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db.conn())
        .await?;
    Ok(next.flatten())
}

/// Releases every lease `worker` holds (a worker that died, or this one stopping): a running
/// job goes back to IDLE and stays due, so any worker claims it at once. Returns how many jobs
/// were released.
///
/// # Errors
/// Database failures.
pub async fn release(db: &Db, worker: &str) -> Result<u64> {
    let now = Utc::now();
    let backend = db.backend();
    let p = |n: usize| placeholder(backend, n);
    // A held job is due already; `next_run_at` is only pulled back, never pushed.
    let sql = format!(
        "UPDATE sync_state SET locked_by = NULL, locked_until = NULL, \
             state = CASE WHEN state = '{running}' THEN '{idle}' ELSE state END, \
             next_run_at = CASE WHEN next_run_at > {now1} THEN {now2} ELSE next_run_at END, \
             updated_at = {now3} \
         WHERE locked_by = {w}",
        now1 = p(1),
        now2 = p(2),
        now3 = p(3),
        w = p(4),
        running = SyncState::Running.as_str(),
        idle = SyncState::Idle.as_str(),
    );
    let values: Vec<Value> = vec![now.into(), now.into(), now.into(), worker.into()];
    let released = db
        .conn()
        .execute(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(released.rows_affected())
}

/// Records how job `job` ended and releases it (only if this worker still holds it). The next
/// run is after the interval (done) or the retry delay (failed), unless the job was made due
/// again while it ran (a reconnect, a trigger, a webhook): that schedule stands, since the run
/// may have missed what it was made due for (new credentials, say), and a pause becomes a
/// failure (the refused credentials may be the ones the reconnect replaced).
///
/// # Errors
/// Database failures.
pub async fn finish(state: &AppState, job: &sync_state::Model, outcome: Outcome) -> Result<()> {
    let now = Utc::now();
    let interval = state.config.sync.interval;
    let retry = interval.min(Duration::from_secs(300));
    // Rescheduled during the run: `next_run_at` was set after the claim (`updated_at` of the
    // claimed row); the job was due (`next_run_at` at or before the claim) when claimed.
    let rescheduled = || sync_state::Column::NextRunAt.gt(job.updated_at);
    let next_run = |d: Duration| {
        let after = now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1));
        Expr::case(rescheduled(), Expr::col(sync_state::Column::NextRunAt))
            .finally(Expr::value(Some(after)))
    };
    let mut update = sync_state::Entity::update_many()
        .col_expr(
            sync_state::Column::LockedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            sync_state::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(sync_state::Column::UpdatedAt, Expr::value(now));
    update = match &outcome {
        Outcome::Done { cursor } => update
            .col_expr(
                sync_state::Column::State,
                Expr::value(SyncState::Idle.as_str()),
            )
            .col_expr(
                sync_state::Column::Cursor,
                Expr::value(Some(cursor.clone())),
            )
            .col_expr(sync_state::Column::LastSuccessAt, Expr::value(Some(now)))
            .col_expr(
                sync_state::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .col_expr(sync_state::Column::NextRunAt, next_run(interval).into()),
        Outcome::Failed(error) => update
            .col_expr(
                sync_state::Column::State,
                Expr::value(SyncState::Failed.as_str()),
            )
            .col_expr(
                sync_state::Column::LastError,
                Expr::value(Some(error.clone())),
            )
            .col_expr(sync_state::Column::NextRunAt, next_run(retry).into()),
        // Paused, unless reconnected while it ran with the credentials that were refused:
        // then it failed once and runs again with the new ones.
        Outcome::Paused(error) => update
            .col_expr(
                sync_state::Column::State,
                Expr::case(rescheduled(), SyncState::Failed.as_str())
                    .finally(SyncState::Paused.as_str())
                    .into(),
            )
            .col_expr(
                sync_state::Column::LastError,
                Expr::value(Some(error.clone())),
            )
            .col_expr(
                sync_state::Column::NextRunAt,
                Expr::case(rescheduled(), Expr::col(sync_state::Column::NextRunAt))
                    .finally(Expr::value(Option::<DateTime<Utc>>::None))
                    .into(),
            ),
    };
    update
        .filter(sync_state::Column::Id.eq(job.id))
        .filter(sync_state::Column::LockedBy.eq(state.sync.worker_id()))
        .exec(state.db.conn())
        .await?;
    match outcome {
        Outcome::Failed(error) => {
            tracing::warn!(job = job.id, stream = job.stream, %error, "sync failed")
        }
        Outcome::Paused(error) => {
            tracing::warn!(job = job.id, stream = job.stream, %error, "sync paused")
        }
        Outcome::Done { .. } => tracing::info!(job = job.id, stream = job.stream, "sync done"),
    }
    Ok(())
}
