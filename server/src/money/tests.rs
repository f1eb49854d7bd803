//! Unit tests of money and currencies (properties are in `properties.rs`).

use super::currency::CURRENCIES;
use super::*;

pub(super) fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

pub(super) fn money(text: &str, code: &str) -> Money {
    Money::parse(text, currency(code)).unwrap()
}

pub(super) fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

/// The largest amount whose minor units fill all 96 bits of a `Decimal`.
pub(super) fn largest(code: &str) -> Money {
    let c = currency(code);
    let amount = Decimal::from_i128_with_scale((1_i128 << 96) - 1, c.exponent());
    Money::from_decimal(amount, c)
}

#[test]
fn currency_table_is_sorted_and_has_no_duplicates() {
    for pair in CURRENCIES.windows(2) {
        assert!(pair[0].0 < pair[1].0, "{pair:?} out of order");
    }
}

#[test]
fn currency_table_holds_three_letter_codes_with_small_exponents() {
    assert!((160..=180).contains(&CURRENCIES.len()));
    for &(code, exponent) in CURRENCIES {
        assert_eq!(code.len(), 3, "{code}");
        assert!(code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
        assert!(exponent <= 4, "{code}");
    }
}

#[test]
fn every_currency_in_the_table_parses_back_to_itself() {
    for &(code, exponent) in CURRENCIES {
        let parsed = currency(code);
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.exponent(), exponent);
    }
}

