//! JSON of 202501 nested transactions (reference §3.4) and shared money helpers.
//!
//! Every documented field of a breakdown is printed (`"0"` when zero) unless the
//! transaction is one of the ~half marked `omit_zero`, which prints non-zero fields only and
//! leaves out empty breakdowns, as real payloads vary. Fields outside the documented lists
//! (the never-seen `mystery_service_fee_amount`) are printed after the documented ones.

use serde_json::{json, Map, Value};

use crate::money::{self, Minor};
use crate::world::{Amounts, Parts, Txn};

/// `revenue_breakdown` fields.
pub(crate) const REVENUE: &[&str] = &[
    "subtotal_before_discount_amount",
    "seller_discount_amount",
    "refund_subtotal_before_discount_amount",
    "seller_discount_refund_amount",
    "cod_service_fee_amount",
    "refund_cod_service_fee_amount",
];

/// `fee_tax_breakdown.fee` fields (NODE-SDK 202501 model).
pub(crate) const FEE: &[&str] = &[
    "affiliate_ads_commission_amount",
    "affiliate_commission_amount",
    "affiliate_commission_amount_before_pit",
    "affiliate_commission_deposit",
    "affiliate_commission_release",
    "affiliate_partner_commission_amount",
    "bonus_cashback_service_fee_amount",
    "cofunded_creator_bonus_amount",
    "cofunded_promotion_service_fee_amount",
    "credit_card_handling_fee_amount",
    "dt_handling_fee_amount",
    "dynamic_commission_amount",
    "epr_pob_service_fee_amount",
    "external_affiliate_marketing_fee_amount",
    "fee_per_item_sold_amount",
    "flash_sales_service_fee_amount",
    "live_specials_fee_amount",
    "mall_service_fee_amount",
    "platform_commission_amount",
    "pre_order_service_fee_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "seller_paylater_handling_fee_amount",
    "sfp_service_fee_amount",
    "tap_shop_ads_commission",
    "transaction_fee_amount",
    "tsp_commission_amount",
    "vn_fix_infrastructure_fee",
    "voucher_xtra_service_fee_amount",
];

/// `fee_tax_breakdown.tax` fields.
pub(crate) const TAX: &[&str] = &[
    "anti_dumping_duty_amount",
    "customs_clearance_amount",
    "customs_duty_amount",
    "gst_amount",
    "import_vat_amount",
    "isr_amount",
    "iva_amount",
    "local_vat_amount",
    "pit_amount",
    "sst_amount",
    "vat_amount",
];

/// `shipping_cost_breakdown` fields (summed into `shipping_cost_amount`).
pub(crate) const SHIPPING: &[&str] = &[
    "actual_shipping_fee_amount",
    "customer_paid_shipping_fee_amount",
    "exchange_shipping_fee_amount",
    "failed_delivery_subsidy_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "replacement_shipping_fee_amount",
    "return_shipping_fee_amount",
    "return_shipping_fee_paid_buyer_amount",
    "return_shipping_label_fee_amount",
    "seller_self_shipping_service_fee_amount",
    "shipping_fee_discount_amount",
    "shipping_insurance_fee_amount",
    "signature_confirmation_fee_amount",
];

/// `shipping_cost_breakdown.supplementary_component` fields (parts, never summed).
pub(crate) const SHIPPING_SUPPLEMENTARY: &[&str] = &[
    "customer_shipping_fee_offset_amount",
    "fbm_shipping_cost_amount",
    "fbt_fulfillment_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "fbt_shipping_cost_amount",
    "platform_shipping_fee_discount_amount",
    "promo_shipping_incentive_amount",
    "refunded_customer_shipping_fee_amount",
    "return_refund_subsidy_amount",
    "seller_shipping_fee_discount_amount",
    "shipping_fee_subsidy_amount",
];

/// Transaction-level `supplementary_component` fields (informational).
pub(crate) const SUPPLEMENTARY: &[&str] = &[
    "customer_payment_amount",
    "customer_refund_amount",
    "platform_cofunded_discount_amount",
    "platform_cofunded_discount_refund_amount",
    "platform_discount_amount",
    "platform_discount_refund_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
    "seller_cofunded_discount_amount",
    "seller_cofunded_discount_refund_amount",
];

/// How to print amounts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) digits: u32,
    pub(crate) omit_zero: bool,
}

impl Style {
    /// The wire string of an amount.
    pub(crate) fn amount(self, v: Minor) -> Value {
        Value::String(money::wire(v, self.digits))
    }
}

/// A breakdown object from a documented field list and the actual parts.
pub(crate) fn group(parts: &Parts, fields: &[&str], style: Style) -> Map<String, Value> {
    let mut out = Map::new();
    for &field in fields {
        let v = parts.get(field);
        if v != 0 || !style.omit_zero {
            out.insert(field.to_owned(), style.amount(v));
        }
    }
    for (field, v) in parts.iter() {
        if !fields.contains(&field) && (v != 0 || !style.omit_zero) {
            out.insert(field.to_owned(), style.amount(v));
        }
    }
    out
}

