//! Property tests of money: round trips, exact sums, the one rounding rule, no panics.

use proptest::prelude::*;

use super::currency::CURRENCIES;
use super::tests::currency;
use super::*;

fn any_currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(CURRENCIES).prop_map(|(code, _)| currency(code))
}

fn any_decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        0_u32..=28,
    )
        .prop_map(|(lo, mid, hi, negative, scale)| {
            Decimal::from_parts(lo, mid, hi, negative, scale)
        })
}

/// Money whose sums of three stay far inside every range.
fn any_money(currency: Currency) -> impl Strategy<Value = Money> {
    any::<i64>().prop_map(move |minor| Money::from_minor(minor, currency))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn minor_units_round_trip(minor in any::<i64>(), c in any_currency()) {
        prop_assert_eq!(Money::from_minor(minor, c).minor(), Ok(minor));
    }

    #[test]
    fn display_parses_back_to_the_same_money(minor in any::<i64>(), c in any_currency()) {
        let m = Money::from_minor(minor, c);
        let text = m.to_string();
        let (number, code) = text.rsplit_once(' ').unwrap();
        prop_assert_eq!(Money::parse(number, currency(code)), Ok(m));
        prop_assert_eq!(number.split_once('.').map_or(0, |(_, places)| places.len()), c.exponent() as usize);
    }

    #[test]
    fn addition_is_commutative_and_associative(
        (a, b, c) in any_currency().prop_flat_map(|c| (any_money(c), any_money(c), any_money(c)))
    ) {
        prop_assert_eq!(a.checked_add(b), b.checked_add(a));
        let left = a.checked_add(b).and_then(|ab| ab.checked_add(c));
        let right = b.checked_add(c).and_then(|bc| a.checked_add(bc));
        prop_assert!(left.is_ok());
        prop_assert_eq!(left, right);
    }

    #[test]
    fn addition_near_the_limits_agrees_whenever_it_fits(
        a in any_decimal(), b in any_decimal(), c in any_decimal(), cur in any_currency()
    ) {
        let [a, b, c] = [a, b, c].map(|d| Money::from_decimal(d, cur));
        if let (Ok(x), Ok(y)) = (a.checked_add(b), b.checked_add(a)) {
            prop_assert_eq!(x, y);
        }
        let left = a.checked_add(b).and_then(|ab| ab.checked_add(c));
        let right = b.checked_add(c).and_then(|bc| a.checked_add(bc));
        if let (Ok(x), Ok(y)) = (left, right) {
            prop_assert_eq!(x, y);
        }
    }

    #[test]
    fn adding_the_negation_gives_zero(d in any_decimal(), c in any_currency()) {
        let a = Money::from_decimal(d, c);
        if a.amount().scale() == c.exponent() {
            prop_assert_eq!(a.checked_add(-a), Ok(Money::zero(c)));
            prop_assert_eq!(a.checked_sub(a), Ok(Money::zero(c)));
        }
        prop_assert_eq!(-(-a), a);
    }

    #[test]
    fn checked_sum_equals_a_fold_of_checked_add(
        (c, items) in any_currency().prop_flat_map(|c| (Just(c), prop::collection::vec(
            any_decimal().prop_map(move |d| Money::from_decimal(d, c)), 0..8)))
    ) {
        let folded = items.iter().try_fold(Money::zero(c), |acc, &m| acc.checked_add(m));
        prop_assert_eq!(Money::checked_sum(items, c), folded);
    }

    #[test]
    fn parse_never_panics(text in any::<String>(), c in any_currency()) {
        let _ = Money::parse(&text, c);
        let _ = Currency::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_number_like_text(
        text in "[ \t]?[-+]{0,2}[0-9]{0,45}[.]{0,2}[0-9]{0,45}[eE,_]?[0-9]{0,2}[ ]?",
        c in any_currency(),
    ) {
        let _ = Money::parse(&text, c);
    }

    #[test]
    fn parse_agrees_with_an_exact_decimal_reading(
        text in "[-+]?[0-9]{1,12}([.][0-9]{0,14})?", c in any_currency()
    ) {
        let expected = Money::from_decimal(Decimal::from_str_exact(&text).unwrap(), c);
        prop_assert_eq!(Money::parse(&text, c), Ok(expected));
    }

    #[test]
    fn from_decimal_is_idempotent(d in any_decimal(), c in any_currency()) {
        let once = Money::from_decimal(d, c);
        let twice = Money::from_decimal(once.amount(), c);
        prop_assert_eq!(once, twice);
        let text = once.to_string();
        prop_assert_eq!(&text, &twice.to_string());
        let number = text.trim_end_matches(c.as_str()).trim_end();
        let places = number.split_once('.').map_or(0, |(_, places)| places.len());
        prop_assert_eq!(places, c.exponent() as usize);
    }

    #[test]
    fn rounding_is_half_to_even_within_half_a_minor_unit(d in any_decimal(), c in any_currency()) {
        let rounded = Money::from_decimal(d, c).amount();
        let exponent = c.exponent();
        // Compare `d` and `rounded` as integers at the finer of the two scales.
        let scale = d.scale().max(exponent);
        let at = |x: Decimal| x.mantissa() * 10_i128.pow(scale - x.scale());
        let difference = (at(d) - at(rounded)).abs();
        let unit = 10_i128.pow(scale - exponent);
        prop_assert!(2 * difference <= unit);
        if 2 * difference == unit {
            let last_digit = at(rounded) / unit % 10;
            prop_assert_eq!(last_digit % 2, 0);
        }
    }

    #[test]
    fn conversion_agrees_with_decimal_when_the_product_is_exact(
        minor in -1_000_000_000_000_i64..1_000_000_000_000,
        rate_mantissa in 1_i64..1_000_000_000_000,
        rate_scale in 0_u32..=12,
        from in any_currency(), to in any_currency(),
    ) {
        let m = Money::from_minor(minor, from);
        let rate = Decimal::new(rate_mantissa, rate_scale);
        let product = m.amount().checked_mul(rate).unwrap();
        prop_assert_eq!(m.convert(rate, to), Ok(Money::from_decimal(product, to)));
    }

    #[test]
    fn conversion_never_panics(d in any_decimal(), rate in any_decimal(), from in any_currency(), to in any_currency()) {
        let _ = Money::from_decimal(d, from).convert(rate, to);
    }

    #[test]
    fn multiplication_agrees_with_repeated_addition(minor in any::<i64>(), factor in -5_i64..=5, c in any_currency()) {
        let m = Money::from_minor(minor, c);
        let mut expected = Money::zero(c);
        for _ in 0..factor.unsigned_abs() {
            expected = expected.checked_add(if factor < 0 { -m } else { m }).unwrap();
        }
        prop_assert_eq!(m.checked_mul_int(factor), Ok(expected));
    }
}
