//! The generated truth: shops, catalogue, orders, settlements, statements, payments, ads.
//!
//! Everything derives from the seed through per-(shop, day) PRNG streams, so any day can be
//! generated alone and the same seed gives byte-identical data. Nothing is generated up
//! front: [`World::new`] only sets up shops; orders and statements are generated on demand
//! and memoised in bounded caches, and statement totals are summarised once per shop on
//! first use.
//!
//! Time: the simulated "now" is 00:00 UTC of `today`. Statements exist for the UTC days
//! `first_day..=last_day` (`today - days ..= today - 1`); orders are searchable from
//! [`orders::SETTLE_MAX_DAYS`] days before `first_day` so the first statements' orders exist.

mod ads;
mod cache;
mod catalog;
mod orders;
mod public;
mod statement;
mod txn;

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use crate::config::{ConfigError, SandboxConfig};
use crate::ids;
use crate::rng::{stream, Rng};

pub(crate) use ads::{AdAccount, Fact};
pub(crate) use catalog::{Catalog, FeeRules};
pub(crate) use orders::{Fulfillment, Line as OrderLine, Order, Shipping, DAY, SETTLE_MAX_DAYS};
pub(crate) use public::Payment;
pub use public::{PaymentInfo, ShopInfo, SkuInfo, StatementInfo};
pub(crate) use statement::{order_txn, refund_txn, Statement, Totals};
pub(crate) use txn::{Amounts, Parts, SkuPart, Txn};

use cache::Cache;

/// Internal per-shop generation context.
#[derive(Debug)]
pub(crate) struct Shop {
    pub(crate) index: usize,
    pub(crate) seed: u64,
    pub(crate) currency: String,
    pub(crate) digits: u32,
    pub(crate) rules: FeeRules,
    pub(crate) catalog: Catalog,
    pub(crate) ads: AdAccount,
    pub(crate) orders_per_day: u32,
    summaries: OnceLock<Vec<Summary>>,
    payments: OnceLock<Vec<Payment>>,
}

/// Totals of one non-empty statement.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub(crate) day: i64,
    pub(crate) id: String,
    pub(crate) totals: Totals,
    pub(crate) transactions: usize,
}

/// The generated world of a sandbox (read-only).
#[derive(Debug)]
pub struct World {
    seed: u64,
    today: NaiveDate,
    first_day: i64,
    last_day: i64,
    shops: Vec<Shop>,
    infos: Vec<ShopInfo>,
    orders: Cache<(usize, i64), Vec<Order>>,
    statements: Cache<(usize, i64), Statement>,
}

fn day_number(date: NaiveDate) -> i64 {
    date.signed_duration_since(NaiveDate::default()).num_days()
}

/// The UTC date of a day number.
pub(crate) fn date_of(day: i64) -> NaiveDate {
    NaiveDate::default() + chrono::Duration::days(day)
}

fn shop_identity(seed: u64, index: usize, region: &str) -> (String, String, String) {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = Rng::stream(&[seed, stream::SHOP, index as u64]);
    let mut draw = |n: usize, upper_only: bool| -> String {
        let pool = if upper_only { &ALNUM[..26] } else { ALNUM };
        (0..n)
            .map(|_| char::from(pool[rng.index(pool.len())]))
            .collect()
    };
    // US shops' ciphers start with TTP_ (US data region), others with ROW_ (⚠ observed
    // in community code, not in the reference).
    let prefix = if region == "US" { "TTP_" } else { "ROW_" };
    let cipher = format!("{prefix}{}", draw(27, false));
    let code = format!("{region}LC{}", draw(8, true));
    (ids::encode(seed, ids::SHOP, &[index as u64]), cipher, code)
}

