//! Opaque page tokens.
//!
//! Small lists (statements of one shop, transactions of one statement) page by offset. The
//! order-shaped lists page by a cursor `(day, index)` so that a page costs the same however
//! deep it is, and carry the `total_count` computed on the first page, so a world of
//! millions of orders is never rescanned per page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::envelope::ApiError;

fn decode(tag: &str, token: &str) -> Result<Vec<i64>, ApiError> {
    let invalid = || ApiError::param("invalid page_token");
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut fields = text.split('|');
    if fields.next() != Some(tag) {
        return Err(invalid());
    }
    fields.map(|f| f.parse().map_err(|_| invalid())).collect()
}

fn encode(tag: &str, values: &[i64]) -> String {
    let mut text = tag.to_owned();
    for v in values {
        text.push('|');
        text.push_str(&v.to_string());
    }
    URL_SAFE_NO_PAD.encode(text)
}

/// The offset a token points at (0 for no token).
pub(crate) fn offset(tag: &str, token: Option<&str>) -> Result<usize, ApiError> {
    match token.filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => match decode(tag, t)?.as_slice() {
            [o] if *o >= 0 => Ok(*o as usize),
            _ => Err(ApiError::param("invalid page_token")),
        },
    }
}

/// One page of `items` from `offset`, and the next token (empty on the last page).
pub(crate) fn page<T>(tag: &str, items: Vec<T>, offset: usize, size: usize) -> (Vec<T>, String) {
    let total = items.len();
    let end = offset.saturating_add(size).min(total);
    let next = if end < total {
        encode(tag, &[end as i64])
    } else {
        String::new()
    };
    let items = items
        .into_iter()
        .skip(offset)
        .take(end.saturating_sub(offset))
        .collect();
    (items, next)
}

/// A cursor into a day-ordered list: the next item to return, and the list's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) day: i64,
    pub(crate) idx: u32,
    pub(crate) total: usize,
}

/// The cursor a token points at (`None` for the first page).
pub(crate) fn cursor(tag: &str, token: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    match token.filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match decode(tag, t)?.as_slice() {
            [day, idx, total] if *idx >= 0 && *total >= 0 => Ok(Some(Cursor {
                day: *day,
                idx: *idx as u32,
                total: *total as usize,
            })),
            _ => Err(ApiError::param("invalid page_token")),
        },
    }
}

/// The token of a cursor.
pub(crate) fn cursor_token(tag: &str, c: Cursor) -> String {
    encode(tag, &[c.day, i64::from(c.idx), c.total as i64])
}
