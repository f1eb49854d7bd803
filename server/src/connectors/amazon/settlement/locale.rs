//! Numbers and dates as a settlement file writes them in its marketplace's locale (reference
//! B.5, pitfall 1): `95,00` in Germany, `1,141.18` or `1141.18` in the US; dates
//! `2026-09-01 07:00:00 UTC`, `01.09.2026 07:00:00 UTC`, `09/01/26` (MM/DD/YY, Amazon's own
//! definition of `posted-date`) or `01/09/26` (DD/MM/YY, seen in other locales), ISO with an
//! offset in older files.
//!
//! The decimal separator is decided once per file from every amount in it (see
//! [`Locale::detect`]); a file whose amounts contradict each other is refused.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::connectors::amazon::model::decimal_text;
use crate::money::{Currency, Money};

/// Zone abbreviations and their offsets from UTC in hours. Anything else after a time is refused.
const ZONES: &[(&str, i64)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("PST", -8),
    ("PDT", -7),
    ("MST", -7),
    ("MDT", -6),
    ("CST", -6),
    ("CDT", -5),
    ("EST", -5),
    ("EDT", -4),
    ("BST", 1),
    ("CET", 1),
    ("CEST", 2),
    ("JST", 9),
    ("AEST", 10),
    ("AEDT", 11),
];

/// Which character separates decimals in a file's amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decimal {
    /// `1,234.56`.
    Point,
    /// `1.234,56`.
    Comma,
}

/// Day-month order of slash dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlashOrder {
    /// `MM/DD/YY` (Amazon's definition of `posted-date`).
    MonthFirst,
    /// `DD/MM/YY`.
    DayFirst,
}

/// A file's number and date conventions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    /// Decimal separator.
    pub decimal: Decimal,
    /// Slash-date order.
    pub slash: SlashOrder,
    /// Decimals of the file's currency: an amount with more is no amount (a `1.234` in a EUR
    /// file is one thousand two hundred thirty-four, never 1.23 rounded).
    pub exponent: u32,
}

