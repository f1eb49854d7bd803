//! A mapping checked once ([`Checked`]): channel, currency, delimiter and quote parsed, label
//! rules folded for lookup (exact labels and `*` patterns).

use std::collections::HashMap;

use super::mapping::{Sign, StatementMapping};
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};
use crate::money::Currency;

/// A mapping checked once: parsed enums and the columns it names.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The mapping.
    pub mapping: StatementMapping,
    /// The channel.
    pub channel: Channel,
    /// The channel's display name.
    pub display: String,
    /// The fixed currency, if any.
    pub currency: Option<Currency>,
    /// The label rules with parsed buckets, by folded label.
    pub rules: HashMap<String, (String, FeeBucket, Option<Sign>)>,
    /// Rules with a `*` part (any value of that label column), folded parts, in file order.
    pub patterns: Vec<(Vec<String>, FeeBucket, Option<Sign>)>,
    /// The delimiter, when the mapping names one.
    pub delimiter: Option<u8>,
    /// The quote byte.
    pub quote: u8,
}

/// A label for comparison: lower case, runs of white space as one space.
pub fn fold(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks a parsed mapping (named `origin` in messages).
pub(super) fn check(mapping: StatementMapping, origin: &str) -> Result<Checked> {
    let bad = |message: String| Error::bad_input(format!("mapping {origin}: {message}"));
    let channel: Channel = mapping.channel.channel.parse().map_err(|_| {
        bad(format!(
            "channel.channel {:?} is not a channel (WALMART, OTHER, …)",
            mapping.channel.channel
        ))
    })?;
    let display = match (&mapping.channel.name, channel) {
        (Some(name), _) if !name.trim().is_empty() => name.trim().to_owned(),
        (_, Channel::Other) => {
            return Err(bad(
                "channel.name is required for channel OTHER (Etsy, eBay, …)".to_owned(),
            ))
        }
        (_, Channel::Walmart) => "Walmart".to_owned(),
        (_, other) => other.as_str().to_owned(),
    };
    match (&mapping.rows.amount, &mapping.rows.amounts) {
        (Some(_), None) | (None, Some(_)) => {}
        _ => {
            return Err(bad(
                "give either rows.amount or rows.amounts (gross/fee/net), not both or neither"
                    .to_owned(),
            ))
        }
    }
    let currency = match (&mapping.rows.currency, &mapping.rows.currency_code) {
        (None, None) => {
            return Err(bad(
                "give rows.currency (a column) or rows.currency_code (fixed)".to_owned(),
            ))
        }
        (_, Some(code)) => Some(
            Currency::parse(code)
                .map_err(|_| bad(format!("rows.currency_code {code:?} is not a currency")))?,
        ),
        (Some(_), None) => None,
    };
    if mapping.rows.key.names().is_empty() {
        return Err(bad("rows.key names no column".to_owned()));
    }
    if mapping.file.header_row == 0 {
        return Err(bad("file.header_row counts from 1".to_owned()));
    }
    if mapping.file.date_formats.is_empty() {
        return Err(bad("file.date_formats is empty".to_owned()));
    }
    let delimiter = match mapping.file.delimiter.as_deref() {
        None => None,
        Some("," | "comma") => Some(b','),
        Some(";" | "semicolon") => Some(b';'),
        Some("\t" | "tab") => Some(b'\t'),
        Some("|" | "pipe") => Some(b'|'),
        Some(other) => {
            return Err(bad(format!(
                "file.delimiter {other:?}: expected \",\", \";\", \"tab\" or \"|\""
            )))
        }
    };
    let quote = match mapping.file.quote.as_bytes() {
        [byte] if byte.is_ascii() => *byte,
        _ => {
            return Err(bad(format!(
                "file.quote {:?} must be one ASCII character",
                mapping.file.quote
            )))
        }
    };
    super::read::encoding(&mapping.file.encoding).map_err(bad)?;
    let mut rules = HashMap::new();
    let mut patterns = Vec::new();
    let separator = mapping.rows.label_separator.as_str();
    for rule in &mapping.labels {
        let bucket: FeeBucket = rule.bucket.parse().map_err(|_| {
            bad(format!(
                "label {:?}: bucket {:?} is not a fee bucket",
                rule.label, rule.bucket
            ))
        })?;
        let parts = split(&rule.label, separator);
        if parts.iter().any(|part| part == "*") {
            patterns.push((parts, bucket, rule.sign));
            continue;
        }
        if rules
            .insert(fold(&rule.label), (rule.label.clone(), bucket, rule.sign))
            .is_some()
        {
            return Err(bad(format!("label {:?} is listed twice", rule.label)));
        }
    }
    Ok(Checked {
        mapping,
        channel,
        display,
        currency,
        rules,
        patterns,
        delimiter,
        quote,
    })
}

/// A label's parts (between exact separators: Walmart's `Fee/Reimbursement` is one part of
/// `Sale / Fee/Reimbursement`), folded.
fn split(label: &str, separator: &str) -> Vec<String> {
    if separator.is_empty() {
        return vec![fold(label)];
    }
    label.split(separator).map(fold).collect()
}

impl Checked {
    /// The rule for a label as written: its exact entry (the label then stored in the mapping's
    /// spelling), else the first `*` pattern it fits (the label stored as written, so an org
    /// override can still single it out).
    pub fn rule(&self, written: &str) -> Option<(String, FeeBucket, Option<Sign>)> {
        if let Some((label, bucket, sign)) = self.rules.get(&fold(written)) {
            return Some((label.clone(), *bucket, *sign));
        }
        let parts = split(written, &self.mapping.rows.label_separator);
        self.patterns
            .iter()
            .find(|(pattern, _, _)| {
                pattern.len() == parts.len()
                    && pattern.iter().zip(&parts).all(|(p, v)| p == "*" || p == v)
            })
            .map(|(_, bucket, sign)| (written.to_owned(), *bucket, *sign))
    }
}
