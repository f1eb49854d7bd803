//! `pnl sync`: one shop's sync now, in the foreground, with a progress bar.

use std::time::Duration;

use entities::{shop, sync_state};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::config::Config;
use crate::sync::progress::StoredProgress;
use crate::sync::{claim_job, run_claimed, schedule_now, Outcome};
use crate::{org, startup};

/// Syncs shop `shop` (its row id or the channel's id), of `org_key` when given, now.
///
/// # Errors
/// An unknown org or shop, an ambiguous shop, no channel app configured, a job held by another
/// worker, or a failed or paused sync (its error in words).
pub(super) async fn run(config: Config, org_key: Option<&str>, shop: &str) -> anyhow::Result<()> {
    let state = startup::app_state(config).await?;
    let db = state.db.conn();
    let mut query = shop::Entity::find();
    if let Some(org_key) = org_key {
        let org = org::find(db, org_key)
            .await?
            .ok_or_else(|| anyhow::anyhow!("org {org_key} does not exist"))?;
        query = query.filter(shop::Column::OrgId.eq(org.id));
    }
    query = match shop.parse::<i64>() {
        Ok(id) => query.filter(
            sea_orm::Condition::any()
                .add(shop::Column::Id.eq(id))
                .add(shop::Column::ExternalId.eq(shop)),
        ),
        Err(_) => query.filter(shop::Column::ExternalId.eq(shop)),
    };
    let mut rows = query.all(db).await?;
    anyhow::ensure!(
        rows.len() < 2,
        "shop {shop} matches several shops (in several orgs?): pass --org"
    );
    let row = rows
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no shop {shop}"))?;
    let connector = state.connectors.channel(row.channel.parse()?)?;
    connector.ready(&state)?;
    let stream = connector.shop_stream();
    schedule_now(db, row.org_id, row.id, stream).await?;
    let job = sync_state::Entity::find()
        .filter(sync_state::Column::OrgId.eq(row.org_id))
        .filter(sync_state::Column::ShopId.eq(row.id))
        .filter(sync_state::Column::Stream.eq(stream))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no sync job for shop {shop}"))?;
    let lease = state.config.sync.lease;
    let job = claim_job(&state.db, job.id, state.sync.worker_id(), lease)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "shop {} is being synced by another worker right now",
                row.name
            )
        })?;

    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:<28} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let watcher = {
        let (db, bar, id) = (state.db.clone(), bar.clone(), job.id);
        tokio::spawn(async move {
            loop {
                if let Ok(Some(row)) = sync_state::Entity::find_by_id(id).one(db.conn()).await {
                    if let Some(progress) = StoredProgress::parse(row.progress.as_deref()) {
                        bar.set_message(progress.step.clone());
                        bar.set_length(progress.total.unwrap_or(progress.done.max(1)) as u64);
                        bar.set_position(progress.done as u64);
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let outcome = run_claimed(&state, &job).await?;
    watcher.abort();
    bar.finish_and_clear();
    state.db.close().await;
    match outcome {
        Outcome::Done { cursor } => {
            println!("synced {} up to {cursor}", row.name);
            Ok(())
        }
        Outcome::Failed(error) => anyhow::bail!("sync of {} failed: {error}", row.name),
        Outcome::Paused(error) => anyhow::bail!("sync of {} needs attention: {error}", row.name),
    }
}