impl Locale {
    /// Decides the locale from every amount and slash date of a file.
    ///
    /// An amount that reads in one locale only shows its decimal separator (`95,00`, `12.5`,
    /// `1.234,56`). Amounts that show nothing (`1141`, `1,234`) leave the point, Amazon's own
    /// format; an amount that reads in neither is reported where it is parsed. A slash
    /// date with a part above 12 shows the order; otherwise month first (Amazon's definition),
    /// or day first when the amounts use the decimal comma.
    ///
    /// # Errors
    /// Amounts that show both separators as decimal, naming two of them.
    pub fn detect<'a>(
        amounts: impl IntoIterator<Item = &'a str>,
        slash_dates: impl IntoIterator<Item = &'a str>,
        currency: Currency,
    ) -> Result<Self, String> {
        let exponent = currency.exponent();
        let mut point: Option<&str> = None;
        let mut comma: Option<&str> = None;
        for text in amounts {
            match shown_decimal(text, exponent) {
                Some(Decimal::Point) => point = point.or(Some(text)),
                Some(Decimal::Comma) => comma = comma.or(Some(text)),
                None => {}
            }
        }
        let decimal = match (point, comma) {
            (Some(p), Some(c)) => {
                return Err(format!(
                    "amounts use both a decimal point ({p:?}) and a decimal comma ({c:?})"
                ))
            }
            (None, Some(_)) => Decimal::Comma,
            _ => Decimal::Point,
        };
        let mut slash = None;
        for text in slash_dates {
            let parts: Vec<u32> = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .split('/')
                .filter_map(|part| part.parse().ok())
                .collect();
            if let [first, second, _] = parts[..] {
                if first > 31 {
                    continue;
                }
                if first > 12 {
                    slash = Some(SlashOrder::DayFirst);
                    break;
                }
                if second > 12 {
                    slash = Some(SlashOrder::MonthFirst);
                    break;
                }
            }
        }
        let slash = slash.unwrap_or(match decimal {
            Decimal::Comma => SlashOrder::DayFirst,
            Decimal::Point => SlashOrder::MonthFirst,
        });
        Ok(Self {
            decimal,
            slash,
            exponent,
        })
    }

    /// Parses an amount in this locale.
    ///
    /// `None` when the text is no amount (separators misplaced, letters, empty).
    pub fn amount(&self, text: &str, currency: Currency) -> Option<Money> {
        decimal_text(&self.plain(text)?, currency).ok()
    }

    /// The amount as plain decimal text (`-1234.56`), if it is one in this locale: optional
    /// sign, thousands groups of three (spaces and apostrophes tolerated), one decimal mark.
    fn plain(&self, text: &str) -> Option<String> {
        let (decimal, group) = match self.decimal {
            Decimal::Point => ('.', ','),
            Decimal::Comma => (',', '.'),
        };
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
            .collect();
        let (sign, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", cleaned.strip_prefix('+').unwrap_or(&cleaned)),
        };
        if digits.matches(decimal).count() > 1 {
            return None;
        }
        let (whole, fraction) = digits.split_once(decimal).unwrap_or((digits, ""));
        // Thousands groups: 1 to 3 digits, then groups of exactly 3.
        let groups: Vec<&str> = whole.split(group).collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return None;
        }
        let whole: String = groups.concat();
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !all_digits(&whole)
            || !all_digits(fraction)
            || fraction.len() > usize::try_from(self.exponent).unwrap_or(usize::MAX)
        {
            return None;
        }
        Some(if fraction.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{fraction}")
        })
    }

    /// Parses a date or date-time; a date alone is midnight UTC.
    ///
    /// # Errors
    /// `None` when no pattern reads it, or it names a zone other than UTC/GMT/an offset.
    pub fn date(&self, text: &str) -> Option<DateTime<Utc>> {
        let text = text.trim();
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Some(time.with_timezone(&Utc));
        }
        if let Ok(time) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z") {
            return Some(time.with_timezone(&Utc));
        }
        // A zone is UTC, an offset, or one of the abbreviations marketplaces print [O/U].
        let (bare, offset_hours) = ZONES
            .iter()
            .find_map(|&(zone, hours)| {
                text.strip_suffix(zone)
                    .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit() || c == ' '))
                    .map(|rest| (rest.trim(), hours))
            })
            .unwrap_or((text, 0));
        let (day, time) = match bare.split_once([' ', 'T']) {
            Some((day, time)) => (day, Some(time.trim())),
            None => (bare, None),
        };
        let date = self.day(day)?;
        let time = match time {
            None => NaiveTime::MIN,
            Some(time) => NaiveTime::parse_from_str(time, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
                .ok()?,
        };
        // Years outside 1..=9999 are refused: both databases store those.
        if !(1..=9999).contains(&date.year()) {
            return None;
        }
        NaiveDateTime::new(date, time)
            .and_utc()
            .checked_sub_signed(chrono::Duration::hours(offset_hours))
    }

    fn day(&self, text: &str) -> Option<NaiveDate> {
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(date);
        }
        if text.contains('.') {
            return NaiveDate::parse_from_str(text, "%d.%m.%Y").ok();
        }
        if text.split('/').next().is_some_and(|year| year.len() == 4) {
            return NaiveDate::parse_from_str(text, "%Y/%m/%d").ok();
        }
        let parts: Vec<&str> = text.split('/').collect();
        let [a, b, year] = parts[..] else {
            return None;
        };
        let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
        let year: i32 = match year.len() {
            2 => 2000 + year.parse::<i32>().ok()?,
            4 => year.parse().ok()?,
            _ => return None,
        };
        let (month, day) = match self.slash {
            _ if a > 12 => (b, a),
            _ if b > 12 => (a, b),
            SlashOrder::MonthFirst => (a, b),
            SlashOrder::DayFirst => (b, a),
        };
        NaiveDate::from_ymd_opt(year, month, day)
    }
}

