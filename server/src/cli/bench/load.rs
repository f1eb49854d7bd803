//! Loading the benchmark brand: the generator on a blocking thread, ingest on this task.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Duration as Days, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::connectors::ingest::{ingest, Batch};
use crate::connectors::tiktok::client::RawPage;
use crate::connectors::tiktok::normalize::Context;
use crate::connectors::tiktok::sync::StatementSplit;
use crate::connectors::{catalog, SkuRef};
use crate::costs::unit_cost::{self, Components, UnitCost};
use crate::db::Db;
use crate::ledger::mapping::FeeMapper;
use crate::money::{Currency, Money};

/// One statement, ready to ingest.
pub(super) struct Work {
    pub(super) shop: usize,
    pub(super) batch: Batch,
}

/// What the load phase did.
pub(super) struct Load {
    pub(super) lines: usize,
    pub(super) statements: usize,
    pub(super) wall: Duration,
    pub(super) ingest: Duration,
}

/// Generates every statement of every shop on a blocking thread (the sync's own decode, split
/// and normalise steps over the generator's responses) while this task ingests them.
pub(super) async fn load(
    db: &Db,
    org_id: i64,
    world: &Arc<sandbox::World>,
    shop_ids: &[i64],
) -> anyhow::Result<Load> {
    let mapper = Arc::new(FeeMapper::load(db.conn(), org_id).await?);
    let statements: Vec<(usize, String)> = world
        .shops()
        .iter()
        .enumerate()
        .flat_map(|(shop, info)| {
            world
                .statements(&info.id)
                .into_iter()
                .map(move |s| (shop, s.id))
        })
        .collect();
    let world = Arc::clone(world);
    let shop_ids = shop_ids.to_vec();
    drive(
        db,
        org_id,
        "TikTok statements",
        statements,
        move |(shop, id)| generate(&world, &mapper, shop, shop_ids[shop], &id),
    )
    .await
}

/// Runs `make` over `jobs` on a blocking thread while this task ingests what it makes, and
/// prints the progress every 50 batches.
pub(super) async fn drive<J, F>(
    db: &Db,
    org_id: i64,
    what: &str,
    jobs: Vec<J>,
    make: F,
) -> anyhow::Result<Load>
where
    J: Send + 'static,
    F: Fn(J) -> anyhow::Result<Work> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<anyhow::Result<Work>>(8);
    let total = jobs.len();
    let producer = std::thread::spawn(move || {
        for job in jobs {
            if tx.blocking_send(make(job)).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut done = Load {
        lines: 0,
        statements: 0,
        wall: Duration::ZERO,
        ingest: Duration::ZERO,
    };
    while let Some(work) = rx.recv().await {
        let Work { shop, batch } = work?;
        let at = Instant::now();
        let report = ingest(db, org_id, batch).await?;
        done.ingest += at.elapsed();
        anyhow::ensure!(
            report.failures.is_empty(),
            "shop {shop}: {} rows failed, first: {:?}",
            report.failures.len(),
            report.failures.first()
        );
        done.lines += report.posted + report.retired;
        done.statements += 1;
        if done.statements % 50 == 0 || done.statements == total {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "ingest: {}/{total} {what}, {} lines, {:.0} lines/s",
                done.statements,
                done.lines,
                done.lines as f64 / secs
            );
        }
    }
    done.wall = started.elapsed();
    producer
        .join()
        .map_err(|_| anyhow::anyhow!("the generator thread panicked"))?;
    Ok(done)
}

/// One statement of one shop as the sync would post it.
pub(super) fn generate(
    world: &sandbox::World,
    mapper: &FeeMapper,
    shop: usize,
    shop_id: i64,
    statement: &str,
) -> anyhow::Result<Work> {
    let info = &world.shops()[shop];
    let ctx = Context {
        mapper,
        currency: Currency::parse(&info.currency)?,
    };
    let page = |data: Option<Value>, what: &str| -> anyhow::Result<RawPage> {
        let data = data.with_context(|| format!("the generator has no {what}"))?;
        Ok(RawPage {
            body: sandbox::World::envelope(&data),
            data,
            next: None,
        })
    };
    let path = format!("/finance/202501/statements/{statement}/statement_transactions");
    let first = page(
        world.statement_transactions_2501(&info.id, statement),
        &format!("statement {statement}"),
    )?;
    let mut split = StatementSplit::new(statement, &path, vec![first], ctx)?
        .with_context(|| format!("statement {statement} has no pages"))?;
    for order in split.orders() {
        let path = format!("/finance/202501/orders/{order}/statement_transactions");
        let data = page(
            world.order_transactions_2501(&info.id, &order),
            &format!("order {order}"),
        )?;
        split.add_order(&order, &path, data)?;
    }
    let (pages, normalized) = split.finish();
    Ok(Work {
        shop,
        batch: crate::connectors::tiktok::batch(
            shop_id,
            StatementSplit::KIND,
            statement,
            RawPage::joined(&pages),
            normalized,
        ),
    })
}

/// Links every listing to a master product (as the sync does once an order names its seller
/// SKU), then gives every product a unit cost, and a price rise on every fifth one in the middle
/// of the year (so COGS takes the cost in force on each day).
pub(super) async fn set_costs(
    db: &Db,
    org_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> anyhow::Result<()> {
    let listings = entities::listing::Entity::find()
        .filter(entities::listing::Column::OrgId.eq(org_id))
        .all(db.conn())
        .await?;
    for listing in &listings {
        let sku = SkuRef {
            channel_sku_id: listing.channel_sku_id.clone(),
            seller_sku: Some(format!("BENCH-{}", listing.id)),
            channel_product_id: None,
            name: listing.title.clone(),
        };
        catalog::ensure_listing(db.conn(), org_id, listing.shop_id, &sku).await?;
    }
    let products = entities::product::Entity::find()
        .filter(entities::product::Column::OrgId.eq(org_id))
        .all(db.conn())
        .await?;
    let middle = first + Days::days((last - first).num_days() / 2);
    for product in &products {
        let base = Decimal::new(450 + (product.id % 20) * 25, 2);
        let mut costs = vec![(first, base)];
        if product.id % 5 == 0 {
            costs.push((middle, base + Decimal::new(75, 2)));
        }
        for (effective_from, cost) in costs {
            unit_cost::set(
                db.conn(),
                org_id,
                &UnitCost {
                    sku: product.sku.clone(),
                    effective_from,
                    unit_cost: Money::from_decimal(cost, Currency::parse("USD")?),
                    components: Components::default(),
                },
            )
            .await?;
        }
    }
    println!("costs: {} products", products.len());
    Ok(())
}
