//! 202309 flat statement and order transactions (US/UK local sellers).
//!
//! Flat rows put every money field side by side; the documented totals say which fields make up
//! which group (reference §3.3):
//! `net_sales = gross_sales + gross_sales_refund + seller_discount + seller_discount_refund`;
//! `settlement = net_sales + shipping_cost + fee + adjustment` (UK/US), or
//! `settlement = revenue + fee + adjustment` (elsewhere). Fields renamed in 202501 are mapped to their
//! 202501 names, so a statement read in either version produces the same entry keys.

use serde_json::Value;

use super::finance::{finish, lines, LineSpec};
use super::{amount, components, explain, time, Context};
use crate::connectors::tiktok::model::{Fields, OrderTransactions2309, StatementTransactions2309};
use crate::connectors::{
    Failure, Granularity, Normalized, PayoutInfo, PayoutKind, PayoutRef, SkuRef,
};
use crate::ledger::EntryStatus;
use crate::money::{Currency, Money};

/// 202309 names whose 202501 equivalent is spelled differently.
const ALIASES: &[(&str, &str)] = &[
    ("gross_sales_amount", "subtotal_before_discount_amount"),
    (
        "gross_sales_refund_amount",
        "refund_subtotal_before_discount_amount",
    ),
    (
        "affiliate_commission_before_pit",
        "affiliate_commission_amount_before_pit",
    ),
];

const NET_SALES: &[&str] = &[
    "gross_sales_amount",
    "gross_sales_refund_amount",
    "seller_discount_amount",
    "seller_discount_refund_amount",
];

const SHIPPING: &[&str] = &[
    "shipping_fee_amount",
    "actual_shipping_fee_amount",
    "actual_return_shipping_fee_amount",
    "return_shipping_fee_amount",
    "customer_shipping_fee_amount",
    "customer_paid_shipping_fee_amount",
    "customer_paid_shipping_fee_refund_amount",
    "customer_shipping_fee_offset_amount",
    "platform_shipping_fee_discount_amount",
    "shipping_cost_discount_amount",
    "refund_shipping_cost_discount_amount",
    "shipping_fee_subsidy_amount",
    "promo_shipping_incentive_amount",
    "shipping_insurance_fee_amount",
    "signature_confirmation_fee_amount",
    "fbm_shipping_cost_amount",
    "fbt_shipping_cost_amount",
    "fbt_fulfillment_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
];

/// Totals, and amounts that describe the buyer's side or pass-through taxes: never components.
const NOT_COMPONENTS: &[&str] = &[
    "settlement_amount",
    "revenue_amount",
    "net_sales_amount",
    "fee_amount",
    "shipping_cost_amount",
    "adjustment_amount",
    "after_seller_discounts_subtotal_amount",
    "customer_payment_amount",
    "customer_refund_amount",
    "customer_order_refund_amount",
    "platform_discount_amount",
    "platform_discount_refund_amount",
    "platform_refund_subsidy_amount",
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
    "quantity",
];

fn text(row: &Fields, key: &str) -> Option<String> {
    match row.get(key)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn canonical(name: &str) -> String {
    ALIASES
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new)
        .to_owned()
}

