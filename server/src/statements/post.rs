//! Posting a statement: the shop of (org, channel, display name), created on first import, and
//! the booked lines through the same ingest as every connector, in one transaction; then the
//! payout's reconciliation (ledger vs reported total, residual shown).

use crate::connectors::catalog;
use crate::connectors::ingest::{ingest_in, Batch, IngestReport};
use crate::connectors::PayoutKind;
use crate::db::Db;
use crate::error::Result;
use crate::ledger::mapping::FeeMapper;
use crate::money::Money;

use super::book::{shop_key, BadCell};
use super::mapping::Checked;

/// The raw record's `source_kind` of a statement read through a mapping.
pub const SOURCE_KIND: &str = "statement.mapping";

/// Options of one statement import.
#[derive(Clone, Debug, Default)]
pub struct StatementOptions {
    /// Post the readable rows and list the rest, instead of refusing the file.
    pub skip_bad_rows: bool,
    /// The shop's external id (default: the channel's display name, folded); entry keys start
    /// with it, so two shops of one channel never share a key.
    pub shop: Option<String>,
}

/// What one statement import did.
#[derive(Clone, Debug)]
pub struct StatementReport {
    /// The mapping's name.
    pub mapping: String,
    /// The channel.
    pub channel: crate::ledger::Channel,
    /// The channel's display name.
    pub channel_name: String,
    /// The ingest counts (rows read, posted, duplicates, unmapped labels, skipped rows as
    /// failures).
    pub ingest: IngestReport,
    /// Rows skipped with `skip_bad_rows`.
    pub skipped: Vec<BadCell>,
    /// Rows not booked: an ignored status, a `rows.skip` match, or no amount.
    pub ignored: usize,
    /// The payout's external id.
    pub payout: String,
    /// The statement's reported total (none: the mapping names no total column).
    pub reported: Option<Money>,
    /// What the ledger holds for the payout after the import.
    pub ledger: Money,
    /// reported − ledger (none without a reported total).
    pub residual: Option<Money>,
}

/// Reads and posts the statement `file` (`bytes`) for `org_id` with `mapping`.
///
/// # Errors
/// See [`super::read_statement`]; database failures or amounts out of range (nothing is
/// written then).
pub async fn import_statement(
    db: &Db,
    org_id: i64,
    file: &str,
    bytes: &[u8],
    mapping: &Checked,
    options: &StatementOptions,
) -> Result<StatementReport> {
    let mapper = FeeMapper::load(db.conn(), org_id).await?;
    let (booked, text) = super::read_statement(bytes, file, mapping, &mapper, options)?;
    let channel = mapping.channel;
    let shop_external = options.shop.clone().unwrap_or_else(|| shop_key(mapping));
    // The payout id already starts with the mapping's name (or its id prefix).
    let source_id = booked.payout.external_id.clone();
    let txn = db.begin_write().await?;
    let shop = catalog::ensure_shop(
        &*txn,
        org_id,
        channel,
        &shop_external,
        &format!("{} (imported)", mapping.display),
        Some(booked.currency.as_str()),
    )
    .await?;
    let batch = Batch::with_raw(
        channel,
        shop.id,
        SOURCE_KIND,
        &source_id,
        text,
        booked.normalized,
    );
    let ingest = ingest_in(&*txn, org_id, batch).await?;
    txn.commit().await?;
    db.wrote(ingest.posted + ingest.retired).await;
    let view = crate::payout::find(
        db.conn(),
        org_id,
        channel,
        Some(PayoutKind::Statement),
        &booked.payout.external_id,
    )
    .await?;
    let reported = booked.reported.as_ref().map(|info| info.reported);
    let residual = reported
        .map(|reported| reported.checked_sub(view.ledger))
        .transpose()?;
    Ok(StatementReport {
        mapping: mapping.mapping.name.clone().unwrap_or_default(),
        channel,
        channel_name: mapping.display.clone(),
        ingest,
        skipped: booked.skipped,
        ignored: booked.ignored,
        payout: booked.payout.external_id,
        reported,
        ledger: view.ledger,
        residual,
    })
}
