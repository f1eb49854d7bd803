//! The P&L pivot as the API shows it. Field descriptions carry the definitions (DESIGN.md,
//! "Profit"), so they ship in `schema.graphql`.

use async_graphql::{InputObject, SimpleObject};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::money::MoneyObject;
use super::payout::BucketAmount;
use crate::error::Result;
use crate::ledger::{Channel, FeeBucket};
use crate::pnl::{PnlKey as DomainKey, PnlReport as DomainReport, PnlRow as DomainRow};

/// A range of days (inclusive both ends) in the org's time zone.
#[derive(Clone, Copy, Debug, InputObject)]
pub struct DateRangeInput {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

/// Which ledger lines a P&L counts.
#[derive(Clone, Debug, Default, InputObject)]
pub struct PnlFilterInput {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this shop (its id).
    pub shop_id: Option<async_graphql::ID>,
    /// Only this SKU (master SKU, or the channel's SKU id while unlinked).
    pub sku: Option<String>,
    /// Only lines attributed to this creator (handle).
    pub creator: Option<String>,
}

/// The key of a P&L row: the dimensions it is grouped by are set, the others are null.
#[derive(Clone, Debug, SimpleObject)]
pub struct PnlKey {
    /// Channel.
    pub channel: Option<Channel>,
    /// Shop name.
    pub shop: Option<String>,
    /// The master product's SKU, or the channel's own SKU id while the listing is unlinked.
    pub sku: Option<String>,
    /// The master product (SKU and name).
    pub product: Option<String>,
    /// The creator's handle.
    pub creator: Option<String>,
    /// The fee bucket.
    pub bucket: Option<FeeBucket>,
    /// The day (2026-01-31), ISO week (2026-W05) or month (2026-01).
    pub period: Option<String>,
}

impl From<DomainKey> for PnlKey {
    fn from(k: DomainKey) -> Self {
        Self {
            channel: k.channel,
            shop: k.shop,
            sku: k.sku,
            product: k.product,
            creator: k.creator,
            bucket: k.bucket,
            period: k.period,
        }
    }
}

/// One row of a P&L, in the reporting currency. Costs are negative (the ledger's sign), so
/// `contributionProfit` is the plain sum `netSales + channelFees + creatorCosts + adCosts +
/// adjustments + cogs`.
#[derive(Clone, Debug, SimpleObject)]
pub struct PnlRow {
    /// What the row is.
    pub key: PnlKey,
    /// PRODUCT_SALES + SELLER_DISCOUNTS + SHIPPING_INCOME + REFUNDS.
    pub net_sales: MoneyObject,
    /// PRODUCT_SALES: item principal before seller discounts.
    pub gross_sales: MoneyObject,
    /// Units sold.
    pub units_sold: i64,
    /// Units refunded.
    pub units_returned: i64,
    /// Orders, counted as sales of one SKU in one order (an order of two SKUs counts in each
    /// SKU's row, and twice in a shop's row).
    pub orders: i64,
    /// Cost of goods: (units sold − units refunded) × the unit cost in force on each line's
    /// day (negative). Incomplete when `cogsComplete` is false.
    pub cogs: MoneyObject,
    /// False when some units sold have no unit cost (see `missingCosts` of the report).
    pub cogs_complete: bool,
    /// Platform commission, transaction, refund-admin, fulfilment, shipping, storage, program
    /// fees, penalties, withholding tax and unmapped fees (negative).
    pub channel_fees: MoneyObject,
    /// Affiliate and creator commission (negative).
    pub creator_costs: MoneyObject,
    /// Ad spend, including ads paid out of GMV (negative).
    pub ad_costs: MoneyObject,
    /// Reimbursements, compensation and rebates.
    pub adjustments: MoneyObject,
    /// netSales + channelFees + creatorCosts + adCosts + adjustments + cogs.
    pub contribution_profit: MoneyObject,
    /// contributionProfit / netSales (4 decimals); null when net sales is zero.
    pub margin: Option<Decimal>,
    /// The ledger total per bucket (including buckets excluded from profit: taxes, reserves).
    pub buckets: Vec<BucketAmount>,
    /// Share of the row's money (by absolute amount) that is SETTLED rather than ESTIMATED.
    pub settled_share: Option<Decimal>,
}

impl PnlRow {
    /// Converts a domain row.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_domain(row: DomainRow) -> Result<Self> {
        Ok(Self {
            net_sales: row.net_sales()?.into(),
            gross_sales: row.gross_sales().into(),
            channel_fees: row.channel_fees()?.into(),
            creator_costs: row.creator_costs()?.into(),
            ad_costs: row.ad_costs()?.into(),
            adjustments: row.adjustments()?.into(),
            contribution_profit: row.contribution_profit()?.into(),
            margin: row.margin()?,
            settled_share: row.settled_share(),
            units_sold: row.units_sold,
            units_returned: row.units_returned,
            orders: row.orders,
            cogs: row.cogs.into(),
            cogs_complete: row.cogs_complete,
            buckets: row
                .buckets
                .into_iter()
                .map(|(bucket, amount)| BucketAmount {
                    bucket,
                    amount: amount.into(),
                })
                .collect(),
            key: row.key.into(),
        })
    }
}

/// A P&L: rows by the requested dimensions, and their total.
#[derive(Clone, Debug, SimpleObject)]
pub struct PnlReport {
    /// The reporting currency (every amount is converted at the rate of the line's day).
    pub currency: String,
    /// The time zone of the days.
    pub time_zone: String,
    /// Rows, ordered by key.
    pub rows: Vec<PnlRow>,
    /// All rows together.
    pub total: PnlRow,
    /// Conversions that used an earlier day's rate because the line's day had none.
    pub fx_fallbacks: Vec<String>,
    /// SKUs sold in the range without a unit cost: their COGS is missing, not zero.
    pub missing_costs: Vec<String>,
}

impl PnlReport {
    /// Converts a domain report.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_domain(report: DomainReport) -> Result<Self> {
        Ok(Self {
            currency: report.currency.as_str().to_owned(),
            time_zone: report.time_zone,
            rows: report
                .rows
                .into_iter()
                .map(PnlRow::try_from_domain)
                .collect::<Result<_>>()?,
            total: PnlRow::try_from_domain(report.total)?,
            fx_fallbacks: report.fx_fallbacks,
            missing_costs: report.missing_costs,
        })
    }
}
