//! Daily statements: which transactions settle on a UTC day, and their totals.
//!
//! A statement of day D (its `statement_time` is 00:00 UTC of D + 1) holds:
//! - the settlement of every order whose settle day is D (created 7–15 days before),
//! - refunds settled on D (always after the order's own settlement),
//! - `SAMPLE_SHIPPING_FEE` for free-sample orders shipped on TikTok labels,
//! - `GMV_PAYMENT_FOR_ADS`: minus the GMV Max cost of the advertiser's calendar date D,
//! - occasional `PLATFORM_REIMBURSEMENT` (+), `PLATFORM_PENALTY` (−) and, about once a month,
//!   `NEW_PLATFORM_FEE_TYPE` (a type no mapping knows),
//! - `RESERVE` rows: reserves collected (negative `reserve_amount`) and released 14 days
//!   later (positive); their settlement amounts are 0, they move `payable_amount` only.
//!
//! Transactions are sorted by `order_create_time`, then id.

use crate::ids;
use crate::money::{self, Minor};
use crate::rng::{stream, Rng};

use super::orders::{Fulfillment, Order, Shipping, DAY, REFUND_MAX_DAYS, SETTLE_MIN_DAYS};
use super::txn::{self, Reserve, Txn};
use super::{Shop, World};

/// Days after collection when a reserve is released.
const RESERVE_HOLD_DAYS: i64 = 14;

/// Transaction kinds (a digit of the transaction id).
mod kind {
    pub(super) const ORDER: u64 = 0;
    pub(super) const REFUND: u64 = 1;
    pub(super) const SAMPLE_SHIPPING: u64 = 2;
    pub(super) const GMV_ADS: u64 = 3;
    pub(super) const REIMBURSEMENT: u64 = 4;
    pub(super) const PENALTY: u64 = 5;
    pub(super) const NEW_FEE: u64 = 6;
    pub(super) const RESERVE_COLLECT: u64 = 7;
    pub(super) const RESERVE_RELEASE: u64 = 8;
}

/// Statement totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) settlement: Minor,
    pub(crate) revenue: Minor,
    pub(crate) net_sales: Minor,
    pub(crate) fee_tax: Minor,
    pub(crate) shipping: Minor,
    pub(crate) adjustment: Minor,
    pub(crate) reserve: Minor,
}

/// One daily statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) day: i64,
    pub(crate) id: String,
    pub(crate) txns: Vec<Txn>,
}

impl Statement {
    /// 00:00 UTC of the following day.
    pub(crate) fn statement_time(&self) -> i64 {
        (self.day + 1) * DAY
    }

    /// Sums of the transactions.
    pub(crate) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for x in &self.txns {
            t.settlement += x.settlement();
            t.revenue += x.amounts.revenue();
            t.net_sales += net_sales(x);
            t.fee_tax += x.amounts.fee_tax();
            t.shipping += x.amounts.shipping_cost();
            t.adjustment += x.adjustment;
            t.reserve += x.reserve_amount();
        }
        t
    }
}

/// `net_sales = gross_sales + gross_sales_refund + seller_discount + seller_discount_refund`.
pub(crate) fn net_sales(x: &Txn) -> Minor {
    let r = &x.amounts.revenue;
    r.get("subtotal_before_discount_amount")
        + r.get("refund_subtotal_before_discount_amount")
        + r.get("seller_discount_amount")
        + r.get("seller_discount_refund_amount")
}

fn txn_id(shop: &Shop, day: i64, kind: u64, idx: u64) -> String {
    ids::encode(
        shop.seed,
        ids::TRANSACTION,
        &[shop.index as u64, day as u64, kind, idx],
    )
}

/// The settlement transaction of an order.
pub(crate) fn order_txn(shop: &Shop, order: &Order) -> Txn {
    let skus = txn::order_amounts(shop, order);
    order_like(shop, order, kind::ORDER, skus)
}

/// The refund transaction of an order (empty amounts if it has none).
pub(crate) fn refund_txn(shop: &Shop, order: &Order) -> Txn {
    let skus = txn::refund_amounts(shop, order);
    order_like(shop, order, kind::REFUND, skus)
}

fn order_like(shop: &Shop, order: &Order, kind: u64, skus: Vec<txn::SkuPart>) -> Txn {
    Txn {
        id: txn_id(shop, order.day, kind, u64::from(order.idx)),
        kind: "ORDER",
        order_id: Some(order.id.clone()),
        adjustment_id: None,
        associated_order_id: None,
        order_create_time: order.create_time,
        amounts: txn::total(&skus),
        skus,
        adjustment: 0,
        reserve: None,
        omit_zero: order.omit_zero,
    }
}

fn adjustment(
    shop: &Shop,
    day: i64,
    kind: u64,
    idx: u64,
    name: &'static str,
    time: i64,
    amount: Minor,
) -> Txn {
    let key = [shop.index as u64, day as u64, kind, idx];
    let mut t = Txn::adjustment(
        txn_id(shop, day, kind, idx),
        name,
        ids::encode(shop.seed, ids::ADJUSTMENT, &key),
        time,
        amount,
    );
    // Like orders, about half the adjustments print only their non-zero fields.
    t.omit_zero = (day + kind as i64 + idx as i64).rem_euclid(2) == 0;
    t
}

