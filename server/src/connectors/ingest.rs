//! Ingest: resolve a normaliser's output against the database and post it, in one transaction.
//!
//! Besides resolving references (payouts, listings, creators), ingest enforces that the same
//! money is posted once when channels describe it more than once:
//! - for one statement and order, SKU-level lines supersede order-level lines, and the newest
//!   posting of an order's lines replaces the older set (so reading a statement in another API
//!   version, or restated, never double-counts);
//! - settled lines of an order retire its estimates, and estimates of an order that is already
//!   settled are not posted.

use std::collections::{BTreeSet, HashMap, HashSet};

use entities::{ledger_entry, order_attribution};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{catalog, Failure, Granularity, Line, Normalized, PayoutRef};
use crate::db::Db;
use crate::error::Result;
use crate::ledger::packed_key;
use crate::ledger::raw::{Raw, RawInput};
use crate::ledger::{post_in, Channel, EntryStatus, NewLine, PostRequest};

/// One payload's worth of normalised output for one shop.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The channel.
    pub channel: Channel,
    /// The shop it belongs to.
    pub shop_id: i64,
    /// What kind of source it came from (e.g. `tiktok.finance.202501.statement_transactions`).
    pub source_kind: String,
    /// The source's id.
    pub source_id: String,
    /// The verbatim payload, stored before anything derived from it (or the stored record a
    /// replay read).
    pub raw: Option<Raw>,
    /// The normalised output.
    pub normalized: Normalized,
}

impl Batch {
    /// A batch of `channel` whose raw record is `payload`, stored under the same kind and id.
    pub fn with_raw(
        channel: Channel,
        shop_id: i64,
        kind: &str,
        source_id: &str,
        payload: String,
        normalized: Normalized,
    ) -> Self {
        Self {
            channel,
            shop_id,
            source_kind: kind.to_owned(),
            source_id: source_id.to_owned(),
            raw: Some(Raw::New(RawInput {
                channel,
                shop_id: Some(shop_id),
                source_kind: kind.to_owned(),
                source_id: source_id.to_owned(),
                payload,
            })),
            normalized,
        }
    }
}

/// What an ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Source rows read.
    pub rows: usize,
    /// Lines newly posted (including corrections).
    pub posted: usize,
    /// Lines already in the ledger unchanged.
    pub duplicates: usize,
    /// Lines whose content changed: reversed and re-posted.
    pub corrected: usize,
    /// Older lines reversed because newer or finer lines replace them.
    pub retired: usize,
    /// Lines not posted because finer or settled lines already describe the money.
    pub superseded: usize,
    /// Payout totals stored.
    pub payouts: usize,
    /// Labels that matched no mapping.
    pub unmapped: BTreeSet<String>,
    /// Rows that could not be used.
    pub failures: Vec<Failure>,
}

impl IngestReport {
    /// Adds another report's counts.
    pub fn absorb(&mut self, other: Self) {
        self.rows += other.rows;
        self.posted += other.posted;
        self.duplicates += other.duplicates;
        self.corrected += other.corrected;
        self.retired += other.retired;
        self.superseded += other.superseded;
        self.payouts += other.payouts;
        self.unmapped.extend(other.unmapped);
        self.failures.extend(other.failures);
    }
}

/// Posts `batch` for `org_id` in one transaction.
///
/// # Errors
/// Database failures or amounts out of range; nothing is written then.
pub async fn ingest(db: &Db, org_id: i64, batch: Batch) -> Result<IngestReport> {
    let txn = db.begin_write().await?;
    let report = ingest_in(&*txn, org_id, batch).await?;
    txn.commit().await?;
    db.wrote(report.posted + report.retired).await;
    Ok(report)
}

