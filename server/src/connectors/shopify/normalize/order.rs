//! An order → listings and ESTIMATED lines (sale components, processing fees, refunds), and
//! the components a balance transaction's gross is split into (the same ones, so the settled
//! split books to the same buckets as the estimate it replaces).
//!
//! Orders paid through other gateways (PayPal, manual, cash on delivery, gift cards) have no
//! Shopify Payments balance transaction: their settlement happens outside Shopify Payments'
//! reach, so their lines stay ESTIMATED for good (the gateway is named in the fee lines' keys,
//! and `paymentGatewayNames` stays on the stored order).

use super::refund::{offline_refund, refund_components};
use super::{add, money_bag, money_v2, sub, total, Component, Context, LineSpec};
use crate::connectors::shopify::model::{gid_tail, LineItem, Order};
use crate::connectors::{Failure, Granularity, Normalized, SkuRef};
use crate::ledger::EntryStatus;
use crate::money::Money;

/// Financial states in which no money moved and none will: an authorisation that was voided
/// or expired. Such orders post nothing (they still count as rows read).
const NO_MONEY: &[&str] = &["VOIDED", "EXPIRED"];

/// Transaction kinds that take the buyer's money (their fees are processing costs).
const PAID: &[&str] = &["SALE", "CAPTURE"];

/// One order → its listings and ESTIMATED lines (`order_id` = its `legacyResourceId`).
///
/// Test orders and voided/expired ones post nothing: no money moved.
pub fn order(order: &Order, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: 1,
        ..Normalized::default()
    };
    // A test order is Shopify's bogus gateway: no product left and no money moved.
    if order.test {
        return out;
    }
    out.listings = order.line_items.nodes.iter().map(sku_of).collect();
    let status = order
        .display_financial_status
        .as_deref()
        .unwrap_or_default();
    if NO_MONEY.contains(&status) {
        return out;
    }
    let order_id = order.order_id();
    let position = format!("order {order_id}");
    let Some(occurred_at) = order.processed_at.or(order.created_at) else {
        out.failures.push(Failure {
            position: format!("{position}.processedAt"),
            reason: "the order has neither processedAt nor createdAt".to_owned(),
        });
        return out;
    };
    let lines = (|| {
        let prefix = format!("shopify:est:ord:{order_id}:");
        let spec = LineSpec {
            key_prefix: &prefix,
            order_id: Some(&order_id),
            occurred_at,
            status: EntryStatus::Estimated,
            payout: None,
            granularity: Granularity::Order,
            statement: None,
        };
        let mut lines = Vec::new();
        let mut parts = sale_components(order, ctx)?;
        parts.extend(fee_components(order, ctx)?);
        lines.extend(parts.into_iter().map(|part| super::line(ctx, &spec, part)));
        let offline_prefix = format!("shopify:est:offline:{order_id}:");
        for refund in &order.refunds {
            let occurred_at = refund.created_at.unwrap_or(occurred_at);
            // A refund Shopify Payments will never report (store credit, gift card, cash) of an
            // order it settles: out of the `:ord:` set, so the settled charge does not retire
            // it, and standalone, so the order being settled does not stop it being posted.
            let spec = if offline_refund(order, refund) {
                LineSpec {
                    key_prefix: &offline_prefix,
                    occurred_at,
                    granularity: Granularity::Standalone,
                    ..spec
                }
            } else {
                LineSpec {
                    occurred_at,
                    ..spec
                }
            };
            let parts = refund_components(order, refund, ctx)?;
            lines.extend(parts.into_iter().map(|part| super::line(ctx, &spec, part)));
        }
        Ok::<_, Failure>(lines)
    })();
    match lines {
        Ok(lines) => out.lines = lines,
        Err(mut failure) => {
            failure.position = format!("{position}: {}", failure.position);
            out.failures.push(failure);
        }
    }
    out
}

/// The listing a line item sells: its variant (the line item itself for custom items).
pub(crate) fn sku_of(item: &LineItem) -> SkuRef {
    let variant_id = item
        .variant
        .as_ref()
        .and_then(|variant| variant.legacy_resource_id.as_ref().map(|id| id.0.clone()));
    SkuRef {
        channel_sku_id: variant_id.unwrap_or_else(|| gid_tail(&item.id).to_owned()),
        seller_sku: item
            .sku
            .clone()
            .or_else(|| item.variant.as_ref().and_then(|v| v.sku.clone()))
            .filter(|sku| !sku.trim().is_empty()),
        channel_product_id: item
            .product
            .as_ref()
            .and_then(|product| product.legacy_resource_id.as_ref().map(|id| id.0.clone())),
        name: item.name.clone(),
    }
}

pub(super) fn units(quantity: i64, position: &str) -> Result<i32, Failure> {
    i32::try_from(quantity).map_err(|_| Failure {
        position: position.to_owned(),
        reason: format!("{quantity} is not a plausible number of units"),
    })
}

pub(super) fn part(key: String, label: &'static str, amount: Money) -> Component {
    Component {
        key,
        label,
        amount,
        sku: None,
        quantity: 0,
    }
}

/// Σ of `bags` at `position[i]`.
fn sum_bags<'a>(
    bags: impl Iterator<Item = &'a crate::connectors::shopify::model::MoneyBag>,
    ctx: &Context<'_>,
    position: &str,
) -> Result<Money, Failure> {
    let mut sum = Money::zero(ctx.currency);
    for (index, bag) in bags.enumerate() {
        let value = money_bag(Some(bag), ctx, &format!("{position}[{index}]"))?;
        sum = add(sum, value, position)?;
    }
    Ok(sum)
}

