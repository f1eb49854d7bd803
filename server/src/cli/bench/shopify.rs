//! The benchmark brand's Shopify store: the sandbox's store served on loopback and read by the
//! connector's own sync (`shopify::sync::sync_shop`): the bulk export of every order, the
//! refunded orders re-read by id, every balance transaction and payout, booked through the
//! Shopify normalisers and `ingest` under the sync's raw records.
//!
//! Unlike TikTok and Amazon, whose responses the generator renders in-process, Shopify's are
//! GraphQL answers the sandbox's executor computes per query; a backfill is a bulk export plus a
//! few thousand pages, so the round trips are few, and they go over HTTP as in production. The
//! sandbox then runs on the same two cores: its time is inside the measured wall time. Shopify's
//! cost bucket is lifted (a Standard store restores 100 points a second, which would make the
//! bucket, not pnl, the measure).

use std::time::Instant;

use anyhow::Context as _;
use chrono::{Duration as Days, Utc};
use sandbox::{Sandbox, SandboxConfig, ShopifyStoreSpec};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::load::Load;
use crate::config::{Config, Secret};
use crate::connectors::catalog;
use crate::connectors::credentials::seal;
use crate::connectors::seam::{Progress, Window};
use crate::connectors::shopify::credentials::ShopifyCredentials;
use crate::connectors::shopify::sync::sync_shop;
use crate::ledger::Channel;
use crate::state::AppState;

/// The store's name (`bench-store.myshopify.com`).
const STORE: &str = "bench-store";

/// Starts a sandbox with one US store of `orders` orders over `days` (ending today) and
/// points `config`'s Shopify app at it. Returns None for no orders.
///
/// # Errors
/// Too many orders a day, or a sandbox that cannot start.
pub(super) async fn start(
    config: &mut Config,
    orders: u64,
    days: u32,
    seed: u64,
) -> anyhow::Result<Option<Sandbox>> {
    if orders == 0 {
        return Ok(None);
    }
    let per_day = u32::try_from(orders / u64::from(days.max(1)))
        .context("--shopify-orders: too many per day")?;
    // The sandbox's own TikTok world is kept small: the bench's TikTok orders are generated
    // apart, so the store mirrors none of them (every order is the store's own and posts).
    let mut sandbox_config = SandboxConfig {
        seed,
        days: 3,
        orders_per_day: 1,
        ..SandboxConfig::default()
    };
    sandbox_config.shopify.stores = vec![ShopifyStoreSpec {
        orders_per_day: per_day.max(1),
        mirrored_per_mille: 0,
        ..ShopifyStoreSpec::us(STORE)
    }];
    sandbox_config.shopify.history_days = days;
    sandbox_config.shopify.maximum_available = 1_000_000;
    sandbox_config.shopify.restore_rate = 1_000_000;
    sandbox_config.shopify.bulk_polls = 1;
    let sandbox = Sandbox::start(sandbox_config).await?;
    let app = sandbox.shopify().config();
    config.channels.shopify.api_key = app.api_key.clone();
    config.channels.shopify.api_secret = Secret::new(app.api_secret.clone());
    config.channels.shopify.shop_url = format!("{}/shopify/{{shop}}", sandbox.base_url());
    println!("shopify: 1 US store, {per_day} orders/day, {days} days");
    Ok(Some(sandbox))
}

/// Installs the app on the sandbox's store for `org_id` (its token sealed, as the install
/// callback stores it) and runs one sync over its whole history.
///
/// # Errors
/// Any failure of the sync.
pub(super) async fn load(
    state: &AppState,
    sandbox: &Sandbox,
    org_id: i64,
    days: u32,
) -> anyhow::Result<Load> {
    let domain = format!("{STORE}.myshopify.com");
    let access_token = sandbox
        .shopify_access_token(&domain)
        .context("the sandbox has no bench store")?;
    let sealed = seal(
        state,
        &ShopifyCredentials {
            access_token,
            scope: "read_orders,read_shopify_payments_payouts".to_owned(),
        },
    )?;
    let row = catalog::ensure_shop(
        state.db.conn(),
        org_id,
        Channel::Shopify,
        &domain,
        "Bench Shopify US",
        Some("USD"),
    )
    .await?;
    let mut active: entities::shop::ActiveModel = row.into();
    active.credentials = Set(Some(sealed));
    let shop = active.update(state.db.conn()).await?;

    let to = Utc::now();
    let window = Window {
        from: to - Days::days(i64::from(days) + 2),
        to,
    };
    let last = std::sync::Mutex::new(Instant::now());
    let progress = |step: Progress| {
        let mut at = last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if at.elapsed().as_secs() >= 5 {
            *at = Instant::now();
            println!("shopify sync: {}, {} done", step.step, step.done);
        }
    };
    let started = Instant::now();
    let report = sync_shop(state, &shop, window, &progress).await?;
    let wall = started.elapsed();
    anyhow::ensure!(
        report.ingest.failures.is_empty(),
        "Shopify: {} rows failed, first: {:?}",
        report.ingest.failures.len(),
        report.ingest.failures.first()
    );
    println!(
        "shopify: {} orders ({} mirrored, bulk: {}), {} balance transactions, {} payouts",
        report.orders, report.mirrored, report.bulk, report.balance_transactions, report.payouts
    );
    // Every row written, reversals of corrected estimates included (a balance transaction
    // re-books its order's estimated fees into the payout).
    let lines = entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(org_id))
        .filter(entities::ledger_entry::Column::ShopId.eq(shop.id))
        .count(state.db.conn())
        .await?;
    Ok(Load {
        lines: usize::try_from(lines)?,
        statements: report.orders,
        wall,
        ingest: wall,
    })
}
