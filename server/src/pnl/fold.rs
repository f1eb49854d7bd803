//! The exact-decimal side of the pivot: conversion at each day's rate, COGS from effective
//! unit costs, and folding aggregates into rows keyed by the requested dimensions.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use entities::{creator, listing, product, product_cost, shop};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Dimension;
use crate::costs::fx::rate_on;
use crate::error::Result;
use crate::ledger::{Channel, FeeBucket, ProfitRole};
use crate::money::{Currency, Money};

/// The SKU key of lines tied to no SKU.
const NO_SKU: &str = "(no SKU)";
/// The product key of lines tied to no product.
const UNLINKED: &str = "(unlinked)";

/// One group of ledger lines from SQL.
#[derive(Clone, Debug)]
pub(super) struct Aggregate {
    pub(super) channel: String,
    pub(super) shop_id: i64,
    pub(super) creator_id: i64,
    pub(super) listing_id: i64,
    pub(super) product_id: i64,
    pub(super) bucket: FeeBucket,
    pub(super) settled: bool,
    pub(super) currency: Currency,
    pub(super) day: NaiveDate,
    pub(super) amount_minor: i64,
    pub(super) quantity: i64,
    pub(super) sale_lines: i64,
}

/// A row's key: the grouped dimensions are set, the others are none.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PnlKey {
    /// Channel.
    pub channel: Option<Channel>,
    /// Shop name.
    pub shop: Option<String>,
    /// Master SKU, or the channel SKU id while unlinked.
    pub sku: Option<String>,
    /// Master product (its SKU and name).
    pub product: Option<String>,
    /// Creator handle.
    pub creator: Option<String>,
    /// Bucket.
    pub bucket: Option<FeeBucket>,
    /// Day, ISO week or month.
    pub period: Option<String>,
}

/// One row of the pivot, in the reporting currency.
#[derive(Clone, Debug)]
pub struct PnlRow {
    /// Its key.
    pub key: PnlKey,
    /// Ledger total per bucket.
    pub buckets: BTreeMap<FeeBucket, Money>,
    /// Units sold.
    pub units_sold: i64,
    /// Units refunded.
    pub units_returned: i64,
    /// Sale lines (an order's sale of one SKU).
    pub orders: i64,
    /// Cost of goods (negative).
    pub cogs: Money,
    /// Whether every unit sold had a unit cost.
    pub cogs_complete: bool,
    settled_abs: Decimal,
    total_abs: Decimal,
}

impl PnlRow {
    fn new(key: PnlKey, currency: Currency) -> Self {
        Self {
            key,
            buckets: BTreeMap::new(),
            units_sold: 0,
            units_returned: 0,
            orders: 0,
            cogs: Money::zero(currency),
            cogs_complete: true,
            settled_abs: Decimal::ZERO,
            total_abs: Decimal::ZERO,
        }
    }

    fn sum(&self, role: ProfitRole) -> Result<Money> {
        let currency = self.cogs.currency();
        Ok(Money::checked_sum(
            self.buckets
                .iter()
                .filter(|(b, _)| b.profit_role() == role)
                .map(|(_, m)| *m),
            currency,
        )?)
    }

    /// PRODUCT_SALES + SELLER_DISCOUNTS + SHIPPING_INCOME + REFUNDS.
    ///
    /// # Errors
    /// Overflow.
    pub fn net_sales(&self) -> Result<Money> {
        self.sum(ProfitRole::NetSales)
    }

    /// PRODUCT_SALES.
    pub fn gross_sales(&self) -> Money {
        self.buckets
            .get(&FeeBucket::ProductSales)
            .copied()
            .unwrap_or(Money::zero(self.cogs.currency()))
    }

