//! Reading payouts with their reconciliation: reported total, ledger total and residual,
//! aggregated in SQL. A payment's ledger is the ledger of the statements it paid.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{ledger_entry, payout};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::store::NOT_REPORTED;
use crate::connectors::PayoutKind;
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};
use crate::money::{Currency, Money};

/// Whether the ledger agrees with what the channel reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ReconcileStatus {
    /// Ledger total equals the reported total.
    Matched,
    /// They differ by `residual`.
    Mismatched,
    /// Lines name this payout but the channel's total has not been read yet.
    NotReported,
    /// The channel's period is still open (an Amazon financial event group in progress): its
    /// total is a running balance, not yet an assertion, so a difference is no mismatch.
    Open,
}

/// The channel status of a payout whose period is still open.
pub const OPEN: &str = "OPEN";

/// A payout with its reconciliation.
#[derive(Clone, Debug)]
pub struct PayoutView {
    /// Row id.
    pub id: i64,
    /// Channel.
    pub channel: Channel,
    /// Kind.
    pub kind: PayoutKind,
    /// The channel's id.
    pub external_id: String,
    /// The channel's status text (PAID, PROCESSING, SETTLED, NOT_REPORTED, …).
    pub channel_status: String,
    /// What the channel reported (none while NOT_REPORTED).
    pub reported: Option<Money>,
    /// What the ledger holds for it.
    pub ledger: Money,
    /// reported − ledger.
    pub residual: Option<Money>,
    /// Reconciliation status.
    pub status: ReconcileStatus,
    /// Ledger total per bucket.
    pub breakdown: Vec<(FeeBucket, Money)>,
    /// Period covered.
    pub period_start: Option<DateTime<Utc>>,
    /// Period end.
    pub period_end: Option<DateTime<Utc>>,
    /// When paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// External id of the payout that paid this one.
    pub parent_external_id: Option<String>,
}

/// Which payouts to list.
#[derive(Clone, Debug, Default)]
pub struct PayoutFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this kind.
    pub kind: Option<PayoutKind>,
    /// Period ending at or after.
    pub from: Option<DateTime<Utc>>,
    /// Period ending before.
    pub to: Option<DateTime<Utc>>,
}

/// The payout `external_id` of `channel` (of `kind` when given).
///
/// # Errors
/// NOT_FOUND when the org has no such payout; database failures.
pub async fn find(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    kind: Option<PayoutKind>,
    external_id: &str,
) -> Result<PayoutView> {
    let mut query = payout::Entity::find()
        .filter(payout::Column::OrgId.eq(org_id))
        .filter(payout::Column::Channel.eq(channel.as_str()))
        .filter(payout::Column::ExternalId.eq(external_id));
    if let Some(kind) = kind {
        query = query.filter(payout::Column::Kind.eq(kind.as_str()));
    }
    let rows = query
        .order_by_asc(payout::Column::Id)
        .limit(1)
        .all(db)
        .await?;
    let views = views(db, org_id, rows).await?;
    views.into_iter().next().ok_or_else(|| Error::NotFound {
        entity: "payout",
        id: external_id.to_owned(),
    })
}

