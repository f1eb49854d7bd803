//! Shopify Payments balance transactions → SETTLED lines in their payout, and payouts →
//! reported totals. See the module docs of [`super`] for the keys.
//!
//! Sign convention: the docs' examples have `net = amount − fee` with `fee` positive as a cost
//! (reference C.7), and one doc fixture breaks it. The lines of a transaction are its `amount`
//! and a fee line of `net − amount`, so they always add up to `net`, the money that moved in
//! the balance (and so the payout reconciles); when `net − amount` is not `−fee` a Failure says
//! so, naming the transaction, so the odd row is visible rather than silently re-signed.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::order::sale_components;
use super::refund::{offline_refund, refund_components};
use super::{money_v2, sub, total, Component, Context, LineSpec};
use crate::connectors::shopify::model::{gid_tail, BalanceTransaction, Order, Payout};
use crate::connectors::{
    Failure, Granularity, Line, Normalized, PayoutInfo, PayoutKind, PayoutRef,
};
use crate::ledger::EntryStatus;
use crate::money::Money;

/// The payout row itself: the payout's total, reported by [`payouts`], not a ledger line.
const TRANSFER: &str = "TRANSFER";

/// Balance transactions → SETTLED lines. `orders` (by `legacyResourceId`) split charges and
/// refunds into the order's components; a charge or refund whose order is not there keeps its
/// gross whole (`unsplit_charge` / `unsplit_refund`) until a later read with the order
/// replaces it.
pub fn balance_transactions(
    nodes: &[BalanceTransaction],
    orders: &HashMap<String, Order>,
    ctx: &Context<'_>,
) -> Normalized {
    let mut out = Normalized {
        rows: nodes.len(),
        ..Normalized::default()
    };
    for (index, transaction) in nodes.iter().enumerate() {
        // Test-mode transactions move no money; the payout row is the payout's total.
        if transaction.test || transaction.kind.eq_ignore_ascii_case(TRANSFER) {
            continue;
        }
        let position = format!("balanceTransactions[{index}]");
        match transaction_lines(transaction, orders, ctx, &position) {
            Ok((lines, warning)) => {
                out.lines.extend(lines);
                out.failures.extend(warning);
            }
            Err(failure) => out.failures.push(failure),
        }
    }
    out
}

