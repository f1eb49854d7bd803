//! Money: exact amounts in an ISO 4217 currency. This module owns the currency table
//! (alphabetic codes and their minor-unit exponents), the parsing of channels' decimal
//! strings, the conversion to and from the integer minor units the database stores, checked
//! arithmetic that refuses to mix currencies or overflow, and the project's one rounding rule
//! (round half to even at the currency's exponent). Money is never a float here: amounts are
//! `rust_decimal::Decimal` values and integers, and nothing in this file uses floating point.
//!
//! # Layout
//! - `currency` — the ISO 4217 table and [`Currency`].
//! - `wide` — 192-bit integers for exact conversion.

mod currency;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
mod wide;

use std::fmt;
use std::ops::Neg;

use rust_decimal::{Decimal, RoundingStrategy};

pub use currency::Currency;
use wide::Wide;

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
        let amount = Decimal::new(minor, currency.exponent());
        Self { amount, currency }
    }

    /// `amount` rounded to `currency`'s exponent with the one rounding rule (round half to
    /// even): 12.5 JPY is 12, 13.5 JPY is 14, -0.125 USD is -0.12.
    #[must_use]
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Self {
        let mut amount = round_half_even(amount, currency.exponent());
        // Adds trailing zeros up to the exponent; only amounts too large for 96 bits at that
        // scale keep fewer places.
        amount.rescale(currency.exponent());
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
        let keep = currency.exponent() + 1;
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
        Self::checked_canonical(round_half_even(exact, currency.exponent()), currency)
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
            .exponent()
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
        let keep = to.exponent() + 1;
        if scale > keep {
            let mut sticky = false;
            for _ in keep..scale {
                sticky |= product.div_rem_10() != 0;
            }
            product.push_digit(u8::from(sticky))?;
            scale = keep + 1;
        }
        let exact = decimal_from_parts(product.to_u128()?, negative, scale)?;
        Self::checked_canonical(round_half_even(exact, to.exponent()), to)
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
        } else if amount.scale() == currency.exponent() {
            Ok(Self::canonical_zero(amount, currency))
        } else {
            Err(MoneyError::Overflow)
        }
    }

    /// Wraps an already rounded amount, padding it to the currency's exponent.
    fn checked_canonical(mut amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        amount.rescale(currency.exponent());
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
        let missing = self.currency.exponent().saturating_sub(scale);
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
