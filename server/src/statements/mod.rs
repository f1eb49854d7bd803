//! Statement files read through a mapping: any channel that exports a statement (CSV, TSV, …)
//! lands in the same ledger as the connected channels. A mapping ([`mapping`], TOML) says how
//! to read the file and how its rows become lines; built-in mappings ([`builtin`]) have names.
//! Shared code: it names no channel except through a mapping's `channel` value.
//!
//! Flow: bytes → [`read::decode`] (the mapping's character set) → [`read::Table`] (the `csv`
//! crate; every column the mapping names checked before any row is read) → [`book::book`]
//! (pure: lines, listings, the payout assertion) → [`post::import_statement`] (a shop per org,
//! channel and display name; ingest in one transaction).
//!
//! # Public API (for the CLI and the GraphQL upload)
//! - [`resolve_mapping`] / [`builtin::find`] / [`builtin::ALL`]: a mapping by name or file.
//! - [`read_statement`]: bytes → [`book::Booked`] without touching the database.
//! - [`post::import_statement`]: bytes → posted, with a [`post::StatementReport`].
//! - [`check::preview`]: how the first rows would be booked, as text.
//! - [`stored`]: an org's saved mappings (save, list beside the built-ins, find, delete); the
//!   GraphQL upload finds mappings only there and among the built-ins, never in files.

pub mod book;
pub mod builtin;
pub mod check;
pub mod mapping;
pub mod payout;
pub mod post;
pub mod read;
pub mod rules;
pub mod stored;
pub mod values;

pub use book::{BadCell, Booked};
pub use mapping::{Checked, StatementMapping};
pub use post::{import_statement, StatementOptions, StatementReport};

use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;

/// The mapping `name_or_path`: a built-in's name, or a TOML file.
///
/// # Errors
/// A name that is no built-in and no readable file, or a mapping that does not parse.
pub fn resolve_mapping(name_or_path: &str) -> Result<Checked> {
    if let Some(found) = builtin::find(name_or_path) {
        return found;
    }
    let path = std::path::Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|error| {
        let names: Vec<&str> = builtin::ALL.iter().map(|b| b.name).collect();
        Error::bad_input(format!(
            "mapping {name_or_path}: not a built-in mapping ({}) and not a readable file: \
             {error}",
            names.join(", ")
        ))
    })?;
    let origin = path.file_stem().map_or_else(
        || name_or_path.to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    StatementMapping::parse(&text, &origin)
}

/// Reads `bytes` (the statement `file`) through `mapping`, booking labels with `mapper`;
/// writes nothing. Returns the decoded text too (the raw record keeps it). `options` says
/// whether bad rows are skipped and which shop the entry keys belong to.
///
/// # Errors
/// BAD_USER_INPUT naming the file and, for a bad cell, its row, column and value: bytes not in
/// the mapping's character set, a column the mapping names that the file lacks (before any row
/// is read), a bad summary row, or a bad row unless `options.skip_bad_rows`.
pub fn read_statement(
    bytes: &[u8],
    file: &str,
    mapping: &Checked,
    mapper: &FeeMapper,
    options: &StatementOptions,
) -> Result<(Booked, String)> {
    let name = mapping.mapping.name.as_deref().unwrap_or("statement");
    let fail = |message: String| Error::bad_input(format!("{file} (mapping {name}): {message}"));
    let text = read::decode(bytes, &mapping.mapping.file.encoding).map_err(fail)?;
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(fail(format!(
            "line {line} holds a NUL character (\\u0000), which cannot be stored"
        )));
    }
    let table = read::Table::read(&text, mapping).map_err(fail)?;
    let shop = options
        .shop
        .clone()
        .unwrap_or_else(|| book::shop_key(mapping));
    let booked = book::book(&table, mapping, mapper, file, &shop, options.skip_bad_rows)
        .map_err(|bad| fail(bad.to_string()))?;
    Ok((booked, text))
}

#[cfg(test)]
mod tests;
