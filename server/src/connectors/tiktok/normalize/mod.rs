//! Pure normalisers: TikTok payloads → [`Normalized`] lines, payouts and attribution. No I/O;
//! fixture-tested. The money rules they share live here:
//!
//! - every amount is a signed decimal string (income +, deductions −) read exactly;
//! - a breakdown's fields are the components of its group total; a field TikTok adds later is
//!   still a component (it reaches OTHER under its own name);
//! - `supplementary_component` objects are informational and never added;
//! - when components do not add up to their group total, the remainder is posted under
//!   `unexplained:<group>` (OTHER, listed) rather than silently dropped, so a transaction's lines
//!   always sum to the money TikTok says it moved;
//! - lines with the same key (two transactions of one order in one statement) are summed.

pub mod ads;
mod finance;
mod flat;
mod orders;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use finance::{order_transactions_2501, statement_transactions_2501, unsettled_2507};
pub use flat::{order_transactions_2309, statement_transactions_2309};
pub use orders::{affiliate_orders_202410, orders_202309, payments_202309, statements_202309};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::model::Fields;
use crate::connectors::{Failure, Line};
use crate::ledger::mapping::FeeMapper;
use crate::money::{Currency, Money};

/// Fields that restate another field of the same breakdown (the commission before personal
/// income tax is the commission after PIT plus `pit_amount`). They are dropped only when that
/// makes the components add up to the group total; otherwise they count like any field.
/// ⚠ The reference lists both without saying which one the total includes, so both are tried.
const RESTATEMENTS: &[&str] = &[
    "affiliate_commission_amount_before_pit",
    "affiliate_commission_before_pit",
    "affiliate_commission_before_pit_amount",
];

/// What every normaliser needs: the mapping in force and the payload's currency.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Label → bucket.
    pub mapper: &'a FeeMapper,
    /// Currency of the amounts.
    pub currency: Currency,
}

/// Parses an optional amount at `position`.
pub(crate) fn amount(
    currency: Currency,
    text: Option<&str>,
    position: &str,
) -> Result<Option<Money>, Failure> {
    text.map(|text| {
        Money::parse(text, currency).map_err(|error| Failure {
            position: position.to_owned(),
            reason: format!("{error}"),
        })
    })
    .transpose()
}

/// The non-zero amount fields of a breakdown, skipping nested objects (supplementary
/// components) and non-amount values.
pub(crate) fn components(
    currency: Currency,
    fields: Option<&Fields>,
    position: &str,
) -> Result<Vec<(String, Money)>, Failure> {
    let mut parts = Vec::new();
    for (name, value) in fields.into_iter().flatten() {
        let text = match value {
            Value::String(text) if !text.trim().is_empty() => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => continue,
        };
        let money = amount(currency, Some(&text), &format!("{position}.{name}"))?;
        if let Some(money) = money.filter(|money| !money.is_zero()) {
            parts.push((name.clone(), money));
        }
    }
    Ok(parts)
}

fn sum(currency: Currency, parts: &[(String, Money)]) -> Result<Money, Failure> {
    Money::checked_sum(parts.iter().map(|(_, money)| *money), currency).map_err(|error| Failure {
        position: "sum".to_owned(),
        reason: error.to_string(),
    })
}

/// The components of `group`, made to add up to `total` (see the module docs).
pub(crate) fn explain(
    currency: Currency,
    group: &str,
    total: Option<Money>,
    mut parts: Vec<(String, Money)>,
) -> Result<Vec<(String, Money)>, Failure> {
    let Some(total) = total else {
        return Ok(parts);
    };
    if sum(currency, &parts)? == total {
        return Ok(parts);
    }
    let without: Vec<(String, Money)> = parts
        .iter()
        .filter(|(name, _)| !RESTATEMENTS.contains(&name.as_str()))
        .cloned()
        .collect();
    if without.len() < parts.len() && sum(currency, &without)? == total {
        return Ok(without);
    }
    let remainder = total
        .checked_sub(sum(currency, &parts)?)
        .map_err(|error| Failure {
            position: group.to_owned(),
            reason: error.to_string(),
        })?;
    parts.push((format!("unexplained:{group}"), remainder));
    Ok(parts)
}

/// A Unix timestamp as UTC, within the years 1 to 9999: what both backends store (PostgreSQL
/// refuses years before 4713 BC) and order correctly (SQLite compares times as text). Anything
/// else is treated as missing.
pub(crate) fn time(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const YEARS_1_TO_9999: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;
    seconds
        .filter(|seconds| YEARS_1_TO_9999.contains(seconds))
        .and_then(|seconds| Utc.timestamp_opt(seconds, 0).single())
}

/// Sums lines that share an entry key (amounts and quantities), keeping first-seen order.
pub(crate) fn merge_by_key(lines: Vec<Line>) -> Result<Vec<Line>, Failure> {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut merged: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        match index.get(&line.entry_key) {
            Some(&at) => {
                let existing = &mut merged[at];
                existing.amount =
                    existing
                        .amount
                        .checked_add(line.amount)
                        .map_err(|error| Failure {
                            position: line.entry_key.clone(),
                            reason: error.to_string(),
                        })?;
                existing.quantity =
                    existing
                        .quantity
                        .checked_add(line.quantity)
                        .ok_or_else(|| Failure {
                            position: line.entry_key.clone(),
                            reason: "quantities overflow".to_owned(),
                        })?;
            }
            None => {
                index.insert(line.entry_key.clone(), merged.len());
                merged.push(line);
            }
        }
    }
    Ok(merged)
}
