//! Orders of one shop on one day, generated from their own PRNG stream.
//!
//! An order's whole life is drawn when it is created: lines (one per unit), discounts,
//! fulfilment, creator attribution, fee programmes, the day it settles and, for about 5%
//! of orders, a later refund. What the API shows (status, update time, whether the return
//! exists yet) is then a function of the simulated "now" (00:00 UTC of `today`).

use crate::ids;
use crate::money::{self, Minor};
use crate::rng::{stream, Rng};

use super::Shop;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Earliest settlement, in days after the order's creation day.
pub(crate) const SETTLE_MIN_DAYS: i64 = 7;
/// Latest settlement, in days after the order's creation day.
pub(crate) const SETTLE_MAX_DAYS: i64 = 15;
/// Latest refund settlement, in days after the order's creation day (bound of the
/// generator: delivery ≤ 5 d, return ≤ 4 d later, settled ≤ 6 d after that, and after
/// the order itself).
pub(crate) const REFUND_MAX_DAYS: i64 = 18;

/// Who fulfils the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fulfillment {
    /// `FULFILLMENT_BY_SELLER`.
    BySeller,
    /// `FULFILLMENT_BY_TIKTOK` (FBT): fulfilment and shipping fees.
    ByTiktok,
}

/// Whose shipping labels are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shipping {
    /// `TIKTOK`: TikTok labels, charged to the seller in the settlement.
    Tiktok,
    /// `SELLER`: the seller's own carrier; nothing charged by TikTok.
    Seller,
}

/// One unit of one SKU (TikTok line items carry no quantity).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) sku: usize,
    pub(crate) original: Minor,
    pub(crate) seller_discount: Minor,
    pub(crate) platform_discount: Minor,
}

impl Line {
    /// What the buyer pays for the unit.
    pub(crate) fn sale(&self) -> Minor {
        self.original - self.seller_discount - self.platform_discount
    }
}

/// Creator attribution of an order.
#[derive(Debug, Clone)]
pub(crate) struct Affiliate {
    pub(crate) creator: usize,
    /// Commission rate in hundredths of a percent (basis points): 1550 = 15.50%.
    pub(crate) rate: i64,
    pub(crate) content_type: &'static str,
    pub(crate) content_id: String,
    pub(crate) open_collaboration: bool,
}

/// A refund (with or without a returned parcel) settled after the order.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) create_time: i64,
    pub(crate) settle_day: i64,
    /// Indexes into [`Order::lines`] of the refunded units.
    pub(crate) lines: Vec<usize>,
    pub(crate) with_return: bool,
    /// Return label the seller pays (0 without a return).
    pub(crate) return_label: Minor,
    pub(crate) reason: &'static str,
}

/// One order with its whole simulated life.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) shop: usize,
    pub(crate) day: i64,
    pub(crate) idx: u32,
    pub(crate) id: String,
    pub(crate) create_time: i64,
    pub(crate) paid_time: i64,
    pub(crate) ship_time: i64,
    pub(crate) delivery_time: i64,
    pub(crate) cancel_time: Option<i64>,
    pub(crate) sample: bool,
    pub(crate) fulfillment: Fulfillment,
    pub(crate) shipping: Shipping,
    pub(crate) lines: Vec<Line>,
    /// Shipping fee before discounts.
    pub(crate) shipping_original: Minor,
    /// Part of the shipping fee the platform pays (SFP and shipping vouchers).
    pub(crate) shipping_platform_discount: Minor,
    /// TikTok label for seller-fulfilled orders with TikTok shipping.
    pub(crate) label_cost: Minor,
    pub(crate) fbt_shipping: Minor,
    pub(crate) fbt_fulfillment: Minor,
    pub(crate) affiliate: Option<Affiliate>,
    pub(crate) sfp: bool,
    pub(crate) flash_sale: bool,
    /// A fee no mapping knows (`mystery_service_fee_amount`), about once a month.
    pub(crate) mystery_fee: Minor,
    /// Render this order's transactions without zero-valued fields.
    pub(crate) omit_zero: bool,
    /// Statement day of the settlement (the sample shipping fee for sample orders).
    pub(crate) settle_day: Option<i64>,
    pub(crate) refund: Option<Refund>,
}