    /// Channel fees (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn channel_fees(&self) -> Result<Money> {
        self.sum(ProfitRole::ChannelFee)
    }

    /// Creator costs (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn creator_costs(&self) -> Result<Money> {
        self.sum(ProfitRole::CreatorCost)
    }

    /// Ad costs (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn ad_costs(&self) -> Result<Money> {
        self.sum(ProfitRole::AdCost)
    }

    /// ADJUSTMENTS.
    ///
    /// # Errors
    /// Overflow.
    pub fn adjustments(&self) -> Result<Money> {
        self.sum(ProfitRole::Adjustment)
    }

    /// The plain sum of the parts above and COGS.
    ///
    /// # Errors
    /// Overflow.
    pub fn contribution_profit(&self) -> Result<Money> {
        Ok(Money::checked_sum(
            [
                self.net_sales()?,
                self.channel_fees()?,
                self.creator_costs()?,
                self.ad_costs()?,
                self.adjustments()?,
                self.cogs,
            ],
            self.cogs.currency(),
        )?)
    }

    /// Contribution profit / net sales, 4 decimals; none when net sales is zero.
    ///
    /// # Errors
    /// Overflow.
    pub fn margin(&self) -> Result<Option<Decimal>> {
        let net = self.net_sales()?;
        if net.is_zero() {
            return Ok(None);
        }
        Ok(self
            .contribution_profit()?
            .amount()
            .checked_div(net.amount())
            .map(ratio))
    }

    /// GMV: item principal plus buyer-paid shipping (PRODUCT_SALES + SHIPPING_INCOME).
    ///
    /// # Errors
    /// Overflow.
    pub fn gmv(&self) -> Result<Money> {
        let shipping = self
            .buckets
            .get(&FeeBucket::ShippingIncome)
            .copied()
            .unwrap_or(Money::zero(self.cogs.currency()));
        Ok(self.gross_sales().checked_add(shipping)?)
    }

    /// Average order value: net sales / orders.
    ///
    /// # Errors
    /// Overflow.
    pub fn aov(&self) -> Result<Option<Money>> {
        if self.orders <= 0 {
            return Ok(None);
        }
        let net = self.net_sales()?;
        Ok(net
            .amount()
            .checked_div(Decimal::from(self.orders))
            .map(|value| Money::from_decimal(value, net.currency())))
    }

    /// Units refunded / units sold.
    pub fn refund_rate(&self) -> Option<Decimal> {
        (self.units_sold > 0)
            .then(|| ratio(Decimal::from(self.units_returned) / Decimal::from(self.units_sold)))
    }

    /// Return on ad spend: net sales / ad cost (none without ad cost).
    ///
    /// # Errors
    /// Overflow.
    pub fn roas(&self) -> Result<Option<Decimal>> {
        let ads = self.ad_costs()?;
        if ads.is_zero() {
            return Ok(None);
        }
        Ok(self
            .net_sales()?
            .amount()
            .checked_div(-ads.amount())
            .map(ratio))
    }

    /// Total advertising cost of sales: ad cost / net sales (none without net sales).
    ///
    /// # Errors
    /// Overflow.
    pub fn tacos(&self) -> Result<Option<Decimal>> {
        let net = self.net_sales()?;
        if net.is_zero() {
            return Ok(None);
        }
        Ok((-self.ad_costs()?.amount())
            .checked_div(net.amount())
            .map(ratio))
    }

    /// Share of the row's money (by absolute amount) that is SETTLED rather than ESTIMATED.
    pub fn settled_share(&self) -> Option<Decimal> {
        (!self.total_abs.is_zero()).then(|| ratio(self.settled_abs / self.total_abs))
    }

    fn absorb(&mut self, other: &Self) -> Result<()> {
        for (bucket, money) in &other.buckets {
            add(&mut self.buckets, *bucket, *money)?;
        }
        self.units_sold += other.units_sold;
        self.units_returned += other.units_returned;
        self.orders += other.orders;
        self.cogs = self.cogs.checked_add(other.cogs)?;
        self.cogs_complete &= other.cogs_complete;
        self.settled_abs += other.settled_abs;
        self.total_abs += other.total_abs;
        Ok(())
    }
}

