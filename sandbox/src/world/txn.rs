//! Settlement transactions and their money components (202501 nested model).
//!
//! Conventions (reference §3): income positive, deductions negative, and for every
//! transaction `settlement = revenue + fee_tax + shipping_cost + adjustment`, where
//! - `revenue` is the sum of `revenue_breakdown`,
//! - `fee_tax` is the sum of `fee_tax_breakdown.fee` and `.tax`,
//! - `shipping_cost` is the sum of `shipping_cost_breakdown` *without* its
//!   `supplementary_component` (which holds components of those same amounts),
//! - the transaction-level `supplementary_component` is informational only.
//!
//! Order transactions are built per SKU first; the transaction's amounts are the field-wise
//! sums of its SKU parts, so the by-order endpoints add up exactly by construction.

use crate::money::{self, Minor};

use super::orders::{Fulfillment, Line, Order, Shipping};
use super::Shop;

/// Named amounts of one breakdown group, in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parts(Vec<(&'static str, Minor)>);

impl Parts {
    /// Adds `amount` to `field` (creating it).
    pub(crate) fn add(&mut self, field: &'static str, amount: Minor) {
        match self.0.iter_mut().find(|(name, _)| *name == field) {
            Some(entry) => entry.1 += amount,
            None => self.0.push((field, amount)),
        }
    }

    /// The amount of `field` (0 when absent).
    pub(crate) fn get(&self, field: &str) -> Minor {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map_or(0, |(_, v)| *v)
    }

    /// Sum of all fields.
    pub(crate) fn total(&self) -> Minor {
        self.0.iter().map(|(_, v)| v).sum()
    }

    /// The fields and amounts.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, Minor)> + '_ {
        self.0.iter().copied()
    }

    fn merge(&mut self, other: &Self) {
        for (field, amount) in other.iter() {
            self.add(field, amount);
        }
    }
}

/// All breakdown groups of a transaction (or of one SKU of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Amounts {
    pub(crate) revenue: Parts,
    pub(crate) fee: Parts,
    pub(crate) tax: Parts,
    pub(crate) shipping: Parts,
    /// `shipping_cost_breakdown.supplementary_component`: parts of `shipping`, never added.
    pub(crate) shipping_supplementary: Parts,
    /// Transaction-level `supplementary_component`: informational, never added.
    pub(crate) supplementary: Parts,
}

impl Amounts {
    /// `revenue_amount`.
    pub(crate) fn revenue(&self) -> Minor {
        self.revenue.total()
    }

    /// `fee_tax_amount`.
    pub(crate) fn fee_tax(&self) -> Minor {
        self.fee.total() + self.tax.total()
    }

    /// `shipping_cost_amount`.
    pub(crate) fn shipping_cost(&self) -> Minor {
        self.shipping.total()
    }

    /// Field-wise sum.
    pub(crate) fn merge(&mut self, other: &Self) {
        self.revenue.merge(&other.revenue);
        self.fee.merge(&other.fee);
        self.tax.merge(&other.tax);
        self.shipping.merge(&other.shipping);
        self.shipping_supplementary
            .merge(&other.shipping_supplementary);
        self.supplementary.merge(&other.supplementary);
    }
}

/// The share of one SKU in an order transaction.
#[derive(Debug, Clone)]
pub(crate) struct SkuPart {
    /// Index into the shop catalogue.
    pub(crate) sku: usize,
    pub(crate) quantity: u32,
    pub(crate) amounts: Amounts,
}

impl SkuPart {
    /// `settlement_amount` of the SKU row.
    pub(crate) fn settlement(&self) -> Minor {
        self.amounts.revenue() + self.amounts.fee_tax() + self.amounts.shipping_cost()
    }
}

/// A reserve held or released.
#[derive(Debug, Clone)]
pub(crate) struct Reserve {
    pub(crate) id: String,
    /// `COLLECTED` or `RELEASED`.
    pub(crate) status: &'static str,
    /// Negative when collected, positive when released.
    pub(crate) amount: Minor,
    pub(crate) release_time: i64,
}