fn transaction_lines(
    transaction: &BalanceTransaction,
    orders: &HashMap<String, Order>,
    ctx: &Context<'_>,
    position: &str,
) -> Result<(Vec<Line>, Option<Failure>), Failure> {
    let amount = money_v2(&transaction.amount, ctx, &format!("{position}.amount"))?;
    let fee = money_v2(&transaction.fee, ctx, &format!("{position}.fee"))?;
    let net = money_v2(&transaction.net, ctx, &format!("{position}.net"))?;
    let fee_line = sub(net, amount, position)?;
    // `net = amount − fee` with a cost positive is the documented shape; rows with the fee
    // already negative (`net = amount + fee`, e.g. adjustment −1.50 / −0.25 / −1.75) are
    // observed too ([O], reference section C): both are accepted, only a net matching neither
    // is reported.
    let warning = (fee_line != -fee && fee_line != fee).then(|| Failure {
        position: format!("{position}.net"),
        reason: format!(
            "net {net} is not amount {amount} − fee {fee}; posted amount and a fee of {fee_line} \
             so the lines add up to net"
        ),
    });
    let id = gid_tail(&transaction.id).to_owned();
    // Not assigned to a payout yet (PENDING): no payout; the sync reads it again until it is.
    let payout = transaction
        .associated_payout
        .as_ref()
        .filter(|payout| payout.status.as_deref() != Some("PENDING"))
        .and_then(|payout| payout.id.as_deref())
        .map(|gid| PayoutRef {
            kind: PayoutKind::Payout,
            external_id: gid_tail(gid).to_owned(),
        });
    let order_id = transaction
        .associated_order
        .as_ref()
        .and_then(|order| order.id.as_deref())
        .map(|gid| gid_tail(gid).to_owned());
    let kind = transaction.kind.to_ascii_uppercase();
    let kind = kind.as_str();
    let fee_label = format!("fee:{kind}");
    let Some(order_id) = order_id
        .clone()
        .filter(|_| kind == "CHARGE" || kind == "REFUND")
    else {
        // Not split by an order: gross under its type, fee under `fee:{type}`.
        let prefix = format!("shopify:bt:{id}:");
        let spec = LineSpec {
            key_prefix: &prefix,
            order_id: order_id.as_deref(),
            occurred_at: transaction.transaction_date,
            status: EntryStatus::Settled,
            payout: payout.as_ref(),
            granularity: Granularity::Standalone,
            statement: Some(&id),
        };
        let mut lines = vec![super::typed_line(ctx, &spec, "gross", kind, amount)];
        lines.push(super::typed_line(ctx, &spec, "fee", &fee_label, fee_line));
        lines.retain(|line| !line.amount.is_zero());
        return Ok((lines, warning));
    };
    let prefix = format!("shopify:bt:{id}:ord:{order_id}:");
    let mut spec = LineSpec {
        key_prefix: &prefix,
        order_id: Some(&order_id),
        occurred_at: transaction.transaction_date,
        status: EntryStatus::Settled,
        payout: payout.as_ref(),
        granularity: Granularity::Sku,
        statement: Some(&id),
    };
    let split = orders
        .get(&order_id)
        .map(|order| split(transaction, order, amount, ctx))
        .transpose()
        .map_err(|mut failure| {
            failure.position = format!("{position} (order {order_id}): {}", failure.position);
            failure
        })?
        .flatten();
    let mut lines: Vec<Line> = match split {
        Some(parts) => {
            let mut lines: Vec<Line> = parts
                .into_iter()
                .map(|part| Component {
                    key: format!("sku:{}", part.key),
                    ..part
                })
                .map(|part| super::line(ctx, &spec, part))
                .collect();
            lines.push(super::typed_line(
                ctx, &spec, "sku:fee", &fee_label, fee_line,
            ));
            lines
        }
        None => {
            spec.granularity = Granularity::Order;
            let label = if kind == "CHARGE" {
                "unsplit_charge"
            } else {
                "unsplit_refund"
            };
            vec![
                super::typed_line(ctx, &spec, label, label, amount),
                super::typed_line(ctx, &spec, "fee", &fee_label, fee_line),
            ]
        }
    };
    lines.retain(|line| !line.amount.is_zero() || line.quantity != 0);
    Ok((lines, warning))
}

/// The gids of the orders `nodes` split by (their charges' and refunds' orders, each once, in
/// order): what to read with `queries::ORDERS_BY_ID` before [`balance_transactions`].
pub fn orders_to_fetch(nodes: &[BalanceTransaction]) -> Vec<String> {
    let mut gids: Vec<String> = Vec::new();
    for transaction in nodes {
        let splits = ["CHARGE", "REFUND"]
            .iter()
            .any(|kind| transaction.kind.eq_ignore_ascii_case(kind));
        let gid = transaction
            .associated_order
            .as_ref()
            .and_then(|order| order.id.as_deref());
        if let Some(gid) = gid.filter(|_| splits && !transaction.test) {
            if !gids.iter().any(|known| known == gid) {
                gids.push(gid.to_owned());
            }
        }
    }
    gids
}