/// The decimal separator an amount shows: the one locale it reads in, when it reads in one only
/// (`95,00`, `12.5`, `1.234,56`); nothing for `1,234` (both) or `12,3,4` (neither).
fn shown_decimal(text: &str, exponent: u32) -> Option<Decimal> {
    let reads = |decimal| {
        Locale {
            decimal,
            slash: SlashOrder::MonthFirst,
            exponent,
        }
        .plain(text)
        .is_some()
    };
    match (reads(Decimal::Point), reads(Decimal::Comma)) {
        (true, false) => Some(Decimal::Point),
        (false, true) => Some(Decimal::Comma),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn the_decimal_separator_is_read_from_the_amounts() {
        let de = Locale::detect(["1141,18", "-12,5", "1.234,56", "100"], [], usd()).unwrap();
        assert_eq!(de.decimal, Decimal::Comma);
        assert_eq!(
            de.amount("1.234,56", usd()).unwrap().to_string(),
            "1234.56 USD"
        );
        assert_eq!(de.amount("-0,07", usd()).unwrap().to_string(), "-0.07 USD");
        let us = Locale::detect(["1,141.18", "-12.50"], [], usd()).unwrap();
        assert_eq!(us.decimal, Decimal::Point);
        assert_eq!(
            us.amount("1,141.18", usd()).unwrap().to_string(),
            "1141.18 USD"
        );
        let jp = Locale::detect(["1,234", "500"], [], Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(jp.decimal, Decimal::Point);
        assert!(Locale::detect(["1,5", "2.5"], [], usd()).is_err());
        // Three digits after the mark in a two-decimal currency: thousands, not decimals.
        let eur = Currency::parse("EUR").unwrap();
        let de = Locale::detect(["1.234", "-5,00"], [], eur).unwrap();
        assert_eq!(de.amount("1.234", eur).unwrap().to_string(), "1234.00 EUR");
        assert_eq!(
            Locale::detect(["1.234"], [], eur).unwrap().decimal,
            Decimal::Comma
        );
        assert!(us.amount("1.234", usd()).is_none());
    }

    #[test]
    fn malformed_amounts_are_refused() {
        let us = Locale::detect(["1.00"], [], usd()).unwrap();
        for bad in ["12,3,4", "1.2.3", "abc", "", "1,23.00", "--1"] {
            assert!(us.amount(bad, usd()).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_in_every_locale() {
        let us = Locale::detect(["1.00"], ["09/01/26"], usd()).unwrap();
        let at = |s: &str| us.date(s).unwrap().to_rfc3339();
        assert_eq!(at("2026-09-01 07:00:00 UTC"), "2026-09-01T07:00:00+00:00");
        assert_eq!(at("01.09.2026 07:00:00 UTC"), "2026-09-01T07:00:00+00:00");
        assert_eq!(at("09/01/26"), "2026-09-01T00:00:00+00:00");
        assert_eq!(at("2015-12-02T03:27:08+00:00"), "2015-12-02T03:27:08+00:00");
        assert_eq!(at("13/09/26"), "2026-09-13T00:00:00+00:00");
        let uk = Locale::detect(["1.00"], ["13/09/26", "01/09/26"], usd()).unwrap();
        assert_eq!(uk.slash, SlashOrder::DayFirst);
        assert_eq!(
            uk.date("01/09/26").unwrap().to_rfc3339(),
            "2026-09-01T00:00:00+00:00"
        );
        assert_eq!(at("2026-09-01 00:00:00 PDT"), "2026-09-01T07:00:00+00:00");
        assert_eq!(at("2026/09/01 16:00:00 JST"), "2026-09-01T07:00:00+00:00");
        assert!(us.date("2026-09-01 07:00:00 XYZ").is_none());
        assert!(us.date("31.02.2026").is_none());
    }
}
