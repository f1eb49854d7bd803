//! Drill-down: the ledger lines behind one P&L figure (a range, the pivot's filters, the
//! buckets the figure sums), the lines of one payout, and the raw channel record a line came
//! from. Every read is scoped to one org; the lines are listed oldest first with reversals, so
//! the lines of a figure add up to it (before conversion to the reporting currency).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{creator, ledger_entry, listing, product, raw_record};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::{check_range, PnlFilter};
use crate::error::{Error, Result};
use crate::ledger::query::Entry;
use crate::ledger::time::day_number;
use crate::ledger::{Channel, FeeBucket};

/// Which lines: those a P&L over `from..=to` with `filter` counts in `buckets` (all when
/// empty), or the lines of one payout.
#[derive(Clone, Debug)]
pub enum LineScope {
    /// The lines behind a P&L figure.
    Figure {
        /// First day (org time zone).
        from: NaiveDate,
        /// Last day, inclusive.
        to: NaiveDate,
        /// The pivot's filters.
        filter: PnlFilter,
        /// The buckets the figure sums (empty: every bucket).
        buckets: Vec<FeeBucket>,
    },
    /// The lines booked to one payout (its row id).
    Payout(i64),
}

/// A raw channel record as stored: the payload exactly as received.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// Row id.
    pub id: i64,
    /// Channel.
    pub channel: Channel,
    /// What produced it (API endpoint or file format).
    pub source_kind: String,
    /// The source's id.
    pub source_id: String,
    /// Hex SHA-256 of the payload.
    pub sha256: String,
    /// The payload, verbatim.
    pub payload: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// The listings and products whose lines the pivot keys under `sku` (its master SKU, or the
/// channel's SKU id of an unlinked listing).
async fn sku_condition(db: &impl ConnectionTrait, org_id: i64, sku: &str) -> Result<Condition> {
    let products: Vec<i64> = product::Entity::find()
        .filter(product::Column::OrgId.eq(org_id))
        .filter(product::Column::Sku.eq(sku))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let listings: Vec<i64> = listing::Entity::find()
        .filter(listing::Column::OrgId.eq(org_id))
        .filter(
            Condition::any()
                .add(listing::Column::ProductId.is_in(products.clone()))
                .add(
                    Condition::all()
                        .add(listing::Column::ProductId.is_null())
                        .add(listing::Column::ChannelSkuId.eq(sku)),
                ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    Ok(Condition::any()
        .add(ledger_entry::Column::ListingId.is_in(listings))
        .add(
            Condition::all()
                .add(ledger_entry::Column::ListingId.is_null())
                .add(ledger_entry::Column::ProductId.is_in(products)),
        ))
}

async fn figure_condition(
    db: &impl ConnectionTrait,
    org_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    filter: &PnlFilter,
    buckets: &[FeeBucket],
) -> Result<Condition> {
    check_range(from, to)?;
    let mut condition = Condition::all()
        .add(ledger_entry::Column::Day.gte(day_number(from)))
        .add(ledger_entry::Column::Day.lte(day_number(to)));
    if let Some(channel) = filter.channel {
        condition = condition.add(ledger_entry::Column::Channel.eq(channel.code()));
    }
    if let Some(shop) = filter.shop_id {
        condition = condition.add(ledger_entry::Column::ShopId.eq(shop));
    }
    if let Some(sku) = &filter.sku {
        condition = condition.add(sku_condition(db, org_id, sku).await?);
    }
    if let Some(handle) = &filter.creator {
        let creators: Vec<i64> = creator::Entity::find()
            .filter(creator::Column::OrgId.eq(org_id))
            .filter(creator::Column::Handle.eq(handle.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        condition = condition.add(ledger_entry::Column::CreatorId.is_in(creators));
    }
    if !buckets.is_empty() {
        condition =
            condition.add(ledger_entry::Column::Bucket.is_in(buckets.iter().map(|b| b.code())));
    }
    Ok(condition)
}

/// Up to `limit` lines of `org_id` in `scope` with id greater than `after`, oldest first; the
/// boolean tells whether more follow.
///
/// # Errors
/// A backwards range, or database failures.
pub async fn lines(
    db: &impl ConnectionTrait,
    org_id: i64,
    scope: &LineScope,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<Entry>, bool)> {
    let scoped = match scope {
        LineScope::Figure {
            from,
            to,
            filter,
            buckets,
        } => figure_condition(db, org_id, (*from, *to), filter, buckets).await?,
        LineScope::Payout(id) => Condition::all().add(ledger_entry::Column::PayoutId.eq(*id)),
    };
    let condition = Condition::all()
        .add(ledger_entry::Column::OrgId.eq(org_id))
        .add(scoped);
    crate::ledger::query::page(db, condition, after, limit).await
}

/// The raw record `id` of `org_id` (NOT_FOUND for another org's, as for a missing one).
///
/// # Errors
/// NOT_FOUND, or database failures.
pub async fn raw_record(db: &impl ConnectionTrait, org_id: i64, id: i64) -> Result<RawRecord> {
    let row = raw_record::Entity::find_by_id(id)
        .filter(raw_record::Column::OrgId.eq(org_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "raw record",
            id: id.to_string(),
        })?;
    let payload = crate::ledger::raw::payload(&row)?;
    Ok(RawRecord {
        id: row.id,
        channel: row.channel.parse()?,
        source_kind: row.source_kind,
        source_id: row.source_id,
        sha256: row.sha256,
        payload,
        received_at: row.received_at,
    })
}