/// [`ingest`] inside a transaction the caller owns.
///
/// # Errors
/// As [`ingest`].
pub async fn ingest_in(
    db: &impl ConnectionTrait,
    org_id: i64,
    batch: Batch,
) -> Result<IngestReport> {
    let Batch {
        channel,
        shop_id,
        source_kind,
        source_id,
        raw,
        normalized,
    } = batch;
    let mut report = IngestReport {
        rows: normalized.rows,
        failures: normalized.failures,
        payouts: normalized.payouts.len(),
        ..IngestReport::default()
    };
    let mut payout_ids =
        crate::payout::upsert(db, org_id, Some(shop_id), channel, &normalized.payouts).await?;
    for sku in &normalized.listings {
        catalog::ensure_listing(db, org_id, shop_id, sku).await?;
    }
    for attribution in &normalized.attributions {
        catalog::upsert_attribution(db, org_id, shop_id, channel, attribution).await?;
    }

    let (lines, mut retire, superseded) = supersede(db, org_id, normalized.lines).await?;
    let (lines, replaced, excluded) = exclusions(db, org_id, lines).await?;
    retire.extend(replaced);
    report.superseded = superseded + excluded;
    let creators = creators_of(db, org_id, shop_id, &lines).await?;
    let mut listings: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    let mut new_lines = Vec::with_capacity(lines.len());
    for line in lines {
        let payout_id = match &line.payout {
            Some(reference) => Some(
                payout_id(
                    db,
                    org_id,
                    shop_id,
                    channel,
                    reference,
                    &line,
                    &mut payout_ids,
                )
                .await?,
            ),
            None => None,
        };
        let (listing_id, product_id) = match &line.sku {
            Some(sku) => match listings.get(&sku.channel_sku_id) {
                Some(found) => (Some(found.0), found.1),
                None => {
                    let found = catalog::ensure_listing(db, org_id, shop_id, sku).await?;
                    listings.insert(sku.channel_sku_id.clone(), found);
                    (Some(found.0), found.1)
                }
            },
            None => match line.product.as_deref() {
                Some(product) => (
                    None,
                    catalog::product_of_channel_product(db, org_id, shop_id, product).await?,
                ),
                None => (None, None),
            },
        };
        let creator_id = match line.creator.as_deref() {
            Some(handle) => Some(catalog::ensure_creator(db, org_id, channel, handle).await?),
            None => line.order_id.as_ref().and_then(|order| {
                let sku = line
                    .sku
                    .as_ref()
                    .map(|sku| sku.channel_sku_id.clone())
                    .unwrap_or_default();
                creators
                    .get(&(order.clone(), sku))
                    .or_else(|| creators.get(&(order.clone(), String::new())))
                    .copied()
            }),
        };
        if !line.mapped {
            report.unmapped.insert(line.label.clone());
        }
        new_lines.push(NewLine {
            entry_key: line.entry_key,
            shop_id: Some(shop_id),
            channel,
            order_id: line.order_id,
            order_line: line.sku.as_ref().map(|sku| sku.channel_sku_id.clone()),
            listing_id,
            product_id,
            channel_product_id: line.sku.is_none().then(|| line.product.clone()).flatten(),
            creator_id,
            bucket: line.bucket,
            label: line.label,
            mapped: line.mapped,
            amount: line.amount,
            quantity: line.quantity,
            occurred_at: line.occurred_at,
            status: line.status,
            payout_id,
            source_kind: source_kind.clone(),
            source_id: source_id.clone(),
        });
    }
    let outcome = post_in(
        db,
        org_id,
        PostRequest {
            raw,
            lines: new_lines,
            retire,
        },
    )
    .await?;
    report.posted = outcome.inserted + outcome.corrected;
    report.corrected = outcome.corrected;
    report.duplicates = outcome.unchanged;
    report.retired = outcome.retired;
    // Lines posted before their product was known (ad spend per product synced before the
    // shop's catalogue) move onto it as soon as it is, whatever order the syncs ran in.
    report.corrected += catalog::attribute_waiting_lines(db, org_id, shop_id).await?;
    Ok(report)
}

async fn payout_id(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    channel: Channel,
    reference: &PayoutRef,
    line: &Line,
    known: &mut HashMap<PayoutRef, i64>,
) -> Result<i64> {
    if let Some(id) = known.get(reference) {
        return Ok(*id);
    }
    let id = crate::payout::ensure(
        db,
        org_id,
        Some(shop_id),
        channel,
        reference,
        line.amount.currency(),
    )
    .await?;
    known.insert(reference.clone(), id);
    Ok(id)
}

