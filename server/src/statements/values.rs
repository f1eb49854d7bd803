//! Cells as money and dates, in the decimal style and date formats a mapping states. Nothing is
//! guessed: an amount that does not read in the stated style, or has more decimals than its
//! currency, is not an amount (a `1.234` in a `1.234,56` file is refused, never read as 1.23).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::mapping::DecimalStyle;
use crate::money::{Currency, Money};

/// Parses `text` as an amount of `currency` written in `style`: an optional sign (or
/// parentheses for a negative), thousands groups of three (spaces and apostrophes tolerated),
/// one decimal mark, at most the currency's decimals.
pub fn amount(text: &str, style: DecimalStyle, currency: Currency) -> Option<Money> {
    let (decimal, group) = match style {
        DecimalStyle::Point => ('.', ','),
        DecimalStyle::Comma => (',', '.'),
    };
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    // A currency symbol before or after the number ("$12.00", "-$3.50", "12,00 €") [U: seen
    // in spreadsheet exports, not in the channels' own files].
    let cleaned: String = cleaned
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '£' | '¥'))
        .collect();
    let (negative, body) = match cleaned.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, cleaned.as_str()),
    };
    let (sign, digits) = match body.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", body.strip_prefix('+').unwrap_or(body)),
    };
    if negative && !sign.is_empty() {
        return None;
    }
    if digits.matches(decimal).count() > 1 {
        return None;
    }
    let (whole, fraction) = digits.split_once(decimal).unwrap_or((digits, ""));
    let groups: Vec<&str> = whole.split(group).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let whole = groups.concat();
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !all_digits(&whole)
        || !all_digits(fraction)
        || fraction.len() > usize::try_from(currency.exponent()).unwrap_or(usize::MAX)
    {
        return None;
    }
    let sign = if negative { "-" } else { sign };
    let plain = if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    };
    Money::parse(&plain, currency).ok()
}

/// Parses `text` with the first of `formats` that reads it (`rfc3339` for ISO date-times with
/// an offset); a date alone is midnight UTC, a time without an offset is UTC.
pub fn date(text: &str, formats: &[String]) -> Option<DateTime<Utc>> {
    let text = text.trim();
    parse_date(text, formats).or_else(|| {
        // "… UTC" / "… GMT" after a time the formats read [O: report exports add the zone].
        let bare = text
            .strip_suffix(" UTC")
            .or_else(|| text.strip_suffix(" GMT"))?;
        parse_date(bare.trim_end(), formats)
    })
}

fn parse_date(text: &str, formats: &[String]) -> Option<DateTime<Utc>> {
    for format in formats {
        if format == "rfc3339" {
            if let Ok(time) = DateTime::parse_from_rfc3339(text) {
                return Some(time.with_timezone(&Utc));
            }
            continue;
        }
        if let Ok(time) = DateTime::parse_from_str(text, format) {
            return Some(time.with_timezone(&Utc));
        }
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc());
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            return day.and_hms_opt(0, 0, 0).map(|time| time.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn amounts_read_only_in_their_stated_style() {
        let eur = Currency::parse("EUR").unwrap();
        let read = |text, style| amount(text, style, eur).map(|m| m.amount().to_string());
        assert_eq!(
            read("1.234,56", DecimalStyle::Comma).as_deref(),
            Some("1234.56")
        );
        assert_eq!(
            read("-12,5", DecimalStyle::Comma).as_deref(),
            Some("-12.50")
        );
        assert_eq!(
            read("(3,00)", DecimalStyle::Comma).as_deref(),
            Some("-3.00")
        );
        assert_eq!(
            read("1.234", DecimalStyle::Comma).as_deref(),
            Some("1234.00")
        );
        assert_eq!(read("1,234.56", DecimalStyle::Comma), None);
        assert_eq!(
            read("1,234.56", DecimalStyle::Point).as_deref(),
            Some("1234.56")
        );
        assert_eq!(
            read("12.345", DecimalStyle::Point),
            None,
            "3 decimals in EUR"
        );
        assert_eq!(read("12x", DecimalStyle::Point), None);
        assert_eq!(read("", DecimalStyle::Point), None);
        assert_eq!(read("-(1.00)", DecimalStyle::Point), None);
        assert_eq!(
            read("12,00 €", DecimalStyle::Comma).as_deref(),
            Some("12.00")
        );
        assert_eq!(
            read("-$3.50", DecimalStyle::Point).as_deref(),
            Some("-3.50")
        );
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(
            amount("1,500", DecimalStyle::Point, yen).map(|m| m.amount().to_string()),
            Some("1500".to_owned())
        );
        assert!(amount("9.99", DecimalStyle::Point, usd()).is_some());
    }

    #[test]
    fn dates_follow_the_listed_formats_in_order() {
        let formats = vec!["%m/%d/%Y".to_owned(), "%d.%m.%Y %H:%M".to_owned()];
        assert_eq!(
            date("10/02/2026", &formats).unwrap().to_rfc3339(),
            "2026-10-02T00:00:00+00:00"
        );
        assert_eq!(
            date("02.10.2026 14:30", &formats).unwrap().to_rfc3339(),
            "2026-10-02T14:30:00+00:00"
        );
        assert!(date("2026-10-02", &formats).is_none());
        assert_eq!(
            date("02.10.2026 14:30 UTC", &formats).unwrap().to_rfc3339(),
            "2026-10-02T14:30:00+00:00"
        );
        assert!(
            date("02.10.2026 14:30 PDT", &formats).is_none(),
            "no zone guessed"
        );
        assert!(date("2026-10-02T01:00:00-07:00", &["rfc3339".to_owned()]).is_some());
    }
}