/// What the buyer paid, as components: per line item its sales, discounts and taxes; per
/// shipping line its income, discounts and taxes; the tip; and whatever else makes them add up
/// to `totalPriceSet` (`order_remainder`).
pub(crate) fn sale_components(order: &Order, ctx: &Context<'_>) -> Result<Vec<Component>, Failure> {
    let mut parts = Vec::new();
    for (index, item) in order.line_items.nodes.iter().enumerate() {
        let at = format!("lineItems.nodes[{index}]");
        let id = gid_tail(&item.id);
        let quantity = units(item.quantity, &format!("{at}.quantity"))?;
        let unit = money_bag(
            item.original_unit_price_set.as_ref(),
            ctx,
            &format!("{at}.originalUnitPriceSet"),
        )?;
        let gross = unit
            .checked_mul_int(item.quantity)
            .map_err(|error| Failure {
                position: format!("{at}.quantity"),
                reason: error.to_string(),
            })?;
        let discount = sum_bags(
            item.discount_allocations
                .iter()
                .map(|d| &d.allocated_amount_set),
            ctx,
            &format!("{at}.discountAllocations"),
        )?;
        let tax = sum_bags(
            item.tax_lines.iter().map(|t| &t.price_set),
            ctx,
            &format!("{at}.taxLines"),
        )?;
        // With taxesIncluded the price holds the tax: the sale is the rest, so sales + tax is
        // still what the buyer paid.
        let sales = if order.taxes_included {
            sub(gross, tax, &at)?
        } else {
            gross
        };
        let sku = sku_of(item);
        parts.push(Component {
            key: format!("line:{id}:sales"),
            label: "line_item",
            amount: sales,
            sku: Some(sku.clone()),
            quantity,
        });
        for (kind, label, amount) in [("discount", "discount", -discount), ("tax", "tax", tax)] {
            parts.push(Component {
                key: format!("line:{id}:{kind}"),
                label,
                amount,
                sku: Some(sku.clone()),
                quantity: 0,
            });
        }
    }
    for (index, shipping) in order.shipping_lines.nodes.iter().enumerate() {
        let at = format!("shippingLines.nodes[{index}]");
        let id = shipping
            .id
            .as_deref()
            .map_or_else(|| index.to_string(), |id| gid_tail(id).to_owned());
        let price = money_bag(
            shipping.original_price_set.as_ref(),
            ctx,
            &format!("{at}.originalPriceSet"),
        )?;
        let discount = sum_bags(
            shipping
                .discount_allocations
                .iter()
                .map(|d| &d.allocated_amount_set),
            ctx,
            &format!("{at}.discountAllocations"),
        )?;
        let tax = sum_bags(
            shipping.tax_lines.iter().map(|t| &t.price_set),
            ctx,
            &format!("{at}.taxLines"),
        )?;
        let income = if order.taxes_included {
            sub(price, tax, &at)?
        } else {
            price
        };
        parts.push(part(format!("shipping:{id}:income"), "shipping", income));
        parts.push(part(
            format!("shipping:{id}:discount"),
            "shipping_discount",
            -discount,
        ));
        parts.push(part(format!("shipping:{id}:tax"), "shipping_tax", tax));
    }
    let tip = money_bag(
        order.total_tip_received_set.as_ref(),
        ctx,
        "totalTipReceivedSet",
    )?;
    parts.push(part("tip".to_owned(), "tip", tip));
    if let Some(paid) = order.total_price_set.as_ref() {
        let paid = money_bag(Some(paid), ctx, "totalPriceSet")?;
        let remainder = sub(paid, total(&parts, ctx.currency)?, "totalPriceSet")?;
        parts.push(part("remainder".to_owned(), "order_remainder", remainder));
    }
    Ok(keep(parts))
}

/// Drops zero components, except a sales line that carries units (a free item still sells a
/// unit, which COGS needs).
pub(super) fn keep(parts: Vec<Component>) -> Vec<Component> {
    parts
        .into_iter()
        .filter(|part| !part.amount.is_zero() || part.quantity != 0)
        .collect()
}

/// Processing fees of the payments that took the buyer's money (successful SALE / CAPTURE,
/// not test), negative. Fee tax is not added: whether `amount` includes it is [U], and the
/// balance transaction's `fee` settles the exact figure.
fn fee_components(order: &Order, ctx: &Context<'_>) -> Result<Vec<Component>, Failure> {
    let mut parts = Vec::new();
    for (index, transaction) in order.transactions.iter().enumerate() {
        let kind = transaction.kind.as_deref().unwrap_or_default();
        let status = transaction.status.as_deref().unwrap_or_default();
        if transaction.test || !PAID.contains(&kind) || status != "SUCCESS" {
            continue;
        }
        let gateway = transaction.gateway.as_deref().unwrap_or("unknown");
        let id = gid_tail(&transaction.id);
        for (fee_index, fee) in transaction.fees.iter().enumerate() {
            let at = format!("transactions[{index}].fees[{fee_index}].amount");
            let amount = money_v2(&fee.amount, ctx, &at)?;
            let fee_id = fee
                .id
                .as_deref()
                .map_or_else(|| fee_index.to_string(), |id| gid_tail(id).to_owned());
            // The gateway is in the key: fees of other gateways stay estimates for good.
            parts.push(part(
                format!("txn:{gateway}:{id}:fee:{fee_id}"),
                "transaction_fee",
                -amount,
            ));
        }
    }
    Ok(keep(parts))
}