/// The components of one flat row, adding up to its settlement amount.
fn flat_parts(
    currency: Currency,
    row: &Fields,
    adjustment_label: &str,
    position: &str,
) -> Result<Vec<(String, Money)>, Failure> {
    let money = |key: &str| {
        amount(
            currency,
            text(row, key).as_deref(),
            &format!("{position}.{key}"),
        )
    };
    let pick = |names: &[&str]| -> Fields {
        row.iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let rest: Fields = row
        .iter()
        .filter(|(k, v)| {
            !NET_SALES.contains(&k.as_str())
                && !SHIPPING.contains(&k.as_str())
                && !NOT_COMPONENTS.contains(&k.as_str())
                && (k.ends_with("_amount") || k.ends_with("_before_pit") || k.ends_with("_fee"))
                && !v.is_object()
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let renamed = |parts: Vec<(String, Money)>| {
        parts
            .into_iter()
            .map(|(k, m)| (canonical(&k), m))
            .collect::<Vec<_>>()
    };

    let sales_total = money("net_sales_amount")?.or(money("revenue_amount")?);
    let mut all = explain(
        currency,
        "net_sales_amount",
        sales_total,
        renamed(components(currency, Some(&pick(NET_SALES)), position)?),
    )?;
    all.extend(explain(
        currency,
        "fee_amount",
        money("fee_amount")?,
        renamed(components(currency, Some(&rest), position)?),
    )?);
    // Several flat shipping fields restate parts of others; when they do not add up to the
    // group total, the total is booked as one shipping line instead of guessing a subset.
    let shipping_total = money("shipping_cost_amount")?;
    let shipping = components(currency, Some(&pick(SHIPPING)), position)?;
    let shipping = explain(
        currency,
        "shipping_cost_amount",
        shipping_total,
        shipping.clone(),
    )
    .ok()
    .filter(|parts| parts.len() == shipping.len())
    .unwrap_or_else(|| {
        shipping_total
            .filter(|m| !m.is_zero())
            .map(|m| ("shipping_cost_amount".to_owned(), m))
            .into_iter()
            .collect()
    });
    all.extend(shipping);
    if let Some(adjustment) = money("adjustment_amount")?.filter(|m| !m.is_zero()) {
        all.push((adjustment_label.to_owned(), adjustment));
    }
    explain(
        currency,
        "settlement_amount",
        money("settlement_amount")?,
        all,
    )
}

/// A 202309 statement's flat transactions → the same lines as its 202501 form.
pub fn statement_transactions_2309(
    data: &StatementTransactions2309,
    ctx: &Context<'_>,
) -> Normalized {
    let mut out = Normalized {
        rows: data.statement_transactions.len(),
        ..Normalized::default()
    };
    let statement_time = time(data.statement_time);
    let mut all = Vec::new();
    for (index, row) in data.statement_transactions.iter().enumerate() {
        let position = format!("statement_transactions[{index}]");
        let kind = text(row, "type").unwrap_or_else(|| "ORDER".to_owned());
        let order_id = text(row, "order_id");
        let order = kind.eq_ignore_ascii_case("ORDER");
        let adjustment_label = if order {
            "adjustment_amount".to_owned()
        } else {
            kind.clone()
        };
        let parts = match flat_parts(ctx.currency, row, &adjustment_label, &position) {
            Ok(parts) => parts,
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        let order_time = row.get("order_create_time").and_then(Value::as_i64);
        let Some(occurred_at) = (if order {
            time(order_time).or(statement_time)
        } else {
            statement_time
        }) else {
            out.failures.push(Failure {
                position,
                reason: "no order_create_time and no statement_time".to_owned(),
            });
            continue;
        };
        let tx_id = text(row, "id").unwrap_or_else(|| format!("row{index}"));
        let (key_prefix, line_order, granularity) = if order {
            let order_id = order_id.clone().unwrap_or_else(|| tx_id.clone());
            (
                format!("tiktok:st:{}:ord:{order_id}", data.statement_id),
                Some(order_id),
                Granularity::Order,
            )
        } else {
            let related = text(row, "adjustment_order_id").or(order_id.clone());
            (
                format!("tiktok:st:{}:tx:{tx_id}", data.statement_id),
                related,
                Granularity::Standalone,
            )
        };
        let spec = LineSpec {
            key_prefix,
            order_id: line_order.as_deref(),
            sku: None,
            quantity: 0,
            occurred_at,
            status: EntryStatus::Settled,
            statement: Some(&data.statement_id),
            granularity,
        };
        all.extend(lines(ctx, &spec, parts));
    }
    finish(&mut out, all);
    match amount(
        ctx.currency,
        data.settlement_amount.as_deref(),
        "settlement_amount",
    ) {
        Ok(Some(reported)) => out.payouts.push(PayoutInfo {
            reference: PayoutRef {
                kind: PayoutKind::Statement,
                external_id: data.statement_id.clone(),
            },
            reported,
            period_start: statement_time
                .and_then(|t| t.checked_sub_signed(chrono::Duration::days(1))),
            period_end: statement_time,
            paid_at: None,
            status: None,
            parent: None,
            same_period: false,
        }),
        Ok(None) => {}
        Err(failure) => out.failures.push(failure),
    }
    out
}

/// An order's 202309 settlement rows with their SKU rows → SKU-level lines.
pub fn order_transactions_2309(data: &OrderTransactions2309, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized::default();
    let mut all = Vec::new();
    let order_time = time(data.order_create_time);
    for (index, statement_row) in data.statement_transactions.iter().enumerate() {
        let Some(statement) = text(statement_row, "statement_id") else {
            continue;
        };
        let skus = statement_row
            .get("sku_statement_transactions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (sku_index, sku_row) in skus.iter().enumerate() {
            out.rows += 1;
            let position =
                format!("statement_transactions[{index}].sku_statement_transactions[{sku_index}]");
            let Some(sku_row) = sku_row.as_object() else {
                out.failures.push(Failure {
                    position,
                    reason: "not an object".to_owned(),
                });
                continue;
            };
            let Some(sku_id) = text(sku_row, "sku_id") else {
                out.failures.push(Failure {
                    position: format!("{position}.sku_id"),
                    reason: "missing".to_owned(),
                });
                continue;
            };
            let parts = match flat_parts(ctx.currency, sku_row, "adjustment_amount", &position) {
                Ok(parts) => parts,
                Err(failure) => {
                    out.failures.push(failure);
                    continue;
                }
            };
            let Some(occurred_at) = order_time
                .or_else(|| time(statement_row.get("statement_time").and_then(Value::as_i64)))
            else {
                out.failures.push(Failure {
                    position,
                    reason: "no order_create_time".to_owned(),
                });
                continue;
            };
            let quantity = sku_row
                .get("quantity")
                .and_then(Value::as_i64)
                .and_then(|q| i32::try_from(q).ok())
                // Units are never negative (a refund negates them, which i32::MIN cannot take).
                .filter(|q| *q >= 0)
                .unwrap_or(0);
            let spec = LineSpec {
                key_prefix: format!("tiktok:st:{statement}:ord:{}:sku:{sku_id}", data.order_id),
                order_id: Some(&data.order_id),
                sku: Some(SkuRef {
                    channel_sku_id: sku_id.clone(),
                    seller_sku: None,
                    channel_product_id: None,
                    name: text(sku_row, "sku_name").or_else(|| text(sku_row, "product_name")),
                }),
                quantity,
                occurred_at,
                status: EntryStatus::Settled,
                statement: Some(&statement),
                granularity: Granularity::Sku,
            };
            all.extend(lines(ctx, &spec, parts));
        }
    }
    finish(&mut out, all);
    out
}
