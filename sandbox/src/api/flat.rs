//! JSON of 202309 flat transactions (reference §3.3), derived from the nested amounts.
//!
//! Every flat money field is either a documented total or one component counted once:
//! - totals: `settlement_amount = net_sales_amount + shipping_cost_amount + fee_amount +
//!   adjustment_amount` (UK/US formula); `net_sales_amount = gross_sales_amount +
//!   gross_sales_refund_amount + seller_discount_amount + seller_discount_refund_amount`;
//!   `revenue_amount` equals `net_sales_amount` (no COD fees are generated);
//! - `fee_amount` is the 202501 `fee_tax_amount`. Its flat components are
//!   `referral_fee_amount`/`platform_commission_amount`, `transaction_fee_amount`,
//!   `refund_administration_fee_amount`, `affiliate_*` and `pit_amount`; programme fees
//!   (SFP, flash sale, unknown new fees) have no flat field and show only in `fee_amount`;
//! - `shipping_cost_amount` is the sum of `actual_shipping_fee_amount`,
//!   `customer_paid_shipping_fee_amount`, `platform_shipping_fee_discount_amount`,
//!   `return_shipping_fee_amount`, `shipping_insurance_fee_amount`,
//!   `signature_confirmation_fee_amount` and `fbt_fulfillment_fee_reimbursement_amount`;
//!   `customer_shipping_fee_amount` repeats the buyer's shipping fee; `fbm_shipping_cost_amount`,
//!   `fbt_shipping_cost_amount` and `fbt_fulfillment_fee_amount` are parts of
//!   `actual_shipping_fee_amount`;
//! - informational, never summed: `after_seller_discounts_subtotal_amount`, `customer_*`,
//!   `platform_discount_*`, `sales_tax_*`.

use serde_json::{json, Map, Value};

use super::render::Style;
use crate::money::Minor;
use crate::world::{Amounts, SkuPart, Txn};

/// (flat field, value) pairs of one set of nested amounts, totals first.
fn money_fields(a: &Amounts, adjustment: Minor, settlement: Minor) -> Vec<(&'static str, Minor)> {
    let r = &a.revenue;
    let f = &a.fee;
    let s = &a.shipping;
    let ss = &a.shipping_supplementary;
    let sup = &a.supplementary;
    let gross = r.get("subtotal_before_discount_amount");
    let seller = r.get("seller_discount_amount");
    let net = gross
        + r.get("refund_subtotal_before_discount_amount")
        + seller
        + r.get("seller_discount_refund_amount");
    vec![
        ("settlement_amount", settlement),
        ("revenue_amount", a.revenue()),
        ("net_sales_amount", net),
        ("fee_amount", a.fee_tax()),
        ("shipping_cost_amount", a.shipping_cost()),
        ("adjustment_amount", adjustment),
        ("gross_sales_amount", gross),
        (
            "gross_sales_refund_amount",
            r.get("refund_subtotal_before_discount_amount"),
        ),
        ("seller_discount_amount", seller),
        (
            "seller_discount_refund_amount",
            r.get("seller_discount_refund_amount"),
        ),
        ("after_seller_discounts_subtotal_amount", gross + seller),
        (
            "customer_payment_amount",
            sup.get("customer_payment_amount"),
        ),
        ("customer_refund_amount", sup.get("customer_refund_amount")),
        (
            "platform_discount_amount",
            sup.get("platform_discount_amount"),
        ),
        (
            "platform_discount_refund_amount",
            sup.get("platform_discount_refund_amount"),
        ),
        (
            "platform_commission_amount",
            f.get("platform_commission_amount"),
        ),
        ("referral_fee_amount", f.get("referral_fee_amount")),
        ("transaction_fee_amount", f.get("transaction_fee_amount")),
        (
            "refund_administration_fee_amount",
            f.get("refund_administration_fee_amount"),
        ),
        (
            "affiliate_commission_amount",
            f.get("affiliate_commission_amount"),
        ),
        (
            "affiliate_commission_before_pit",
            f.get("affiliate_commission_amount_before_pit"),
        ),
        (
            "affiliate_ads_commission_amount",
            f.get("affiliate_ads_commission_amount"),
        ),
        (
            "affiliate_partner_commission_amount",
            f.get("affiliate_partner_commission_amount"),
        ),
        ("pit_amount", a.tax.get("pit_amount")),
        (
            "actual_shipping_fee_amount",
            s.get("actual_shipping_fee_amount"),
        ),
        (
            "customer_paid_shipping_fee_amount",
            s.get("customer_paid_shipping_fee_amount"),
        ),
        (
            "customer_shipping_fee_amount",
            s.get("customer_paid_shipping_fee_amount"),
        ),
        (
            "platform_shipping_fee_discount_amount",
            s.get("shipping_fee_discount_amount"),
        ),
        (
            "return_shipping_fee_amount",
            s.get("return_shipping_fee_amount"),
        ),
        (
            "shipping_insurance_fee_amount",
            s.get("shipping_insurance_fee_amount"),
        ),
        (
            "signature_confirmation_fee_amount",
            s.get("signature_confirmation_fee_amount"),
        ),
        (
            "fbt_fulfillment_fee_reimbursement_amount",
            s.get("fbt_fulfillment_fee_reimbursement_amount"),
        ),
        (
            "fbm_shipping_cost_amount",
            ss.get("fbm_shipping_cost_amount"),
        ),
        (
            "fbt_shipping_cost_amount",
            ss.get("fbt_shipping_cost_amount"),
        ),
        (
            "fbt_fulfillment_fee_amount",
            ss.get("fbt_fulfillment_fee_amount"),
        ),
        ("sales_tax_amount", sup.get("sales_tax_amount")),
        (
            "sales_tax_payment_amount",
            sup.get("sales_tax_payment_amount"),
        ),
        (
            "sales_tax_refund_amount",
            sup.get("sales_tax_refund_amount"),
        ),
    ]
}

