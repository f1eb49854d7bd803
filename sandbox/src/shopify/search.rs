//! Shopify search syntax, the part the connector uses: `field:op value` terms joined by
//! `AND` (or juxtaposed), with `>=`, `>`, `<=`, `<` or equality, values optionally quoted.
//! Time fields compare as instants; unknown fields are ignored, as Shopify ignores them.

use super::wire::parse_time;

/// One comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub(crate) field: String,
    pub(crate) op: &'static str,
    pub(crate) value: String,
    /// `value` as an instant, when it reads as one (parsed once: a page filters every row).
    pub(crate) time: Option<i64>,
}

/// The terms of a search query.
pub(crate) fn parse(query: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        let (token, tail) = next_token(rest);
        rest = tail.trim_start();
        if token.eq_ignore_ascii_case("AND") || token.is_empty() {
            continue;
        }
        let Some((field, value)) = token.split_once(':') else {
            continue;
        };
        let (op, value) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|op| value.strip_prefix(op).map(|v| (*op, v)))
            .unwrap_or(("=", value));
        let value = value
            .trim()
            .trim_matches(|c| c == '\'' || c == '"')
            .to_owned();
        terms.push(Term {
            field: field.trim().to_ascii_lowercase(),
            op,
            time: parse_time(&value),
            value,
        });
    }
    terms
}

/// The next whitespace-separated token, quotes kept together.
fn next_token(text: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => return (&text[..i], &text[i..]),
            _ => {}
        }
    }
    (text, "")
}

/// Whether the instant `at` satisfies every term on one of `fields`.
pub(crate) fn time_matches(terms: &[Term], fields: &[&str], at: i64) -> bool {
    terms
        .iter()
        .filter(|t| fields.contains(&t.field.as_str()))
        .all(|t| {
            let Some(bound) = t.time else {
                return true;
            };
            match t.op {
                ">=" => at >= bound,
                ">" => at > bound,
                "<=" => at <= bound,
                "<" => at < bound,
                _ => at / 86_400 == bound / 86_400,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        let terms =
            parse("updated_at:>='2026-11-01T00:00:00Z' AND updated_at:<'2026-11-02T00:00:00Z'");
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[0].op, ">=");
        assert_eq!(terms[1].value, "2026-11-02T00:00:00Z");
        let t = parse_time("2026-11-01T12:00:00Z").unwrap_or_default();
        assert!(time_matches(&terms, &["updated_at"], t));
        assert!(!time_matches(&terms, &["updated_at"], t + 86_400));
        assert!(time_matches(&terms, &["created_at"], t + 86_400));
    }
}
