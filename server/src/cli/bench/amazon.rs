//! The benchmark brand's Amazon seller: the sandbox's settlement V2 files of a US seller, read
//! in-process and booked through Amazon's own settlement normaliser and `ingest`, as the sync
//! books the settlement reports it downloads (the same source kind and raw record).

use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use sandbox::{AmazonSandboxConfig, AmazonSellerSpec, AmazonWorld};

use super::load::{drive, Load, Work};
use crate::connectors::amazon::settlement;
use crate::connectors::catalog;
use crate::connectors::ingest::Batch;
use crate::db::Db;
use crate::ledger::mapping::FeeMapper;
use crate::ledger::Channel;

/// Books `orders` Amazon orders over `days` (ending yesterday) for `org_id`: every closed
/// 14-day group's settlement file. Returns what was loaded (zero work for no orders).
pub(super) async fn load(
    db: &Db,
    org_id: i64,
    orders: u64,
    days: u32,
    seed: u64,
) -> anyhow::Result<Load> {
    let per_day = u32::try_from(orders / u64::from(days.max(1)))
        .context("--amazon-orders: too many per day")?;
    let spec = AmazonSellerSpec::us();
    let world = Arc::new(AmazonWorld::new(
        AmazonSandboxConfig {
            sellers: vec![spec.clone()],
            history_days: days,
            orders_per_day: per_day,
            ..AmazonSandboxConfig::default()
        },
        seed,
        Utc::now().date_naive(),
    ));
    let shop = catalog::ensure_shop(
        db.conn(),
        org_id,
        Channel::Amazon,
        &spec.seller_id,
        "Bench Amazon US",
        Some(&spec.currency),
    )
    .await?;
    let groups: Vec<String> = world
        .groups(&spec.seller_id)
        .into_iter()
        .filter(|group| !group.open)
        .map(|group| group.id)
        .collect();
    println!(
        "amazon: 1 US seller, {per_day} orders/day, {} closed groups",
        groups.len()
    );
    let mapper = FeeMapper::load(db.conn(), org_id).await?;
    drive(db, org_id, "Amazon settlements", groups, move |group| {
        let bytes = world
            .settlement_file(&group)
            .with_context(|| format!("the generator has no settlement file for {group}"))?;
        let name = format!("settlement of group {group}");
        let normalized = settlement::parse_with(&bytes, &name, &mapper)?;
        let payload = String::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8"))?;
        Ok(Work {
            shop: 0,
            batch: Batch::with_raw(
                Channel::Amazon,
                shop.id,
                settlement::SOURCE_KIND,
                &group,
                payload,
                normalized,
            ),
        })
    })
    .await
}
