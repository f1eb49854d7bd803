//! [`ShopifyWorld`]: the generated stores (orders, Payments ledger), the app's tokens, the
//! cost buckets and bulk operations, and the truth tests read.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::bulk::BulkOp;
use super::config::ShopifySandboxConfig;
use super::ledger::Ledger;
use super::limits::{Bucket, ShopifyOperationStats};
use super::orders::{self, Ctx, GenOrder};
use super::schema::Schema;
use crate::money::{decimal, digits};
use crate::rng::hash;
use crate::sandbox::lock;
use crate::world::World;

/// One generated store.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) domain: String,
    pub(crate) currency: String,
    pub(crate) digits: u32,
    /// Sorted by (updatedAt, id).
    pub(crate) orders: Vec<GenOrder>,
    /// Index into `orders` of each order's legacy id (`node(id:)`, `nodes(ids:)`).
    pub(crate) by_legacy_id: HashMap<u64, usize>,
    pub(crate) ledger: Mutex<Ledger>,
    pub(crate) today: i64,
}

/// An order of a store, as the truth for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyOrderInfo {
    /// `gid://shopify/Order/…`.
    pub id: String,
    /// The number at the end of the gid.
    pub legacy_id: String,
    /// `#1001`.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last updated (its refund, if any).
    pub updated_at: DateTime<Utc>,
    /// The TikTok Shop order it mirrors (created by the TikTok app), if any.
    pub mirrored_from: Option<String>,
    /// `shopify_payments`, `paypal`, `manual`, `TikTok` or `bogus` (test orders).
    pub gateway: String,
    /// A test order.
    pub test: bool,
    /// Cancelled (voided authorisation).
    pub cancelled: bool,
    /// `totalPriceSet`.
    pub total: Decimal,
    /// Refunded through any gateway.
    pub refunded: Decimal,
}

/// A payout and its balance transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyPayoutInfo {
    /// `gid://shopify/ShopifyPaymentsPayout/…`.
    pub id: String,
    /// The number at the end of the gid.
    pub legacy_id: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// `PAID`, `IN_TRANSIT` or `SCHEDULED`.
    pub status: String,
    /// Σ net of its transactions.
    pub net: Decimal,
    /// Its balance transactions' gids (without its TRANSFER row).
    pub transactions: Vec<String>,
}

/// A balance transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyBalanceInfo {
    /// `gid://shopify/ShopifyPaymentsBalanceTransaction/…`.
    pub id: String,
    /// `CHARGE`, `REFUND`, `ADJUSTMENT`, `DISPUTE` or `TRANSFER`.
    pub kind: String,
    /// Gross.
    pub amount: Decimal,
    /// Fee (a cost is positive).
    pub fee: Decimal,
    /// `amount − fee`.
    pub net: Decimal,
    /// Its order's gid.
    pub order: Option<String>,
    /// Its payout's gid; None while PENDING.
    pub payout: Option<String>,
}

/// The simulated Shopify stores and the app's state.
#[derive(Debug)]
pub struct ShopifyWorld {
    pub(crate) config: ShopifySandboxConfig,
    pub(crate) stores: Vec<Store>,
    pub(crate) tokens: Mutex<HashMap<String, (usize, u64)>>,
    pub(crate) codes: Mutex<HashMap<String, (usize, String)>>,
    pub(crate) buckets: Mutex<Vec<Bucket>>,
    pub(crate) bulk: Mutex<Vec<BulkOp>>,
    pub(crate) stats: Mutex<BTreeMap<String, ShopifyOperationStats>>,
    pub(crate) seed: u64,
    /// The schema subset learnt from the generated objects.
    pub(crate) schema: Schema,
    issued: Mutex<u64>,
    pub(crate) webhooks_sent: Mutex<u64>,
}

fn at(unix: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default()
}

