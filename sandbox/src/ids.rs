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
/// Return line items: shop, order creation day, order index, line number.
pub(crate) const RETURN_LINE_ITEM: Layout = Layout {
    prefix: "47",
    widths: &[1, 5, 7, 2],
    len: 19,
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
/// Affiliate collaborations: shop, creator index.
pub(crate) const COLLABORATION: Layout = Layout {
    prefix: "77",
    widths: &[1, 2],
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
    let mut key = vec![
        seed,
        stream::IDS,
        hash_str(layout.prefix),
        layout.len as u64,
    ];
    key.extend_from_slice(values);
    let modulo = 10u64.pow(width as u32);
    format!("{:0width$}", hash(&key) % modulo)
}

fn hash_str(s: &str) -> u64 {
    let words: Vec<u64> = s.bytes().map(u64::from).collect();
    hash(&words)
}

/// Multiplier of the digit scrambler; ends in 7, so it is invertible modulo any 10^k.
const SCRAMBLE: i128 = 7_654_321_987_654_327;

/// `a⁻¹ mod m` by the extended Euclidean algorithm (`a` coprime to `m`).
fn inverse(a: i128, m: i128) -> i128 {
    let (mut r0, mut r1, mut t0, mut t1) = (m, a.rem_euclid(m), 0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(m)
}

/// The payload digits, the offset of the scrambler and its modulus 10^(payload width).
fn scrambler(seed: u64, layout: Layout) -> (i128, i128) {
    let width: u32 = layout.widths.iter().sum::<usize>() as u32;
    let modulo = 10i128.pow(width);
    let offset = i128::from(hash(&[seed, stream::IDS, hash_str(layout.prefix)])) % modulo;
    (offset, modulo)
}

/// Builds the id of `values` (one per field of `layout`, each within its width).
///
/// The fields are packed into one number and scrambled by a bijective affine map modulo
/// 10^width (so ids look random but decode exactly), then check digits are appended.
pub(crate) fn encode(seed: u64, layout: Layout, values: &[u64]) -> String {
    let mut payload: i128 = 0;
    for (value, width) in values.iter().zip(layout.widths) {
        payload = payload * 10i128.pow(*width as u32) + i128::from(*value);
    }
    let (offset, modulo) = scrambler(seed, layout);
    let scrambled = (payload * (SCRAMBLE % modulo) + offset).rem_euclid(modulo);
    let width: usize = layout.widths.iter().sum();
    let mut out = format!("{}{scrambled:0width$}", layout.prefix);
    let used = out.len();
    out.push_str(&check(
        seed,
        layout,
        values,
        layout.len.saturating_sub(used),
    ));
    out
}

/// Decodes an id built by [`encode`]; `None` if it is malformed or fails its check.
pub(crate) fn decode(seed: u64, layout: Layout, id: &str) -> Option<Vec<u64>> {
    if id.len() != layout.len || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = id.strip_prefix(layout.prefix)?;
    let width: usize = layout.widths.iter().sum();
    let scrambled: i128 = rest.get(..width)?.parse().ok()?;
    let (offset, modulo) = scrambler(seed, layout);
    let mut payload =
        ((scrambled - offset) * inverse(SCRAMBLE % modulo, modulo)).rem_euclid(modulo);
    let mut values = vec![0u64; layout.widths.len()];
    for (slot, w) in values.iter_mut().zip(layout.widths).rev() {
        let unit = 10i128.pow(*w as u32);
        *slot = (payload % unit) as u64;
        payload /= unit;
    }
    let expected = check(seed, layout, &values, rest.len() - width);
    (rest.get(width..)? == expected).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_tampering() {
        let id = encode(42, ORDER, &[1, 20_500, 17]);
        assert_eq!(id.len(), 18);
        assert_ne!(id, encode(42, ORDER, &[1, 20_500, 18]));
        assert_eq!(
            decode(42, ORDER, &encode(42, ORDER, &[9, 99_999, 9_999_999])),
            Some(vec![9, 99_999, 9_999_999])
        );
        assert_eq!(decode(42, ORDER, &id), Some(vec![1, 20_500, 17]));
        assert_eq!(decode(43, ORDER, &id), None, "another seed's id");
        let mut tampered = id.into_bytes();
        tampered[5] = if tampered[5] == b'9' { b'8' } else { b'9' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(decode(42, ORDER, &tampered), None);
        assert_eq!(encode(42, STATEMENT, &[0, 20_000]).len(), 19);
    }
}