fn sample_shipping(shop: &Shop, order: &Order) -> Option<Txn> {
    let cost = match (order.fulfillment, order.shipping) {
        (Fulfillment::ByTiktok, _) => order.fbt_shipping + order.fbt_fulfillment,
        (Fulfillment::BySeller, Shipping::Tiktok) => order.label_cost,
        (Fulfillment::BySeller, Shipping::Seller) => 0,
    };
    if cost == 0 {
        return None;
    }
    let mut t = adjustment(
        shop,
        order.day,
        kind::SAMPLE_SHIPPING,
        u64::from(order.idx),
        "SAMPLE_SHIPPING_FEE",
        order.ship_time,
        -cost,
    );
    t.associated_order_id = Some(order.id.clone());
    Some(t)
}

/// A reserve collected on `day`, if any: (amount withheld, positive).
fn reserve_collected(shop: &Shop, day: i64) -> Option<Minor> {
    let mut rng = Rng::stream(&[shop.seed, stream::RESERVES, shop.index as u64, day as u64]);
    let hit = rng.chance(100);
    let cents = rng.range(2000, 15_000);
    hit.then(|| money::from_usd_cents(cents, &shop.currency))
}

fn reserve_txn(shop: &Shop, collected_on: i64, release: bool, amount: Minor) -> Txn {
    let day = if release {
        collected_on + RESERVE_HOLD_DAYS
    } else {
        collected_on
    };
    let kind = if release {
        kind::RESERVE_RELEASE
    } else {
        kind::RESERVE_COLLECT
    };
    Txn {
        id: txn_id(shop, day, kind, 0),
        kind: "RESERVE",
        order_id: None,
        adjustment_id: None,
        associated_order_id: None,
        order_create_time: day * DAY + 6 * 3600,
        amounts: txn::Amounts::default(),
        skus: Vec::new(),
        adjustment: 0,
        reserve: Some(Reserve {
            id: ids::encode(
                shop.seed,
                ids::RESERVE,
                &[shop.index as u64, collected_on as u64],
            ),
            status: if release { "RELEASED" } else { "COLLECTED" },
            amount: if release { amount } else { -amount },
            release_time: (collected_on + RESERVE_HOLD_DAYS) * DAY,
        }),
        omit_zero: day.rem_euclid(2) == 0,
    }
}

/// Platform adjustments and reserves of statement day `day`.
fn daily(world: &World, shop: &Shop, day: i64) -> Vec<Txn> {
    let mut out = Vec::new();
    let gmv = shop.ads.gmv_cost(&shop.catalog, day);
    if gmv != 0 {
        let end = day * DAY + DAY - 1;
        out.push(adjustment(
            shop,
            day,
            kind::GMV_ADS,
            0,
            "GMV_PAYMENT_FOR_ADS",
            end,
            -gmv,
        ));
    }
    let mut rng = Rng::stream(&[
        world.seed,
        stream::ADJUSTMENTS,
        shop.index as u64,
        day as u64,
    ]);
    let usd = |cents: i64| money::from_usd_cents(cents, &shop.currency);
    let at = |rng: &mut Rng| day * DAY + rng.range(0, DAY - 1);
    if rng.chance(80) {
        let (time, amount) = (at(&mut rng), usd(rng.range(500, 3000)));
        out.push(adjustment(
            shop,
            day,
            kind::REIMBURSEMENT,
            0,
            "PLATFORM_REIMBURSEMENT",
            time,
            amount,
        ));
    }
    if rng.chance(50) {
        let (time, amount) = (at(&mut rng), usd(rng.range(200, 2500)));
        out.push(adjustment(
            shop,
            day,
            kind::PENALTY,
            0,
            "PLATFORM_PENALTY",
            time,
            -amount,
        ));
    }
    if (day + shop.index as i64 * 7).rem_euclid(30) == 15 {
        let (time, amount) = (at(&mut rng), usd(rng.range(150, 900)));
        out.push(adjustment(
            shop,
            day,
            kind::NEW_FEE,
            0,
            "NEW_PLATFORM_FEE_TYPE",
            time,
            -amount,
        ));
    }
    if let Some(amount) = reserve_collected(shop, day) {
        out.push(reserve_txn(shop, day, false, amount));
    }
    if let Some(amount) = reserve_collected(shop, day - RESERVE_HOLD_DAYS) {
        out.push(reserve_txn(shop, day - RESERVE_HOLD_DAYS, true, amount));
    }
    out
}

/// Builds the statement of `day` for shop `shop` (empty `txns` when nothing settled).
pub(crate) fn build(world: &World, shop: &Shop, day: i64) -> Statement {
    let mut txns = Vec::new();
    for created in (day - REFUND_MAX_DAYS)..=(day - 1) {
        let orders = world.day_orders(shop.index, created);
        for order in orders.iter() {
            if created <= day - SETTLE_MIN_DAYS && order.settle_day == Some(day) {
                if order.settles() {
                    txns.push(order_txn(shop, order));
                } else if order.sample {
                    txns.extend(sample_shipping(shop, order));
                }
            }
            if order.refund.as_ref().is_some_and(|r| r.settle_day == day) {
                txns.push(refund_txn(shop, order));
            }
        }
    }
    txns.extend(daily(world, shop, day));
    txns.sort_by(|a, b| (a.order_create_time, &a.id).cmp(&(b.order_create_time, &b.id)));
    Statement {
        day,
        id: ids::encode(shop.seed, ids::STATEMENT, &[shop.index as u64, day as u64]),
        txns,
    }
}
