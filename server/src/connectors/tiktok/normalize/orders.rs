//! Orders (202309 detail/search), affiliate orders (202410), statement and payment lists.
//!
//! Orders give the catalogue (TikTok SKU → seller SKU → master product), free samples, and
//! ESTIMATED sale lines per SKU until the order is settled. Affiliate orders give creator
//! attribution. The statement and payment lists give reported totals and which payment paid
//! which statement.

use std::collections::BTreeMap;

use super::{amount, time, Context};
use crate::connectors::tiktok::model::{
    AffiliateOrderList, AmountCurrency, OrderList, PaymentList, StatementList,
};
use crate::connectors::{
    Attribution, Failure, Granularity, Line, Normalized, PayoutInfo, PayoutKind, PayoutRef, SkuRef,
};
use crate::ledger::EntryStatus;
use crate::money::{Currency, Money};

/// Orders that never become money.
const NO_MONEY: &[&str] = &["UNPAID", "CANCELLED"];

/// Orders → listings, samples and ESTIMATED sale lines (per SKU: gross sales, seller discount).
pub fn orders_202309(data: &OrderList, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.orders.len(),
        ..Normalized::default()
    };
    for (index, order) in data.orders.iter().enumerate() {
        let position = format!("orders[{index}]");
        let sample = order.is_sample_order.unwrap_or(false);
        let occurred_at = time(order.create_time);
        // One line item per unit: group them by SKU.
        let mut skus: BTreeMap<&str, (SkuRef, i32, Money, Money)> = BTreeMap::new();
        let mut failed = false;
        for (line_index, item) in order.line_items.iter().enumerate() {
            let item_position = format!("{position}.line_items[{line_index}]");
            let currency = match item.currency.as_deref().map(Currency::parse) {
                None => ctx.currency,
                Some(Ok(currency)) => currency,
                Some(Err(error)) => {
                    out.failures.push(Failure {
                        position: format!("{item_position}.currency"),
                        reason: error.to_string(),
                    });
                    failed = true;
                    break;
                }
            };
            let price = amount(
                currency,
                item.original_price
                    .as_deref()
                    .or(item.sale_price.as_deref()),
                &format!("{item_position}.original_price"),
            );
            let discount = amount(
                currency,
                item.seller_discount.as_deref(),
                &format!("{item_position}.seller_discount"),
            );
            let (price, discount) = match (price, discount) {
                (Ok(price), Ok(discount)) => (
                    price.unwrap_or_else(|| Money::zero(currency)),
                    discount.unwrap_or_else(|| Money::zero(currency)),
                ),
                (Err(failure), _) | (_, Err(failure)) => {
                    out.failures.push(failure);
                    failed = true;
                    break;
                }
            };
            let entry = skus.entry(item.sku_id.as_str()).or_insert_with(|| {
                (
                    SkuRef {
                        channel_sku_id: item.sku_id.clone(),
                        seller_sku: item.seller_sku.clone(),
                        channel_product_id: item.product_id.clone(),
                        name: item.sku_name.clone().or_else(|| item.product_name.clone()),
                    },
                    0,
                    Money::zero(currency),
                    Money::zero(currency),
                )
            });
            entry.1 += 1;
            match (entry.2.checked_add(price), entry.3.checked_add(discount)) {
                (Ok(gross), Ok(discounts)) => {
                    entry.2 = gross;
                    entry.3 = discounts;
                }
                _ => {
                    out.failures.push(Failure {
                        position: item_position,
                        reason: "amounts overflow or mix currencies".to_owned(),
                    });
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            continue;
        }
        let money = !sample
            && !order
                .status
                .as_deref()
                .is_some_and(|status| NO_MONEY.contains(&status));
        for (sku, quantity, gross, discount) in skus.into_values() {
            out.listings.push(sku.clone());
            if sample {
                out.attributions.push(Attribution {
                    order_id: order.id.clone(),
                    sku: Some(sku.clone()),
                    creator: None,
                    content_type: None,
                    commission_rate: None,
                    shop_ads_commission_rate: None,
                    estimated_commission: None,
                    actual_commission: None,
                    quantity,
                    is_sample: true,
                    occurred_at,
                });
            }
            let Some(occurred_at) = occurred_at.filter(|_| money) else {
                continue;
            };
            let key = format!("tiktok:est:ord:{}:sku:{}", order.id, sku.channel_sku_id);
            for (label, value, units) in [
                ("subtotal_before_discount_amount", gross, quantity),
                // Seller-funded discounts reduce what the seller receives.
                ("seller_discount_amount", -magnitude(discount), 0),
            ] {
                if value.is_zero() {
                    continue;
                }
                let mapping = ctx
                    .mapper
                    .resolve(crate::connectors::tiktok::CHANNEL, label);
                out.lines.push(Line {
                    entry_key: format!("{key}:{label}"),
                    order_id: Some(order.id.clone()),
                    sku: Some(sku.clone()),
                    creator: None,
                    bucket: mapping.bucket,
                    label: label.to_owned(),
                    mapped: mapping.mapped,
                    amount: value,
                    quantity: units,
                    occurred_at,
                    status: EntryStatus::Estimated,
                    payout: None,
                    granularity: Granularity::Sku,
                    statement: None,
                    product: None,
                    excluded_by: None,
                    replaces: Vec::new(),
                });
            }
        }
    }
    out
}

/// The size of an amount whatever its sign (discounts arrive positive or negative).
fn magnitude(money: Money) -> Money {
    if money.amount().is_sign_negative() {
        -money
    } else {
        money
    }
}

fn commission(
    value: Option<&AmountCurrency>,
    fallback: Currency,
    position: &str,
) -> Result<Option<Money>, Failure> {
    let Some(value) = value else { return Ok(None) };
    let currency = match value.currency.as_deref().map(Currency::parse) {
        None => fallback,
        Some(Ok(currency)) => currency,
        Some(Err(error)) => {
            return Err(Failure {
                position: format!("{position}.currency"),
                reason: error.to_string(),
            })
        }
    };
    amount(
        currency,
        value.amount.as_deref(),
        &format!("{position}.amount"),
    )
}

/// A rate in hundredths of a percent (`1550`) as a decimal percent string (`15.50`).
fn percent(rate: Option<&str>, position: &str) -> Result<Option<String>, Failure> {
    let Some(rate) = rate.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let value: rust_decimal::Decimal = rate.parse().map_err(|_| Failure {
        position: position.to_owned(),
        reason: format!("not a number: {rate:?}"),
    })?;
    let percent = (value / rust_decimal::Decimal::from(100))
        .round_dp(4)
        .normalize()
        .to_string();
    // Stored in 16 characters: far more than any real rate needs.
    if percent.len() > 16 {
        return Err(Failure {
            position: position.to_owned(),
            reason: format!("out of range: {rate:?}"),
        });
    }
    Ok(Some(percent))
}

/// A status or content type as the channel sent it, refused past the 32 characters the
/// database keeps (PostgreSQL would refuse the whole file; SQLite would keep it).
fn code(text: Option<&String>, position: &str) -> Result<Option<String>, Failure> {
    match text {
        Some(text) if text.chars().count() > 32 => Err(Failure {
            position: position.to_owned(),
            reason: format!(
                "longer than 32 characters: {:?}…",
                text.chars().take(32).collect::<String>()
            ),
        }),
        other => Ok(other.cloned()),
    }
}

/// Affiliate orders → creator attribution per SKU (commission rates, estimated and actual
/// commission).
pub fn affiliate_orders_202410(data: &AffiliateOrderList, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized::default();
    for (index, order) in data.orders.iter().enumerate() {
        for (sku_index, sku) in order.skus.iter().enumerate() {
            out.rows += 1;
            let position = format!("orders[{index}].skus[{sku_index}]");
            let result = (|| -> Result<Attribution, Failure> {
                Ok(Attribution {
                    order_id: order.id.clone(),
                    sku: sku.sku_id.clone().map(|sku_id| SkuRef {
                        channel_sku_id: sku_id,
                        seller_sku: None,
                        channel_product_id: sku.product_id.clone(),
                        name: None,
                    }),
                    creator: sku.creator_username.clone().filter(|name| !name.is_empty()),
                    content_type: code(
                        sku.content_type.as_ref(),
                        &format!("{position}.content_type"),
                    )?,
                    commission_rate: percent(
                        sku.commission_rate.as_deref(),
                        &format!("{position}.commission_rate"),
                    )?,
                    shop_ads_commission_rate: percent(
                        sku.shop_ads_commission_rate.as_deref(),
                        &format!("{position}.shop_ads_commission_rate"),
                    )?,
                    estimated_commission: commission(
                        sku.estimated_paid_commission.as_ref(),
                        ctx.currency,
                        &format!("{position}.estimated_paid_commission"),
                    )?,
                    actual_commission: commission(
                        sku.actual_paid_commission.as_ref(),
                        ctx.currency,
                        &format!("{position}.actual_paid_commission"),
                    )?,
                    quantity: sku
                        .quantity
                        .as_deref()
                        .and_then(|q| q.trim().parse().ok())
                        .unwrap_or(0),
                    is_sample: false,
                    occurred_at: time(order.create_time),
                })
            })();
            match result {
                Ok(attribution) => out.attributions.push(attribution),
                Err(failure) => out.failures.push(failure),
            }
        }
    }
    out
}

/// The statement list → statement payouts (reported `settlement_amount`, linked to payments).
pub fn statements_202309(data: &StatementList, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.statements.len(),
        ..Normalized::default()
    };
    for (index, statement) in data.statements.iter().enumerate() {
        let position = format!("statements[{index}]");
        let currency = match Currency::parse(&statement.currency) {
            Ok(currency) => currency,
            Err(error) => {
                out.failures.push(Failure {
                    position: format!("{position}.currency"),
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let payment_status = &format!("{position}.payment_status");
        let status = match code(statement.payment_status.as_ref(), payment_status) {
            Ok(status) => status.unwrap_or_else(|| "SETTLED".to_owned()),
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        match amount(
            currency,
            statement.settlement_amount.as_deref(),
            &format!("{position}.settlement_amount"),
        ) {
            Ok(Some(reported)) => {
                let end = time(statement.statement_time);
                out.payouts.push(PayoutInfo {
                    reference: PayoutRef {
                        kind: PayoutKind::Statement,
                        external_id: statement.id.clone(),
                    },
                    reported,
                    period_start: end.and_then(|t| t.checked_sub_signed(chrono::Duration::days(1))),
                    period_end: end,
                    paid_at: None,
                    status: Some(status),
                    parent: statement.payment_id.clone().map(|id| PayoutRef {
                        kind: PayoutKind::Payment,
                        external_id: id,
                    }),
                    same_period: false,
                });
            }
            Ok(None) => out.failures.push(Failure {
                position,
                reason: "no settlement_amount".to_owned(),
            }),
            Err(failure) => out.failures.push(failure),
        }
    }
    let _ = ctx;
    out
}

/// The payment list → payment payouts.
pub fn payments_202309(data: &PaymentList, _ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.payments.len(),
        ..Normalized::default()
    };
    for (index, payment) in data.payments.iter().enumerate() {
        let position = format!("payments[{index}].amount");
        let currency = match Currency::parse(&payment.amount.currency) {
            Ok(currency) => currency,
            Err(error) => {
                out.failures.push(Failure {
                    position: format!("{position}.currency"),
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let status = match code(
            payment.status.as_ref(),
            &format!("payments[{index}].status"),
        ) {
            Ok(status) => status.unwrap_or_else(|| "PROCESSING".to_owned()),
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        match amount(
            currency,
            payment.amount.value.as_deref(),
            &format!("{position}.value"),
        ) {
            Ok(Some(reported)) => out.payouts.push(PayoutInfo {
                reference: PayoutRef {
                    kind: PayoutKind::Payment,
                    external_id: payment.id.clone(),
                },
                reported,
                period_start: None,
                period_end: time(payment.create_time),
                paid_at: time(payment.paid_time),
                status: Some(status),
                parent: None,
                same_period: false,
            }),
            Ok(None) => out.failures.push(Failure {
                position,
                reason: "no amount".to_owned(),
            }),
            Err(failure) => out.failures.push(failure),
        }
    }
    out
}
