//! A refund's components, and whether Shopify Payments will ever report it.

use super::order::{keep, part, sku_of, units};
use super::{money_bag, sub, total, Component, Context};
use crate::connectors::shopify::model::{gid_tail, Order, Refund};
use crate::connectors::{Failure, SkuRef};

/// Restock types that put the units back into stock (COGS gives them back).
const RESTOCKING: &[&str] = &["RETURN", "CANCEL", "LEGACY_RESTOCK"];

/// The gateway of Shopify Payments: its money is settled by balance transactions.
pub(crate) const SHOPIFY_PAYMENTS: &str = "shopify_payments";

/// Whether `refund` went back through another gateway than Shopify Payments on an order that
/// Shopify Payments took money for: no REFUND balance transaction will ever describe it.
/// Unknown (no transactions read, as in a bulk export) counts as Shopify Payments'.
pub(crate) fn offline_refund(order: &Order, refund: &Refund) -> bool {
    let settled_by_payments = order
        .payment_gateway_names
        .iter()
        .any(|gateway| gateway == SHOPIFY_PAYMENTS);
    let gateways: Vec<&str> = refund
        .transactions
        .nodes
        .iter()
        .filter_map(|transaction| transaction.gateway.as_deref())
        .collect();
    settled_by_payments
        && !gateways.is_empty()
        && gateways.iter().all(|gateway| *gateway != SHOPIFY_PAYMENTS)
}

/// A refund's components (negative: money back to the buyer): per refunded line its principal
/// (units back to stock when restocked, the TikTok convention: −units on the refund line) and
/// tax, per refunded shipping line its income and tax, and `refund_adjustment`: whatever makes
/// them add up to −`totalRefundedSet` (order adjustments, whose sign is [O]/[U], and anything
/// else Shopify refunds).
pub(crate) fn refund_components(
    order: &Order,
    refund: &Refund,
    ctx: &Context<'_>,
) -> Result<Vec<Component>, Failure> {
    let refund_id = refund.refund_id();
    let at = format!("refunds[{refund_id}]");
    let mut parts = Vec::new();
    for (index, item) in refund.refund_line_items.nodes.iter().enumerate() {
        let item_at = format!("{at}.refundLineItems.nodes[{index}]");
        let Some(line_id) = item
            .line_item
            .as_ref()
            .map(|line| gid_tail(&line.id))
            .or_else(|| item.id.as_deref().map(gid_tail))
        else {
            return Err(Failure {
                position: item_at,
                reason: "a refund line item with neither its id nor its line item".to_owned(),
            });
        };
        let id = item
            .id
            .as_deref()
            .map_or_else(|| line_id.to_owned(), |id| gid_tail(id).to_owned());
        let subtotal = money_bag(
            item.subtotal_set.as_ref(),
            ctx,
            &format!("{item_at}.subtotalSet"),
        )?;
        let tax = money_bag(
            item.total_tax_set.as_ref(),
            ctx,
            &format!("{item_at}.totalTaxSet"),
        )?;
        // [U] with taxesIncluded the refunded subtotal holds its tax, as the price did.
        let principal = if order.taxes_included {
            sub(subtotal, tax, &item_at)?
        } else {
            subtotal
        };
        let restocked = item.restocked.unwrap_or_else(|| {
            item.restock_type
                .as_deref()
                .is_some_and(|kind| RESTOCKING.contains(&kind))
        });
        let quantity = if restocked {
            -units(item.quantity, &format!("{item_at}.quantity"))?
        } else {
            0
        };
        let sku = order
            .line_items
            .nodes
            .iter()
            .find(|line| gid_tail(&line.id) == line_id)
            .map_or_else(
                || SkuRef {
                    channel_sku_id: line_id.to_owned(),
                    seller_sku: item.line_item.as_ref().and_then(|line| line.sku.clone()),
                    channel_product_id: None,
                    name: None,
                },
                sku_of,
            );
        parts.push(Component {
            key: format!("refund:{refund_id}:line:{id}:subtotal"),
            label: "refund_line_item",
            amount: -principal,
            sku: Some(sku.clone()),
            quantity,
        });
        parts.push(Component {
            key: format!("refund:{refund_id}:line:{id}:tax"),
            label: "refund_tax",
            amount: -tax,
            sku: Some(sku),
            quantity: 0,
        });
    }
    for (index, shipping) in refund.refund_shipping_lines.nodes.iter().enumerate() {
        let ship_at = format!("{at}.refundShippingLines.nodes[{index}]");
        let id = shipping
            .id
            .as_deref()
            .map_or_else(|| index.to_string(), |id| gid_tail(id).to_owned());
        let subtotal = money_bag(
            shipping.subtotal_amount_set.as_ref(),
            ctx,
            &format!("{ship_at}.subtotalAmountSet"),
        )?;
        let tax = money_bag(
            shipping.tax_amount_set.as_ref(),
            ctx,
            &format!("{ship_at}.taxAmountSet"),
        )?;
        let income = if order.taxes_included {
            sub(subtotal, tax, &ship_at)?
        } else {
            subtotal
        };
        parts.push(part(
            format!("refund:{refund_id}:shipping:{id}:subtotal"),
            "refund_shipping",
            -income,
        ));
        parts.push(part(
            format!("refund:{refund_id}:shipping:{id}:tax"),
            "refund_shipping_tax",
            -tax,
        ));
    }
    let adjustment = match refund.total_refunded_set.as_ref() {
        Some(refunded) => {
            let refunded = money_bag(Some(refunded), ctx, &format!("{at}.totalRefundedSet"))?;
            let remainder = sub(-refunded, total(&parts, ctx.currency)?, &at)?;
            Some(part(
                format!("refund:{refund_id}:adjustment"),
                "refund_adjustment",
                remainder,
            ))
        }
        None => None,
    };
    // A refund read without its details (a bulk export lists refunds without their lines)
    // posts whole as its adjustment; read again with them, that adjustment must become zero,
    // not stay beside the detailed lines: so a detailed refund keeps its adjustment even at
    // zero, which corrects the whole one away.
    let detailed = !refund.refund_line_items.nodes.is_empty()
        || !refund.refund_shipping_lines.nodes.is_empty()
        || !refund.order_adjustments.nodes.is_empty();
    let mut parts = keep(parts);
    parts.extend(adjustment.filter(|part| detailed || !part.amount.is_zero()));
    Ok(parts)
}