fn put(obj: &mut Map<String, Value>, key: &str, value: Map<String, Value>, style: Style) {
    if !(style.omit_zero && value.is_empty()) {
        obj.insert(key.to_owned(), Value::Object(value));
    }
}

/// `fee_tax_breakdown.fee` fields of the 202507 unsettled model.
pub(crate) const FEE_202507: &[&str] = &[
    "affiliate_ads_commission_amount",
    "affiliate_commission_amount",
    "affiliate_commission_before_pit_amount",
    "affiliate_partner_commission_amount",
    "bonus_cashback_service_fee_amount",
    "credit_card_handling_fee_amount",
    "live_specials_fee_amount",
    "mall_service_fee_amount",
    "pit_withheld_from_ads_commission_amount",
    "platform_commission_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
    "sfp_service_fee_amount",
    "transaction_fee_amount",
];

/// `shipping_cost_breakdown` fields of the 202507 unsettled model.
pub(crate) const SHIPPING_202507: &[&str] = &[
    "actual_shipping_fee_amount",
    "customer_paid_shipping_fee_amount",
    "exchange_shipping_fee_amount",
    "replacement_shipping_fee_amount",
    "return_shipping_fee_amount",
    "shipping_fee_discount_amount",
    "shipping_insurance_fee_amount",
    "signature_confirmation_fee_amount",
];

/// Adds `revenue_breakdown`, `fee_tax_breakdown` and `shipping_cost_breakdown`.
pub(crate) fn breakdowns(obj: &mut Map<String, Value>, a: &Amounts, style: Style) {
    breakdowns_with(obj, a, style, FEE, SHIPPING);
}

/// [`breakdowns`] with the fee and shipping field lists of another API version.
pub(crate) fn breakdowns_with(
    obj: &mut Map<String, Value>,
    a: &Amounts,
    style: Style,
    fee_fields: &[&str],
    shipping_fields: &[&str],
) {
    put(
        obj,
        "revenue_breakdown",
        group(&a.revenue, REVENUE, style),
        style,
    );
    let fee = group(&a.fee, fee_fields, style);
    let tax = group(&a.tax, TAX, style);
    let mut fee_tax = Map::new();
    put(&mut fee_tax, "fee", fee, style);
    put(&mut fee_tax, "tax", tax, style);
    put(obj, "fee_tax_breakdown", fee_tax, style);
    let mut shipping = group(&a.shipping, shipping_fields, style);
    let supp = group(&a.shipping_supplementary, SHIPPING_SUPPLEMENTARY, style);
    put(&mut shipping, "supplementary_component", supp, style);
    put(obj, "shipping_cost_breakdown", shipping, style);
}

fn id_field(obj: &mut Map<String, Value>, key: &str, v: Option<&String>, style: Style) {
    match v {
        Some(v) => {
            obj.insert(key.to_owned(), json!(v));
        }
        None if !style.omit_zero => {
            obj.insert(key.to_owned(), json!(""));
        }
        None => {}
    }
}

/// One transaction of `GET /finance/202501/statements/{id}/statement_transactions`.
pub(crate) fn txn_202501(t: &Txn, digits: u32) -> Value {
    let style = Style {
        digits,
        omit_zero: t.omit_zero,
    };
    let a = &t.amounts;
    let mut o = Map::new();
    o.insert("id".to_owned(), json!(t.id));
    o.insert("type".to_owned(), json!(t.kind));
    id_field(&mut o, "order_id", t.order_id.as_ref(), style);
    o.insert("order_create_time".to_owned(), json!(t.order_create_time));
    id_field(&mut o, "adjustment_id", t.adjustment_id.as_ref(), style);
    id_field(&mut o, "adjustment_order_id", None, style);
    id_field(
        &mut o,
        "associated_order_id",
        t.associated_order_id.as_ref(),
        style,
    );
    o.insert("settlement_amount".to_owned(), style.amount(t.settlement()));
    o.insert("revenue_amount".to_owned(), style.amount(a.revenue()));
    o.insert("fee_tax_amount".to_owned(), style.amount(a.fee_tax()));
    o.insert(
        "shipping_cost_amount".to_owned(),
        style.amount(a.shipping_cost()),
    );
    o.insert("adjustment_amount".to_owned(), style.amount(t.adjustment));
    match &t.reserve {
        Some(r) => {
            o.insert("reserve_id".to_owned(), json!(r.id));
            o.insert("reserve_status".to_owned(), json!(r.status));
            o.insert("reserve_amount".to_owned(), style.amount(r.amount));
            // A string in the 202501 model (reference §3 conventions).
            o.insert(
                "estimated_release_time".to_owned(),
                json!(r.release_time.to_string()),
            );
        }
        None if !style.omit_zero => {
            o.insert("reserve_amount".to_owned(), style.amount(0));
        }
        None => {}
    }
    breakdowns(&mut o, a, style);
    put(
        &mut o,
        "supplementary_component",
        group(&a.supplementary, SUPPLEMENTARY, style),
        style,
    );
    Value::Object(o)
}
