//! A ledger row's entry key, stored packed (issue 15): the parts of the key that repeat a
//! column of the same row are stored as one placeholder character each.
//!
//! A TikTok key `tiktok:st:{statement}:ord:{order}:sku:{sku}:{label}` repeats the row's
//! `source_id`, `order_id`, `order_line` and `label` — ~100 characters, of which ~75 are
//! already in the row — and is stored as `tiktok:st:\u{2}:ord:\u{3}:sku:\u{4}:\u{5}`.
//!
//! - Only whole `:`-separated segments after the first two are replaced (so a key's channel
//!   and kind, which `LIKE 'shopify:est:%'` reads, stay literal), and only by a part of at
//!   least two characters; a part containing `:` never matches a segment and stays literal.
//! - A key that itself contains one of the marker characters (`\u{1}`–`\u{5}`) is stored
//!   verbatim behind `\u{1}`, so unpacking is never ambiguous (PostgreSQL text holds any
//!   character but NUL, hence none is used).
//! - The parts are columns a row never changes after it is written (a correction is a new row;
//!   a reversal copies its row's parts with its packed key), so the key unpacks to what was
//!   packed. Comparisons of keys (posting's lookups, `ledgerEntries(entryKey:)`) are of
//!   unpacked keys: the same key packs differently when a correction changes, say, its order id.

use entities::ledger_entry;
use sea_orm::DbBackend;

use crate::error::{Error, Result};

/// First character of a key stored as it is.
const VERBATIM: char = '\u{1}';
const SOURCE: char = '\u{2}';
const ORDER: char = '\u{3}';
const ORDER_LINE: char = '\u{4}';
const LABEL: char = '\u{5}';

/// The row's columns a key may repeat.
#[derive(Clone, Copy, Debug)]
pub struct KeyParts<'a> {
    pub source_id: &'a str,
    pub order_id: Option<&'a str>,
    pub order_line: Option<&'a str>,
    pub label: &'a str,
}

impl<'a> KeyParts<'a> {
    /// The parts of a stored row whose label (an id in the row) is `label`.
    #[must_use]
    pub fn of(row: &'a ledger_entry::Model, label: &'a str) -> Self {
        Self {
            source_id: &row.source_id,
            order_id: row.order_id.as_deref(),
            order_line: row.order_line.as_deref(),
            label,
        }
    }

