//! `pnl import`: saved channel files → the same normalisers and the same idempotent posting as a
//! live sync. Each registered connector is asked in turn whether it recognises the file (its
//! bytes, and its JSON when it parses as JSON); a file no connector recognises, or one its
//! connector refuses, is refused with a message naming the file, and nothing is written.

use std::path::Path;

use serde_json::Value;

use crate::connectors::catalog;
use crate::connectors::contains_nul;
use crate::connectors::ingest::{ingest_in, Batch, IngestReport};
use crate::connectors::registry::Registry;
use crate::connectors::seam::{Connector, FileContext, FileFormat, FileInput};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::Channel;
use crate::money::Currency;

/// Options of one import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The shop's external id (default: `imported`, a shop named "{channel label} (imported)").
    pub shop: Option<String>,
    /// Forces a format (its name, e.g. `tiktok-payments-202309`) instead of detecting it.
    pub format: Option<String>,
    /// Currency for files that do not name one (orders, ads reports).
    pub currency: Option<Currency>,
    /// Ads: the advertiser id (default: `imported`).
    pub advertiser: Option<String>,
    /// Ads: the ad account's time zone (default UTC).
    pub time_zone: Option<chrono_tz::Tz>,
}

/// What one file gave.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The detected or forced format.
    pub format: FileFormat,
    /// The channel of the format's connector.
    pub channel: Channel,
    /// The ingest counts.
    pub ingest: IngestReport,
}

pub use upload::{import_upload, UploadOptions, UploadReport};

mod upload;

/// Every format `pnl import` reads, of every connector.
pub fn formats() -> Vec<FileFormat> {
    Registry::builtin().formats().map(|(_, f)| f).collect()
}

/// Imports one file for `org_id`.
///
/// # Errors
/// An unreadable file, a file no connector recognises, an error response saved as a file, a
/// payload that does not match its format, or a database failure; nothing is written then.
pub async fn import_file(
    db: &Db,
    org_id: i64,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|error| Error::bad_input(format!("{file}: cannot read: {error}")))?;
    import_bytes(db, org_id, &file, &bytes, options).await
}

/// Imports a file given as text; `file` names it in messages and as the source id.
///
/// # Errors
/// As [`import_file`].
pub async fn import_text(
    db: &Db,
    org_id: i64,
    file: &str,
    text: &str,
    options: &ImportOptions,
) -> Result<ImportReport> {
    import_bytes(db, org_id, file, text.as_bytes(), options).await
}

/// The connector and format of a file: the forced one, or the first connector that recognises it.
fn resolve(
    input: &FileInput<'_>,
    forced: Option<&str>,
    json_error: Option<&str>,
) -> Result<(&'static dyn Connector, FileFormat)> {
    let registry = Registry::builtin();
    if let Some(name) = forced {
        return registry.format(name).ok_or_else(|| {
            let names: Vec<&str> = registry.formats().map(|(_, f)| f.name).collect();
            Error::bad_input(format!(
                "unknown format {name:?}; expected one of: {}",
                names.join(", ")
            ))
        });
    }
    for connector in registry.all() {
        if let Some(format) = connector.detect(input)? {
            return Ok((connector, format));
        }
    }
    let file = input.file;
    Err(Error::bad_input(match json_error {
        Some(error) => format!(
            "{file}: not JSON ({error}), and not a file any channel's format describes (use \
             --format to force one)"
        ),
        None => format!(
            "{file}: unknown shape: not a file any channel's format this version understands \
             describes (use --format to force one)"
        ),
    }))
}

/// Imports a file given as bytes; `file` names it in messages and as the source id.
///
/// # Errors
/// As [`import_file`].
pub async fn import_bytes(
    db: &Db,
    org_id: i64,
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportReport> {
    let (json, json_error) = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(error.to_string())),
    };
    if json.as_ref().is_some_and(contains_nul) {
        return Err(Error::bad_input(format!(
            "{file}: holds a NUL character (\\u0000), which cannot be stored"
        )));
    }
    let input = FileInput {
        file,
        bytes,
        json: json.as_ref(),
    };
    let (connector, format) =
        match resolve(&input, options.format.as_deref(), json_error.as_deref()) {
            Ok(found) => found,
            Err(error) => {
                // A statement file is read through a mapping, never detected as a format.
                return Err(match crate::statements::builtin::recognise(bytes) {
                    Some(name) if options.format.is_none() => Error::bad_input(format!(
                        "{file}: a statement file with the columns of the built-in mapping \
                         {name}: import it with --mapping {name}"
                    )),
                    _ => error,
                });
            }
        };
    let mapper = FeeMapper::load(db.conn(), org_id).await?;
    let settings =
        crate::connectors::settings::load(db.conn(), org_id, connector.channel()).await?;
    let ctx = FileContext {
        mapper: &mapper,
        currency: options.currency,
        advertiser: options.advertiser.as_deref(),
        time_zone: options.time_zone,
        settings: &settings,
        memo: None,
    };
    let batch = connector.normalize_file(&input, format, &ctx)?;
    let shop_external = options.shop.as_deref().unwrap_or("imported");
    // The raw record keeps the file as read: its text in the character set its connector
    // decoded it from (a cp1252 or Shift_JIS report), else the bytes as UTF-8.
    let payload = batch
        .text
        .clone()
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
    // The shop is created in the same transaction as the posting: a file refused while
    // posting (an amount past the ledger's range, …) leaves no shop behind either.
    let txn = db.begin_write().await?;
    let shop = catalog::ensure_shop(
        &*txn,
        org_id,
        connector.channel(),
        shop_external,
        &format!("{} (imported)", connector.label()),
        batch.currency.map(|c| c.as_str()),
    )
    .await?;
    let batch = Batch::with_raw(
        connector.channel(),
        shop.id,
        batch.source_kind,
        &batch.source_id,
        payload,
        batch.normalized,
    );
    let report = ingest_in(&*txn, org_id, batch).await?;
    txn.commit().await?;
    db.wrote(report.posted + report.retired).await;
    Ok(ImportReport {
        format,
        channel: connector.channel(),
        ingest: report,
    })
}
