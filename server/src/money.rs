//! Money: exact amounts in an ISO 4217 currency. This module owns the currency table
//! (alphabetic codes and their minor-unit exponents), the parsing of channels' decimal
//! strings, the conversion to and from the integer minor units the database stores, checked
//! arithmetic that refuses to mix currencies or overflow, and the project's one rounding rule
//! (round half to even at the currency's exponent). Money is never a float here: amounts are
//! `rust_decimal::Decimal` values and integers, and nothing in this file uses `f32` or `f64`.

use std::fmt;
use std::ops::Neg;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// ISO 4217 alphabetic codes with their minor-unit exponents, sorted by code for binary search.
///
/// This is ISO 4217 list one as published on 2026-01-01, without the codes whose minor unit is
/// "N.A." (precious metals, SDR, bond-market units, XSU, XUA, XTS, XXX), plus a few codes that
/// ISO withdrew recently (ANG, BGN, CUC, HRK, SLL, ZWL) so that ledger lines recorded before the
/// switch still parse.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BIF", 0),
    ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2),
    ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHE", 2), ("CHF", 2), ("CHW", 2), ("CLF", 4),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("COU", 2), ("CRC", 2), ("CUC", 2), ("CUP", 2), ("CVE", 2),
    ("CZK", 2), ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HRK", 2), ("HTG", 2), ("HUF", 2),
    ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2), ("JOD", 3),
    ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0), ("KWD", 3),
    ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3),
    ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2),
    ("MUR", 2), ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MXV", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2),
    ("NGN", 2), ("NIO", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2),
    ("PGK", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2),
    ("SHP", 2), ("SLE", 2), ("SLL", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2),
    ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2), ("TRY", 2),
    ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("USN", 2), ("UYI", 0),
    ("UYU", 2), ("UYW", 4), ("UZS", 2), ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2),
    ("XAD", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2),
    ("ZMW", 2), ("ZWG", 2), ("ZWL", 2),
];

/// What can go wrong when reading or combining money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an ISO 4217 code in the currency table; holds the code as given.
    #[error("unknown currency code \"{0}\"")]
    UnknownCurrency(String),
    /// The text is not a plain decimal number; holds the text as given.
    #[error("invalid amount \"{0}\": expected a decimal number such as -12.34")]
    InvalidAmount(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of the left-hand amount.
        left: Currency,
        /// The currency of the right-hand amount.
        right: Currency,
    },
    /// The result does not fit: beyond `Decimal`'s 96-bit range at the currency's exponent,
    /// or (for [`Money::minor`]) beyond `i64` minor units.
    #[error("amount out of range")]
    Overflow,
}

/// An ISO 4217 currency from the table above, such as USD (2 decimals) or JPY (none).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// Looks up an ISO 4217 alphabetic code; case-insensitive ("usd" is USD) and surrounding
    /// whitespace is trimmed.
    ///
    /// # Errors
    ///
    /// [`MoneyError::UnknownCurrency`] holding `code` as given when it is not in the table.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency(code.to_owned());
        let wanted = code.trim().as_bytes();
        let [a, b, c] = *wanted else {
            return Err(unknown());
        };
        let upper = [
            a.to_ascii_uppercase(),
            b.to_ascii_uppercase(),
            c.to_ascii_uppercase(),
        ];
        CURRENCIES
            .binary_search_by(|(known, _)| known.as_bytes().cmp(&upper[..]))
            .ok()
            .and_then(|index| CURRENCIES.get(index))
            .map(|&(code, exponent)| Self { code, exponent })
            .ok_or_else(unknown)
    }

    /// The upper-case ISO 4217 alphabetic code, such as "USD".
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        self.code
    }

    /// The number of minor-unit digits: 0 for JPY, 2 for USD, 3 for KWD, 4 for CLF.
    #[must_use]
    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::parse(code)
    }
}

/// The project's one rounding rule: round half to even ("banker's rounding") to `exponent`
/// decimal places. Every rounding of money goes through here and nowhere else.
///
/// Why half to even: over many ledger lines the ties round up and down equally often, so
/// totals carry no systematic upward drift (half-up would add about a quarter of a minor unit
/// per tie); it is also what most settlement and card systems (and IEEE 754) use, so our
/// totals reconcile with theirs. Keeping it in one place means every path (parsing, building
/// from a decimal, currency conversion) agrees to the last minor unit.
fn round_half_even(amount: Decimal, exponent: u32) -> Decimal {
    amount.round_dp_with_strategy(exponent, RoundingStrategy::MidpointNearestEven)
}

