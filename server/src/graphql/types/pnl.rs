//! The P&L pivot as the API shows it. Field descriptions carry the definitions (DESIGN.md,
//! "Profit"), so they ship in `schema.graphql`.

use std::sync::Arc;

use async_graphql::{InputObject, SimpleObject};
use tokio::sync::OwnedSemaphorePermit;

use super::scalars::{Date, Decimal};

use super::completeness::Completeness;
use super::money::MoneyObject;
use super::payout::BucketAmount;
use crate::error::Result;
use crate::ledger::{Channel, FeeBucket};
use crate::pnl::{Answer, PnlKey as DomainKey, PnlReport as DomainReport, PnlRow as DomainRow};

/// A range of days (inclusive both ends) in the org's time zone.
#[derive(Clone, Copy, Debug, InputObject)]
pub struct DateRangeInput {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
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
    /// GMV: item principal plus buyer-paid shipping (PRODUCT_SALES + SHIPPING_INCOME).
    pub gmv: MoneyObject,
    /// Average order value: netSales / orders (null without orders).
    pub aov: Option<MoneyObject>,
    /// unitsReturned / unitsSold (null without units sold).
    pub refund_rate: Option<Decimal>,
    /// Return on ad spend: netSales / −adCosts (null without ad cost).
    pub roas: Option<Decimal>,
    /// Total advertising cost of sales: −adCosts / netSales (null without net sales).
    pub tacos: Option<Decimal>,
}