impl Order {
    /// Shipping fee the buyer paid.
    pub(crate) fn shipping_paid(&self) -> Minor {
        self.shipping_original - self.shipping_platform_discount
    }

    /// When the order became COMPLETED (three days after delivery).
    pub(crate) fn complete_time(&self) -> i64 {
        self.delivery_time + 3 * DAY
    }

    /// The order's status as of `now`.
    pub(crate) fn status(&self, now: i64) -> &'static str {
        if let Some(cancel) = self.cancel_time {
            return if cancel <= now {
                "CANCELLED"
            } else {
                "AWAITING_SHIPMENT"
            };
        }
        if self.ship_time > now {
            "AWAITING_SHIPMENT"
        } else if self.delivery_time > now {
            "IN_TRANSIT"
        } else if self.complete_time() > now {
            "DELIVERED"
        } else {
            "COMPLETED"
        }
    }

    /// The latest event of the order at or before `now`.
    pub(crate) fn update_time(&self, now: i64) -> i64 {
        let mut events = vec![self.paid_time];
        match self.cancel_time {
            Some(cancel) => events.push(cancel),
            None => events.extend([self.ship_time, self.delivery_time, self.complete_time()]),
        }
        if let Some(refund) = &self.refund {
            events.extend([refund.create_time, refund.settle_day * DAY - 3600]);
        }
        events
            .into_iter()
            .filter(|t| *t <= now)
            .max()
            .unwrap_or(self.create_time)
    }

    /// The refund if the buyer had asked for it by `now`.
    pub(crate) fn visible_refund(&self, now: i64) -> Option<&Refund> {
        self.refund.as_ref().filter(|r| r.create_time < now)
    }

    /// Whether the order settles into a statement (not cancelled, not a free sample).
    pub(crate) fn settles(&self) -> bool {
        !self.sample && self.cancel_time.is_none()
    }
}

/// How many orders shop `shop` has on `day` (cheap: its own stream).
pub(crate) fn order_count(shop: &Shop, day: i64) -> u32 {
    Rng::stream(&[
        shop.seed,
        stream::ORDER_COUNT,
        shop.index as u64,
        day as u64,
    ])
    .binomial_around(shop.orders_per_day)
}

/// Generates every order of `shop` created on `day`, sorted by creation time.
pub(crate) fn generate_day(shop: &Shop, day: i64) -> Vec<Order> {
    let n = order_count(shop, day);
    let mut rng = Rng::stream(&[shop.seed, stream::ORDERS, shop.index as u64, day as u64]);
    let mut times: Vec<i64> = (0..n).map(|_| rng.range(0, DAY - 1)).collect();
    times.sort_unstable();
    // About once a month per shop the first order of the day carries an unknown fee.
    let mystery_day = (day + shop.index as i64 * 11).rem_euclid(30) == 0;
    times
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let forced = mystery_day && i == 0;
            one_order(shop, &mut rng, day, i as u32, day * DAY + t, forced)
        })
        .collect()
}