/// The creator attributed to each (order, channel SKU id or "") of the lines' orders.
async fn creators_of(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    lines: &[Line],
) -> Result<HashMap<(String, String), i64>> {
    let orders: BTreeSet<&str> = lines
        .iter()
        .filter_map(|line| line.order_id.as_deref())
        .collect();
    let mut creators = HashMap::new();
    let orders: Vec<&str> = orders.into_iter().collect();
    for chunk in orders.chunks(500) {
        let rows: Vec<(String, String, Option<i64>)> = order_attribution::Entity::find()
            .select_only()
            .column(order_attribution::Column::OrderId)
            .column(order_attribution::Column::ChannelSkuId)
            .column(order_attribution::Column::CreatorId)
            .filter(order_attribution::Column::OrgId.eq(org_id))
            .filter(order_attribution::Column::ShopId.eq(shop_id))
            .filter(order_attribution::Column::OrderId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (order, sku, creator) in rows {
            if let Some(creator) = creator {
                creators.insert((order, sku), creator);
            }
        }
    }
    Ok(creators)
}

/// Drops lines whose `excluded_by` key is current (or posted in this batch), and collects the
/// keys that kept lines `replaces`.
async fn exclusions(
    db: &impl ConnectionTrait,
    org_id: i64,
    lines: Vec<Line>,
) -> Result<(Vec<Line>, Vec<String>, usize)> {
    let wanted: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.excluded_by.as_deref())
        .collect();
    if wanted.is_empty() && lines.iter().all(|line| line.replaces.is_empty()) {
        return Ok((lines, Vec::new(), 0));
    }
    let mut present = crate::ledger::live_keys(db, org_id, &wanted).await?;
    present.extend(lines.iter().map(|line| line.entry_key.clone()));
    let before = lines.len();
    let kept: Vec<Line> = lines
        .into_iter()
        .filter(|line| {
            line.excluded_by
                .as_ref()
                .is_none_or(|key| !present.contains(key))
        })
        .collect();
    let excluded = before - kept.len();
    let replaced = kept
        .iter()
        .flat_map(|line| line.replaces.iter().cloned())
        .collect();
    Ok((kept, replaced, excluded))
}

/// A current ledger row of one of the batch's orders.
struct LiveRow {
    entry_key: String,
    status: EntryStatus,
}

/// The current (not reversed) rows of `orders`.
async fn live_rows(
    db: &impl ConnectionTrait,
    org_id: i64,
    orders: &[&str],
) -> Result<HashMap<String, Vec<LiveRow>>> {
    let unpacked = packed_key::unpacked_sql(db.get_database_backend());
    let mut latest: HashMap<String, (String, Option<i64>, i16)> = HashMap::new();
    for chunk in orders.chunks(500) {
        let rows: Vec<(String, String, Option<i64>, i16)> = ledger_entry::Entity::find()
            .select_only()
            .column_as(Expr::cust(unpacked.as_str()), "entry_key")
            .column(ledger_entry::Column::OrderId)
            .column(ledger_entry::Column::ReversalOf)
            .column(ledger_entry::Column::Status)
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::OrderId.is_in(chunk.iter().copied()))
            .order_by_asc(ledger_entry::Column::Seq)
            .into_tuple::<(String, Option<String>, Option<i64>, i16)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(key, order, reversal, status)| {
                order.map(|order| (key, order, reversal, status))
            })
            .collect();
        for (key, order, reversal, status) in rows {
            latest.insert(key, (order, reversal, status));
        }
    }
    let mut live: HashMap<String, Vec<LiveRow>> = HashMap::new();
    for (entry_key, (order, reversal, status)) in latest {
        if reversal.is_none() {
            live.entry(order).or_default().push(LiveRow {
                entry_key,
                status: EntryStatus::from_code(status)?,
            });
        }
    }
    Ok(live)
}

fn is_order_estimate(key: &str, status: EntryStatus) -> bool {
    status == EntryStatus::Estimated && key.contains(":ord:") && !key.contains(":sku:")
}

/// `…:ord:{order}:` of an order- or SKU-level settled key: the set its order's lines form.
fn order_prefix(line: &Line) -> Option<String> {
    let order = line.order_id.as_deref()?;
    let marker = format!(":ord:{order}:");
    let at = line.entry_key.find(&marker)?;
    Some(line.entry_key[..at + marker.len()].to_owned())
}