impl PnlRow {
    /// Converts a domain row.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_domain(row: &DomainRow) -> Result<Self> {
        Ok(Self {
            net_sales: row.net_sales()?.into(),
            gross_sales: row.gross_sales().into(),
            channel_fees: row.channel_fees()?.into(),
            creator_costs: row.creator_costs()?.into(),
            ad_costs: row.ad_costs()?.into(),
            adjustments: row.adjustments()?.into(),
            contribution_profit: row.contribution_profit()?.into(),
            margin: row.margin()?.map(Into::into),
            settled_share: row.settled_share().map(Into::into),
            gmv: row.gmv()?.into(),
            aov: row.aov()?.map(Into::into),
            refund_rate: row.refund_rate().map(Into::into),
            roas: row.roas()?.map(Into::into),
            tacos: row.tacos()?.map(Into::into),
            units_sold: row.units_sold,
            units_returned: row.units_returned,
            orders: row.orders,
            cogs: row.cogs.into(),
            cogs_complete: row.cogs_complete,
            buckets: row
                .buckets
                .iter()
                .map(|(bucket, amount)| BucketAmount {
                    bucket: *bucket,
                    amount: (*amount).into(),
                })
                .collect(),
            key: row.key.clone().into(),
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
    pub rows: Arc<[PnlRow]>,
    /// All rows together.
    pub total: Arc<PnlRow>,
    /// Conversions that used an earlier day's rate because the line's day had none.
    pub fx_fallbacks: Vec<String>,
    /// SKUs sold in the range without a unit cost: their COGS is missing, not zero.
    pub missing_costs: Vec<String>,
    /// Which rule treated ad spend not tied to a SKU (org setting `adAllocation`).
    pub ad_allocation: String,
    /// The sources the report is built on, and whether they all reach its end.
    pub completeness: Completeness,
    /// The org's report slot ([`crate::graphql::fair`]), held until this answer's fields are
    /// resolved: a kept answer costs little to find and most to resolve (its rows are shared,
    /// not converted per request), and that must count against the org's share too.
    #[graphql(skip)]
    pub slot: Option<Arc<OwnedSemaphorePermit>>,
}

/// A report's rows in the API's form, made once per answer the report cache keeps
/// ([`Answer::derived`]): a repeated answer is neither copied nor converted again.
struct ApiRows {
    rows: Arc<[PnlRow]>,
    total: Arc<PnlRow>,
}

impl PnlReport {
    /// The API's form of a (kept) answer, built on `completeness`, holding the org's report
    /// `slot` until its fields are resolved.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_answer(
        answer: &Answer,
        completeness: Completeness,
        slot: Option<OwnedSemaphorePermit>,
    ) -> Result<Self> {
        let api = answer.derived(|report| {
            Ok(ApiRows {
                rows: report
                    .rows
                    .iter()
                    .map(PnlRow::try_from_domain)
                    .collect::<Result<_>>()?,
                total: Arc::new(PnlRow::try_from_domain(&report.total)?),
            })
        })?;
        let report: &DomainReport = answer.report();
        Ok(Self {
            currency: report.currency.as_str().to_owned(),
            time_zone: report.time_zone.clone(),
            rows: Arc::clone(&api.rows),
            total: Arc::clone(&api.total),
            fx_fallbacks: report.fx_fallbacks.clone(),
            missing_costs: report.missing_costs.clone(),
            ad_allocation: report.ad_allocation.clone(),
            completeness,
            slot: slot.map(Arc::new),
        })
    }
}

/// Margin per period over every channel (`blendedMargin`).
#[derive(Clone, Debug, SimpleObject)]
pub struct BlendedMargin {
    /// One entry per day, ISO week or month of the range, in order.
    pub periods: Vec<PeriodMargin>,
    /// The sources the answer is built on, and whether they all reach its end.
    pub completeness: Completeness,
}

/// SKUs under a margin threshold (`marginAlerts`).
#[derive(Clone, Debug, SimpleObject)]
pub struct MarginAlerts {
    /// The SKUs, lowest margin first.
    pub alerts: Vec<MarginAlert>,
    /// The sources the answer is built on, and whether they all reach its end.
    pub completeness: Completeness,
}

/// Profit per creator (`profitByCreator`).
#[derive(Clone, Debug, SimpleObject)]
pub struct CreatorProfits {
    /// One entry per creator who drove orders or cost something in the range.
    pub creators: Vec<CreatorProfit>,
    /// The sources the answer is built on, and whether they all reach its end.
    pub completeness: Completeness,
}

/// A P&L row with its change from the previous period (for `blendedMargin`).
#[derive(Clone, Debug, SimpleObject)]
pub struct PeriodMargin {
    /// The period (day, ISO week or month).
    pub period: String,
    /// The period's P&L over every channel, in the reporting currency.
    pub row: PnlRow,
    /// margin − the previous period's margin (null for the first period or without margins).
    pub margin_change: Option<Decimal>,
    /// Relative change of net sales from the previous period (null for the first).
    pub net_sales_change: Option<Decimal>,
}

/// A product whose margin fell under the threshold.
#[derive(Clone, Debug, SimpleObject)]
pub struct MarginAlert {
    /// The SKU.
    pub sku: String,
    /// Its margin in the range.
    pub margin: Decimal,
    /// Its margin in the equally long period before (null without net sales then).
    pub previous_margin: Option<Decimal>,
    /// The bucket whose share of net sales fell the most against the previous period (or, with
    /// no previous period, the largest cost bucket).
    pub bucket_moved_most: Option<FeeBucket>,
    /// That bucket's change in share of net sales (negative: it costs more).
    pub bucket_change: Option<Decimal>,
    /// The SKU's P&L in the range.
    pub row: PnlRow,
}

/// Org reporting settings.
#[derive(Clone, Debug, SimpleObject)]
pub struct OrgSettings {
    /// Reporting currency (the default of every P&L).
    pub currency: String,
    /// IANA time zone; P&L days are days there.
    pub time_zone: String,
    /// How ad spend not tied to a SKU is treated in SKU rows.
    pub ad_allocation: crate::org::AdAllocation,
}

impl From<crate::org::Settings> for OrgSettings {
    fn from(s: crate::org::Settings) -> Self {
        Self {
            currency: s.currency.as_str().to_owned(),
            time_zone: s.time_zone,
            ad_allocation: s.ad_allocation,
        }
    }
}

/// Input of `updateOrgSettings`; fields left out are unchanged.
#[derive(Clone, Debug, InputObject)]
pub struct OrgSettingsInput {
    /// Reporting currency.
    pub currency: Option<String>,
    /// IANA time zone (re-dates the ledger's days).
    pub time_zone: Option<String>,
    /// Untied ad spend rule.
    pub ad_allocation: Option<crate::org::AdAllocation>,
}

/// A creator's profit: the orders they drove, less their own costs.
#[derive(Clone, Debug, SimpleObject)]
pub struct CreatorProfit {
    /// The creator's handle.
    pub creator: String,
    /// The P&L of the orders they drove; its `creatorCosts` is their commission.
    pub row: PnlRow,
    /// Commission on their orders (negative).
    pub commission: MoneyObject,
    /// Free samples sent in the range, valued at COGS (negative).
    pub samples: MoneyObject,
    /// Units sent as samples.
    pub sample_units: i64,
    /// Flat fees for the range, prorated by days (negative).
    pub flat_fees: MoneyObject,
    /// row.contributionProfit + samples + flatFees.
    pub profit: MoneyObject,
    /// profit / (commission + samples + flat fees), 4 decimals (null when they cost nothing).
    pub roi: Option<Decimal>,
}

impl CreatorProfit {
    /// Converts a domain value.
    ///
    /// # Errors
    /// Overflow.
    pub fn try_from_domain(c: crate::pnl::creators::CreatorProfit) -> Result<Self> {
        Ok(Self {
            commission: c.row.creator_costs()?.into(),
            samples: c.samples.into(),
            sample_units: c.sample_units,
            flat_fees: c.flat_fees.into(),
            profit: c.profit()?.into(),
            roi: c.roi()?.map(Into::into),
            creator: c.creator,
            row: PnlRow::try_from_domain(&c.row)?,
        })
    }
}

/// Input of `setCreatorFee`.
#[derive(Clone, Debug, InputObject)]
pub struct CreatorFeeInput {
    /// The creator's handle (created if new).
    pub creator: String,
    /// Their channel (default TIKTOK_SHOP).
    pub channel: Option<Channel>,
    /// First day the fee covers.
    pub period_start: Date,
    /// Last day it covers (inclusive).
    pub period_end: Date,
    /// The fee, a positive decimal string.
    pub amount: Decimal,
    /// Its currency.
    pub currency: String,
    /// What it is for.
    pub note: Option<String>,
}