impl World {
    /// Sets up the world described by `config` (cheap: nothing is generated yet).
    ///
    /// # Errors
    /// Returns [`ConfigError`] when the config is outside the supported limits.
    pub fn new(config: &SandboxConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let today = day_number(config.today);
        let mut shops = Vec::new();
        let mut infos = Vec::new();
        for (index, spec) in config.shops.iter().enumerate() {
            let seed = config.seed;
            let catalog = Catalog::generate(seed, index, &spec.currency);
            let ads = AdAccount::generate(seed, index, &spec.region, &spec.currency, &spec.name);
            let (id, cipher, code) = shop_identity(seed, index, &spec.region);
            infos.push(ShopInfo {
                id,
                name: spec.name.clone(),
                region: spec.region.clone(),
                currency: spec.currency.clone(),
                cipher,
                seller_type: "LOCAL".to_owned(),
                code,
                advertiser_id: ads.advertiser_id.clone(),
                advertiser_timezone: ads.timezone.to_owned(),
            });
            shops.push(Shop {
                index,
                seed,
                currency: spec.currency.clone(),
                digits: crate::money::digits(&spec.currency),
                rules: FeeRules::for_region(&spec.region, &spec.currency),
                catalog,
                ads,
                orders_per_day: config.orders_per_day,
                summaries: OnceLock::new(),
                payments: OnceLock::new(),
            });
        }
        let per_day = config.orders_per_day.max(1) as usize;
        Ok(Self {
            seed: config.seed,
            today: config.today,
            first_day: today - i64::from(config.days),
            last_day: today - 1,
            shops,
            infos,
            orders: Cache::new((4_000_000 / per_day).max(512)),
            statements: Cache::new((2_000_000 / per_day).max(512)),
        })
    }

    /// The seller's shops.
    pub fn shops(&self) -> &[ShopInfo] {
        &self.infos
    }

    /// The first statement day (UTC): `today - days`.
    pub fn first_day(&self) -> NaiveDate {
        date_of(self.first_day)
    }

    /// The last statement day (UTC): `today - 1`.
    pub fn last_day(&self) -> NaiveDate {
        date_of(self.last_day)
    }

    /// The first day orders are served for: 15 days before [`World::first_day`], so that the
    /// first statements' orders exist.
    pub fn first_order_day(&self) -> NaiveDate {
        date_of(self.order_first_day())
    }

    /// Orders the order APIs serve for a shop: created from 15 days before
    /// [`World::first_day`] through [`World::last_day`] (0 for an unknown shop).
    pub fn order_count(&self, shop_id: &str) -> usize {
        let Some(shop) = self.shop_index(shop_id) else {
            return 0;
        };
        (self.order_first_day()..=self.last_day)
            .map(|day| orders::order_count(&self.shops[shop], day) as usize)
            .sum()
    }

    /// The shop's GMV Max cost on an ad-account calendar date; the statement of the same
    /// UTC date deducts exactly this as `GMV_PAYMENT_FOR_ADS`.
    pub fn gmv_max_cost(&self, shop_id: &str, date: NaiveDate) -> rust_decimal::Decimal {
        let Some(shop) = self.shop_index(shop_id).map(|i| &self.shops[i]) else {
            return rust_decimal::Decimal::ZERO;
        };
        let cost = shop.ads.gmv_cost(&shop.catalog, day_number(date));
        crate::money::decimal(cost, shop.digits)
    }

    /// The seed of the world.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The simulated current instant: 00:00 UTC of `today`.
    pub(crate) fn now(&self) -> i64 {
        day_number(self.today) * DAY
    }

    /// Last statement day number.
    pub(crate) fn last_day_number(&self) -> i64 {
        self.last_day
    }

    /// First day of searchable orders.
    pub(crate) fn order_first_day(&self) -> i64 {
        self.first_day - SETTLE_MAX_DAYS
    }

    /// Internal shop by index.
    pub(crate) fn shop(&self, index: usize) -> &Shop {
        &self.shops[index]
    }

    /// Shop index of a shop id.
    pub(crate) fn shop_index(&self, shop_id: &str) -> Option<usize> {
        self.infos.iter().position(|s| s.id == shop_id)
    }

    /// Shop index of a shop cipher.
    pub(crate) fn shop_by_cipher(&self, cipher: &str) -> Option<usize> {
        self.infos.iter().position(|s| s.cipher == cipher)
    }

