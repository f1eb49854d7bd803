//! One uploaded file (GraphQL `importFile`): without a mapping, the same detection and posting
//! as `pnl import` ([`super::import_bytes`]); with one, a built-in or one of the org's saved
//! mappings read by [`crate::statements::import_statement`]. The caller holds the bytes once;
//! nothing here copies them.

use super::{import_bytes, ImportOptions, ImportReport};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::statements::{import_statement, stored, StatementOptions, StatementReport};

/// Options of one upload.
#[derive(Clone, Debug, Default)]
pub struct UploadOptions {
    /// A built-in mapping's name or one the org saved: read the file as a statement.
    pub mapping: Option<String>,
    /// With a mapping: post the readable rows and list the rest.
    pub skip_bad_rows: bool,
    /// Without a mapping: the currency of files that name none.
    pub currency: Option<Currency>,
    /// The shop's external id (default as `pnl import`).
    pub shop: Option<String>,
}

/// What one upload did: a detected format's summary, or a statement's.
#[derive(Clone, Debug)]
pub enum UploadReport {
    /// A format a connector recognised.
    Format(ImportReport),
    /// A statement read through a mapping.
    Statement(StatementReport),
}

/// Imports the uploaded `file` (`bytes`) for `org_id`.
///
/// # Errors
/// BAD_USER_INPUT for options that do not go together, a file no connector recognises, a bad
/// row (naming row, column and value); NOT_FOUND for a mapping neither built in nor the org's;
/// a database failure. Nothing is written then.
pub async fn import_upload(
    db: &Db,
    org_id: i64,
    file: &str,
    bytes: &[u8],
    options: &UploadOptions,
) -> Result<UploadReport> {
    let Some(name) = options.mapping.as_deref() else {
        if options.skip_bad_rows {
            return Err(Error::bad_input(
                "skipBadRows applies to statements read with a mapping: name one in `mapping`",
            ));
        }
        let import = ImportOptions {
            shop: options.shop.clone(),
            currency: options.currency,
            ..ImportOptions::default()
        };
        return Ok(UploadReport::Format(
            import_bytes(db, org_id, file, bytes, &import).await?,
        ));
    };
    if options.currency.is_some() {
        return Err(Error::bad_input(format!(
            "currency: a statement's currency comes from its mapping ({name}), not the upload"
        )));
    }
    let mapping = stored::find(db.conn(), org_id, name).await?;
    let statement = StatementOptions {
        skip_bad_rows: options.skip_bad_rows,
        shop: options.shop.clone(),
    };
    Ok(UploadReport::Statement(
        import_statement(db, org_id, file, bytes, &mapping, &statement).await?,
    ))
}