/// One statement transaction.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub(crate) id: String,
    /// `ORDER`, `RESERVE` or an adjustment type.
    pub(crate) kind: &'static str,
    pub(crate) order_id: Option<String>,
    pub(crate) adjustment_id: Option<String>,
    pub(crate) associated_order_id: Option<String>,
    /// Order creation time; for adjustments and reserves, when they were raised.
    pub(crate) order_create_time: i64,
    pub(crate) amounts: Amounts,
    pub(crate) skus: Vec<SkuPart>,
    pub(crate) adjustment: Minor,
    pub(crate) reserve: Option<Reserve>,
    pub(crate) omit_zero: bool,
}

impl Txn {
    /// `settlement_amount`: the plain signed sum of the four totals.
    pub(crate) fn settlement(&self) -> Minor {
        self.amounts.revenue()
            + self.amounts.fee_tax()
            + self.amounts.shipping_cost()
            + self.adjustment
    }

    /// `reserve_amount` (0 unless a reserve transaction).
    pub(crate) fn reserve_amount(&self) -> Minor {
        self.reserve.as_ref().map_or(0, |r| r.amount)
    }

    /// An adjustment transaction of `amount`.
    pub(crate) fn adjustment(
        id: String,
        kind: &'static str,
        adjustment_id: String,
        time: i64,
        amount: Minor,
    ) -> Self {
        Self {
            id,
            kind,
            order_id: None,
            adjustment_id: Some(adjustment_id),
            associated_order_id: None,
            order_create_time: time,
            amounts: Amounts::default(),
            skus: Vec::new(),
            adjustment: amount,
            reserve: None,
            omit_zero: false,
        }
    }
}

/// Lines of an order grouped by SKU, in order of first appearance.
fn group_lines<'a>(lines: impl Iterator<Item = &'a Line>) -> Vec<(usize, Vec<&'a Line>)> {
    let mut groups: Vec<(usize, Vec<&Line>)> = Vec::new();
    for line in lines {
        match groups.iter_mut().find(|(sku, _)| *sku == line.sku) {
            Some((_, group)) => group.push(line),
            None => groups.push((line.sku, vec![line])),
        }
    }
    groups
}

fn sum(lines: &[&Line], f: impl Fn(&Line) -> Minor) -> Minor {
    lines.iter().map(|l| f(l)).sum()
}

/// The settlement of an order (its first transaction, type `ORDER`).
pub(crate) fn order_amounts(shop: &Shop, order: &Order) -> Vec<SkuPart> {
    let groups = group_lines(order.lines.iter());
    let units: Vec<i64> = groups.iter().map(|(_, g)| g.len() as i64).collect();
    let split = |total: Minor| money::allocate(total, &units);
    let paid_shipping = split(order.shipping_paid());
    let platform_shipping = split(order.shipping_platform_discount);
    let label = split(order.label_cost);
    let fbt_shipping = split(order.fbt_shipping);
    let fbt_fulfillment = split(order.fbt_fulfillment);
    let fixed_fee = split(shop.rules.transaction_fee_fixed);
    let mystery = split(order.mystery_fee);
    let mut parts = Vec::with_capacity(groups.len());
    for (i, (sku, lines)) in groups.iter().enumerate() {
        let original = sum(lines, |l| l.original);
        let seller = sum(lines, |l| l.seller_discount);
        let platform = sum(lines, |l| l.platform_discount);
        let net = original - seller;
        let mut a = Amounts::default();
        a.revenue.add("subtotal_before_discount_amount", original);
        a.revenue.add("seller_discount_amount", -seller);
        let rules = shop.rules;
        a.fee.add(
            rules.commission_field,
            -money::pct(net, rules.commission_bp),
        );
        let fee_base = net + paid_shipping[i];
        a.fee.add(
            "transaction_fee_amount",
            -(money::pct(fee_base, rules.transaction_fee_bp) + fixed_fee[i]),
        );
        if let Some(aff) = &order.affiliate {
            a.fee
                .add("affiliate_commission_amount", -money::pct(net, aff.rate));
        }
        if order.sfp {
            a.fee.add("sfp_service_fee_amount", -money::pct(net, 600));
        }
        if order.flash_sale {
            a.fee
                .add("flash_sales_service_fee_amount", -money::pct(net, 300));
        }
        if order.mystery_fee != 0 {
            a.fee.add("mystery_service_fee_amount", -mystery[i]);
        }
        add_shipping(&mut a, order, label[i], fbt_shipping[i], fbt_fulfillment[i]);
        a.shipping
            .add("customer_paid_shipping_fee_amount", paid_shipping[i]);
        a.shipping
            .add("shipping_fee_discount_amount", platform_shipping[i]);
        a.shipping_supplementary.add(
            "platform_shipping_fee_discount_amount",
            platform_shipping[i],
        );
        a.supplementary
            .add("customer_payment_amount", net - platform + paid_shipping[i]);
        a.supplementary.add("platform_discount_amount", platform);
        parts.push(SkuPart {
            sku: *sku,
            quantity: lines.len() as u32,
            amounts: a,
        });
    }
    parts
}

