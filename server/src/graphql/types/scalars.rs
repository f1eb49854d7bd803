//! The schema's own scalars — `Decimal`, `Date` and `DateTime` — each with a description, a
//! `@specifiedBy` URL where a specification exists, and a strict format.
//!
//! The format is checked twice: by `is_valid` during validation, so a malformed argument (literal
//! or variable) is refused before anything runs, as BAD_USER_INPUT naming the argument (see
//! [`format_of`], which the HTTP layer appends to that message); and by `parse`, which never
//! accepts what `is_valid` refused. Nothing here is a float: a decimal travels as a string.

use std::str::FromStr;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, Utc};

/// What each scalar accepts, in words, by its GraphQL name.
const FORMATS: [(&str, &str); 3] = [
    (
        "Decimal",
        "an exact decimal written as a string, e.g. \"12.30\" or \"-0.5\" (a JSON number is \
         accepted only when it is a whole number)",
    ),
    (
        "Date",
        "an ISO 8601 calendar date YYYY-MM-DD, e.g. \"2026-01-31\"",
    ),
    (
        "DateTime",
        "an RFC 3339 date-time with an offset, e.g. \"2026-01-31T09:30:00Z\"",
    ),
];

/// The accepted format of the scalar called `name`, in words, when it is one of ours.
pub fn format_of(name: &str) -> Option<&'static str> {
    FORMATS
        .iter()
        .find(|(scalar, _)| *scalar == name)
        .map(|(_, format)| *format)
}

fn refuse<T: async_graphql::InputType>(name: &str, value: &Value) -> InputValueError<T> {
    let format = format_of(name).unwrap_or("a valid value");
    InputValueError::custom(format!("expected {format}, found {value}"))
}

/// The `Decimal` scalar (described in the schema by its `ScalarType` impl).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decimal(pub rust_decimal::Decimal);

fn decimal_of(value: &Value) -> Option<rust_decimal::Decimal> {
    match value {
        Value::String(text) => {
            let plain = !text.is_empty()
                && text
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+'));
            plain
                .then(|| rust_decimal::Decimal::from_str(text).ok())
                .flatten()
        }
        // A fractional JSON number has already been through a float; only whole numbers are exact.
        Value::Number(number) => number
            .as_i64()
            .map(rust_decimal::Decimal::from)
            .or_else(|| number.as_u64().map(rust_decimal::Decimal::from)),
        _ => None,
    }
}

/// An exact decimal number, written as a string so no client or JSON parser turns it into a
/// float: `"12.30"`, `"-0.5"`, `"1200"`. Money amounts carry exactly their currency's minor-unit
/// digits; ratios (margin, ROAS) carry as many digits as they need. As an input, a string in
/// plain decimal notation (no exponent, no thousands separator) or a whole JSON number.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        decimal_of(&value)
            .map(Self)
            .ok_or_else(|| refuse("Decimal", &value))
    }

    fn is_valid(value: &Value) -> bool {
        decimal_of(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }
}

/// The `Date` scalar (described in the schema by its `ScalarType` impl).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

fn date_of(value: &Value) -> Option<NaiveDate> {
    let Value::String(text) = value else {
        return None;
    };
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(at, byte)| match at {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    shape
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// A calendar day, ISO 8601 `YYYY-MM-DD` (`"2026-01-31"`): four-digit year, two-digit month and
/// day, a day that exists. Days are days in the org's time zone unless a field says otherwise.
#[Scalar(
    name = "Date",
    specified_by_url = "https://scalars.graphql.org/andimarek/local-date.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        date_of(&value)
            .map(Self)
            .ok_or_else(|| refuse("Date", &value))
    }

    fn is_valid(value: &Value) -> bool {
        date_of(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(value: NaiveDate) -> Self {
        Self(value)
    }
}

/// The `DateTime` scalar (described in the schema by its `ScalarType` impl).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

fn date_time_of(value: &Value) -> Option<chrono::DateTime<Utc>> {
    let Value::String(text) = value else {
        return None;
    };
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// An instant, RFC 3339 with an offset (`"2026-01-31T09:30:00Z"`, `"2026-01-31T10:30:00+01:00"`);
/// answers are always in UTC (`"2026-01-31T09:30:00+00:00"`).
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://scalars.graphql.org/andimarek/date-time.html"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        date_time_of(&value)
            .map(Self)
            .ok_or_else(|| refuse("DateTime", &value))
    }

    fn is_valid(value: &Value) -> bool {
        date_time_of(value).is_some()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(value: chrono::DateTime<Utc>) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    #[test]
    fn dates_are_iso_only() {
        assert!(Date::is_valid(&string("2026-01-05")));
        for bad in [
            "2026-1-5",
            "10/01/2026",
            "2026-02-30",
            "+262000-01-01",
            "2026-01-05T00:00:00Z",
            "",
        ] {
            assert!(!Date::is_valid(&string(bad)), "{bad} must be refused");
            assert!(Date::parse(string(bad)).is_err(), "{bad} must not parse");
        }
        assert!(!Date::is_valid(&Value::from(20_260_105)));
    }

    #[test]
    fn decimals_are_exact_strings_or_whole_numbers() {
        assert_eq!(
            Decimal::parse(string("-12.30")).unwrap().0.to_string(),
            "-12.30"
        );
        assert_eq!(Decimal::parse(Value::from(7)).unwrap().0.to_string(), "7");
        for bad in ["abc", "twenty", "1,234.56", "1e3", "", "NaN"] {
            assert!(!Decimal::is_valid(&string(bad)), "{bad} must be refused");
        }
        let float = Value::from_json(serde_json::json!(0.1)).unwrap();
        assert!(
            !Decimal::is_valid(&float),
            "a fractional JSON number is a float"
        );
    }

    #[test]
    fn date_times_need_an_offset_and_answer_in_utc() {
        let at = DateTime::parse(string("2026-01-31T10:30:00+01:00")).unwrap();
        assert_eq!(at.to_value(), string("2026-01-31T09:30:00+00:00"));
        assert!(!DateTime::is_valid(&string("2026-01-31T10:30:00")));
        assert!(!DateTime::is_valid(&string("2026-01-31")));
    }
}
