//! The exact-decimal side of the pivot: conversion at each day's rate, COGS from effective
//! unit costs, and folding aggregates into rows keyed by the requested dimensions.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use entities::{creator, listing, product, product_cost, shop};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::allocate::allocate_ads;
use super::row::{add, PnlKey, PnlRow};
use super::Dimension;
use crate::costs::fx::rate_on;
use crate::error::Result;
use crate::ledger::FeeBucket;
use crate::money::{Currency, Money};

/// The SKU key of lines tied to no SKU.
pub(super) const NO_SKU: &str = "(no SKU)";
/// The product key of lines tied to no product.
pub(super) const UNLINKED: &str = "(unlinked)";

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

/// Names and unit costs of an org's catalogue, loaded once per report.
pub(super) struct Names {
    shops: HashMap<i64, String>,
    creators: HashMap<i64, String>,
    products: HashMap<i64, (String, Option<String>)>,
    listings: HashMap<i64, String>,
    costs: HashMap<i64, Vec<(NaiveDate, Money)>>,
}

/// Loads [`Names`] (the five reads run concurrently).
pub(super) async fn names(db: &impl ConnectionTrait, org_id: i64) -> Result<Names> {
    let (shops, creators, products, listings, cost_rows) = tokio::try_join!(
        shop::Entity::find()
            .filter(shop::Column::OrgId.eq(org_id))
            .all(db),
        creator::Entity::find()
            .filter(creator::Column::OrgId.eq(org_id))
            .all(db),
        product::Entity::find()
            .filter(product::Column::OrgId.eq(org_id))
            .all(db),
        listing::Entity::find()
            .filter(listing::Column::OrgId.eq(org_id))
            .all(db),
        product_cost::Entity::find()
            .filter(product_cost::Column::OrgId.eq(org_id))
            .order_by_asc(product_cost::Column::EffectiveFrom)
            .all(db),
    )?;
    let mut costs: HashMap<i64, Vec<(NaiveDate, Money)>> = HashMap::new();
    for row in cost_rows {
        let currency = Currency::parse(&row.currency)?;
        costs.entry(row.product_id).or_default().push((
            row.effective_from,
            Money::from_minor(row.unit_cost_minor, currency),
        ));
    }
    Ok(Names {
        shops: shops.into_iter().map(|s| (s.id, s.name)).collect(),
        creators: creators.into_iter().map(|c| (c.id, c.handle)).collect(),
        products: products
            .into_iter()
            .map(|p| (p.id, (p.sku, p.name)))
            .collect(),
        listings: listings
            .into_iter()
            .map(|l| (l.id, l.channel_sku_id))
            .collect(),
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
    names: Names,
    settings: &crate::org::Settings,
    currency: Currency,
    dims: &[Dimension],
    mut aggregates: Vec<Aggregate>,
) -> Result<PnlReport> {
    // In day order, so a missing rate is reported at the earliest day that lacks one (a rate
    // also serves the days after it, so every later day of that currency lacks one too).
    aggregates.sort_by_key(|aggregate| aggregate.day);
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
        fx_fallbacks: {
            let mut fallbacks = converter.fallbacks;
            fallbacks.sort();
            fallbacks.dedup();
            fallbacks
        },
        missing_costs: missing.into_iter().collect(),
        ad_allocation,
    })
}
