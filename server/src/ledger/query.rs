//! Reading ledger rows back: keyset-paginated listing for drill-down, always scoped to one org.

use chrono::{DateTime, Days, Utc};
use entities::ledger_entry;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::dictionary::Names;
use super::{Channel, EntryStatus, FeeBucket};
use crate::error::Result;
use crate::money::{Currency, Money};

/// Which rows to list.
#[derive(Clone, Debug, Default)]
pub struct EntryFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this bucket.
    pub bucket: Option<FeeBucket>,
    /// Only rows of this order.
    pub order_id: Option<String>,
    /// Only rows of this entry key (its full history).
    pub entry_key: Option<String>,
    /// Occurred at or after.
    pub from: Option<DateTime<Utc>>,
    /// Occurred before.
    pub to: Option<DateTime<Utc>>,
}

/// A ledger row as the domain sees it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Row id (also the pagination key).
    pub id: i64,
    /// Entry key.
    pub entry_key: String,
    /// Position within the key's history.
    pub seq: i32,
    /// The row this one reverses.
    pub reversal_of: Option<i64>,
    /// Channel.
    pub channel: Channel,
    /// Shop id.
    pub shop_id: Option<i64>,
    /// Order id.
    pub order_id: Option<String>,
    /// Bucket.
    pub bucket: FeeBucket,
    /// The channel's label.
    pub label: String,
    /// Whether the label was mapped.
    pub mapped: bool,
    /// Signed amount.
    pub amount: Money,
    /// Units.
    pub quantity: i32,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Estimate or settled.
    pub status: EntryStatus,
    /// Source kind.
    pub source_kind: String,
    /// Source id.
    pub source_id: String,
    /// The raw record it was derived from.
    pub raw_record_id: Option<i64>,
    /// When this row was written.
    pub created_at: DateTime<Utc>,
}

impl Entry {
    /// `row` as the domain sees it; `names` names its kind and label.
    fn read(row: ledger_entry::Model, names: &Names) -> Result<Self> {
        Ok(Self {
            id: row.id,
            entry_key: names.entry_key(&row)?,
            label: names.label(&row)?.to_owned(),
            source_kind: names.source_kind(&row)?.to_owned(),
            seq: row.seq,
            reversal_of: row.reversal_of,
            channel: Channel::from_code(row.channel)?,
            shop_id: row.shop_id,
            order_id: row.order_id,
            bucket: FeeBucket::from_code(row.bucket)?,
            mapped: row.mapped,
            amount: Money::from_minor(row.amount_minor, Currency::parse(&row.currency)?),
            quantity: row.quantity,
            occurred_at: row.occurred_at,
            status: EntryStatus::from_code(row.status)?,
            source_id: row.source_id,
            raw_record_id: row.raw_record_id,
            created_at: row.created_at,
        })
    }
}

/// Up to `limit` rows of `org_id` matching `filter` with id greater than `after`, oldest first;
/// the boolean tells whether more follow.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    org_id: i64,
    filter: &EntryFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<Entry>, bool)> {
    let backend = db.get_database_backend();
    let mut condition = Condition::all().add(ledger_entry::Column::OrgId.eq(org_id));
    if let Some(channel) = filter.channel {
        condition = condition.add(ledger_entry::Column::Channel.eq(channel.code()));
    }
    if let Some(bucket) = filter.bucket {
        condition = condition.add(ledger_entry::Column::Bucket.eq(bucket.code()));
    }
    if let Some(order_id) = &filter.order_id {
        condition = condition.add(ledger_entry::Column::OrderId.eq(order_id.as_str()));
    }
    if let Some(key) = &filter.entry_key {
        // The hash finds the key's rows through the unique key; the unpacked text, compared
        // below, makes the match exact (the stored key is packed, so SQL cannot compare it).
        condition = condition.add(ledger_entry::Column::KeyHash.eq(super::key_hash(key)));
    }
    // The bounds on `day` (the row's date in the org's time zone, never more than a day from
    // its UTC date: offsets run from -12 h to +14 h) let `ix_ledger_entry_org_day` find the
    // range; the bounds on `occurred_at` are exact.
    if let Some(from) = filter.from {
        if let Some(first) = from.date_naive().checked_sub_days(Days::new(1)) {
            condition =
                condition.add(ledger_entry::Column::Day.gte(super::time::day_number(first)));
        }
        condition =
            condition.add(ledger_entry::Column::OccurredAt.gte(super::time::bound(backend, from)));
    }
    if let Some(to) = filter.to {
        if let Some(last) = to.date_naive().checked_add_days(Days::new(1)) {
            condition = condition.add(ledger_entry::Column::Day.lte(super::time::day_number(last)));
        }
        condition =
            condition.add(ledger_entry::Column::OccurredAt.lt(super::time::bound(backend, to)));
    }
    let (mut entries, has_more) = page(db, condition, after, limit).await?;
    if let Some(key) = &filter.entry_key {
        entries.retain(|entry| &entry.entry_key == key);
    }
    Ok((entries, has_more))
}

/// Up to `limit` rows matching `condition` (which must scope the org) with id greater than
/// `after`, oldest first; the boolean tells whether more follow.
///
/// # Errors
/// Database failures, or a stored row this build cannot read.
pub async fn page(
    db: &impl ConnectionTrait,
    mut condition: Condition,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<Entry>, bool)> {
    if let Some(after) = after {
        condition = condition.add(ledger_entry::Column::Id.gt(after));
    }
    let mut rows = ledger_entry::Entity::find()
        .filter(condition)
        .order_by_asc(ledger_entry::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((entries(db, rows).await?, has_more))
}

/// `rows` (all of one org) as the domain sees them: their entry keys, labels and source kinds
/// read, in order.
///
/// # Errors
/// Database failures, or a stored row this build cannot read.
pub async fn entries(
    db: &impl ConnectionTrait,
    rows: Vec<ledger_entry::Model>,
) -> Result<Vec<Entry>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names = Names::of(db, first.org_id, &rows).await?;
    rows.into_iter()
        .map(|row| Entry::read(row, &names))
        .collect()
}
