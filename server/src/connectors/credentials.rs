//! Channel credentials at rest: serialised to JSON and sealed with the server's key
//! ([`crate::crypto::SecretBox`]). What the JSON holds is each connector's business.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::state::AppState;

/// Seals `credentials` for storage.
///
/// # Errors
/// Encryption failures.
pub fn seal<T: Serialize>(state: &AppState, credentials: &T) -> Result<String> {
    let text = serde_json::to_string(credentials).map_err(|e| anyhow::anyhow!(e))?;
    state.secrets.seal(&text)
}

/// Opens the sealed credentials of `what` (named in errors, e.g. `shop 3`).
///
/// # Errors
/// None stored (connect it first), or unreadable; never quoting a value.
pub fn open<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    sealed: Option<&str>,
    what: &str,
) -> Result<T> {
    let sealed = sealed
        .ok_or_else(|| Error::bad_input(format!("{what} has no credentials: connect it first")))?;
    // serde's message may quote a value (a token): say only where it broke.
    serde_json::from_str(&state.secrets.open(sealed)?).map_err(|e| {
        anyhow::anyhow!(
            "the stored credentials of {what} are unreadable (line {}, column {})",
            e.line(),
            e.column()
        )
        .into()
    })
}
