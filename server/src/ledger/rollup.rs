//! `ledger_day`: sums of the ledger per day and key, kept exact by every posting in the posting's
//! own transaction (an upsert adding each key's delta), and rebuildable from the raw rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{ledger_day, ledger_entry};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::error::Result;

type Key = (
    i64,
    NaiveDate,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
);

/// Adds the rows being inserted (new rows and reversals) to `ledger_day`.
///
/// # Errors
/// Database failures.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    rows: &[ledger_entry::ActiveModel],
) -> Result<()> {
    let mut deltas: HashMap<Key, (i64, i64, i64)> = HashMap::new();
    for row in rows {
        let Some(day) = *row.day.as_ref() else {
            continue;
        };
        let bucket = row.bucket.as_ref().clone();
        let quantity = i64::from(*row.quantity.as_ref());
        let sale = if bucket == "PRODUCT_SALES" && quantity != 0 {
            if row.reversal_of.as_ref().is_none() {
                1
            } else {
                -1
            }
        } else {
            0
        };
        let key = (
            *row.org_id.as_ref(),
            day,
            row.channel.as_ref().clone(),
            row.shop_id.as_ref().unwrap_or(0),
            row.listing_id.as_ref().unwrap_or(0),
            row.product_id.as_ref().unwrap_or(0),
            row.creator_id.as_ref().unwrap_or(0),
            bucket,
            row.status.as_ref().clone(),
            row.currency.as_ref().clone(),
        );
        let entry = deltas.entry(key).or_default();
        entry.0 += *row.amount_minor.as_ref();
        entry.1 += quantity;
        entry.2 += sale;
    }
    let models: Vec<ledger_day::ActiveModel> = deltas
        .into_iter()
        .map(
            |(
                (
                    org_id,
                    day,
                    channel,
                    shop_id,
                    listing_id,
                    product_id,
                    creator_id,
                    bucket,
                    status,
                    currency,
                ),
                (amount, quantity, sales),
            )| {
                ledger_day::ActiveModel {
                    org_id: Set(org_id),
                    day: Set(day),
                    channel: Set(channel),
                    shop_id: Set(shop_id),
                    listing_id: Set(listing_id),
                    product_id: Set(product_id),
                    creator_id: Set(creator_id),
                    bucket: Set(bucket),
                    status: Set(status),
                    currency: Set(currency),
                    amount_minor: Set(amount),
                    quantity: Set(quantity),
                    sale_lines: Set(sales),
                    ..Default::default()
                }
            },
        )
        .collect();
    let conflict = OnConflict::columns([
        ledger_day::Column::OrgId,
        ledger_day::Column::Day,
        ledger_day::Column::Channel,
        ledger_day::Column::ShopId,
        ledger_day::Column::ListingId,
        ledger_day::Column::ProductId,
        ledger_day::Column::CreatorId,
        ledger_day::Column::Bucket,
        ledger_day::Column::Status,
        ledger_day::Column::Currency,
    ])
    .value(
        ledger_day::Column::AmountMinor,
        Expr::cust("ledger_day.amount_minor + excluded.amount_minor"),
    )
    .value(
        ledger_day::Column::Quantity,
        Expr::cust("ledger_day.quantity + excluded.quantity"),
    )
    .value(
        ledger_day::Column::SaleLines,
        Expr::cust("ledger_day.sale_lines + excluded.sale_lines"),
    )
    .to_owned();
    // 13 columns a row keeps each statement far below the bind-parameter limits.
    for chunk in models.chunks(1000) {
        ledger_day::Entity::insert_many(chunk.to_vec())
            .on_conflict(conflict.clone())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Recomputes `ledger_day` of `org_id` from its ledger rows (after re-dating, or to check).
///
/// # Errors
/// Database failures.
pub async fn rebuild(db: &impl ConnectionTrait, org_id: i64) -> Result<()> {
    db.execute_unprepared(&format!("DELETE FROM ledger_day WHERE org_id = {org_id}"))
        .await?;
    db.execute_unprepared(&migration::ledger_day_rebuild(Some(org_id)))
        .await?;
    Ok(())
}
