//! Shopify files `pnl import` reads: saved answers of the connector's own Admin GraphQL queries
//! (`queries.rs`; `nodes` or `edges { node }`, the `extensions` block ignored) and the JSONL of
//! a bulk order export, normalised by the same normalisers as a sync.
//!
//! Mirrored orders (a marketplace's orders pushed into Shopify) are skipped by the org's mirror
//! rules ([`normalize_with`]; the sync also matches external order ids against other channels'
//! orders, which needs the database).

use std::collections::HashMap;

use serde_json::Value;

use super::model::{self, Order};
use super::normalize::{self, Context};
use crate::connectors::seam::{FileFormat, FileInput};
use crate::connectors::Normalized;
use crate::error::{Error, Result};
use crate::money::Currency;

/// A saved answer of `PnlOrders` or `PnlOrdersById`.
pub const ORDERS: FileFormat = FileFormat {
    name: "shopify-orders",
    description: "Shopify orders: a saved answer of the PnlOrders or PnlOrdersById query \
                  (orders with their lines, refunds and transactions).",
};

/// A saved answer of `PnlBalanceTransactions`.
pub const BALANCE_TRANSACTIONS: FileFormat = FileFormat {
    name: "shopify-balance-transactions",
    description: "Shopify Payments balance transactions: a saved answer of the \
                  PnlBalanceTransactions query. Imported alone it has no orders, so charges \
                  and refunds post whole (unsplit) until their orders are imported or synced.",
};

/// A saved answer of `PnlPayouts`.
pub const PAYOUTS: FileFormat = FileFormat {
    name: "shopify-payouts",
    description: "Shopify Payments payouts: a saved answer of the PnlPayouts query.",
};

/// The JSONL of a bulk order export.
pub const BULK_ORDERS: FileFormat = FileFormat {
    name: "shopify-bulk-orders",
    description: "Shopify bulk order export (JSONL of the bulk orders query).",
};

/// Every Shopify file format.
pub const FORMATS: &[FileFormat] = &[ORDERS, BALANCE_TRANSACTIONS, PAYOUTS, BULK_ORDERS];

/// The raw record's `source_kind` of a format.
pub fn source_kind(format: FileFormat) -> &'static str {
    match format.name {
        "shopify-orders" => "shopify.admin.orders",
        "shopify-balance-transactions" => "shopify.payments.balance_transactions",
        "shopify-payouts" => "shopify.payments.payouts",
        _ => "shopify.bulk.orders",
    }
}

fn is_order_gid(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|id| id.starts_with("gid://shopify/Order/"))
}

fn has(value: &Value, key: &str) -> bool {
    value.get(key).is_some_and(|v| !v.is_null())
}

/// Whether `value` is a GraphQL answer Shopify wrote: its `extensions.cost`, or `errors` in
/// GraphQL's shape (`message`, no top-level `code`, which Amazon's error lists have).
fn shopify_errors(value: &Value) -> Option<Vec<String>> {
    let errors = value.get("errors")?.as_array()?;
    if errors.is_empty() {
        return None;
    }
    let graphql = errors
        .iter()
        .all(|error| has(error, "message") && !has(error, "code"));
    let cost = value.pointer("/extensions/cost").is_some();
    (graphql || cost).then(|| {
        errors
            .iter()
            .map(|error| {
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
                    .to_owned()
            })
            .collect()
    })
}

fn first_line(bytes: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(bytes)
        .ok()?
        .trim_start_matches('\u{feff}');
    let line = text.lines().find(|line| !line.trim().is_empty())?;
    serde_json::from_str(line).ok()
}

/// Recognises a Shopify file.
///
/// # Errors
/// A Shopify answer that carries `errors` (refused, naming them).
pub fn detect(input: &FileInput<'_>) -> Result<Option<FileFormat>> {
    if let Some(json) = input.json {
        if let Some(data) = json.get("data").filter(|data| data.is_object()) {
            // A connection (an object with `nodes` or `edges`); TikTok's `data.orders` is a list.
            if data
                .get("orders")
                .is_some_and(|orders| has(orders, "nodes") || has(orders, "edges"))
            {
                return errors_or(json, input, ORDERS);
            }
            let nodes = data.get("nodes").and_then(Value::as_array);
            if nodes.is_some_and(|nodes| nodes.iter().any(|node| is_order_gid(node.get("id")))) {
                return errors_or(json, input, ORDERS);
            }
            if let Some(account) = data.get("shopifyPaymentsAccount").filter(|a| a.is_object()) {
                if has(account, "balanceTransactions") {
                    return errors_or(json, input, BALANCE_TRANSACTIONS);
                }
                if has(account, "payouts") {
                    return errors_or(json, input, PAYOUTS);
                }
            }
        }
        if let Some(messages) = shopify_errors(json) {
            return Err(refused(input, &messages));
        }
        // A bulk export of one order is a single JSON line.
        if is_order_gid(json.get("id")) {
            return Ok(Some(BULK_ORDERS));
        }
        return Ok(None);
    }
    Ok(first_line(input.bytes)
        .filter(|line| is_order_gid(line.get("id")))
        .map(|_| BULK_ORDERS))
}

