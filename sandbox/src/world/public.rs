//! The read-only views of the world that tests assert against, and payment grouping.
//!
//! Payments group statements by week: statement days `7k ..= 7k + 6` (day numbers since
//! 1970-01-01, so weeks start on Thursdays and do not move when `days` changes). A week's
//! payment is created at 03:00 UTC the day after its last statement day, once that day is
//! in the window; it is `PAID` two days later if that is before "now", else `PROCESSING`.
//! Its amount is the sum of its statements' settlements plus their (signed) reserves.

use rust_decimal::Decimal;

use crate::ids;
use crate::money::{self, Minor};

use super::{World, DAY};

/// A shop as `GET /authorization/202309/shops` lists it, plus its advertiser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopInfo {
    /// Shop id (19 digits).
    pub id: String,
    /// Shop name.
    pub name: String,
    /// Region code (`US`, `GB`, `ID`, ...).
    pub region: String,
    /// Statement currency.
    pub currency: String,
    /// The `shop_cipher` to send on shop-scoped calls.
    pub cipher: String,
    /// Always `LOCAL`.
    pub seller_type: String,
    /// Shop code.
    pub code: String,
    /// The Marketing API advertiser linked to this shop.
    pub advertiser_id: String,
    /// The advertiser's time zone (report dates are in this zone).
    pub advertiser_timezone: String,
}

/// A SKU a shop sells, as its catalogue lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuInfo {
    /// The seller SKU (the brand's master SKU).
    pub seller_sku: String,
    /// Product name.
    pub product_name: String,
    /// SKU name (variant).
    pub sku_name: String,
    /// List price in the shop's currency.
    pub price: Decimal,
    /// The shop's currency.
    pub currency: String,
}

/// A daily statement's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementInfo {
    /// Statement id.
    pub id: String,
    /// 00:00 UTC of the day after the statement day (Unix seconds).
    pub statement_time: i64,
    /// Currency.
    pub currency: String,
    /// Sum of the settlement amounts of all its transactions.
    pub total_settlement_amount: Decimal,
    /// Sum of reserve amounts (negative = withheld, positive = released).
    pub total_reserve_amount: Decimal,
    /// The payment that paid it, once the payment exists.
    pub payment_id: Option<String>,
    /// `PAID` or `PROCESSING`.
    pub payment_status: String,
    /// Number of transactions (202501 listing, reserves included).
    pub transaction_count: usize,
}

/// A payment (payout) grouping a week of statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInfo {
    /// Payment id.
    pub id: String,
    /// `PAID` or `PROCESSING`.
    pub status: String,
    /// Creation time (Unix seconds).
    pub create_time: i64,
    /// When it was paid (`None` while processing).
    pub paid_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Amount paid: settlement + reserve.
    pub amount: Decimal,
    /// Sum of the statements' settlement amounts.
    pub settlement_amount: Decimal,
    /// Sum of the statements' reserve amounts (signed).
    pub reserve_amount: Decimal,
    /// The statements it pays, oldest first.
    pub statement_ids: Vec<String>,
}

/// Internal payment record.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) end_day: i64,
    pub(crate) status: &'static str,
    pub(crate) create_time: i64,
    pub(crate) paid_time: Option<i64>,
    pub(crate) settlement: Minor,
    pub(crate) reserve: Minor,
    pub(crate) statement_ids: Vec<String>,
}

/// The last statement day of the payment week containing `day`.
pub(crate) fn payment_end_day(day: i64) -> i64 {
    day.div_euclid(7) * 7 + 6
}