/// A ratio with exactly four decimals ("0.5450"), rounded half to even.
fn ratio(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp(4);
    rounded.rescale(4);
    rounded
}

fn add(buckets: &mut BTreeMap<FeeBucket, Money>, bucket: FeeBucket, money: Money) -> Result<()> {
    let entry = buckets
        .entry(bucket)
        .or_insert(Money::zero(money.currency()));
    *entry = entry.checked_add(money)?;
    Ok(())
}

/// The pivot's answer.
#[derive(Clone, Debug)]
pub struct PnlReport {
    /// Reporting currency.
    pub currency: Currency,
    /// Time zone of the days.
    pub time_zone: String,
    /// Rows, by key.
    pub rows: Vec<PnlRow>,
    /// All rows together.
    pub total: PnlRow,
    /// Conversions that used an earlier day's rate: "GBP→USD 2026-01-04 used 2026-01-02".
    pub fx_fallbacks: Vec<String>,
    /// SKUs sold in the range without a unit cost (their COGS is missing, not zero).
    pub missing_costs: Vec<String>,
    /// How ad spend not tied to a SKU was treated.
    pub ad_allocation: String,
}

struct Names {
    shops: HashMap<i64, String>,
    creators: HashMap<i64, String>,
    products: HashMap<i64, (String, Option<String>)>,
    listings: HashMap<i64, String>,
    costs: HashMap<i64, Vec<(NaiveDate, Money)>>,
}

async fn names(db: &impl ConnectionTrait, org_id: i64) -> Result<Names> {
    let shops = shop::Entity::find()
        .filter(shop::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let creators = creator::Entity::find()
        .filter(creator::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.handle))
        .collect();
    let products = product::Entity::find()
        .filter(product::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, (p.sku, p.name)))
        .collect();
    let listings = listing::Entity::find()
        .filter(listing::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.channel_sku_id))
        .collect();
    let mut costs: HashMap<i64, Vec<(NaiveDate, Money)>> = HashMap::new();
    for row in product_cost::Entity::find()
        .filter(product_cost::Column::OrgId.eq(org_id))
        .order_by_asc(product_cost::Column::EffectiveFrom)
        .all(db)
        .await?
    {
        let currency = Currency::parse(&row.currency)?;
        costs.entry(row.product_id).or_default().push((
            row.effective_from,
            Money::from_minor(row.unit_cost_minor, currency),
        ));
    }
    Ok(Names {
        shops,
        creators,
        products,
        listings,
        costs,
    })
}

fn period(dims: &[Dimension], day: NaiveDate) -> Option<String> {
    dims.iter().find_map(|dim| match dim {
        Dimension::Day => Some(day.to_string()),
        Dimension::Week => {
            let week = day.iso_week();
            Some(format!("{}-W{:02}", week.year(), week.week()))
        }
        Dimension::Month => Some(format!("{}-{:02}", day.year(), day.month())),
        _ => None,
    })
}

fn key(dims: &[Dimension], names: &Names, aggregate: &Aggregate) -> Result<PnlKey> {
    let mut key = PnlKey::default();
    let product = names.products.get(&aggregate.product_id);
    for dim in dims {
        match dim {
            Dimension::Channel => key.channel = Some(aggregate.channel.parse()?),
            Dimension::Shop => {
                key.shop = Some(
                    names
                        .shops
                        .get(&aggregate.shop_id)
                        .cloned()
                        .unwrap_or_else(|| "(no shop)".to_owned()),
                )
            }
            Dimension::Sku => {
                key.sku = Some(match product {
                    Some((sku, _)) => sku.clone(),
                    None => names
                        .listings
                        .get(&aggregate.listing_id)
                        .cloned()
                        .unwrap_or_else(|| NO_SKU.to_owned()),
                });
            }
            Dimension::Product => {
                key.product = Some(match product {
                    Some((sku, Some(name))) => format!("{sku} {name}"),
                    Some((sku, None)) => sku.clone(),
                    None => UNLINKED.to_owned(),
                });
            }
            Dimension::Creator => {
                key.creator = Some(
                    names
                        .creators
                        .get(&aggregate.creator_id)
                        .cloned()
                        .unwrap_or_else(|| "(no creator)".to_owned()),
                )
            }
            Dimension::Bucket => key.bucket = Some(aggregate.bucket),
            Dimension::Day | Dimension::Week | Dimension::Month => {
                key.period = period(dims, aggregate.day)
            }
        }
    }
    Ok(key)
}

