//! Running one claimed job: the engine finds the job's connector in the registry by its stored
//! stream name and asks it to pull the job's window; the connector's error becomes the job's
//! outcome here, in one place.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::{shop, sync_state};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::claim::Outcome;
use super::progress;
use crate::connectors::seam::{ConnectorError, Window};
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::state::AppState;

fn cursor_start(job: &sync_state::Model, overlap: Duration, backfill_days: u32) -> DateTime<Utc> {
    let now = Utc::now();
    job.cursor
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map(|c| {
            c.with_timezone(&Utc)
                - chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::days(3))
        })
        .unwrap_or_else(|| now - chrono::Duration::days(i64::from(backfill_days)))
}

/// The outcome of a pull; a database failure stays an error, for [`run_job`] to judge.
fn outcome_of(
    result: std::result::Result<(), ConnectorError>,
    cursor: DateTime<Utc>,
) -> Result<Outcome> {
    match result {
        Ok(()) => Ok(Outcome::Done {
            cursor: cursor.to_rfc3339(),
        }),
        Err(ConnectorError::Reauthorize(message)) => Ok(Outcome::Paused(message)),
        Err(ConnectorError::Store(error @ Error::Db(_))) => Err(error),
        Err(error) => Ok(Outcome::Failed(error.to_string())),
    }
}

/// Runs of one job while the database is unreachable or busy, 1 s, 2 s, 4 s … apart (about half
/// a minute in all: a PostgreSQL restart), before the job fails until its next retry.
const STORE_ATTEMPTS: u32 = 6;

/// Runs `job` to its outcome (never an error: failures are outcomes). A run the database
/// interrupted (restarting, busy) runs again with backoff — posting is idempotent, so the lines
/// it had written are not written twice; a database error that needs a person (disk full,
/// read-only) fails at once, said in words, never the driver's text.
pub async fn run_job(state: &AppState, job: &sync_state::Model) -> Outcome {
    let mut delay = Duration::from_secs(1);
    let mut attempt = 1;
    loop {
        let error = match run(state, job).await {
            Ok(outcome) => return outcome,
            Err(Error::Db(error)) => error,
            Err(error) => return Outcome::Failed(error.to_string()),
        };
        let trouble = crate::db::Trouble::of(&error);
        tracing::warn!(job = job.id, attempt, %error, ?trouble, "the sync's database call failed");
        match trouble {
            Some(trouble) if trouble.is_transient() && attempt < STORE_ATTEMPTS => {
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Some(trouble) => return Outcome::Failed(trouble.in_words().to_owned()),
            None => return Outcome::Failed(
                "the database refused the sync's work (an internal error: the server log has the \
                     details)"
                    .to_owned(),
            ),
        }
    }
}

async fn run(state: &AppState, job: &sync_state::Model) -> Result<Outcome> {
    let Some((connector, _)) = state.connectors.stream(&job.stream) else {
        return Ok(Outcome::Paused(format!("unknown stream {}", job.stream)));
    };
    let shop = shop::Entity::find_by_id(job.shop_id)
        .filter(shop::Column::OrgId.eq(job.org_id))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: job.shop_id.to_string(),
        })?;
    let status = shop.status.parse::<ShopStatus>()?;
    if status != ShopStatus::Active {
        return Ok(Outcome::Paused(
            shop.status_message
                .clone()
                .unwrap_or_else(|| format!("shop is {status}")),
        ));
    }
    let overlap = state.config.sync.overlap;
    let window = Window {
        from: cursor_start(job, overlap, state.config.sync.backfill_days),
        to: Utc::now(),
    };
    let (sender, writer) = progress::writer(state.db.clone(), job.id);
    let result = connector
        .pull(state, &shop, job, window, &|p| {
            let _ = sender.send(p);
        })
        .await;
    drop(sender);
    let _ = writer.await;
    outcome_of(result, window.to)
}