/// Groups a shop's statements into weekly payments.
pub(crate) fn group_payments(world: &World, shop: usize) -> Vec<Payment> {
    let mut out: Vec<Payment> = Vec::new();
    for s in world.summaries(shop) {
        let end = payment_end_day(s.day);
        if end > world.last_day {
            break;
        }
        if out.last().is_none_or(|p| p.end_day != end) {
            let create_time = (end + 1) * DAY + 3 * 3600;
            let paid = create_time + 2 * DAY;
            let done = paid <= world.now();
            out.push(Payment {
                id: ids::encode(world.seed, ids::PAYMENT, &[shop as u64, end as u64]),
                end_day: end,
                status: if done { "PAID" } else { "PROCESSING" },
                create_time,
                paid_time: done.then_some(paid),
                settlement: 0,
                reserve: 0,
                statement_ids: Vec::new(),
            });
        }
        if let Some(p) = out.last_mut() {
            p.settlement += s.totals.settlement;
            p.reserve += s.totals.reserve;
            p.statement_ids.push(s.id.clone());
        }
    }
    out
}

impl World {
    /// The SKUs the shop sells, in catalogue order (empty for an unknown shop).
    pub fn skus(&self, shop_id: &str) -> Vec<SkuInfo> {
        let Some(shop) = self.shop_index(shop_id).map(|i| &self.shops[i]) else {
            return Vec::new();
        };
        shop.catalog
            .skus
            .iter()
            .map(|sku| SkuInfo {
                seller_sku: sku.seller_sku.to_owned(),
                product_name: sku.product_name.to_owned(),
                sku_name: sku.sku_name.to_owned(),
                price: money::decimal(sku.price, shop.digits),
                currency: shop.currency.clone(),
            })
            .collect()
    }

    /// The creators (handles) who drove the shop's orders created on `from..=to` (UTC days),
    /// with how many orders each drove, most first (ties by handle).
    pub fn creator_orders(
        &self,
        shop_id: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Vec<(String, usize)> {
        let Some(index) = self.shop_index(shop_id) else {
            return Vec::new();
        };
        let shop = &self.shops[index];
        let mut counts = vec![0usize; shop.catalog.creators.len()];
        let (from, to) = (super::day_number(from), super::day_number(to));
        for day in from.max(self.order_first_day())..=to.min(self.last_day) {
            for order in self.day_orders(index, day).iter() {
                if let Some(affiliate) = &order.affiliate {
                    counts[affiliate.creator] += 1;
                }
            }
        }
        let mut out: Vec<(String, usize)> = shop
            .catalog
            .creators
            .iter()
            .cloned()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The shop's statements, oldest first (empty for an unknown shop).
    pub fn statements(&self, shop_id: &str) -> Vec<StatementInfo> {
        let Some(shop) = self.shop_index(shop_id) else {
            return Vec::new();
        };
        let s = &self.shops[shop];
        self.summaries(shop)
            .iter()
            .map(|sum| {
                let payment = self.payment_of(shop, sum.day);
                StatementInfo {
                    id: sum.id.clone(),
                    statement_time: (sum.day + 1) * DAY,
                    currency: s.currency.clone(),
                    total_settlement_amount: money::decimal(sum.totals.settlement, s.digits),
                    total_reserve_amount: money::decimal(sum.totals.reserve, s.digits),
                    payment_id: payment.map(|p| p.id.clone()),
                    payment_status: payment.map_or("PROCESSING", |p| p.status).to_owned(),
                    transaction_count: sum.transactions,
                }
            })
            .collect()
    }

    /// The shop's payments, oldest first (empty for an unknown shop).
    pub fn payments(&self, shop_id: &str) -> Vec<PaymentInfo> {
        let Some(shop) = self.shop_index(shop_id) else {
            return Vec::new();
        };
        let s = &self.shops[shop];
        self.payment_list(shop)
            .iter()
            .map(|p| PaymentInfo {
                id: p.id.clone(),
                status: p.status.to_owned(),
                create_time: p.create_time,
                paid_time: p.paid_time,
                currency: s.currency.clone(),
                amount: money::decimal(p.settlement + p.reserve, s.digits),
                settlement_amount: money::decimal(p.settlement, s.digits),
                reserve_amount: money::decimal(p.reserve, s.digits),
                statement_ids: p.statement_ids.clone(),
            })
            .collect()
    }
}
