//! TikTok Shop and TikTok Ads payloads, in the vendors' field names (reference/tiktok-shop-and-
//! ads-api.md). Deliberately tolerant: ids may arrive as strings or numbers, amounts are kept as
//! the strings TikTok sends, breakdowns are open maps so that a field TikTok adds tomorrow still
//! reaches the ledger (as OTHER, listed by name) instead of vanishing.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

mod account;
mod commerce;
mod finance;

pub use account::*;
pub use commerce::*;
pub use finance::*;

/// The response envelope of both APIs: `code == 0` is success.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope<T> {
    /// 0 on success.
    pub code: i64,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// TikTok's request id (log it with every error).
    #[serde(default)]
    pub request_id: String,
    /// The payload.
    pub data: Option<T>,
}

/// An open JSON object (a breakdown).
pub type Fields = Map<String, Value>;

pub use crate::connectors::contains_nul;

/// Accepts `"123"` or `123`.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

/// Accepts a missing value, `null`, `"123"` or `123`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

/// A Unix timestamp sent as a number or a numeric string.
pub(crate) fn opt_ts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {number}"))),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => text
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid timestamp {text:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "invalid timestamp {other}"
        ))),
    }
}

/// An amount as sent: a decimal string, tolerated as a JSON number too (never read as a float:
/// the number's own text is kept).
pub(crate) fn opt_amount<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an amount, got {other}"
        ))),
    }
}
