//! Integer money: amounts are `i64` minor units of the shop currency.
//!
//! The generator computes every amount in minor units (cents, pence, whole rupiah), so
//! sums are exact by construction; [`rust_decimal::Decimal`] appears only at the edges
//! (the public [`crate::World`] accessors and the wire strings). No floats.

use rust_decimal::Decimal;

/// An amount in minor units of some currency.
pub(crate) type Minor = i64;

/// Decimal digits of a currency as TikTok prints it (IDR and VND have none).
pub(crate) fn digits(currency: &str) -> u32 {
    match currency {
        "IDR" | "VND" | "JPY" | "KRW" => 0,
        _ => 2,
    }
}

/// The amount as a `Decimal` with the currency's scale.
pub(crate) fn decimal(amount: Minor, digits: u32) -> Decimal {
    Decimal::new(amount, digits)
}

/// The wire string of an amount: `"0"` for zero, else all currency digits (`"-12.30"`).
pub(crate) fn wire(amount: Minor, digits: u32) -> String {
    if amount == 0 {
        "0".to_owned()
    } else {
        Decimal::new(amount, digits).to_string()
    }
}

/// The amount with all currency digits, zero included (`"0.00"`); used by the ads API.
pub(crate) fn fixed(amount: Minor, digits: u32) -> String {
    Decimal::new(amount, digits).to_string()
}

/// `n / d` rounded half away from zero.
pub(crate) fn round_div(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

/// `amount × basis_points / 10 000`, rounded half away from zero.
pub(crate) fn pct(amount: Minor, basis_points: i64) -> Minor {
    round_div(i128::from(amount) * i128::from(basis_points), 10_000) as Minor
}

/// Splits `total` over `weights` by the largest-remainder method.
///
/// The parts always sum exactly to `total`; ties go to the earlier index, so the split is
/// deterministic. Zero total weight splits evenly.
pub(crate) fn allocate(total: Minor, weights: &[i64]) -> Vec<Minor> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weights: Vec<i128> = if weights.iter().all(|w| *w <= 0) {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|w| i128::from((*w).max(0))).collect()
    };
    let sum: i128 = weights.iter().sum();
    let magnitude = i128::from(total).abs();
    let mut parts: Vec<i128> = weights.iter().map(|w| magnitude * w / sum).collect();
    let mut left = magnitude - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(magnitude * weights[i] % sum), i));
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| (p * sign) as Minor).collect()
}

/// Converts a US-cent price point to the shop currency's minor units.
///
/// GBP, EUR and unknown currencies reuse the USD price points ("similar prices"); IDR uses
/// 15 000 per USD, VND 25 000, MYR 4.7 and THB 36, rounded to the currency's minor unit.
pub(crate) fn from_usd_cents(cents: i64, currency: &str) -> Minor {
    // (numerator, denominator) of the rate applied to cents → minor units.
    let (num, den): (i128, i128) = match currency {
        "IDR" => (15_000, 100),
        "VND" => (25_000, 100),
        "MYR" => (47, 10),
        "THB" => (36, 1),
        _ => (1, 1),
    };
    round_div(i128::from(cents) * num, den) as Minor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_keep_currency_digits() {
        assert_eq!(wire(0, 2), "0");
        assert_eq!(wire(1230, 2), "12.30");
        assert_eq!(wire(-5, 2), "-0.05");
        assert_eq!(wire(149_850, 0), "149850");
        assert_eq!(fixed(0, 2), "0.00");
    }

    #[test]
    fn pct_rounds_half_away_from_zero() {
        assert_eq!(pct(1999, 800), 160); // 159.92
        assert_eq!(pct(-1999, 800), -160);
        assert_eq!(pct(50, 1000), 5);
        assert_eq!(pct(25, 2000), 5);
    }

    #[test]
    fn allocation_sums_exactly() {
        for total in [-1001, -7, 0, 1, 100, 999, 12_345] {
            let parts = allocate(total, &[3, 1, 1, 0, 5]);
            assert_eq!(parts.iter().sum::<i64>(), total);
        }
        assert_eq!(allocate(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(allocate(-10, &[0, 0]), vec![-5, -5]);
    }

    #[test]
    fn prices_scale_by_currency() {
        assert_eq!(from_usd_cents(999, "USD"), 999);
        assert_eq!(from_usd_cents(999, "GBP"), 999);
        assert_eq!(from_usd_cents(999, "IDR"), 149_850);
    }
}