    /// In the order a segment is tried against them.
    fn slots(&self) -> [(char, Option<&'a str>); 4] {
        [
            (SOURCE, Some(self.source_id)),
            (ORDER, self.order_id),
            (ORDER_LINE, self.order_line),
            (LABEL, Some(self.label)),
        ]
    }
}

fn is_marker(c: char) -> bool {
    (VERBATIM..=LABEL).contains(&c)
}

/// `key` as stored in a row whose columns are `parts`.
#[must_use]
pub fn pack(key: &str, parts: KeyParts<'_>) -> String {
    if key.contains(is_marker) {
        return format!("{VERBATIM}{key}");
    }
    let slots = parts.slots();
    let mut packed = String::with_capacity(key.len());
    for (index, segment) in key.split(':').enumerate() {
        if index > 0 {
            packed.push(':');
        }
        let slot = slots
            .iter()
            .filter(|_| index >= 2)
            .find(|(_, part)| part.is_some_and(|part| part.len() >= 2 && part == segment));
        match slot {
            Some((marker, _)) => packed.push(*marker),
            None => packed.push_str(segment),
        }
    }
    packed
}

/// The key `packed` stands for in a row whose columns are `parts`; `None` when it names a part
/// the row does not have (a row not written by [`pack`]).
#[must_use]
pub fn unpack(packed: &str, parts: KeyParts<'_>) -> Option<String> {
    if let Some(key) = packed.strip_prefix(VERBATIM) {
        return Some(key.to_owned());
    }
    let slots = parts.slots();
    let mut key = String::with_capacity(packed.len() + 64);
    for c in packed.chars() {
        match slots.iter().find(|(marker, _)| *marker == c) {
            Some((_, part)) => key.push_str((*part)?),
            None => key.push(c),
        }
    }
    Some(key)
}

/// A SQL expression of `ledger_entry`'s columns giving the row's readable key, as [`unpack`]
/// does — for the hot lookups, where reading one column instead of the four a key is made of
/// is most of the cost (sqlx copies every value it reads). A placeholder naming an absent
/// column stays in the result, so the key then equals no key the ledger module asks for
/// (keys with placeholders are stored verbatim). Replacing in turn is safe: a part that
/// replaces a placeholder equals a segment of a key without placeholders, so holds none. The
/// label is the row's `label_id` named by the org's dictionary `ledger_label` (by primary key).
#[must_use]
pub fn unpacked_sql(backend: DbBackend) -> String {
    let chr = match backend {
        DbBackend::Postgres => "chr",
        _ => "char",
    };
    let key = "ledger_entry.packed_key";
    format!(
        "CASE WHEN substr({key}, 1, 1) = {chr}(1) THEN substr({key}, 2) ELSE \
         REPLACE(REPLACE(REPLACE(REPLACE({key}, \
         {chr}(2), ledger_entry.source_id), \
         {chr}(3), COALESCE(ledger_entry.order_id, {chr}(3))), \
         {chr}(4), COALESCE(ledger_entry.order_line, {chr}(4))), \
         {chr}(5), COALESCE((SELECT ledger_label.name FROM ledger_label \
         WHERE ledger_label.id = ledger_entry.label_id), {chr}(5))) END"
    )
}

/// The readable entry key of a stored row whose label is `label` (the name of its `label_id`).
///
/// # Errors
/// The row's packed key names a column the row does not have (written by hand, not by the
/// ledger module).
pub fn entry_key(row: &ledger_entry::Model, label: &str) -> Result<String> {
    unpack(&row.packed_key, KeyParts::of(row, label)).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!(
            "ledger row {}: its packed key names an order id or order line the row does not have",
            row.id
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(
        source_id: &'a str,
        order_id: Option<&'a str>,
        order_line: Option<&'a str>,
        label: &'a str,
    ) -> KeyParts<'a> {
        KeyParts {
            source_id,
            order_id,
            order_line,
            label,
        }
    }

    #[test]
    fn a_tiktok_key_keeps_only_what_the_row_does_not_hold() {
        let key = "tiktok:st:7357390801829824421:ord:575028344399330829:sku:1733940396918162825:referral_fee_amount";
        let row = parts(
            "7357390801829824421",
            Some("575028344399330829"),
            Some("1733940396918162825"),
            "referral_fee_amount",
        );
        let packed = pack(key, row);
        assert_eq!(packed, "tiktok:st:\u{2}:ord:\u{3}:sku:\u{4}:\u{5}");
        assert_eq!(unpack(&packed, row).as_deref(), Some(key));
    }

    #[test]
    fn the_first_two_segments_stay_literal_and_partial_segments_are_not_replaced() {
        let row = parts("shopify", Some("est"), Some("5001"), "sales");
        let key = "shopify:est:ord:5001:line:15001:sales#2";
        let packed = pack(key, row);
        assert_eq!(packed, "shopify:est:ord:\u{4}:line:15001:sales#2");
        assert_eq!(unpack(&packed, row).as_deref(), Some(key));
    }

    #[test]
    fn awkward_keys_round_trip() {
        let cases = [
            ("", parts("", None, None, "")),
            ("a", parts("a", None, None, "a")),
            ("a:b:a:a", parts("a", Some("a"), None, "a")),
            ("x:y:ab:ab:ab", parts("ab", Some("ab"), Some("ab"), "ab")),
            ("x:y:\u{2}:z", parts("\u{2}", None, None, "z")),
            ("x:y:\u{1}", parts("s", None, None, "l")),
            ("x:y:::l", parts("", Some(""), Some(""), "l")),
            ("x:y:Fee: 2:Fee", parts("s", None, None, "Fee: 2")),
            (
                "amazon:2026-11-01:USD:order:113-1:sale:sku:Sku-1:charge:principal",
                parts("2hUz", Some("113-1"), Some("Sku-1"), "Principal"),
            ),
            ("é:ü:ßß:€€", parts("ßß", None, Some("€€"), "ü")),
        ];
        for (key, row) in cases {
            let packed = pack(key, row);
            assert!(packed.len() <= key.len() + 1, "{key:?} → {packed:?}");
            assert_eq!(unpack(&packed, row).as_deref(), Some(key), "{packed:?}");
        }
    }

    #[test]
    fn a_key_naming_a_part_the_row_lacks_does_not_unpack() {
        let row = parts("s", None, None, "l");
        assert_eq!(unpack("x:y:\u{3}", row), None);
    }
}
