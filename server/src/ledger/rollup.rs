//! `ledger_day`, `ledger_week` and `ledger_month`: sums of the ledger per day, ISO week and month
//! and key, kept exact by every posting in the posting's own transaction (an upsert adding each
//! key's delta), and rebuildable from the raw rows.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use entities::ledger_entry;
use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::ConnectionTrait;

pub use migration::Period;
use migration::SUMS_KEY;

use super::{Channel, EntryStatus, FeeBucket};
use crate::error::Result;

/// Org, day, channel code, shop, listing, product, creator, bucket code, status code, currency.
type Key = (i64, NaiveDate, i16, i64, i64, i64, i64, i16, i16, String);

/// Adds the rows being inserted (new rows and reversals) to the day, week and month sums.
///
/// # Errors
/// Database failures.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    rows: &[ledger_entry::ActiveModel],
) -> Result<()> {
    let mut orgs: Vec<i64> = rows.iter().map(|row| *row.org_id.as_ref()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    for org_id in orgs {
        report_changed(db, org_id).await?;
    }
    let mut deltas: HashMap<Key, (i64, i64, i64)> = HashMap::new();
    for row in rows {
        let Some(day) = *row.day.as_ref() else {
            continue;
        };
        let day = super::time::day_of(day)?;
        let bucket = *row.bucket.as_ref();
        let quantity = i64::from(*row.quantity.as_ref());
        let sale = if bucket == FeeBucket::ProductSales.code() && quantity != 0 {
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
            *row.channel.as_ref(),
            row.shop_id.as_ref().unwrap_or(0),
            row.listing_id.as_ref().unwrap_or(0),
            row.product_id.as_ref().unwrap_or(0),
            row.creator_id.as_ref().unwrap_or(0),
            bucket,
            *row.status.as_ref(),
            row.currency.as_ref().clone(),
        );
        let entry = deltas.entry(key).or_default();
        entry.0 += *row.amount_minor.as_ref();
        entry.1 += quantity;
        entry.2 += sale;
    }
    for period in [Period::Week, Period::Month] {
        upsert(
            db,
            period.table(),
            period.column(),
            by_period(&deltas, period),
        )
        .await?;
    }
    upsert(db, "ledger_day", "day", deltas).await
}

/// The first day of `period` holding `day` (Monday for weeks).
pub fn period_start(period: Period, day: NaiveDate) -> NaiveDate {
    match period {
        Period::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Period::Month => day.with_day(1).unwrap_or(day),
    }
}

/// The last day of the period of `period` that starts on `start`.
pub fn period_end(period: Period, start: NaiveDate) -> NaiveDate {
    match period {
        Period::Week => start + Duration::days(6),
        // 31 days on from the 1st is always inside the next month.
        Period::Month => period_start(period, start + Duration::days(31)) - Duration::days(1),
    }
}

/// The first days of the first and last whole periods inside `from..=to`, if there are any.
pub fn whole_periods(
    period: Period,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    let first = if period_start(period, from) == from {
        from
    } else {
        period_end(period, period_start(period, from)) + Duration::days(1)
    };
    let last = if period_end(period, period_start(period, to)) == to {
        period_start(period, to)
    } else {
        period_start(period, period_start(period, to) - Duration::days(1))
    };
    (first <= last).then_some((first, last))
}

/// The day deltas summed per period (the key's day becomes its period's first day).
fn by_period(
    days: &HashMap<Key, (i64, i64, i64)>,
    period: Period,
) -> HashMap<Key, (i64, i64, i64)> {
    let mut sums: HashMap<Key, (i64, i64, i64)> = HashMap::new();
    for (key, delta) in days {
        let mut key = key.clone();
        key.1 = period_start(period, key.1);
        let entry = sums.entry(key).or_default();
        entry.0 += delta.0;
        entry.1 += delta.1;
        entry.2 += delta.2;
    }
    sums
}

/// Adds `deltas` to `table`, whose period column is `period`.
async fn upsert(
    db: &impl ConnectionTrait,
    table: &str,
    period: &str,
    deltas: HashMap<Key, (i64, i64, i64)>,
) -> Result<()> {
    const SUMS: [&str; 3] = ["amount_minor", "quantity", "sale_lines"];
    let key_columns: Vec<Alias> = std::iter::once(period)
        .chain(SUMS_KEY)
        .map(Alias::new)
        .collect();
    let mut conflict = OnConflict::columns(key_columns.clone());
    for sum in SUMS {
        conflict.value(
            Alias::new(sum),
            Expr::cust(format!("{table}.{sum} + excluded.{sum}")),
        );
    }
    // The sums tables hold the text of the codes.
    let rows = deltas
        .into_iter()
        .map(
            |(key, (amount, quantity, sales))| -> Result<Vec<sea_orm::Value>> {
                let (
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
                ) = key;
                Ok(vec![
                    day.into(),
                    org_id.into(),
                    Channel::from_code(channel)?.as_str().into(),
                    shop_id.into(),
                    listing_id.into(),
                    product_id.into(),
                    creator_id.into(),
                    FeeBucket::from_code(bucket)?.as_str().into(),
                    EntryStatus::from_code(status)?.as_str().into(),
                    currency.into(),
                    amount.into(),
                    quantity.into(),
                    sales.into(),
                ])
            },
        )
        .collect::<Result<Vec<_>>>()?;
    let columns: Vec<&str> = std::iter::once(period)
        .chain(SUMS_KEY)
        .chain(SUMS)
        .collect();
    super::bulk::insert(db, table, &columns, &rows, Some(&conflict)).await
}

/// Recomputes `ledger_day`, `ledger_week` and `ledger_month` of `org_id` from its ledger rows (after
/// re-dating, or to check).
///
/// # Errors
/// Database failures.
pub async fn rebuild(db: &impl ConnectionTrait, org_id: i64) -> Result<()> {
    report_changed(db, org_id).await?;
    for table in ["ledger_day", "ledger_week", "ledger_month"] {
        db.execute_unprepared(&format!("DELETE FROM {table} WHERE org_id = {org_id}"))
            .await?;
    }
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    db.execute_unprepared(&migration::ledger_day_rebuild(Some(org_id), postgres))
        .await?;
    for period in [Period::Week, Period::Month] {
        db.execute_unprepared(&migration::period_rebuild(period, Some(org_id), postgres))
            .await?;
    }
    Ok(())
}

/// Moves `org_id`'s report version (`report_version`, read by the report cache in
/// `pnl/cache.rs`) in the caller's transaction: the sums are about to change. Done before the
/// sums are written, so on PostgreSQL the row lock orders concurrent postings of one org before
/// they touch any sums row.
async fn report_changed(db: &impl ConnectionTrait, org_id: i64) -> Result<()> {
    db.execute_unprepared(&migration::report_version_bump(&org_id.to_string()))
        .await?;
    Ok(())
}
