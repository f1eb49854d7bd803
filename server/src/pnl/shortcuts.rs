//! What frontends ask for most, built on the pivot: blended margin by period with its change,
//! and margin alerts with the bucket that moved most.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::{Dimension, PnlFilter, PnlKey, PnlRequest, PnlRow, ReportCache};
use crate::error::{Error, Result};
use crate::ledger::{FeeBucket, ProfitRole};
use crate::money::Currency;

fn request(
    from: NaiveDate,
    to: NaiveDate,
    group_by: Vec<Dimension>,
    currency: Option<Currency>,
) -> PnlRequest {
    PnlRequest {
        from,
        to,
        group_by,
        filter: PnlFilter::default(),
        currency,
        time_zone: None,
    }
}

/// A period of a blended margin.
#[derive(Clone, Debug)]
pub struct PeriodRow {
    /// Its P&L.
    pub row: PnlRow,
    /// Margin change from the previous period.
    pub margin_change: Option<Decimal>,
    /// Relative change of net sales from the previous period.
    pub net_sales_change: Option<Decimal>,
}

/// The P&L of every channel together per `granularity` (DAY, WEEK or MONTH), with changes.
///
/// # Errors
/// Another granularity, or what [`super::report`] fails with.
pub async fn blended_margin(
    db: &impl ConnectionTrait,
    reports: &ReportCache,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    granularity: Dimension,
    currency: Option<Currency>,
) -> Result<Vec<PeriodRow>> {
    if !matches!(
        granularity,
        Dimension::Day | Dimension::Week | Dimension::Month
    ) {
        return Err(Error::bad_input("granularity must be DAY, WEEK or MONTH"));
    }
    let report = reports
        .report(db, org_id, &request(from, to, vec![granularity], currency))
        .await?;
    let mut out: Vec<PeriodRow> = Vec::with_capacity(report.rows.len());
    for row in report.rows {
        let (margin_change, net_sales_change) = match out.last() {
            Some(previous) => {
                let margins = row.margin()?.zip(previous.row.margin()?);
                let (net, before) = (
                    row.net_sales()?.amount(),
                    previous.row.net_sales()?.amount(),
                );
                let growth = (!before.is_zero()).then(|| ((net - before) / before).round_dp(4));
                (margins.map(|(now, then)| now - then), growth)
            }
            None => (None, None),
        };
        out.push(PeriodRow {
            row,
            margin_change,
            net_sales_change,
        });
    }
    Ok(out)
}

/// A SKU whose margin is under the threshold.
#[derive(Clone, Debug)]
pub struct Alert {
    /// SKU.
    pub sku: String,
    /// Margin in the range.
    pub margin: Decimal,
    /// Margin in the period before.
    pub previous_margin: Option<Decimal>,
    /// The cost bucket whose share of net sales fell most (grew as a cost).
    pub bucket: Option<FeeBucket>,
    /// Its change of share.
    pub change: Option<Decimal>,
    /// The SKU's P&L.
    pub row: PnlRow,
}

fn shares(row: &PnlRow) -> Result<Vec<(FeeBucket, Decimal)>> {
    let net = row.net_sales()?.amount();
    if net.is_zero() {
        return Ok(Vec::new());
    }
    Ok(row
        .buckets
        .iter()
        .filter(|(bucket, _)| {
            !matches!(
                bucket.profit_role(),
                ProfitRole::NetSales | ProfitRole::Excluded
            )
        })
        .map(|(bucket, money)| (*bucket, money.amount() / net))
        .collect())
}

/// SKUs whose margin in `from..=to` is under `threshold` (e.g. 0.20), with the bucket that
/// moved most against the equally long period before.
///
/// # Errors
/// What [`super::report`] fails with.
pub async fn margin_alerts(
    db: &impl ConnectionTrait,
    reports: &ReportCache,
    org_id: i64,
    threshold: Decimal,
    from: NaiveDate,
    to: NaiveDate,
    currency: Option<Currency>,
) -> Result<Vec<Alert>> {
    super::query::check_range(from, to)?;
    let length = to.signed_duration_since(from).num_days() + 1;
    let (previous_from, previous_to) = (from - Duration::days(length), from - Duration::days(1));
    let now = reports
        .report(
            db,
            org_id,
            &request(from, to, vec![Dimension::Sku], currency),
        )
        .await?;
    let before = reports
        .report(
            db,
            org_id,
            &request(
                previous_from,
                previous_to,
                vec![Dimension::Sku],
                Some(now.currency),
            ),
        )
        .await?;
    let mut alerts = Vec::new();
    for row in now.rows {
        let Some(sku) = row.key.sku.clone().filter(|sku| !sku.starts_with('(')) else {
            continue;
        };
        let Some(margin) = row.margin()?.filter(|margin| *margin < threshold) else {
            continue;
        };
        let previous = before.rows.iter().find(|r| {
            r.key
                == PnlKey {
                    sku: Some(sku.clone()),
                    ..PnlKey::default()
                }
        });
        let previous_margin = previous.map(PnlRow::margin).transpose()?.flatten();
        let current = shares(&row)?;
        let earlier = previous.map(shares).transpose()?.unwrap_or_default();
        let moved = current
            .iter()
            .map(|(bucket, share)| {
                let then = earlier
                    .iter()
                    .find(|(b, _)| b == bucket)
                    .map_or(Decimal::ZERO, |(_, s)| *s);
                (*bucket, (share - then).round_dp(4))
            })
            .min_by_key(|(_, change)| *change);
        alerts.push(Alert {
            sku,
            margin,
            previous_margin,
            bucket: moved.map(|m| m.0),
            change: moved.map(|m| m.1),
            row,
        });
    }
    alerts.sort_by_key(|alert| alert.margin);
    Ok(alerts)
}