/// Up to `limit` payouts of `org_id` matching `filter`, newest first, before id `before`; the
/// boolean tells whether more follow.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    org_id: i64,
    filter: &PayoutFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<PayoutView>, bool)> {
    let mut condition = Condition::all().add(payout::Column::OrgId.eq(org_id));
    if let Some(channel) = filter.channel {
        condition = condition.add(payout::Column::Channel.eq(channel.as_str()));
    }
    if let Some(kind) = filter.kind {
        condition = condition.add(payout::Column::Kind.eq(kind.as_str()));
    }
    if let Some(from) = filter.from {
        condition = condition.add(payout::Column::PeriodEnd.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(payout::Column::PeriodEnd.lt(to));
    }
    if let Some(before) = before {
        condition = condition.add(payout::Column::Id.lt(before));
    }
    let mut rows = payout::Entity::find()
        .filter(condition)
        .order_by_desc(payout::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((views(db, org_id, rows).await?, more))
}

/// Reconciles a page of payouts with two grouped queries (children, then ledger sums).
async fn views(
    db: &impl ConnectionTrait,
    org_id: i64,
    rows: Vec<payout::Model>,
) -> Result<Vec<PayoutView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    // Children (statements of a payment) and parents' external ids.
    let children: Vec<(i64, i64)> = payout::Entity::find()
        .select_only()
        .column(payout::Column::Id)
        .column(payout::Column::ParentId)
        .filter(payout::Column::OrgId.eq(org_id))
        .filter(payout::Column::ParentId.is_in(ids.clone()))
        .into_tuple::<(i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, parent)| parent.map(|parent| (id, parent)))
        .collect();
    let parent_ids: Vec<i64> = rows.iter().filter_map(|row| row.parent_id).collect();
    let parents: HashMap<i64, String> = payout::Entity::find()
        .select_only()
        .column(payout::Column::Id)
        .column(payout::Column::ExternalId)
        .filter(payout::Column::OrgId.eq(org_id))
        .filter(payout::Column::Id.is_in(parent_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // A line counts for its own payout and, through it, for the payout that paid it: a
    // statement's lines are also its payment's.
    let mut counted_for: HashMap<i64, Vec<i64>> = ids.iter().map(|id| (*id, vec![*id])).collect();
    for (child, parent) in &children {
        counted_for.entry(*child).or_default().push(*parent);
    }
    let sums: Vec<(Option<i64>, i16, String, i64)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::PayoutId)
        .column(ledger_entry::Column::Bucket)
        .column(ledger_entry::Column::Currency)
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(
            ledger_entry::Column::PayoutId.is_in(counted_for.keys().copied().collect::<Vec<_>>()),
        )
        .group_by(ledger_entry::Column::PayoutId)
        .group_by(ledger_entry::Column::Bucket)
        .group_by(ledger_entry::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_owner: HashMap<i64, Vec<(i16, String, i64)>> = HashMap::new();
    for (payout_id, bucket, currency, total) in sums {
        for owner in payout_id
            .and_then(|id| counted_for.get(&id))
            .into_iter()
            .flatten()
        {
            if ids.contains(owner) {
                by_owner
                    .entry(*owner)
                    .or_default()
                    .push((bucket, currency.clone(), total));
            }
        }
    }
    rows.into_iter()
        .map(|row| {
            let parent_external_id = row.parent_id.and_then(|id| parents.get(&id).cloned());
            let sums = by_owner.remove(&row.id).unwrap_or_default();
            view(row, sums, parent_external_id)
        })
        .collect()
}

fn view(
    row: payout::Model,
    sums: Vec<(i16, String, i64)>,
    parent_external_id: Option<String>,
) -> Result<PayoutView> {
    let currency = Currency::parse(&row.currency)?;
    let mut buckets: HashMap<FeeBucket, i64> = HashMap::new();
    for (bucket, line_currency, total) in sums {
        if line_currency != row.currency {
            return Err(anyhow::anyhow!(
                "payout {} in {} has ledger lines in {line_currency}",
                row.external_id,
                row.currency
            )
            .into());
        }
        let entry = buckets.entry(FeeBucket::from_code(bucket)?).or_default();
        *entry = entry
            .checked_add(total)
            .ok_or(crate::money::MoneyError::Overflow)?;
    }
    let mut breakdown: Vec<(FeeBucket, Money)> = buckets
        .into_iter()
        .map(|(bucket, minor)| (bucket, Money::from_minor(minor, currency)))
        .collect();
    breakdown.sort_by_key(|(bucket, _)| *bucket);
    // A statement's settlement excludes reserves (TikTok: payable = settlement + reserve); a
    // payment pays both, so its ledger includes them.
    let kind = PayoutKind::parse(&row.kind)?;
    let counted = breakdown
        .iter()
        .filter(|(bucket, _)| kind != PayoutKind::Statement || *bucket != FeeBucket::Reserves)
        .map(|(_, money)| *money);
    let ledger = Money::checked_sum(counted, currency)?;
    let reported =
        (row.status != NOT_REPORTED).then(|| Money::from_minor(row.reported_minor, currency));
    let residual = reported
        .map(|reported| reported.checked_sub(ledger))
        .transpose()?;
    let status = match residual {
        None => ReconcileStatus::NotReported,
        Some(_) if row.status == OPEN => ReconcileStatus::Open,
        Some(residual) if residual.is_zero() => ReconcileStatus::Matched,
        Some(_) => ReconcileStatus::Mismatched,
    };
    Ok(PayoutView {
        id: row.id,
        channel: row.channel.parse()?,
        kind,
        external_id: row.external_id,
        channel_status: row.status,
        reported,
        ledger,
        residual,
        status,
        breakdown,
        period_start: row.period_start,
        period_end: row.period_end,
        paid_at: row.paid_at,
        parent_external_id,
    })
}
