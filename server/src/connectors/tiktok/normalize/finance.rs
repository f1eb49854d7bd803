//! 202501 statement and order transactions (nested breakdowns) and 202507 unsettled estimates.

use chrono::{DateTime, Duration, Utc};

use super::{amount, components, explain, merge_by_key, time, Context};
use crate::connectors::tiktok::model::{
    Breakdowns, OrderTransactions2501, StatementTransactions2501, Unsettled2507,
};
use crate::connectors::{
    Failure, Granularity, Line, Normalized, PayoutInfo, PayoutKind, PayoutRef, SkuRef,
};
use crate::ledger::EntryStatus;
use crate::money::{Currency, Money};

/// The group totals and adjustment of one transaction or SKU row.
pub(super) struct Totals<'a> {
    pub(super) revenue: Option<&'a str>,
    pub(super) fee_tax: Option<&'a str>,
    pub(super) shipping: Option<&'a str>,
    pub(super) adjustment: Option<&'a str>,
    pub(super) settlement: Option<&'a str>,
}

/// The components of one transaction, adding up to its settlement amount.
pub(super) fn parts(
    currency: Currency,
    totals: &Totals<'_>,
    breakdowns: &Breakdowns,
    adjustment_label: &str,
    position: &str,
) -> Result<Vec<(String, Money)>, Failure> {
    let money =
        |text: Option<&str>, field: &str| amount(currency, text, &format!("{position}.{field}"));
    let fee_tax = breakdowns.fee_tax_breakdown.as_ref();
    let mut fee_parts = components(
        currency,
        fee_tax.map(|b| &b.fee),
        &format!("{position}.fee_tax_breakdown.fee"),
    )?;
    fee_parts.extend(components(
        currency,
        fee_tax.map(|b| &b.tax),
        &format!("{position}.fee_tax_breakdown.tax"),
    )?);

    let mut all = explain(
        currency,
        "revenue_amount",
        money(totals.revenue, "revenue_amount")?,
        components(
            currency,
            breakdowns.revenue_breakdown.as_ref(),
            &format!("{position}.revenue_breakdown"),
        )?,
    )?;
    all.extend(explain(
        currency,
        "fee_tax_amount",
        money(totals.fee_tax, "fee_tax_amount")?,
        fee_parts,
    )?);
    all.extend(explain(
        currency,
        "shipping_cost_amount",
        money(totals.shipping, "shipping_cost_amount")?,
        components(
            currency,
            breakdowns.shipping_cost_breakdown.as_ref(),
            &format!("{position}.shipping_cost_breakdown"),
        )?,
    )?);
    if let Some(adjustment) =
        money(totals.adjustment, "adjustment_amount")?.filter(|m| !m.is_zero())
    {
        all.push((adjustment_label.to_owned(), adjustment));
    }
    // The transaction's own total is what TikTok pays; whatever the groups leave unexplained is
    // posted visibly rather than lost.
    explain(
        currency,
        "settlement_amount",
        money(totals.settlement, "settlement_amount")?,
        all,
    )
}

/// Builds lines from `parts` under `key_prefix`.
pub(super) struct LineSpec<'a> {
    pub(super) key_prefix: String,
    pub(super) order_id: Option<&'a str>,
    pub(super) sku: Option<SkuRef>,
    pub(super) quantity: i32,
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) status: EntryStatus,
    pub(super) statement: Option<&'a str>,
    pub(super) granularity: Granularity,
}

pub(super) fn lines(
    ctx: &Context<'_>,
    spec: &LineSpec<'_>,
    parts: Vec<(String, Money)>,
) -> Vec<Line> {
    parts
        .into_iter()
        .map(|(label, money)| {
            let mapping = ctx
                .mapper
                .resolve(crate::connectors::tiktok::CHANNEL, &label);
            // Units sold ride on the gross sales line, units refunded on the refund line.
            let quantity = match label.as_str() {
                "subtotal_before_discount_amount" | "gross_sales_amount"
                    if !money.amount().is_sign_negative() =>
                {
                    spec.quantity
                }
                "refund_subtotal_before_discount_amount" | "gross_sales_refund_amount" => {
                    -spec.quantity
                }
                _ => 0,
            };
            Line {
                entry_key: format!("{}:{label}", spec.key_prefix),
                order_id: spec.order_id.map(ToOwned::to_owned),
                sku: spec.sku.clone(),
                creator: None,
                bucket: mapping.bucket,
                label,
                mapped: mapping.mapped,
                amount: money,
                quantity,
                occurred_at: spec.occurred_at,
                status: spec.status,
                payout: spec.statement.map(|id| PayoutRef {
                    kind: PayoutKind::Statement,
                    external_id: id.to_owned(),
                }),
                granularity: spec.granularity,
                statement: spec.statement.map(ToOwned::to_owned),
                product: None,
                excluded_by: None,
                replaces: Vec::new(),
            }
        })
        .collect()
}