/// Converts with the day's rate (memoised), noting fallbacks to earlier days.
struct Converter<'a, C> {
    db: &'a C,
    org_id: i64,
    to: Currency,
    rates: HashMap<(Currency, NaiveDate), Decimal>,
    fallbacks: Vec<String>,
}

impl<C: ConnectionTrait> Converter<'_, C> {
    async fn convert(&mut self, money: Money, day: NaiveDate) -> Result<Money> {
        if money.currency() == self.to {
            return Ok(money);
        }
        let rate = match self.rates.get(&(money.currency(), day)) {
            Some(rate) => *rate,
            None => {
                let found = rate_on(self.db, self.org_id, money.currency(), self.to, day).await?;
                if found.day != day {
                    self.fallbacks.push(format!(
                        "{}→{} {day} used the rate of {}",
                        money.currency(),
                        self.to,
                        found.day
                    ));
                }
                self.rates.insert((money.currency(), day), found.rate);
                found.rate
            }
        };
        Ok(money.convert(rate, self.to)?)
    }
}

pub(super) async fn fold(
    db: &impl ConnectionTrait,
    org_id: i64,
    settings: &crate::org::Settings,
    currency: Currency,
    dims: &[Dimension],
    aggregates: Vec<Aggregate>,
) -> Result<PnlReport> {
    let names = names(db, org_id).await?;
    let mut converter = Converter {
        db,
        org_id,
        to: currency,
        rates: HashMap::new(),
        fallbacks: Vec::new(),
    };
    let mut rows: BTreeMap<PnlKey, PnlRow> = BTreeMap::new();
    let mut missing: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for aggregate in aggregates {
        let key = key(dims, &names, &aggregate)?;
        let money = converter
            .convert(
                Money::from_minor(aggregate.amount_minor, aggregate.currency),
                aggregate.day,
            )
            .await?;
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| PnlRow::new(key, currency));
        add(&mut row.buckets, aggregate.bucket, money)?;
        let size = money.amount().abs();
        row.total_abs += size;
        if aggregate.settled {
            row.settled_abs += size;
        }
        row.orders += aggregate.sale_lines;
        let units = match aggregate.bucket {
            FeeBucket::ProductSales => {
                row.units_sold += aggregate.quantity;
                aggregate.quantity
            }
            FeeBucket::Refunds => {
                row.units_returned -= aggregate.quantity;
                aggregate.quantity
            }
            _ => 0,
        };
        if units == 0 {
            continue;
        }
        // COGS: the unit cost in force on the line's day, at that day's rate.
        let cost = names
            .costs
            .get(&aggregate.product_id)
            .and_then(|costs| costs.iter().rev().find(|(from, _)| *from <= aggregate.day))
            .map(|(_, cost)| *cost);
        match cost {
            Some(cost) => {
                let total = cost.checked_mul_int(units)?;
                let converted = converter.convert(total, aggregate.day).await?;
                row.cogs = row.cogs.checked_sub(converted)?;
            }
            None => {
                row.cogs_complete = false;
                let sku = match names.products.get(&aggregate.product_id) {
                    Some((sku, _)) => sku.clone(),
                    None => names
                        .listings
                        .get(&aggregate.listing_id)
                        .cloned()
                        .unwrap_or_else(|| NO_SKU.to_owned()),
                };
                missing.insert(sku);
            }
        }
    }
    let by_product = dims
        .iter()
        .any(|d| matches!(d, Dimension::Sku | Dimension::Product));
    let ad_allocation = match (by_product, settings.ad_allocation) {
        (false, _) => {
            "ad spend is reported as it was booked (no SKU or product rows to allocate to)"
                .to_owned()
        }
        (true, crate::org::AdAllocation::None) => {
            "ad spend not tied to a SKU stays on its own row (org setting NONE)".to_owned()
        }
        (true, crate::org::AdAllocation::NetSales) => {
            allocate_ads(&mut rows)?;
            "ad spend not tied to a SKU is allocated to the SKUs of its period by their share of net sales (org setting NET_SALES)".to_owned()
        }
    };
    let mut total = PnlRow::new(PnlKey::default(), currency);
    for row in rows.values() {
        total.absorb(row)?;
    }
    Ok(PnlReport {
        currency,
        time_zone: settings.time_zone.clone(),
        rows: rows.into_values().collect(),
        total,
        fx_fallbacks: converter.fallbacks,
        missing_costs: missing.into_iter().collect(),
        ad_allocation,
    })
}