/// Applies the precedence rules of the module docs: returns the lines to post, the keys to
/// retire, and how many lines were dropped.
async fn supersede(
    db: &impl ConnectionTrait,
    org_id: i64,
    lines: Vec<Line>,
) -> Result<(Vec<Line>, Vec<String>, usize)> {
    let orders: BTreeSet<&str> = lines
        .iter()
        .filter_map(|line| line.order_id.as_deref())
        .collect();
    let orders: Vec<&str> = orders.into_iter().collect();
    let live = live_rows(db, org_id, &orders).await?;
    let batch_keys: HashSet<String> = lines.iter().map(|line| line.entry_key.clone()).collect();
    let settled_in_batch: HashSet<String> = lines
        .iter()
        .filter(|line| {
            line.status == EntryStatus::Settled && line.granularity != Granularity::Standalone
        })
        .filter_map(|line| line.order_id.clone())
        .collect();
    // Order sets (statement + order) that arrive at SKU level in this batch.
    let sku_sets: HashSet<String> = lines
        .iter()
        .filter(|line| line.granularity == Granularity::Sku)
        .filter_map(order_prefix)
        .collect();

    let order_estimates: HashSet<String> = lines
        .iter()
        .filter(|line| {
            line.status == EntryStatus::Estimated && line.granularity == Granularity::Order
        })
        .filter_map(|line| line.order_id.clone())
        .collect();
    let mut retire = Vec::new();
    let mut kept = Vec::with_capacity(lines.len());
    let mut dropped = 0;
    let mut replaced_sets: HashSet<String> = HashSet::new();
    for line in lines {
        let order = line.order_id.clone().unwrap_or_default();
        let rows = live.get(&order).map(Vec::as_slice).unwrap_or_default();
        if line.status == EntryStatus::Estimated && line.granularity != Granularity::Standalone {
            let settled_live = rows
                .iter()
                .any(|row| row.status == EntryStatus::Settled && row.entry_key.contains(":ord:"));
            // Order-detail estimates (per SKU, sale only) yield to the unsettled endpoint's
            // estimates (per order, with fees) for the same order.
            let estimate_live = line.granularity == Granularity::Sku
                && (rows
                    .iter()
                    .any(|row| is_order_estimate(&row.entry_key, row.status))
                    || order_estimates.contains(&order));
            if settled_live || settled_in_batch.contains(&order) || estimate_live {
                dropped += 1;
                continue;
            }
            if line.granularity == Granularity::Order {
                retire.extend(
                    rows.iter()
                        .filter(|row| {
                            row.status == EntryStatus::Estimated && row.entry_key.contains(":sku:")
                        })
                        .map(|row| row.entry_key.clone()),
                );
            }
        }
        if let Some(prefix) = order_prefix(&line).filter(|_| line.status == EntryStatus::Settled) {
            let sku_prefix = format!("{prefix}sku:");
            if line.granularity == Granularity::Order
                && (sku_sets.contains(&prefix)
                    || rows
                        .iter()
                        .any(|row| row.entry_key.starts_with(&sku_prefix)))
            {
                dropped += 1;
                continue;
            }
            if replaced_sets.insert(prefix.clone()) {
                let keep_order_level = line.granularity == Granularity::Order;
                retire.extend(
                    rows.iter()
                        .filter(|row| {
                            row.entry_key.starts_with(&prefix)
                                && !batch_keys.contains(&row.entry_key)
                        })
                        .filter(|row| !keep_order_level || !row.entry_key.starts_with(&sku_prefix))
                        .map(|row| row.entry_key.clone()),
                );
            }
        }
        kept.push(line);
    }
    // Settled lines retire the order's estimates.
    for order in &settled_in_batch {
        for row in live.get(order).map(Vec::as_slice).unwrap_or_default() {
            if row.status == EntryStatus::Estimated && row.entry_key.contains(":ord:") {
                retire.push(row.entry_key.clone());
            }
        }
    }
    retire.sort();
    retire.dedup();
    Ok((kept, retire, dropped))
}