impl ShopifyWorld {
    /// Generates every store of `config`, mirroring orders of the TikTok world's first shop.
    pub(crate) fn new(
        config: ShopifySandboxConfig,
        seed: u64,
        today: NaiveDate,
        tiktok: &World,
    ) -> Self {
        let today = (today - NaiveDate::default()).num_days();
        let first_day = today - i64::from(config.history_days.max(3));
        let stores = config
            .stores
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let ctx = Ctx {
                    seed,
                    store: index,
                    spec,
                    digits: digits(&spec.currency),
                    tiktok,
                    last_day: today - 1,
                };
                let mut seq = 0;
                let mut orders: Vec<GenOrder> = (first_day..today)
                    .flat_map(|day| orders::day_orders(&ctx, day, &mut seq))
                    .collect();
                let ledger = Ledger::build(seed, index, &spec.currency, &orders, first_day, today);
                orders.sort_by_key(|o| (o.updated, o.legacy_id));
                let by_legacy_id = orders
                    .iter()
                    .enumerate()
                    .map(|(index, o)| (o.legacy_id, index))
                    .collect();
                Store {
                    by_legacy_id,
                    domain: spec.domain.clone(),
                    currency: spec.currency.clone(),
                    digits: ctx.digits,
                    orders,
                    ledger: Mutex::new(ledger),
                    today,
                }
            })
            .collect::<Vec<_>>();
        let buckets = stores.iter().map(|_| Bucket::full(&config)).collect();
        let mut schema = Schema::with_roots();
        for store in &stores {
            for order in &store.orders {
                schema.learn(&order.value);
            }
            let ledger = lock(&store.ledger);
            for b in &ledger.balance {
                schema.learn(&ledger.balance_value(b, store.digits, &store.currency));
            }
            for p in &ledger.payouts {
                schema.learn(&ledger.payout_value(p, store.digits, &store.currency));
            }
        }
        Self {
            schema,
            config,
            stores,
            seed,
            tokens: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
            buckets: Mutex::new(buckets),
            bulk: Mutex::new(Vec::new()),
            stats: Mutex::new(BTreeMap::new()),
            issued: Mutex::new(0),
            webhooks_sent: Mutex::new(0),
        }
    }

    /// The configuration (app key and secret, bucket).
    pub fn config(&self) -> &ShopifySandboxConfig {
        &self.config
    }

    pub(crate) fn store_index(&self, domain: &str) -> Option<usize> {
        self.stores.iter().position(|s| s.domain == domain)
    }

    /// The stores' domains.
    pub fn domains(&self) -> Vec<String> {
        self.stores.iter().map(|s| s.domain.clone()).collect()
    }

    /// A fresh offline access token for `domain`, as if the merchant had installed the app
    /// (None for an unknown store). `generation` is the store's revocation generation.
    pub(crate) fn issue_token(&self, store: usize, generation: u64) -> String {
        let mut issued = lock(&self.issued);
        *issued += 1;
        let token = format!(
            "shpat_{:016x}{:016x}",
            hash(&[self.seed, 77, store as u64, *issued]),
            hash(&[*issued, 78])
        );
        lock(&self.tokens).insert(token.clone(), (store, generation));
        token
    }

    /// Every order of `domain`, by update time.
    pub fn orders(&self, domain: &str) -> Vec<ShopifyOrderInfo> {
        let Some(store) = self.store_index(domain).map(|i| &self.stores[i]) else {
            return Vec::new();
        };
        store
            .orders
            .iter()
            .map(|o| ShopifyOrderInfo {
                id: o.value["id"].as_str().unwrap_or_default().to_owned(),
                legacy_id: o.legacy_id.to_string(),
                name: o.name.clone(),
                created_at: at(o.created),
                updated_at: at(o.updated),
                mirrored_from: o.mirrored_from.clone(),
                gateway: o.gateway.clone(),
                test: o.test,
                cancelled: o.cancelled,
                total: decimal(o.total, store.digits),
                refunded: decimal(o.refunded, store.digits),
            })
            .collect()
    }

    /// The payouts of `domain`, oldest first.
    pub fn payouts(&self, domain: &str) -> Vec<ShopifyPayoutInfo> {
        let Some(store) = self.store_index(domain).map(|i| &self.stores[i]) else {
            return Vec::new();
        };
        let ledger = lock(&store.ledger);
        ledger
            .payouts
            .iter()
            .map(|p| ShopifyPayoutInfo {
                id: p.gid(),
                legacy_id: p.legacy.to_string(),
                issued_at: at(p.issued),
                status: p.status.to_owned(),
                net: decimal(p.net, store.digits),
                transactions: p
                    .transactions
                    .iter()
                    .map(|&i| ledger.balance[i].gid())
                    .collect(),
            })
            .collect()
    }

    /// The balance transactions of `domain`, by time (TRANSFER rows included).
    pub fn balance_transactions(&self, domain: &str) -> Vec<ShopifyBalanceInfo> {
        let Some(store) = self.store_index(domain).map(|i| &self.stores[i]) else {
            return Vec::new();
        };
        let ledger = lock(&store.ledger);
        ledger
            .balance
            .iter()
            .map(|b| ShopifyBalanceInfo {
                id: b.gid(),
                kind: b.kind.to_owned(),
                amount: decimal(b.amount, store.digits),
                fee: decimal(b.fee, store.digits),
                net: decimal(b.net(), store.digits),
                order: b.order.as_ref().map(|(id, _)| id.clone()),
                payout: b.payout.map(|p| ledger.payouts[p].gid()),
            })
            .collect()
    }

    /// A day later: the transactions still PENDING get a SCHEDULED payout (pitfall 9: a
    /// reader must re-read them). Returns the new payout's gid, None if nothing was pending.
    pub fn pay_out_pending(&self, domain: &str) -> Option<String> {
        let store = &self.stores[self.store_index(domain)?];
        let mut ledger = lock(&store.ledger);
        let issued = (store.today + 1) * 86_400 + 6 * 3600 + ledger.payouts.len() as i64;
        let index = ledger.pay_out(issued, i64::MAX, "SCHEDULED")?;
        ledger.sort();
        Some(ledger.payouts[index].gid())
    }

    /// Σ net of the balance transactions no payout holds yet (PENDING).
    pub fn pending_net(&self, domain: &str) -> Decimal {
        let Some(store) = self.store_index(domain).map(|i| &self.stores[i]) else {
            return Decimal::ZERO;
        };
        let ledger = lock(&store.ledger);
        let pending = ledger
            .balance
            .iter()
            .filter(|b| b.payout.is_none())
            .map(|b| b.net())
            .sum();
        decimal(pending, store.digits)
    }

    /// Requests, successes, throttled answers and the highest requested cost of an operation
    /// (its GraphQL operation name, `anonymous` without one).
    pub fn operation_stats(&self, operation: &str) -> ShopifyOperationStats {
        lock(&self.stats)
            .get(operation)
            .cloned()
            .unwrap_or_default()
    }
}
