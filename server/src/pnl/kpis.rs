//! The headline figures of a range next to the equally long range just before it (a dashboard's
//! tiles): net sales, contribution profit, margin, ad spend, ROAS, TACoS, refund rate, each with
//! its change. Built on the pivot ([`super::report`]) with no grouping, twice.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::{check_range, PnlFilter, PnlRequest, PnlRow, ReportCache};
use crate::error::Result;
use crate::money::Currency;

/// A range's totals, the previous equal range's, and the changes between them.
#[derive(Clone, Debug)]
pub struct Kpis {
    /// The reporting currency of both rows.
    pub currency: Currency,
    /// First day of the previous range.
    pub previous_from: NaiveDate,
    /// Last day of the previous range (the day before the range).
    pub previous_to: NaiveDate,
    /// The range's total row.
    pub current: PnlRow,
    /// The previous range's total row.
    pub previous: PnlRow,
    /// The changes, one per figure.
    pub changes: Vec<KpiChange>,
}

/// One headline figure: its value now and before, and the change.
#[derive(Clone, Debug)]
pub struct KpiChange {
    /// Which figure.
    pub kpi: Kpi,
    /// Its value in the range (null where undefined, e.g. margin without net sales).
    pub current: Option<Decimal>,
    /// Its value in the previous range.
    pub previous: Option<Decimal>,
    /// Money figures: relative change, (current − previous) / |previous|, 4 decimals (null
    /// when previous is zero). Ratios: current − previous (percentage points as a fraction).
    pub change: Option<Decimal>,
}

/// The headline figures, in the order a dashboard shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Kpi {
    /// Net sales (money).
    NetSales,
    /// Contribution profit (money).
    ContributionProfit,
    /// Margin (ratio).
    Margin,
    /// Ad spend, as a positive amount: −adCosts (money).
    AdSpend,
    /// Return on ad spend (ratio).
    Roas,
    /// Total advertising cost of sales (ratio).
    Tacos,
    /// Units returned / units sold (ratio).
    RefundRate,
}

impl Kpi {
    /// Whether the figure is an amount of money (its change is relative) or a ratio (its
    /// change is a difference).
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Self::NetSales | Self::ContributionProfit | Self::AdSpend
        )
    }
}

fn values(row: &PnlRow) -> Result<Vec<(Kpi, Option<Decimal>)>> {
    Ok(vec![
        (Kpi::NetSales, Some(row.net_sales()?.amount())),
        (
            Kpi::ContributionProfit,
            Some(row.contribution_profit()?.amount()),
        ),
        (Kpi::Margin, row.margin()?),
        (Kpi::AdSpend, Some(-row.ad_costs()?.amount())),
        (Kpi::Roas, row.roas()?),
        (Kpi::Tacos, row.tacos()?),
        (Kpi::RefundRate, row.refund_rate()),
    ])
}

/// The change of one figure from `before` to `now` (see [`KpiChange::change`]).
fn change(kpi: Kpi, now: Option<Decimal>, before: Option<Decimal>) -> Option<Decimal> {
    let (now, before) = now.zip(before)?;
    if kpi.is_money() {
        (!before.is_zero()).then(|| ((now - before) / before.abs()).round_dp(4))
    } else {
        Some(now - before)
    }
}

/// The totals of `from..=to` and of the equally long range before it, with their changes.
///
/// # Errors
/// A bad range or currency, or what [`super::report`] fails with.
pub async fn kpis(
    db: &impl ConnectionTrait,
    reports: &ReportCache,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    currency: Option<Currency>,
) -> Result<Kpis> {
    check_range(from, to)?;
    let length = to.signed_duration_since(from).num_days() + 1;
    let (previous_from, previous_to) = (from - Duration::days(length), from - Duration::days(1));
    let request = |from, to, currency| PnlRequest {
        from,
        to,
        group_by: Vec::new(),
        filter: PnlFilter::default(),
        currency,
        time_zone: None,
    };
    let now = reports
        .report(db, org_id, &request(from, to, currency))
        .await?;
    let before = reports
        .report(
            db,
            org_id,
            &request(previous_from, previous_to, Some(now.currency)),
        )
        .await?;
    let changes = values(&now.total)?
        .into_iter()
        .zip(values(&before.total)?)
        .map(|((kpi, current), (_, previous))| KpiChange {
            kpi,
            current,
            previous,
            change: change(kpi, current, previous),
        })
        .collect();
    Ok(Kpis {
        currency: now.currency,
        previous_from,
        previous_to,
        current: now.total,
        previous: before.total,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{change, Kpi};

    fn dec(text: &str) -> Decimal {
        text.parse().expect("a decimal")
    }

    #[test]
    fn money_changes_are_relative_to_the_size_of_the_previous_value() {
        assert_eq!(
            change(Kpi::NetSales, Some(dec("150")), Some(dec("100"))),
            Some(dec("0.5"))
        );
        // A loss that shrinks is an improvement: positive change.
        assert_eq!(
            change(Kpi::ContributionProfit, Some(dec("-50")), Some(dec("-100"))),
            Some(dec("0.5"))
        );
        assert_eq!(change(Kpi::AdSpend, Some(dec("10")), Some(dec("0"))), None);
    }

    #[test]
    fn ratio_changes_are_differences_and_need_both_values() {
        assert_eq!(
            change(Kpi::Margin, Some(dec("0.25")), Some(dec("0.30"))),
            Some(dec("-0.05"))
        );
        assert_eq!(change(Kpi::Roas, Some(dec("2")), None), None);
    }
}