    /// Shop index of an advertiser id.
    pub(crate) fn shop_by_advertiser(&self, advertiser_id: &str) -> Option<usize> {
        self.infos
            .iter()
            .position(|s| s.advertiser_id == advertiser_id)
    }

    /// Every order of a shop created on `day` (memoised).
    pub(crate) fn day_orders(&self, shop: usize, day: i64) -> Arc<Vec<Order>> {
        self.orders
            .get_or_insert_with((shop, day), || orders::generate_day(&self.shops[shop], day))
    }

    /// An order by id, if it belongs to `shop` and was created by the last day.
    pub(crate) fn find_order(&self, shop: usize, order_id: &str) -> Option<Order> {
        let v = ids::decode(self.seed, ids::ORDER, order_id)?;
        let (s, day, idx) = (v[0] as usize, v[1] as i64, v[2] as usize);
        if s != shop || day > self.last_day {
            return None;
        }
        self.day_orders(shop, day).get(idx).cloned()
    }

    /// The statement of `day`, if the day is in the window and anything settled.
    pub(crate) fn statement(&self, shop: usize, day: i64) -> Option<Arc<Statement>> {
        if shop >= self.shops.len() || day < self.first_day || day > self.last_day {
            return None;
        }
        let s = self.statements.get_or_insert_with((shop, day), || {
            statement::build(self, &self.shops[shop], day)
        });
        (!s.txns.is_empty()).then_some(s)
    }

    /// A statement by id (of `shop`).
    pub(crate) fn statement_by_id(&self, shop: usize, id: &str) -> Option<Arc<Statement>> {
        let v = ids::decode(self.seed, ids::STATEMENT, id)?;
        (v[0] as usize == shop)
            .then(|| self.statement(shop, v[1] as i64))
            .flatten()
    }

    /// Totals of every statement of a shop, oldest first (computed once).
    pub(crate) fn summaries(&self, shop: usize) -> &[Summary] {
        self.shops[shop].summaries.get_or_init(|| {
            (self.first_day..=self.last_day)
                .filter_map(|day| self.statement(shop, day))
                .map(|s| Summary {
                    day: s.day,
                    id: s.id.clone(),
                    totals: s.totals(),
                    transactions: s.txns.len(),
                })
                .collect()
        })
    }

    /// Payments of a shop, oldest first (computed once).
    pub(crate) fn payment_list(&self, shop: usize) -> &[Payment] {
        self.shops[shop]
            .payments
            .get_or_init(|| public::group_payments(self, shop))
    }

    /// The payment a statement day belongs to, if it has been created.
    pub(crate) fn payment_of(&self, shop: usize, day: i64) -> Option<&Payment> {
        let end = public::payment_end_day(day);
        self.payment_list(shop).iter().find(|p| p.end_day == end)
    }

    /// The settled transactions of an order inside the statement window, with their
    /// statement: the settlement first, then the refund.
    pub(crate) fn order_settlements(&self, shop: usize, order: &Order) -> Vec<(String, i64, Txn)> {
        let s = &self.shops[shop];
        let mut out = Vec::new();
        let in_window = |day: i64| day >= self.first_day && day <= self.last_day;
        if let Some(day) = order
            .settle_day
            .filter(|d| in_window(*d) && order.settles())
        {
            let id = ids::encode(self.seed, ids::STATEMENT, &[shop as u64, day as u64]);
            out.push((id, day, order_txn(s, order)));
        }
        if let Some(day) = order
            .refund
            .as_ref()
            .map(|r| r.settle_day)
            .filter(|d| in_window(*d))
        {
            let id = ids::encode(self.seed, ids::STATEMENT, &[shop as u64, day as u64]);
            out.push((id, day, refund_txn(s, order)));
        }
        out
    }

    /// The sum of a shop's GMV Max cost over its statement days (for tests).
    #[cfg(test)]
    pub(crate) fn gmv_total(&self, shop: usize) -> crate::money::Minor {
        let s = &self.shops[shop];
        (self.first_day..=self.last_day)
            .map(|d| s.ads.gmv_cost(&s.catalog, d))
            .sum()
    }
}

#[cfg(test)]
mod tests;