fn one_order(shop: &Shop, rng: &mut Rng, day: i64, idx: u32, create: i64, mystery: bool) -> Order {
    let usd = |cents: i64| money::from_usd_cents(cents, &shop.currency);
    let sample = !mystery && rng.chance(30);
    let cancelled = !mystery && !sample && rng.chance(25);
    let units = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let seller_bp = if rng.chance(200) {
        rng.range(10, 20) * 100
    } else {
        0
    };
    let platform_bp = if rng.chance(150) {
        rng.range(5, 15) * 100
    } else {
        0
    };
    let mut lines: Vec<Line> = Vec::with_capacity(units);
    for _ in 0..units {
        let sku = match lines.last() {
            Some(prev) if rng.chance(400) => prev.sku,
            _ => shop.catalog.pick_sku(rng),
        };
        let original = shop.catalog.skus[sku].price;
        let (seller_discount, platform_discount) = if sample {
            (original, 0)
        } else {
            (
                money::pct(original, seller_bp),
                money::pct(original, platform_bp),
            )
        };
        lines.push(Line {
            sku,
            original,
            seller_discount,
            platform_discount,
        });
    }
    let fulfillment = if rng.chance(300) {
        Fulfillment::ByTiktok
    } else {
        Fulfillment::BySeller
    };
    let shipping = if fulfillment == Fulfillment::ByTiktok || rng.chance(850) {
        Shipping::Tiktok
    } else {
        Shipping::Seller
    };
    let subtotal: Minor = lines.iter().map(|l| l.original - l.seller_discount).sum();
    let shipping_original = if sample || subtotal >= usd(3500) {
        0
    } else {
        usd(499)
    };
    let sfp = !sample && rng.chance(150);
    let shipping_platform_discount = if sfp {
        shipping_original
    } else if rng.chance(100) {
        shipping_original / 2
    } else {
        0
    };
    let flash_sale = !sample && rng.chance(100);
    let extra_units = units as i64 - 1;
    let label_cost = if fulfillment == Fulfillment::BySeller && shipping == Shipping::Tiktok {
        usd(450 + 100 * extra_units + rng.range(0, 60))
    } else {
        0
    };
    let (fbt_shipping, fbt_fulfillment) = if fulfillment == Fulfillment::ByTiktok {
        (usd(350 + 50 * extra_units), usd(300) * units as i64)
    } else {
        (0, 0)
    };
    let affiliate = if sample || rng.chance(400) {
        Some(draw_affiliate(shop, rng, day, idx, sample))
    } else {
        None
    };
    let paid_time = create + rng.range(5, 300);
    let ship_time = create + rng.range(4 * 3600, 40 * 3600);
    let delivery_time = ship_time + rng.range(DAY, 4 * DAY);
    let cancel_time = cancelled.then(|| create + rng.range(600, 36_000));
    let settle_day = (!cancelled).then(|| day + rng.range(SETTLE_MIN_DAYS, SETTLE_MAX_DAYS));
    let omit_zero = rng.chance(500);
    let refund = match settle_day {
        Some(settle) if !sample && rng.chance(50) => {
            Some(draw_refund(shop, rng, &lines, delivery_time, settle))
        }
        _ => None,
    };
    let mystery_fee = if mystery { usd(rng.range(50, 150)) } else { 0 };
    Order {
        shop: shop.index,
        day,
        idx,
        id: ids::encode(
            shop.seed,
            ids::ORDER,
            &[shop.index as u64, day as u64, u64::from(idx)],
        ),
        create_time: create,
        paid_time,
        ship_time,
        delivery_time,
        cancel_time,
        sample,
        fulfillment,
        shipping,
        lines,
        shipping_original,
        shipping_platform_discount,
        label_cost,
        fbt_shipping,
        fbt_fulfillment,
        affiliate,
        sfp,
        flash_sale,
        mystery_fee,
        omit_zero,
        settle_day,
        refund,
    }
}

fn draw_affiliate(shop: &Shop, rng: &mut Rng, day: i64, idx: u32, sample: bool) -> Affiliate {
    let creator = rng.index(shop.catalog.creators.len());
    let rate = if sample { 0 } else { rng.range(10, 50) * 50 };
    let content_type = match rng.below(20) {
        0..=11 => "VIDEO",
        12..=16 => "LIVE",
        _ => "SHOP",
    };
    let content_id = if content_type == "SHOP" {
        String::new()
    } else {
        ids::encode(
            shop.seed,
            ids::CONTENT,
            &[shop.index as u64, day as u64, u64::from(idx)],
        )
    };
    Affiliate {
        creator,
        rate,
        content_type,
        content_id,
        open_collaboration: rng.chance(700),
    }
}

fn draw_refund(shop: &Shop, rng: &mut Rng, lines: &[Line], delivered: i64, settle: i64) -> Refund {
    let create_time = delivered + rng.range(DAY, 4 * DAY);
    let settle_day = (settle + 1).max(create_time.div_euclid(DAY) + rng.range(2, 6));
    let refunded = if lines.len() == 1 || rng.chance(500) {
        (0..lines.len()).collect()
    } else {
        vec![rng.index(lines.len())]
    };
    let with_return = rng.chance(500);
    let return_label = if with_return {
        money::from_usd_cents(399 + 50 * (refunded.len() as i64 - 1), &shop.currency)
    } else {
        0
    };
    let reasons = [
        "Wrong size",
        "Item not as described",
        "Damaged item",
        "No longer needed",
    ];
    Refund {
        create_time,
        settle_day,
        lines: refunded,
        with_return,
        return_label,
        reason: reasons[rng.index(reasons.len())],
    }
}
