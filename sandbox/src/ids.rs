//! Identifiers: fixed-width digit strings that encode where an entity lives.
//!
//! TikTok ids are 18–19 digit strings. The sandbox builds them as a type prefix, the
//! fields that locate the entity (shop index, day number since 1970-01-01, index within
//! the day) and seed-dependent check digits, so an id can be decoded back to its shop and
//! day without any index (a world of millions of orders needs no lookup table), and a
//! made-up or foreign id fails the check.

use crate::rng::{hash, stream};

/// The shape of one kind of id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    prefix: &'static str,
    widths: &'static [usize],
    len: usize,
}

/// Orders: shop, creation day, index in the day.
pub(crate) const ORDER: Layout = Layout {
    prefix: "57",
    widths: &[1, 5, 7],
    len: 18,
};
/// Order line items: shop, day, order index, line number.
pub(crate) const LINE_ITEM: Layout = Layout {
    prefix: "58",
    widths: &[1, 5, 7, 2],
    len: 19,
};
/// Returns: shop, order creation day, order index.
pub(crate) const RETURN: Layout = Layout {
    prefix: "46",
    widths: &[1, 5, 7],
    len: 18,
};
/// Statements: shop, statement day.
pub(crate) const STATEMENT: Layout = Layout {
    prefix: "73",
    widths: &[1, 5],
    len: 19,
};
/// Payments: shop, last statement day of the payment.
pub(crate) const PAYMENT: Layout = Layout {
    prefix: "74",
    widths: &[1, 5],
    len: 19,
};
/// Transactions: shop, day, kind, index.
pub(crate) const TRANSACTION: Layout = Layout {
    prefix: "72",
    widths: &[1, 5, 1, 7],
    len: 19,
};
/// Adjustments: shop, day, kind, index.
pub(crate) const ADJUSTMENT: Layout = Layout {
    prefix: "75",
    widths: &[1, 5, 1, 7],
    len: 19,
};
/// Reserves: shop, collection day.
pub(crate) const RESERVE: Layout = Layout {
    prefix: "76",
    widths: &[1, 5],
    len: 19,
};
/// Shops: shop.
pub(crate) const SHOP: Layout = Layout {
    prefix: "749",
    widths: &[1],
    len: 19,
};
/// Products: shop, product index.
pub(crate) const PRODUCT: Layout = Layout {
    prefix: "172",
    widths: &[1, 2],
    len: 19,
};
/// SKUs: shop, SKU index.
pub(crate) const SKU: Layout = Layout {
    prefix: "173",
    widths: &[1, 2],
    len: 19,
};
/// Advertisers: shop.
pub(crate) const ADVERTISER: Layout = Layout {
    prefix: "69",
    widths: &[1],
    len: 19,
};
/// Campaigns: shop, campaign index.
pub(crate) const CAMPAIGN: Layout = Layout {
    prefix: "18",
    widths: &[1, 1],
    len: 19,
};
/// Creator content (videos, LIVE rooms): shop, day, order index.
pub(crate) const CONTENT: Layout = Layout {
    prefix: "71",
    widths: &[1, 5, 7],
    len: 19,
};
/// Buyers: shop, day, order index.
pub(crate) const BUYER: Layout = Layout {
    prefix: "70",
    widths: &[1, 5, 7],
    len: 19,
};

fn check(seed: u64, layout: Layout, values: &[u64], width: usize) -> String {
    let mut key = vec![seed, stream::IDS, hash_str(layout.prefix), layout.len as u64];
    key.extend_from_slice(values);
    let modulo = 10u64.pow(width as u32);
    format!("{:0width$}", hash(&key) % modulo)
}

fn hash_str(s: &str) -> u64 {
    let words: Vec<u64> = s.bytes().map(u64::from).collect();
    hash(&words)
}

/// Builds the id of `values` (one per field of `layout`, each within its width).
pub(crate) fn encode(seed: u64, layout: Layout, values: &[u64]) -> String {
    let mut out = String::with_capacity(layout.len);
    out.push_str(layout.prefix);
    for (value, width) in values.iter().zip(layout.widths) {
        out.push_str(&format!("{value:0width$}"));
    }
    let used = out.len();
    out.push_str(&check(seed, layout, values, layout.len.saturating_sub(used)));
    out
}

/// Decodes an id built by [`encode`]; `None` if it is malformed or fails its check.
pub(crate) fn decode(seed: u64, layout: Layout, id: &str) -> Option<Vec<u64>> {
    if id.len() != layout.len || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = id.strip_prefix(layout.prefix)?;
    let mut values = Vec::with_capacity(layout.widths.len());
    let mut at = 0;
    for width in layout.widths {
        values.push(rest.get(at..at + width)?.parse().ok()?);
        at += width;
    }
    let expected = check(seed, layout, &values, rest.len() - at);
    (rest.get(at..)? == expected).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_tampering() {
        let id = encode(42, ORDER, &[1, 20_500, 17]);
        assert_eq!(id.len(), 18);
        assert_eq!(decode(42, ORDER, &id), Some(vec![1, 20_500, 17]));
        assert_eq!(decode(43, ORDER, &id), None, "another seed's id");
        let mut tampered = id.into_bytes();
        tampered[5] = if tampered[5] == b'9' { b'8' } else { b'9' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(decode(42, ORDER, &tampered), None);
        assert_eq!(encode(42, STATEMENT, &[0, 20_000]).len(), 19);
    }
}