/// Number of always-printed totals at the head of [`money_fields`].
const TOTALS: usize = 6;

fn put_money(o: &mut Map<String, Value>, fields: Vec<(&'static str, Minor)>, style: Style) {
    for (i, (name, v)) in fields.into_iter().enumerate() {
        if i < TOTALS || v != 0 || !style.omit_zero {
            o.insert(name.to_owned(), style.amount(v));
        }
    }
}

/// One row of `GET /finance/202309/statements/{id}/statement_transactions`.
pub(crate) fn txn_202309(t: &Txn, currency: &str, digits: u32) -> Value {
    let style = Style {
        digits,
        omit_zero: t.omit_zero,
    };
    let mut o = Map::new();
    o.insert("id".to_owned(), json!(t.id));
    o.insert("type".to_owned(), json!(t.kind));
    o.insert(
        "order_id".to_owned(),
        json!(t.order_id.clone().unwrap_or_default()),
    );
    o.insert(
        "adjustment_id".to_owned(),
        json!(t.adjustment_id.clone().unwrap_or_default()),
    );
    o.insert(
        "adjustment_order_id".to_owned(),
        json!(t.associated_order_id.clone().unwrap_or_default()),
    );
    o.insert("order_create_time".to_owned(), json!(t.order_create_time));
    o.insert("currency".to_owned(), json!(currency));
    put_money(
        &mut o,
        money_fields(&t.amounts, t.adjustment, t.settlement()),
        style,
    );
    Value::Object(o)
}

/// One `sku_statement_transactions[]` row of the 202309 by-order endpoint.
pub(crate) fn sku_202309(
    part: &SkuPart,
    names: (&str, &str, &str),
    currency: &str,
    digits: u32,
) -> Value {
    let style = Style {
        digits,
        omit_zero: false,
    };
    let (sku_id, sku_name, product_name) = names;
    let mut o = Map::new();
    o.insert("sku_id".to_owned(), json!(sku_id));
    o.insert("sku_name".to_owned(), json!(sku_name));
    o.insert("product_name".to_owned(), json!(product_name));
    o.insert("quantity".to_owned(), json!(part.quantity));
    o.insert("currency".to_owned(), json!(currency));
    put_money(
        &mut o,
        money_fields(&part.amounts, 0, part.settlement()),
        style,
    );
    Value::Object(o)
}

/// Statement-level money of the 202309 list and transactions header.
///
/// UK/US: `settlement = net_sales + shipping_cost + fee + adjustment`. Elsewhere the
/// documented formula is `settlement = revenue + fee + adjustment`, so shipping is folded
/// into `fee_amount` and `net_sales_amount` / `shipping_cost_amount` are left out (they are
/// documented for local sellers outside SEA only).
pub(crate) fn statement_money(
    o: &mut Map<String, Value>,
    totals: &crate::world::Totals,
    uk_us: bool,
    digits: u32,
) {
    let style = Style {
        digits,
        omit_zero: false,
    };
    o.insert(
        "settlement_amount".to_owned(),
        style.amount(totals.settlement),
    );
    o.insert("revenue_amount".to_owned(), style.amount(totals.revenue));
    o.insert(
        "adjustment_amount".to_owned(),
        style.amount(totals.adjustment),
    );
    if uk_us {
        o.insert("fee_amount".to_owned(), style.amount(totals.fee_tax));
        o.insert(
            "net_sales_amount".to_owned(),
            style.amount(totals.net_sales),
        );
        o.insert(
            "shipping_cost_amount".to_owned(),
            style.amount(totals.shipping),
        );
    } else {
        o.insert(
            "fee_amount".to_owned(),
            style.amount(totals.fee_tax + totals.shipping),
        );
    }
}
