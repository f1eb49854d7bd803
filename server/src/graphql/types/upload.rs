//! What `importFile` answers (the same summary `pnl import` prints) and the statement mappings
//! `statementMappings` lists.

use async_graphql::SimpleObject;

use super::money::MoneyObject;
use super::scalars::DateTime;
use crate::connectors::Failure;
use crate::import::UploadReport;
use crate::ledger::Channel;
use crate::statements::stored::MappingInfo;
use crate::statements::BadCell;

/// What one uploaded file did.
#[derive(Clone, Debug, SimpleObject)]
pub struct ImportReport {
    /// The file's name, as uploaded.
    pub file: String,
    /// The detected format's name (e.g. `tiktok-payments-202309`), or `statement` for a file
    /// read through a mapping.
    pub format: String,
    /// The mapping it was read with, if any.
    pub mapping: Option<String>,
    /// The channel its lines are booked to.
    pub channel: Channel,
    /// Source rows read.
    pub rows_read: i64,
    /// Lines newly posted (corrections included).
    pub lines_posted: i64,
    /// Lines already in the ledger unchanged (a re-upload posts nothing).
    pub duplicates: i64,
    /// Lines whose content changed: reversed and re-posted.
    pub corrected: i64,
    /// Older lines reversed because newer or finer lines replace them.
    pub retired: i64,
    /// Lines not posted because finer or settled lines already describe the money.
    pub superseded: i64,
    /// Labels that matched no mapping (booked to OTHER; see `unmappedFees`).
    pub unmapped_labels: Vec<String>,
    /// Rows or values that could not be used.
    pub failures: Vec<ImportFailure>,
    /// Rows skipped with `skipBadRows: true`.
    pub skipped_rows: Vec<ImportFailure>,
    /// Statement rows not booked by design (an ignored status, a `rows.skip` match, no amount).
    pub rows_not_booked: i64,
    /// The statement's payout assertion (none for a format without one in the upload's
    /// summary: query `payouts` for those).
    pub payout: Option<ImportPayout>,
}

/// A row or value that could not be used.
#[derive(Clone, Debug, SimpleObject)]
pub struct ImportFailure {
    /// Where, in words (e.g. `row 7, column "Amount"` or a JSON path).
    pub position: String,
    /// What was wrong.
    pub reason: String,
    /// The file line, for a statement row.
    pub row: Option<i64>,
    /// The column, for a statement row.
    pub column: Option<String>,
    /// The cell as written, for a statement row.
    pub value: Option<String>,
}

/// A statement's payout: what the file reports against what the ledger holds.
#[derive(Clone, Debug, SimpleObject)]
pub struct ImportPayout {
    /// The payout's external id.
    pub external_id: String,
    /// The total the statement reports (none when the mapping names no total).
    pub reported: Option<MoneyObject>,
    /// What the ledger holds for the payout after the import.
    pub ledger: MoneyObject,
    /// reported − ledger (zero when it reconciles; none without a reported total).
    pub residual: Option<MoneyObject>,
}

/// A statement mapping: a built-in or one of the org's own.
#[derive(Clone, Debug, SimpleObject)]
pub struct StatementMappingInfo {
    /// The name `importFile(mapping:)` and `pnl import --mapping` take.
    pub name: String,
    /// Shipped with pnl (cannot be overwritten or deleted).
    pub builtin: bool,
    /// The channel its lines are booked to.
    pub channel: Channel,
    /// The channel's display name.
    pub display_name: String,
    /// What it reads.
    pub description: Option<String>,
    /// When the org last saved it (none for a built-in).
    pub updated_at: Option<DateTime>,
}

impl From<MappingInfo> for StatementMappingInfo {
    fn from(info: MappingInfo) -> Self {
        Self {
            name: info.name,
            builtin: info.builtin,
            channel: info.channel,
            display_name: info.display,
            description: info.description,
            updated_at: info.updated_at.map(DateTime::from),
        }
    }
}

impl From<Failure> for ImportFailure {
    fn from(failure: Failure) -> Self {
        Self {
            position: failure.position,
            reason: failure.reason,
            row: None,
            column: None,
            value: None,
        }
    }
}

impl From<BadCell> for ImportFailure {
    fn from(bad: BadCell) -> Self {
        Self {
            position: format!("row {}, column {:?}", bad.row, bad.column),
            reason: bad.reason,
            row: i64::try_from(bad.row).ok(),
            column: Some(bad.column),
            value: Some(bad.value),
        }
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl ImportReport {
    /// The summary of `report`, for the uploaded `file`.
    pub fn new(file: String, report: UploadReport) -> Self {
        let (format, mapping, channel, ingest, skipped, not_booked, payout) = match report {
            UploadReport::Format(report) => (
                report.format.name().to_owned(),
                None,
                report.channel,
                report.ingest,
                Vec::new(),
                0,
                None,
            ),
            UploadReport::Statement(report) => (
                "statement".to_owned(),
                Some(report.mapping),
                report.channel,
                report.ingest,
                report.skipped,
                report.ignored,
                Some(ImportPayout {
                    external_id: report.payout,
                    reported: report.reported.map(MoneyObject::from),
                    ledger: report.ledger.into(),
                    residual: report.residual.map(MoneyObject::from),
                }),
            ),
        };
        // Skipped rows are also counted among the ingest failures; list them once, as skipped.
        let skipped_positions: Vec<String> = skipped
            .iter()
            .map(|bad| format!("row {}, column {:?}", bad.row, bad.column))
            .collect();
        Self {
            file,
            format,
            mapping,
            channel,
            rows_read: count(ingest.rows),
            lines_posted: count(ingest.posted),
            duplicates: count(ingest.duplicates),
            corrected: count(ingest.corrected),
            retired: count(ingest.retired),
            superseded: count(ingest.superseded),
            unmapped_labels: ingest.unmapped.into_iter().collect(),
            failures: ingest
                .failures
                .into_iter()
                .filter(|f| !skipped_positions.contains(&f.position))
                .map(ImportFailure::from)
                .collect(),
            skipped_rows: skipped.into_iter().map(ImportFailure::from).collect(),
            rows_not_booked: count(not_booked),
            payout,
        }
    }
}