#[test]
fn currencies_carry_their_official_exponents() {
    #[rustfmt::skip]
    let expected = [
        ("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("IDR", 2),
        ("THB", 2), ("MYR", 2), ("SGD", 2), ("PHP", 2), ("CNY", 2), ("HKD", 2), ("TWD", 2),
        ("INR", 2), ("AUD", 2), ("CAD", 2), ("MXN", 2), ("BRL", 2), ("CLP", 0), ("COP", 2),
        ("ISK", 0), ("HUF", 2), ("KWD", 3), ("BHD", 3), ("JOD", 3), ("OMR", 3), ("TND", 3),
        ("LYD", 3), ("IQD", 3), ("UYI", 0), ("UYW", 4), ("CLF", 4), ("XAF", 0), ("XOF", 0),
        ("XPF", 0), ("UGX", 0), ("PYG", 0), ("RWF", 0), ("KMF", 0), ("GNF", 0), ("DJF", 0),
        ("VUV", 0), ("BIF", 0), ("SAR", 2), ("AED", 2),
    ];
    for (code, exponent) in expected {
        assert_eq!(currency(code).exponent(), exponent, "{code}");
    }
}

#[test]
fn currency_codes_are_case_insensitive_and_trimmed() {
    assert_eq!(currency("usd"), currency("USD"));
    assert_eq!(currency(" uSd\n"), currency("USD"));
    assert_eq!("eur".parse::<Currency>(), Ok(currency("EUR")));
    assert_eq!(currency("jpy").to_string(), "JPY");
}

#[test]
fn unknown_currency_codes_are_named_as_given() {
    for code in ["", "US", "USDD", "ABC", "XAU", "XXX", "U$D", "ü", " zzz "] {
        assert_eq!(
            Currency::parse(code),
            Err(MoneyError::UnknownCurrency(code.to_owned()))
        );
    }
    assert_eq!(
        MoneyError::UnknownCurrency("abc".to_owned()).to_string(),
        "unknown currency code \"abc\""
    );
}

#[test]
fn jpy_has_no_decimal_places_and_rounds_half_to_even() {
    assert_eq!(money("1200", "JPY").minor(), Ok(1200));
    assert_eq!(money("12.5", "JPY").minor(), Ok(12));
    assert_eq!(money("13.5", "JPY").minor(), Ok(14));
    assert_eq!(money("-12.5", "JPY").minor(), Ok(-12));
    assert_eq!(money("12.5000000001", "JPY").minor(), Ok(13));
    assert_eq!(money("1200", "JPY").to_string(), "1200 JPY");
}

#[test]
fn usd_has_two_decimal_places() {
    assert_eq!(money("12.34", "USD").minor(), Ok(1234));
    assert_eq!(money("12.3", "USD").to_string(), "12.30 USD");
    assert_eq!(money("0.125", "USD").minor(), Ok(12));
    assert_eq!(money("0.135", "USD").minor(), Ok(14));
    assert_eq!(money("-0.125", "USD").minor(), Ok(-12));
    assert_eq!(money("-0.125", "USD").to_string(), "-0.12 USD");
    assert_eq!(money("-0.135", "USD").minor(), Ok(-14));
}

#[test]
fn kwd_has_three_decimal_places() {
    assert_eq!(money("1.2345", "KWD").to_string(), "1.234 KWD");
    assert_eq!(money("1.2355", "KWD").to_string(), "1.236 KWD");
    assert_eq!(money("1.25", "KWD").to_string(), "1.250 KWD");
    assert_eq!(money("1.25", "KWD").minor(), Ok(1250));
}

#[test]
fn display_always_shows_the_currency_exponent() {
    assert_eq!(
        Money::from_minor(1230, currency("USD")).to_string(),
        "12.30 USD"
    );
    assert_eq!(Money::from_minor(-5, currency("JPY")).to_string(), "-5 JPY");
    assert_eq!(
        Money::from_minor(1250, currency("KWD")).to_string(),
        "1.250 KWD"
    );
    assert_eq!(
        Money::from_minor(7, currency("CLF")).to_string(),
        "0.0007 CLF"
    );
    assert_eq!(Money::zero(currency("USD")).to_string(), "0.00 USD");
    assert_eq!(
        largest("USD").to_string(),
        "792281625142643375935439503.35 USD"
    );
}

#[test]
fn parse_accepts_signs_whitespace_and_bare_points() {
    assert_eq!(money("+3", "USD").minor(), Ok(300));
    assert_eq!(money("0.10", "USD").minor(), Ok(10));
    assert_eq!(money(" 7.5 ", "USD").minor(), Ok(750));
    assert_eq!(money("-12.345", "USD").minor(), Ok(-1234));
    assert_eq!(money(".5", "USD").minor(), Ok(50));
    assert_eq!(money("5.", "USD").minor(), Ok(500));
    assert_eq!(money("0007.50", "USD").minor(), Ok(750));
}

#[test]
fn parse_reads_every_decimal_before_rounding() {
    let tie_then_one = format!("0.125{}1", "0".repeat(60));
    assert_eq!(money(&tie_then_one, "USD").minor(), Ok(13));
    let tie = format!("0.125{}", "0".repeat(60));
    assert_eq!(money(&tie, "USD").minor(), Ok(12));
    let below = format!("0.124{}", "9".repeat(60));
    assert_eq!(money(&below, "USD").minor(), Ok(12));
    let leading_zeros = format!("{}1.5", "0".repeat(100));
    assert_eq!(money(&leading_zeros, "JPY").minor(), Ok(2));
}

#[test]
fn negative_zero_is_plain_zero() {
    let rounded = money("-0.001", "USD");
    assert_eq!(rounded, Money::zero(currency("USD")));
    assert_eq!(rounded.to_string(), "0.00 USD");
    assert_eq!((-Money::zero(currency("USD"))).to_string(), "0.00 USD");
    assert!(rounded.is_zero());
}

#[test]
fn parse_rejects_anything_but_a_plain_decimal_and_names_the_text() {
    for text in [
        "", " ", "abc", "1,000.00", "1e5", "1E5", "12.3.4", "--1", "+-1", "-", ".", "NaN", "inf",
        "1 000", "1_000", "0x10", "١٢", "12$", "$12", "- 1",
    ] {
        let error = Money::parse(text, currency("USD")).unwrap_err();
        assert_eq!(error, MoneyError::InvalidAmount(text.to_owned()));
    }
    assert_eq!(
        Money::parse("1e5", currency("USD"))
            .unwrap_err()
            .to_string(),
        "invalid amount \"1e5\": expected a decimal number such as -12.34"
    );
}

#[test]
fn parse_reports_numbers_too_large_as_overflow() {
    let huge = "9".repeat(40);
    assert_eq!(
        Money::parse(&huge, currency("USD")),
        Err(MoneyError::Overflow)
    );
    let fits = "792281625142643375935439503.35";
    assert_eq!(money(fits, "USD"), largest("USD"));
    let one_more = "792281625142643375935439503.36";
    assert_eq!(
        Money::parse(one_more, currency("USD")),
        Err(MoneyError::Overflow)
    );
}

#[test]
fn adding_usd_to_eur_is_a_currency_mismatch() {
    let usd = money("1", "USD");
    let eur = money("1", "EUR");
    let mismatch = MoneyError::CurrencyMismatch {
        left: currency("USD"),
        right: currency("EUR"),
    };
    assert_eq!(usd.checked_add(eur), Err(mismatch.clone()));
    assert_eq!(usd.checked_sub(eur), Err(mismatch.clone()));
    assert_eq!(
        Money::checked_sum([usd, eur], currency("USD")),
        Err(mismatch.clone())
    );
    assert_eq!(mismatch.to_string(), "cannot combine USD with EUR");
    assert_eq!(
        Money::checked_sum([eur], currency("USD")),
        Err(MoneyError::CurrencyMismatch {
            left: currency("USD"),
            right: currency("EUR"),
        })
    );
}

#[test]
fn sums_beyond_i64_stay_exact_but_cannot_be_stored() {
    let usd = currency("USD");
    let sum = Money::from_minor(i64::MAX, usd)
        .checked_add(Money::from_minor(1, usd))
        .unwrap();
    assert_eq!(sum.minor(), Err(MoneyError::Overflow));
    assert_eq!(sum.amount(), dec("92233720368547758.08"));
    assert_eq!(Money::from_minor(i64::MIN, usd).minor(), Ok(i64::MIN));
    let below = Money::from_minor(i64::MIN, usd).checked_sub(Money::from_minor(1, usd));
    assert_eq!(below.unwrap().minor(), Err(MoneyError::Overflow));
    assert_eq!(MoneyError::Overflow.to_string(), "amount out of range");
}

#[test]
fn sums_beyond_decimal_range_are_overflow_not_rounded() {
    let usd = currency("USD");
    let one_cent = Money::from_minor(1, usd);
    assert_eq!(
        largest("USD").checked_add(one_cent),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        largest("USD").checked_add(largest("USD")),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        (-largest("USD")).checked_sub(one_cent),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        largest("JPY").checked_add(money("1", "JPY")),
        Err(MoneyError::Overflow)
    );
    assert!(largest("USD").checked_sub(one_cent).is_ok());
}

#[test]
fn multiplying_by_a_quantity_is_exact_or_overflow() {
    let usd = currency("USD");
    assert_eq!(
        money("12.34", "USD").checked_mul_int(3),
        Ok(money("37.02", "USD"))
    );
    assert_eq!(
        money("12.34", "USD").checked_mul_int(-2),
        Ok(money("-24.68", "USD"))
    );
    assert_eq!(
        money("12.34", "USD").checked_mul_int(0),
        Ok(Money::zero(usd))
    );
    let doubled = Money::from_minor(i64::MAX, usd).checked_mul_int(2).unwrap();
    assert_eq!(doubled.minor(), Err(MoneyError::Overflow));
    assert_eq!(
        Money::from_minor(i64::MAX, usd).checked_mul_int(i64::MAX),
        Err(MoneyError::Overflow)
    );
    assert_eq!(largest("USD").checked_mul_int(2), Err(MoneyError::Overflow));
    assert_eq!(
        largest("JPY").checked_mul_int(-2),
        Err(MoneyError::Overflow)
    );
}

#[test]
fn a_million_vnd_lines_sum_exactly_and_fit_the_database() {
    let vnd = currency("VND");
    let line = Money::from_minor(9_999_999_999, vnd);
    let total = Money::checked_sum(std::iter::repeat_n(line, 1_000_000), vnd).unwrap();
    assert_eq!(total.minor(), Ok(9_999_999_999_000_000));
    assert_eq!(total, line.checked_mul_int(1_000_000).unwrap());
    assert_eq!(total.to_string(), "9999999999000000 VND");
}

#[test]
fn a_million_idr_lines_sum_exactly_and_fit_the_database() {
    let idr = currency("IDR");
    let line = money("99999999.99", "IDR");
    let total = Money::checked_sum(std::iter::repeat_n(line, 1_000_000), idr).unwrap();
    assert_eq!(total.minor(), Ok(9_999_999_999_000_000));
    assert_eq!(total.to_string(), "99999999990000.00 IDR");
}

#[test]
fn an_empty_sum_is_zero() {
    let sum = Money::checked_sum(std::iter::empty(), currency("KWD")).unwrap();
    assert_eq!(sum, Money::zero(currency("KWD")));
    assert_eq!(sum.to_string(), "0.000 KWD");
}

#[test]
fn conversion_rounds_the_exact_product_half_to_even() {
    let usd = money("100.00", "USD");
    assert_eq!(
        usd.convert(dec("15500.5"), currency("VND")),
        Ok(money("1550050", "VND"))
    );
    assert_eq!(
        money("1.00", "USD").convert(dec("150.5"), currency("JPY")),
        Ok(money("150", "JPY"))
    );
    assert_eq!(
        money("1.00", "USD").convert(dec("151.5"), currency("JPY")),
        Ok(money("152", "JPY"))
    );
    assert_eq!(
        money("0.05", "USD").convert(dec("0.5"), currency("EUR")),
        Ok(money("0.02", "EUR"))
    );
    assert_eq!(
        money("0.15", "USD").convert(dec("0.5"), currency("EUR")),
        Ok(money("0.08", "EUR"))
    );
    assert_eq!(
        money("-0.15", "USD").convert(dec("0.5"), currency("EUR")),
        Ok(money("-0.08", "EUR"))
    );
    assert_eq!(
        money("3", "JPY").convert(dec("0.0066"), currency("KWD")),
        Ok(money("0.020", "KWD"))
    );
}

#[test]
fn conversion_sees_digits_past_what_a_decimal_holds() {
    // 0.01 * 0.5000000000000000000000000001 = 0.005000000000000000000000000000 5 (30
    // places): just above the tie, so it rounds up, although `Decimal`'s own product would
    // have been cut to the tie at 28 places and rounded down.
    let rate = dec("0.5000000000000000000000000001");
    assert_eq!(
        money("0.01", "USD").convert(rate, currency("USD")),
        Ok(money("0.01", "USD"))
    );
    let rate = dec("0.4999999999999999999999999999");
    assert_eq!(
        money("0.01", "USD").convert(rate, currency("USD")),
        Ok(Money::zero(currency("USD")))
    );
}

#[test]
fn conversion_that_does_not_fit_is_overflow() {
    let rate = dec("1000");
    assert_eq!(
        largest("USD").convert(rate, currency("JPY")),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        largest("USD").convert(Decimal::MAX, currency("KWD")),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        largest("USD").convert(Decimal::ZERO, currency("KWD")),
        Ok(Money::zero(currency("KWD")))
    );
}

#[test]
fn from_decimal_rounds_and_pads_to_the_exponent() {
    let usd = currency("USD");
    assert_eq!(Money::from_decimal(dec("1"), usd).amount().scale(), 2);
    assert_eq!(
        Money::from_decimal(dec("1.005"), usd).to_string(),
        "1.00 USD"
    );
    assert_eq!(
        Money::from_decimal(dec("1.015"), usd).to_string(),
        "1.02 USD"
    );
    assert_eq!(
        Money::from_decimal(dec("1.0"), usd),
        Money::from_minor(100, usd)
    );
    assert_eq!(
        Money::from_decimal(Decimal::MAX, usd).to_string(),
        format!("{} USD", "79228162514264337593543950335.00")
    );
    assert_eq!(
        Money::from_decimal(Decimal::MAX, usd).minor(),
        Err(MoneyError::Overflow)
    );
}

#[test]
fn accessors_report_what_was_built() {
    let m = money("-12.34", "EUR");
    assert_eq!(m.amount(), dec("-12.34"));
    assert_eq!(m.currency(), currency("EUR"));
    assert!(!m.is_zero());
    assert_eq!((-m).to_string(), "12.34 EUR");
}
