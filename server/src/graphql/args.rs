//! Arguments that arrive as text and are checked here, so every refusal names the argument.
//!
//! Currency codes: any letter case is accepted and normalised to upper case (`"usd"` is USD);
//! anything that is not an ISO 4217 code is BAD_USER_INPUT naming the argument.

use crate::error::{Error, Result};
use crate::money::Currency;

/// The currency `text` given as `argument`.
///
/// # Errors
/// BAD_USER_INPUT naming `argument` when `text` is not an ISO 4217 code.
pub(crate) fn currency(argument: &str, text: &str) -> Result<Currency> {
    Currency::parse(text).map_err(|_| {
        Error::bad_input(format!(
            "{argument}: unknown currency code {text:?}; expected an ISO 4217 code such as \
             \"USD\" (any letter case)"
        ))
    })
}

/// The optional currency `text` given as `argument`.
///
/// # Errors
/// As [`currency`].
pub(crate) fn optional_currency(argument: &str, text: Option<&str>) -> Result<Option<Currency>> {
    text.map(|text| currency(argument, text)).transpose()
}