/// An exact amount of money in one currency.
///
/// Invariant: `amount` carries exactly `currency.exponent()` decimal places and zero is never
/// negative, so equality, hashing and display are canonical. Every fallible constructor and
/// operation keeps it (or returns [`MoneyError::Overflow`]); only [`Money::from_decimal`] may,
/// for amounts beyond about 7.9e28 minor units where `Decimal` has no room for all the digits,
/// keep fewer places (the value is still exact and still displays with all of them).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Zero in `currency`, such as "0.00 USD".
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// The amount of `minor` minor units: 1234 in USD is 12.34, 1234 in JPY is 1234.
    #[must_use]
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        // Exponents are at most 4, far below `Decimal`'s limit of 28, and every i64 fits in
        // 96 bits, so this never fails.
        let amount = Decimal::new(minor, currency.exponent);
        Self { amount, currency }
    }

    /// `amount` rounded to `currency`'s exponent with the one rounding rule (round half to
    /// even): 12.5 JPY is 12, 13.5 JPY is 14, -0.125 USD is -0.12.
    #[must_use]
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Self {
        let mut amount = round_half_even(amount, currency.exponent);
        // Adds trailing zeros up to the exponent; only amounts too large for 96 bits at that
        // scale keep fewer places.
        amount.rescale(currency.exponent);
        Self::canonical_zero(amount, currency)
    }

    /// Parses a channel's decimal string exactly and rounds it with the one rounding rule.
    ///
    /// Accepts an optional sign and digits with at most one decimal point, surrounded by
    /// optional whitespace: "-12.345", "+3", "0.10", " 7.5 ", ".5". Any number of decimals is
    /// read exactly before rounding. Floats are never involved; exponent notation ("1e5"),
    /// thousands separators ("1,000.00"), "NaN" and anything else are rejected.
    ///
    /// # Errors
    ///
    /// [`MoneyError::InvalidAmount`] holding `text` when it is not such a number;
    /// [`MoneyError::Overflow`] when it is one but too large for `Decimal` (from about 7.9e26
    /// minor units when it has more decimals than the currency, 7.9e28 otherwise).
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::InvalidAmount(text.to_owned());
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.as_bytes() {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            rest => (false, rest),
        };
        let (whole, fraction) = match unsigned.iter().position(|&byte| byte == b'.') {
            Some(dot) => (&unsigned[..dot], &unsigned[dot + 1..]),
            None => (unsigned, &[][..]),
        };
        let all_digits = |digits: &[u8]| digits.iter().all(u8::is_ascii_digit);
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(invalid());
        }

        // Read the digits into an integer mantissa. Decimals past the first `exponent + 1`
        // only decide whether the value lies above a tie, so they collapse into one "sticky"
        // digit (1 if any of them is nonzero): rounding the shortened number to `exponent`
        // places gives exactly the result of rounding the full one, however long it is.
        let keep = currency.exponent + 1;
        let kept_len = usize::try_from(keep).map_err(|_| MoneyError::Overflow)?;
        let (kept, dropped) = fraction.split_at(fraction.len().min(kept_len));
        let mut mantissa: u128 = 0;
        for &digit in whole.iter().chain(kept) {
            mantissa = push_digit(mantissa, digit - b'0')?;
        }
        let mut scale = u32::try_from(kept.len()).map_err(|_| MoneyError::Overflow)?;
        if !dropped.is_empty() {
            let sticky = u8::from(dropped.iter().any(|&digit| digit != b'0'));
            mantissa = push_digit(mantissa, sticky)?;
            scale = keep + 1;
        }
        let exact = decimal_from_parts(mantissa, negative, scale)?;
        Self::checked_canonical(round_half_even(exact, currency.exponent), currency)
    }

    /// The amount as a decimal with the currency's number of decimal places.
    #[must_use]
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency of the amount.
    #[must_use]
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in integer minor units, as the database stores it (BIGINT): 12.34 USD is
    /// 1234.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Overflow`] when the count of minor units does not fit in an `i64`; a
    /// `Money` itself can be larger (sums and products are checked against `Decimal`'s range,
    /// not `i64`'s), so storing is where that limit is enforced.
    pub fn minor(&self) -> Result<i64, MoneyError> {
        let missing = self
            .currency
            .exponent
            .checked_sub(self.amount.scale())
            .ok_or(MoneyError::Overflow)?;
        10_i128
            .checked_pow(missing)
            .and_then(|factor| self.amount.mantissa().checked_mul(factor))
            .and_then(|minor| i64::try_from(minor).ok())
            .ok_or(MoneyError::Overflow)
    }

    /// Whether the amount is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// `self + other`, exactly.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] when the currencies differ; [`MoneyError::Overflow`]
    /// when the exact sum does not fit in `Decimal` at the currency's exponent.
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        let currency = self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Self::exact(sum, currency)
    }

    /// `self - other`, exactly.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] when the currencies differ; [`MoneyError::Overflow`]
    /// when the exact difference does not fit in `Decimal` at the currency's exponent.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.checked_add(-other)
    }

    /// Multiplies by an integer quantity (such as a unit cost times a number of units),
    /// exactly.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Overflow`] when the exact product does not fit in `Decimal` at the
    /// currency's exponent.
    pub fn checked_mul_int(self, factor: i64) -> Result<Self, MoneyError> {
        let product = self
            .amount
            .checked_mul(Decimal::from(factor))
            .ok_or(MoneyError::Overflow)?;
        Self::exact(product, self.currency)
    }

    /// Converts to `to` at `rate` (units of `to` per one unit of `self`'s currency), rounding
    /// the exact product once with the one rounding rule: 100.00 USD at 15500.5 is
    /// 1550050 VND. The rate is applied as given, whatever its sign or number of decimals.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Overflow`] when the result is too large for `Decimal` (from about 7.9e26
    /// minor units of `to`, depending on the decimals involved).
    pub fn convert(self, rate: Decimal, to: Currency) -> Result<Self, MoneyError> {
        // `Decimal` multiplication rounds away digits past 28 decimals or 96 bits, which could
        // move a value onto a tie and round it the wrong way, so the product is formed exactly
        // in 192 bits and shortened with a sticky digit, as in `parse`.
        let negative = self.amount.is_sign_negative() != rate.is_sign_negative();
        let mut product = Wide::product(
            self.amount.mantissa().unsigned_abs(),
            rate.mantissa().unsigned_abs(),
        );
        let mut scale = self.amount.scale() + rate.scale();
        let keep = to.exponent + 1;
        if scale > keep {
            let mut sticky = false;
            for _ in keep..scale {
                sticky |= product.div_rem_10() != 0;
            }
            product.push_digit(u8::from(sticky))?;
            scale = keep + 1;
        }
        let exact = decimal_from_parts(product.to_u128()?, negative, scale)?;
        Self::checked_canonical(round_half_even(exact, to.exponent), to)
    }

    /// Sums `items`, all in `currency`; an empty sequence sums to zero.
    ///
    /// # Errors
    ///
    /// [`MoneyError::CurrencyMismatch`] at the first item in another currency;
    /// [`MoneyError::Overflow`] when a partial sum does not fit.
    pub fn checked_sum<I: IntoIterator<Item = Self>>(
        items: I,
        currency: Currency,
    ) -> Result<Self, MoneyError> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), Self::checked_add)
    }

    fn same_currency(self, other: Self) -> Result<Currency, MoneyError> {
        if self.currency == other.currency {
            Ok(self.currency)
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// Wraps the exact result of adding or multiplying canonical amounts. `Decimal` silently
    /// drops decimal places when a result needs more than 96 bits, so any result that did not
    /// keep the currency's exponent has lost digits and is reported as an overflow.
    fn exact(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_zero() {
            // `Decimal` returns a bare zero for some exact results, such as a product with 0.
            Ok(Self::zero(currency))
        } else if amount.scale() == currency.exponent {
            Ok(Self::canonical_zero(amount, currency))
        } else {
            Err(MoneyError::Overflow)
        }
    }

    /// Wraps an already rounded amount, padding it to the currency's exponent.
    fn checked_canonical(mut amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        amount.rescale(currency.exponent);
        Self::exact(amount, currency)
    }

    fn canonical_zero(mut amount: Decimal, currency: Currency) -> Self {
        if amount.is_zero() {
            amount.set_sign_positive(true);
        }
        Self { amount, currency }
    }
}

impl Neg for Money {
    type Output = Self;

    fn neg(self) -> Self {
        Self::canonical_zero(-self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pads by hand rather than with a `{:.N}` precision, which `Decimal` cannot honour
        // for amounts near its limit.
        write!(f, "{}", self.amount)?;
        let scale = self.amount.scale();
        let missing = self.currency.exponent.saturating_sub(scale);
        if missing > 0 && scale == 0 {
            f.write_str(".")?;
        }
        for _ in 0..missing {
            f.write_str("0")?;
        }
        write!(f, " {}", self.currency)
    }
}

/// Appends one decimal digit to `mantissa`.
fn push_digit(mantissa: u128, digit: u8) -> Result<u128, MoneyError> {
    mantissa
        .checked_mul(10)
        .and_then(|shifted| shifted.checked_add(u128::from(digit)))
        .ok_or(MoneyError::Overflow)
}

/// Builds `±mantissa / 10^scale`, failing when the mantissa needs more than 96 bits.
fn decimal_from_parts(mantissa: u128, negative: bool, scale: u32) -> Result<Decimal, MoneyError> {
    let magnitude = i128::try_from(mantissa).map_err(|_| MoneyError::Overflow)?;
    let signed = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| MoneyError::Overflow)
}

/// An unsigned 192-bit integer in little-endian 64-bit limbs: just enough room for the exact
/// product of two 96-bit `Decimal` mantissas.
struct Wide([u64; 3]);

impl Wide {
    /// The exact product of two numbers below 2^96.
    fn product(left: u128, right: u128) -> Self {
        let split = |value: u128| (value >> 64, value & u128::from(u64::MAX));
        let (left_high, left_low) = split(left);
        let (right_high, right_low) = split(right);
        // With both inputs below 2^96 the high halves are below 2^32, so none of these
        // partial products or sums can overflow u128.
        let low = left_low * right_low;
        let cross = left_high * right_low + left_low * right_high;
        let high = left_high * right_high;
        let middle = (low >> 64) + (cross & u128::from(u64::MAX));
        let top = (middle >> 64) + (cross >> 64) + high;
        Self([low as u64, middle as u64, top as u64])
    }

    /// Divides by ten in place and returns the remainder.
    fn div_rem_10(&mut self) -> u8 {
        let mut remainder: u128 = 0;
        for limb in self.0.iter_mut().rev() {
            let current = (remainder << 64) | u128::from(*limb);
            *limb = (current / 10) as u64;
            remainder = current % 10;
        }
        remainder as u8
    }

    /// Multiplies by ten and adds `digit`.
    fn push_digit(&mut self, digit: u8) -> Result<(), MoneyError> {
        let mut carry = u128::from(digit);
        for limb in &mut self.0 {
            let current = u128::from(*limb) * 10 + carry;
            *limb = current as u64;
            carry = current >> 64;
        }
        if carry == 0 {
            Ok(())
        } else {
            Err(MoneyError::Overflow)
        }
    }

    /// The value as a `u128`, when it fits.
    fn to_u128(&self) -> Result<u128, MoneyError> {
        let [low, middle, top] = self.0;
        if top == 0 {
            Ok(u128::from(middle) << 64 | u128::from(low))
        } else {
            Err(MoneyError::Overflow)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn money(text: &str, code: &str) -> Money {
        Money::parse(text, currency(code)).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    /// The largest amount whose minor units fill all 96 bits of a `Decimal`.
    fn largest(code: &str) -> Money {
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
            "", " ", "abc", "1,000.00", "1e5", "1E5", "12.3.4", "--1", "+-1", "-", ".", "NaN",
            "inf", "1 000", "1_000", "0x10", "١٢", "12$", "$12", "- 1",
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

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(CURRENCIES).prop_map(|(code, exponent)| Currency { code, exponent })
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
}