fn is_order(kind: Option<&str>, order_id: Option<&String>) -> bool {
    match kind {
        Some(kind) => kind.eq_ignore_ascii_case("ORDER"),
        None => order_id.is_some(),
    }
}

/// A statement's transactions (one or several pages merged) → order-level and standalone lines,
/// and the statement as a payout whose reported total is `total_settlement_amount`.
pub fn statement_transactions_2501(
    data: &StatementTransactions2501,
    ctx: &Context<'_>,
) -> Normalized {
    let mut out = Normalized {
        rows: data.transactions.len(),
        ..Normalized::default()
    };
    let statement_time = time(data.create_time);
    let mut all = Vec::new();
    for (index, tx) in data.transactions.iter().enumerate() {
        let position = format!("transactions[{index}]");
        let order = is_order(tx.kind.as_deref(), tx.order_id.as_ref());
        let kind = tx.kind.clone().unwrap_or_else(|| "ORDER".to_owned());
        let totals = Totals {
            revenue: tx.revenue_amount.as_deref(),
            fee_tax: tx.fee_tax_amount.as_deref(),
            shipping: tx.shipping_cost_amount.as_deref(),
            adjustment: tx.adjustment_amount.as_deref(),
            settlement: tx.settlement_amount.as_deref(),
        };
        let adjustment_label = if order {
            "adjustment_amount"
        } else {
            kind.as_str()
        };
        let mut parts = match parts(
            ctx.currency,
            &totals,
            &tx.breakdowns,
            adjustment_label,
            &position,
        ) {
            Ok(parts) => parts,
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        // A reserve moves the payable amount, not the settlement: it is booked (RESERVES,
        // excluded from profit) so payments reconcile, and a statement's own total leaves it out.
        match amount(
            ctx.currency,
            tx.reserve_amount.as_deref(),
            &format!("{position}.reserve_amount"),
        ) {
            Ok(Some(reserve)) if !reserve.is_zero() => {
                parts.push(("reserve_amount".to_owned(), reserve))
            }
            Ok(_) => {}
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        }
        let Some(occurred_at) = (if order {
            time(tx.order_create_time).or(statement_time)
        } else {
            statement_time
        }) else {
            out.failures.push(Failure {
                position,
                reason: "no order_create_time and no statement create_time".to_owned(),
            });
            continue;
        };
        let spec = if order {
            let order_id = tx.order_id.as_deref().unwrap_or(&tx.id);
            LineSpec {
                key_prefix: format!("tiktok:st:{}:ord:{order_id}", data.id),
                order_id: Some(order_id),
                sku: None,
                quantity: 0,
                occurred_at,
                status: EntryStatus::Settled,
                statement: Some(&data.id),
                granularity: Granularity::Order,
            }
        } else {
            LineSpec {
                key_prefix: format!("tiktok:st:{}:tx:{}", data.id, tx.id),
                order_id: tx.adjustment_order_id.as_deref().or(tx.order_id.as_deref()),
                sku: None,
                quantity: 0,
                occurred_at,
                status: EntryStatus::Settled,
                statement: Some(&data.id),
                granularity: Granularity::Standalone,
            }
        };
        all.extend(lines(ctx, &spec, parts));
    }
    finish(&mut out, all);
    match amount(
        ctx.currency,
        data.total_settlement_amount.as_deref(),
        "total_settlement_amount",
    ) {
        Ok(Some(reported)) => out.payouts.push(PayoutInfo {
            reference: PayoutRef {
                kind: PayoutKind::Statement,
                external_id: data.id.clone(),
            },
            reported,
            // `checked_`: a timestamp at the start of chrono's range has no day before it.
            period_start: statement_time.and_then(|t| t.checked_sub_signed(Duration::days(1))),
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

pub(super) fn finish(out: &mut Normalized, lines: Vec<Line>) {
    match merge_by_key(lines) {
        Ok(lines) => out.lines.extend(lines),
        Err(failure) => out.failures.push(failure),
    }
}

/// An order's settlement by SKU → SKU-level lines, one group per statement that settled it.
/// These describe the same money as the statement's order-level lines and supersede them.
pub fn order_transactions_2501(data: &OrderTransactions2501, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.sku_transactions.len(),
        ..Normalized::default()
    };
    let mut all = Vec::new();
    for (index, row) in data.sku_transactions.iter().enumerate() {
        let position = format!("sku_transactions[{index}]");
        // A row without a statement is not settled yet: the unsettled endpoint estimates it.
        let Some(statement) = row.statement_id.as_deref() else {
            continue;
        };
        let quantity = match row
            .quantity
            .as_deref()
            .map(str::trim)
            .map(str::parse::<i32>)
        {
            None => 0,
            // Units are never negative (a refund negates them, which i32::MIN cannot take).
            Some(Ok(quantity)) if quantity >= 0 => quantity,
            Some(_) => {
                out.failures.push(Failure {
                    position: format!("{position}.quantity"),
                    reason: format!("not a whole number of units: {:?}", row.quantity),
                });
                continue;
            }
        };
        let totals = Totals {
            revenue: row.revenue_amount.as_deref(),
            fee_tax: row.fee_tax_amount.as_deref(),
            shipping: row.shipping_cost_amount.as_deref(),
            adjustment: None,
            settlement: row.settlement_amount.as_deref(),
        };
        let parts = match parts(
            ctx.currency,
            &totals,
            &row.breakdowns,
            "adjustment_amount",
            &position,
        ) {
            Ok(parts) => parts,
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        let Some(occurred_at) = time(data.order_create_time) else {
            out.failures.push(Failure {
                position: "order_create_time".to_owned(),
                reason: "missing".to_owned(),
            });
            break;
        };
        let spec = LineSpec {
            key_prefix: format!(
                "tiktok:st:{statement}:ord:{}:sku:{}",
                data.order_id, row.sku_id
            ),
            order_id: Some(&data.order_id),
            sku: Some(SkuRef {
                channel_sku_id: row.sku_id.clone(),
                seller_sku: None,
                channel_product_id: None,
                name: row.sku_name.clone().or_else(|| row.product_name.clone()),
            }),
            quantity,
            occurred_at,
            status: EntryStatus::Settled,
            statement: Some(statement),
            granularity: Granularity::Sku,
        };
        all.extend(lines(ctx, &spec, parts));
    }
    finish(&mut out, all);
    out
}

/// Unsettled orders and adjustments → ESTIMATED lines, replaced when the settlement arrives.
pub fn unsettled_2507(data: &Unsettled2507, ctx: &Context<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.transactions.len(),
        ..Normalized::default()
    };
    let mut all = Vec::new();
    for (index, tx) in data.transactions.iter().enumerate() {
        let position = format!("transactions[{index}]");
        let currency = match tx
            .currency
            .as_deref()
            .or(data.currency.as_deref())
            .map(Currency::parse)
        {
            None => ctx.currency,
            Some(Ok(currency)) => currency,
            Some(Err(error)) => {
                out.failures.push(Failure {
                    position: format!("{position}.currency"),
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let order = is_order(tx.kind.as_deref(), tx.order_id.as_ref());
        let kind = tx.kind.clone().unwrap_or_else(|| "ORDER".to_owned());
        let totals = Totals {
            revenue: tx.est_revenue_amount.as_deref(),
            fee_tax: tx.est_fee_tax_amount.as_deref(),
            shipping: tx.est_shipping_cost_amount.as_deref(),
            adjustment: tx.est_adjustment_amount.as_deref(),
            settlement: tx.est_settlement_amount.as_deref(),
        };
        let adjustment_label = if order {
            "adjustment_amount"
        } else {
            kind.as_str()
        };
        let parts = match parts(
            currency,
            &totals,
            &tx.breakdowns,
            adjustment_label,
            &position,
        ) {
            Ok(parts) => parts,
            Err(failure) => {
                out.failures.push(failure);
                continue;
            }
        };
        let Some(occurred_at) = time(tx.order_create_time) else {
            out.failures.push(Failure {
                position: format!("{position}.order_create_time"),
                reason: "missing".to_owned(),
            });
            continue;
        };
        let (key_prefix, order_id, granularity) = match (&tx.order_id, order) {
            (Some(order_id), true) => (
                format!("tiktok:est:ord:{order_id}"),
                Some(order_id.as_str()),
                Granularity::Order,
            ),
            _ => (
                format!("tiktok:est:tx:{}", tx.id),
                tx.order_id.as_deref(),
                Granularity::Standalone,
            ),
        };
        let spec = LineSpec {
            key_prefix,
            order_id,
            sku: None,
            quantity: 0,
            occurred_at,
            status: EntryStatus::Estimated,
            statement: None,
            granularity,
        };
        let local = Context { currency, ..*ctx };
        all.extend(lines(&local, &spec, parts));
    }
    finish(&mut out, all);
    out
}
