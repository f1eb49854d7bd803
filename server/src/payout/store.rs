//! Writing payouts: upsert what a channel reports; placeholders for payouts lines name before
//! the channel's own listing of them arrives.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entities::payout;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::connectors::{PayoutInfo, PayoutRef};
use crate::error::Result;
use crate::ledger::Channel;
use crate::money::Currency;

/// Status of a payout known only because lines or children name it.
pub(super) const NOT_REPORTED: &str = "NOT_REPORTED";

async fn find_row(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    reference: &PayoutRef,
) -> Result<Option<payout::Model>> {
    Ok(payout::Entity::find()
        .filter(payout::Column::OrgId.eq(org_id))
        .filter(payout::Column::Channel.eq(channel.as_str()))
        .filter(payout::Column::Kind.eq(reference.kind.as_str()))
        .filter(payout::Column::ExternalId.eq(reference.external_id.as_str()))
        .one(db)
        .await?)
}

/// The payout `info` is under another id (see [`PayoutInfo::same_period`]): same org, shop,
/// channel, kind and currency, period starting and ending on the same UTC days.
async fn find_same_period(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: Option<i64>,
    channel: Channel,
    info: &PayoutInfo,
) -> Result<Option<payout::Model>> {
    let (Some(start), Some(end)) = (info.period_start, info.period_end) else {
        return Ok(None);
    };
    let day = |time: DateTime<Utc>| {
        let from = time.date_naive().and_time(NaiveTime::MIN).and_utc();
        (from, from + Duration::days(1))
    };
    let (start_from, start_to) = day(start);
    let (end_from, end_to) = day(end);
    let mut query = payout::Entity::find()
        .filter(payout::Column::OrgId.eq(org_id))
        .filter(payout::Column::Channel.eq(channel.as_str()))
        .filter(payout::Column::Kind.eq(info.reference.kind.as_str()))
        .filter(payout::Column::Currency.eq(info.reported.currency().as_str()))
        .filter(payout::Column::PeriodStart.gte(start_from))
        .filter(payout::Column::PeriodStart.lt(start_to))
        .filter(payout::Column::PeriodEnd.gte(end_from))
        .filter(payout::Column::PeriodEnd.lt(end_to))
        .order_by_asc(payout::Column::Id);
    if let Some(shop_id) = shop_id {
        query = query.filter(payout::Column::ShopId.eq(shop_id));
    }
    Ok(query.one(db).await?)
}

/// The id of `reference`, creating a NOT_REPORTED placeholder in `currency` when unknown.
///
/// # Errors
/// Database failures.
pub async fn ensure(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: Option<i64>,
    channel: Channel,
    reference: &PayoutRef,
    currency: Currency,
) -> Result<i64> {
    if let Some(row) = find_row(db, org_id, channel, reference).await? {
        return Ok(row.id);
    }
    let now = Utc::now();
    let row = payout::ActiveModel {
        org_id: Set(org_id),
        shop_id: Set(shop_id),
        channel: Set(channel.as_str().to_owned()),
        kind: Set(reference.kind.as_str().to_owned()),
        external_id: Set(reference.external_id.clone()),
        reported_minor: Set(0),
        currency: Set(currency.as_str().to_owned()),
        status: Set(NOT_REPORTED.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Stores what the channel reports for each payout (creating or updating), linking parents.
/// Returns the ids by reference.
///
/// # Errors
/// An amount out of range, or a database failure.
pub async fn upsert(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: Option<i64>,
    channel: Channel,
    payouts: &[PayoutInfo],
) -> Result<HashMap<PayoutRef, i64>> {
    let mut ids = HashMap::new();
    for info in payouts {
        let parent_id = match &info.parent {
            Some(parent) => Some(
                ensure(
                    db,
                    org_id,
                    shop_id,
                    channel,
                    parent,
                    info.reported.currency(),
                )
                .await?,
            ),
            None => None,
        };
        let now = Utc::now();
        let found = match find_row(db, org_id, channel, &info.reference).await? {
            Some(row) => Some(row),
            None if info.same_period => {
                find_same_period(db, org_id, shop_id, channel, info).await?
            }
            None => None,
        };
        let mut row: payout::ActiveModel = match found {
            Some(row) => row.into(),
            None => payout::ActiveModel {
                org_id: Set(org_id),
                channel: Set(channel.as_str().to_owned()),
                kind: Set(info.reference.kind.as_str().to_owned()),
                external_id: Set(info.reference.external_id.clone()),
                created_at: Set(now),
                ..Default::default()
            },
        };
        if shop_id.is_some() {
            row.shop_id = Set(shop_id);
        }
        row.reported_minor = Set(info.reported.minor()?);
        row.currency = Set(info.reported.currency().as_str().to_owned());
        if info.period_start.is_some() {
            row.period_start = Set(info.period_start);
        }
        if info.period_end.is_some() {
            row.period_end = Set(info.period_end);
        }
        if info.paid_at.is_some() {
            row.paid_at = Set(info.paid_at);
        }
        // A reported total replaces a placeholder's NOT_REPORTED even when the payload names
        // no status; a status the channel did name (PAID, …) is kept.
        let unknown = row.status.is_not_set() || row.status.as_ref() == NOT_REPORTED;
        match &info.status {
            Some(status) => row.status = Set(status.clone()),
            None if unknown => row.status = Set("REPORTED".to_owned()),
            None => {}
        }
        if parent_id.is_some() {
            row.parent_id = Set(parent_id);
        }
        row.updated_at = Set(now);
        let saved = row.save(db).await?;
        if let sea_orm::ActiveValue::Set(id) | sea_orm::ActiveValue::Unchanged(id) = saved.id {
            ids.insert(info.reference.clone(), id);
        }
    }
    Ok(ids)
}