/// The components `amount` splits into: the order's sale components for a CHARGE; for a
/// REFUND the refund whose transactions include `sourceOrderTransactionId`, else all the
/// order's refunds together. `None`: nothing to split by (the gross stays whole).
///
/// A charge that paid only part of its order (several payments, or a gift card covering the
/// rest) is scaled to its amount; the share paid by other gateways is not posted at
/// settlement (a gift card's money was booked when the gift card itself was sold).
fn split(
    transaction: &BalanceTransaction,
    order: &Order,
    amount: Money,
    ctx: &Context<'_>,
) -> Result<Option<Vec<Component>>, Failure> {
    let source = transaction
        .source_order_transaction_id
        .as_ref()
        .map(|id| gid_tail(&id.0));
    let parts = if transaction.kind.eq_ignore_ascii_case("CHARGE") {
        let parts = sale_components(order, ctx)?;
        // Units ride on one charge only: the whole payment, or the order's first payment.
        let first = order
            .transactions
            .iter()
            .find(|t| {
                matches!(t.kind.as_deref(), Some("SALE" | "CAPTURE"))
                    && t.status.as_deref() == Some("SUCCESS")
            })
            .map(|t| gid_tail(&t.id));
        let carries_units = source.is_some() && source == first;
        return scale(parts, amount, carries_units);
    } else {
        let matching = order.refunds.iter().find(|refund| {
            refund
                .transactions
                .nodes
                .iter()
                .any(|t| Some(gid_tail(&t.id)) == source)
        });
        let mut parts = Vec::new();
        match matching {
            Some(refund) => parts = refund_components(order, refund, ctx)?,
            None => {
                for refund in order
                    .refunds
                    .iter()
                    .filter(|refund| !offline_refund(order, refund))
                {
                    parts.extend(refund_components(order, refund, ctx)?);
                }
            }
        }
        parts
    };
    scale(parts, amount, false)
}

/// `parts` scaled so they add up to `target` exactly: each part × target / total, rounded to
/// the currency, the rounding remainder on the largest part. Unscaled when they already add up
/// (units kept); scaled parts keep units only when `carries_units`. `None` when the parts add
/// up to zero (nothing to scale by).
pub(super) fn scale(
    parts: Vec<Component>,
    target: Money,
    carries_units: bool,
) -> Result<Option<Vec<Component>>, Failure> {
    if parts.is_empty() {
        return Ok(None);
    }
    let currency = target.currency();
    let sum = total(&parts, currency)?;
    if sum == target {
        return Ok(Some(parts));
    }
    if sum.is_zero() {
        return Ok(None);
    }
    let overflow = || Failure {
        position: "split".to_owned(),
        reason: format!("cannot scale components of {sum} to {target}"),
    };
    let mut scaled = Vec::with_capacity(parts.len());
    for part in parts {
        let share: Decimal = part
            .amount
            .amount()
            .checked_mul(target.amount())
            .and_then(|value| value.checked_div(sum.amount()))
            .ok_or_else(overflow)?;
        scaled.push(Component {
            amount: Money::from_decimal(share, currency),
            quantity: if carries_units { part.quantity } else { 0 },
            ..part
        });
    }
    let remainder = sub(target, total(&scaled, currency)?, "split")?;
    if let Some(largest) = scaled
        .iter_mut()
        .max_by_key(|part| part.amount.amount().abs())
    {
        largest.amount = super::add(largest.amount, remainder, "split")?;
    }
    Ok(Some(scaled))
}

/// Payouts → reported totals (external id = `legacyResourceId`, reported = `net`).
///
/// [U] whether Shopify reports a WITHDRAWAL's `net` negative is not documented; the money
/// leaves the seller's bank, so its balance transactions add up to a negative figure, and the
/// reported total is made negative whatever sign it arrives with.
pub fn payouts(nodes: &[Payout], ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: nodes.len(),
        ..Normalized::default()
    };
    for (index, payout) in nodes.iter().enumerate() {
        let position = format!("payouts[{index}]");
        let net = match money_v2(&payout.net, ctx, &format!("{position}.net")) {
            Ok(net) => net,
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        let withdrawal = payout.transaction_type.as_deref() == Some("WITHDRAWAL");
        let reported = if withdrawal && !net.amount().is_sign_negative() {
            -net
        } else {
            net
        };
        out.payouts.push(PayoutInfo {
            reference: PayoutRef {
                kind: PayoutKind::Payout,
                external_id: payout.payout_id(),
            },
            reported,
            period_start: None,
            period_end: payout.issued_at,
            paid_at: payout.issued_at,
            status: payout.status.clone(),
            parent: None,
            same_period: false,
        });
    }
    out
}
