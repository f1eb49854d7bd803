//! Shopify's wire spellings: gids, `MoneyV2` / `MoneyBag`, ISO-8601 times, cursors.

use base64::Engine;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::money::Minor;

/// `gid://shopify/{kind}/{id}`.
pub(crate) fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// The number at the end of a gid.
pub(crate) fn legacy_of(gid: &str) -> Option<u64> {
    gid.rsplit('/').next()?.split('?').next()?.parse().ok()
}

/// A Decimal string as Shopify writes it: no trailing zeros, at least one decimal
/// (`"30.0"`, `"12.5"`, `"-0.3"`).
pub(crate) fn amount(minor: Minor, digits: u32) -> String {
    let value = Decimal::new(minor, digits).normalize();
    let text = value.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// A `MoneyV2`.
pub(crate) fn money(minor: Minor, digits: u32, currency: &str) -> Value {
    json!({"__typename": "MoneyV2", "amount": amount(minor, digits), "currencyCode": currency})
}

/// A `MoneyBag` (shop and presentment currency are the same in the sandbox).
pub(crate) fn bag(minor: Minor, digits: u32, currency: &str) -> Value {
    json!({
        "__typename": "MoneyBag",
        "shopMoney": money(minor, digits, currency),
        "presentmentMoney": money(minor, digits, currency),
    })
}

/// A connection's items, paged by the executor (`nodes`, `edges`, `pageInfo`).
pub(crate) fn connection(items: Vec<Value>) -> Value {
    let mut value = json!({});
    value["__connection"] = Value::Array(items);
    value
}

/// `2026-11-01T10:00:00Z` of a Unix time.
pub(crate) fn time(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Parses a search-syntax or ISO time: `2026-11-01`, `2026-11-01T10:00:00Z`, with offset.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim().trim_matches(|c| c == '\'' || c == '"');
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc().timestamp());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// An opaque cursor for position `index` of a listing.
pub(crate) fn cursor(index: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"last_index\":{index}}}"))
}

/// The position a cursor stands for.
pub(crate) fn cursor_index(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("{\"last_index\":")?
        .strip_suffix('}')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_like_shopify() {
        assert_eq!(amount(3000, 2), "30.0");
        assert_eq!(amount(1250, 2), "12.5");
        assert_eq!(amount(-30, 2), "-0.3");
        assert_eq!(amount(0, 2), "0.0");
        assert_eq!(amount(1999, 2), "19.99");
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(cursor_index(&cursor(17)), Some(17));
        assert_eq!(cursor_index("garbage"), None);
    }
}