/// Whether a row's key names no product (spend not tied to a SKU).
fn untied(key: &PnlKey) -> bool {
    key.sku.as_deref() == Some(NO_SKU) || key.product.as_deref() == Some(UNLINKED)
}

/// The key a row shares with its siblings: everything but SKU and product.
fn siblings(key: &PnlKey) -> PnlKey {
    PnlKey {
        sku: None,
        product: None,
        ..key.clone()
    }
}

/// Moves the ADVERTISING of untied rows onto the rows with the same other keys (channel, shop,
/// period, …) in proportion to their net sales; rounding remainders go to the largest share,
/// so the total is unchanged to the minor unit. Untied spend with no sales to carry it stays.
fn allocate_ads(rows: &mut BTreeMap<PnlKey, PnlRow>) -> Result<()> {
    let untied_keys: Vec<PnlKey> = rows.keys().filter(|key| untied(key)).cloned().collect();
    for key in untied_keys {
        let Some(spend) = rows
            .get(&key)
            .and_then(|row| row.buckets.get(&FeeBucket::Advertising).copied())
        else {
            continue;
        };
        if spend.is_zero() {
            continue;
        }
        let group = siblings(&key);
        let mut shares: Vec<(PnlKey, Decimal)> = Vec::new();
        for (other, row) in rows.iter() {
            if untied(other) || siblings(other) != group {
                continue;
            }
            let net = row.net_sales()?.amount();
            if net > Decimal::ZERO {
                shares.push((other.clone(), net));
            }
        }
        let total: Decimal = shares.iter().map(|(_, net)| *net).sum();
        if shares.is_empty() || total.is_zero() {
            continue;
        }
        let mut parts: Vec<(PnlKey, Money)> = shares
            .iter()
            .map(|(other, net)| {
                (
                    other.clone(),
                    Money::from_decimal(spend.amount() * *net / total, spend.currency()),
                )
            })
            .collect();
        let given = Money::checked_sum(parts.iter().map(|(_, m)| *m), spend.currency())?;
        let remainder = spend.checked_sub(given)?;
        if let Some(largest) = shares
            .iter()
            .enumerate()
            .max_by_key(|(_, (_, net))| *net)
            .map(|(i, _)| i)
        {
            parts[largest].1 = parts[largest].1.checked_add(remainder)?;
        }
        for (other, part) in parts {
            if let Some(row) = rows.get_mut(&other) {
                add(&mut row.buckets, FeeBucket::Advertising, part)?;
            }
        }
        if let Some(row) = rows.get_mut(&key) {
            add(&mut row.buckets, FeeBucket::Advertising, -spend)?;
            let empty = row.buckets.values().all(Money::is_zero)
                && row.units_sold == 0
                && row.cogs.is_zero();
            if empty {
                rows.remove(&key);
            }
        }
    }
    Ok(())
}