fn refused(input: &FileInput<'_>, messages: &[String]) -> Error {
    Error::bad_input(format!(
        "{}: Shopify answered with errors: {}",
        input.file,
        messages.join("; ")
    ))
}

fn errors_or(
    json: &Value,
    input: &FileInput<'_>,
    format: FileFormat,
) -> Result<Option<FileFormat>> {
    match shopify_errors(json) {
        Some(messages) => Err(refused(input, &messages)),
        None => Ok(Some(format)),
    }
}

fn text<'a>(input: &FileInput<'a>) -> Result<&'a str> {
    std::str::from_utf8(input.bytes)
        .map(|text| text.trim_start_matches('\u{feff}'))
        .map_err(|error| Error::bad_input(format!("{}: not UTF-8 text: {error}", input.file)))
}

fn named<T>(input: &FileInput<'_>, result: Result<T>) -> Result<T> {
    result.map_err(|error| Error::bad_input(format!("{}: {error}", input.file)))
}

/// The orders of an orders file (saved answer or bulk JSONL).
///
/// # Errors
/// A file that does not match its format, naming the file and position.
pub fn orders(input: &FileInput<'_>, format: FileFormat) -> Result<Vec<Order>> {
    let body = text(input)?;
    if format == BULK_ORDERS {
        return named(input, super::bulk::read_all(body));
    }
    named(
        input,
        model::parse_orders_page(body).map(|(orders, _)| orders),
    )
}

/// Normalises `input` as `format` (one of [`FORMATS`]).
///
/// # Errors
/// A file that does not match its format (naming the file and the position in it), or an
/// answer carrying `errors`.
pub fn normalize(
    input: &FileInput<'_>,
    format: FileFormat,
    ctx: &Context<'_>,
) -> Result<Normalized> {
    normalize_with(input, format, ctx, &super::mirror::MirrorRules::default())
}

/// [`normalize`] with the org's mirror rules.
///
/// # Errors
/// As [`normalize`].
pub fn normalize_with(
    input: &FileInput<'_>,
    format: FileFormat,
    ctx: &Context<'_>,
    rules: &super::mirror::MirrorRules,
) -> Result<Normalized> {
    let body = text(input)?;
    let mut out = Normalized::default();
    match format.name {
        "shopify-orders" | "shopify-bulk-orders" => {
            for order in orders(input, format)? {
                if super::mirror::classify(&order, rules).is_some() {
                    out.rows += 1;
                    continue;
                }
                out.extend(normalize::order(&order, ctx));
            }
        }
        "shopify-balance-transactions" => {
            let (nodes, _) = named(input, model::parse_balance_transactions_page(body))?;
            out = normalize::balance_transactions(&nodes, &HashMap::new(), ctx);
        }
        "shopify-payouts" => {
            let (nodes, _) = named(input, model::parse_payouts_page(body))?;
            out = normalize::payouts(&nodes, ctx);
        }
        other => {
            return Err(Error::bad_input(format!(
                "{}: {other} is not a Shopify format",
                input.file
            )))
        }
    }
    Ok(out)
}

/// The first shop-currency code the file names (an order's `currencyCode`, a `shopMoney` or a
/// payments amount; presentment currencies are skipped).
pub fn currency_of(input: &FileInput<'_>) -> Option<Currency> {
    let value = match input.json {
        Some(json) => json.clone(),
        None => first_line(input.bytes)?,
    };
    find_currency(&value).and_then(|code| Currency::parse(&code).ok())
}

fn find_currency(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => {
            if let Some(code) = map.get("currencyCode").and_then(Value::as_str) {
                return Some(code.to_owned());
            }
            map.iter()
                .filter(|(key, _)| !key.starts_with("presentment") && *key != "extensions")
                .find_map(|(_, value)| find_currency(value))
        }
        Value::Array(items) => items.iter().find_map(find_currency),
        _ => None,
    }
}