fn add_shipping(a: &mut Amounts, order: &Order, label: Minor, fbt_ship: Minor, fbt_fee: Minor) {
    match (order.fulfillment, order.shipping) {
        (Fulfillment::ByTiktok, _) => {
            a.shipping
                .add("actual_shipping_fee_amount", -(fbt_ship + fbt_fee));
            a.shipping_supplementary
                .add("fbt_shipping_cost_amount", -fbt_ship);
            a.shipping_supplementary
                .add("fbt_fulfillment_fee_amount", -fbt_fee);
        }
        (Fulfillment::BySeller, Shipping::Tiktok) => {
            a.shipping.add("actual_shipping_fee_amount", -label);
            a.shipping_supplementary
                .add("fbm_shipping_cost_amount", -label);
        }
        (Fulfillment::BySeller, Shipping::Seller) => {
            a.shipping.add("actual_shipping_fee_amount", 0);
        }
    }
}

/// The refund of an order, settled later as a second `ORDER` transaction.
///
/// The referral fee / commission on the refunded net sales comes back (positive), minus a
/// 20% refund administration fee on it; the creator's commission on the refunded units is
/// clawed back (positive); a returned parcel costs the seller a return label.
pub(crate) fn refund_amounts(shop: &Shop, order: &Order) -> Vec<SkuPart> {
    let Some(refund) = &order.refund else {
        return Vec::new();
    };
    let groups = group_lines(refund.lines.iter().filter_map(|&i| order.lines.get(i)));
    let units: Vec<i64> = groups.iter().map(|(_, g)| g.len() as i64).collect();
    let label = money::allocate(refund.return_label, &units);
    let mut parts = Vec::with_capacity(groups.len());
    for (i, (sku, lines)) in groups.iter().enumerate() {
        let original = sum(lines, |l| l.original);
        let seller = sum(lines, |l| l.seller_discount);
        let platform = sum(lines, |l| l.platform_discount);
        let net = original - seller;
        let mut a = Amounts::default();
        a.revenue
            .add("refund_subtotal_before_discount_amount", -original);
        a.revenue.add("seller_discount_refund_amount", seller);
        let commission_back = money::pct(net, shop.rules.commission_bp);
        a.fee.add(shop.rules.commission_field, commission_back);
        a.fee.add(
            "refund_administration_fee_amount",
            -money::pct(commission_back, 2000),
        );
        if let Some(aff) = &order.affiliate {
            a.fee
                .add("affiliate_commission_amount", money::pct(net, aff.rate));
        }
        a.shipping.add("return_shipping_fee_amount", -label[i]);
        a.supplementary
            .add("customer_refund_amount", -(net - platform));
        a.supplementary
            .add("platform_discount_refund_amount", -platform);
        parts.push(SkuPart {
            sku: *sku,
            quantity: lines.len() as u32,
            amounts: a,
        });
    }
    parts
}

/// Sums SKU parts into transaction amounts.
pub(crate) fn total(parts: &[SkuPart]) -> Amounts {
    let mut amounts = Amounts::default();
    for part in parts {
        amounts.merge(&part.amounts);
    }
    amounts
}
