//! Amazon's side of the seam: one stream per shop (`amazon.finances`: event groups, their
//! events, settlement reports), the Seller Central consent flow, the V2 settlement flat file as
//! an importable format, and the label table. Its errors become [`ConnectorError`]s in
//! `sync.rs` (`From<AmazonError>`), and nowhere else.

use async_trait::async_trait;
use entities::{raw_record, shop, sync_state};

use super::{connect, labels, settlement, sync};
use crate::connectors::seam::{
    Connector, ConnectorError, FileBatch, FileContext, FileFormat, FileInput, OAuthFlow,
    ProgressFn, Replayed, StreamTarget, Window,
};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};
use crate::state::AppState;

/// The stream of an Amazon shop's money.
pub const SHOP_STREAM: &str = "amazon.finances";

/// The settlement report V2 flat file.
pub const SETTLEMENT_FILE: FileFormat = FileFormat {
    name: "amazon-settlement-v2",
    description: "Amazon settlement report V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2, \
                  tab-separated; any locale and character set Amazon writes).",
};

static FORMATS: &[FileFormat] = &[SETTLEMENT_FILE];

/// Fails unless an SP-API app is configured.
///
/// # Errors
/// What is missing, naming the settings.
pub fn require_app(state: &AppState) -> Result<()> {
    let app = &state.config.channels.amazon;
    if app.lwa_client_id.is_empty() || app.application_id.is_empty() {
        return Err(Error::bad_input(
            "no Amazon SP-API app is configured: set amazon.lwa_client_id, \
             amazon.lwa_client_secret and amazon.application_id (PNL_AMAZON__LWA_CLIENT_ID, …, \
             or [amazon] in pnl.toml)",
        ));
    }
    Ok(())
}

/// Amazon (SP-API): Finances v0, settlement reports, Seller Central consent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Amazon;

#[async_trait]
impl Connector for Amazon {
    fn channel(&self) -> Channel {
        super::AMAZON
    }

    fn name(&self) -> &'static str {
        "amazon"
    }

    fn label(&self) -> &'static str {
        "Amazon"
    }

    fn labels(&self) -> &'static [(&'static str, FeeBucket)] {
        labels::LABELS
    }

    fn canonical_label(&self, label: &str) -> Option<String> {
        Some(labels::canonical(label))
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        require_app(state)
    }

    fn shop_stream(&self) -> &'static str {
        SHOP_STREAM
    }

    fn parse_stream(&self, stream: &str) -> Option<StreamTarget> {
        (stream == SHOP_STREAM).then_some(StreamTarget::Shop)
    }

    async fn pull(
        &self,
        state: &AppState,
        shop: &shop::Model,
        job: &sync_state::Model,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> std::result::Result<(), ConnectorError> {
        if job.stream != SHOP_STREAM {
            return Err(ConnectorError::Upstream(format!(
                "unknown stream {}",
                job.stream
            )));
        }
        sync::sync_shop(state, shop, window, progress).await?;
        Ok(())
    }

    fn oauth(&self) -> &'static [&'static dyn OAuthFlow] {
        connect::FLOWS
    }

    fn formats(&self) -> &'static [FileFormat] {
        FORMATS
    }

    fn detect(&self, input: &FileInput<'_>) -> Result<Option<FileFormat>> {
        Ok(settlement::looks_like(input.bytes).then_some(SETTLEMENT_FILE))
    }

    fn normalize_file(
        &self,
        input: &FileInput<'_>,
        _format: FileFormat,
        ctx: &FileContext<'_>,
    ) -> Result<FileBatch> {
        let normalized = settlement::parse_with(input.bytes, input.file, ctx.mapper)
            .map_err(|e| Error::bad_input(e.to_string()))?;
        let summary = normalized.payouts.first();
        let currency = summary.map(|p| p.reported.currency()).or(ctx.currency);
        let source_id = summary
            .map(|p| p.reference.external_id.clone())
            .unwrap_or_else(|| input.file.to_owned());
        let text = std::str::from_utf8(input.bytes)
            .is_err()
            .then(|| {
                settlement::decode::decode(input.bytes)
                    .ok()
                    .map(|(text, _)| text)
            })
            .flatten();
        Ok(FileBatch {
            source_kind: settlement::SOURCE_KIND,
            source_id,
            currency,
            normalized,
            text,
        })
    }

    async fn replay(
        &self,
        db: &Db,
        record: &raw_record::Model,
        ctx: &FileContext<'_>,
    ) -> Result<Replayed> {
        super::replay::replay(db, record, ctx).await
    }
}
