//! Shopify's side of the seam: one stream per shop (`shopify.shop`: orders, Shopify Payments
//! balance transactions, payouts), the install flow, the webhook receiver, saved Admin GraphQL
//! answers and bulk exports as importable files, and the label table. Its errors become
//! [`ConnectorError`]s in `error.rs`, and nowhere else.

use async_trait::async_trait;
use entities::{raw_record, shop, sync_state};

use super::{connect, files, labels, sync, webhooks, SHOP_STREAM};
use crate::connectors::seam::{
    replay_as_file, Connector, ConnectorError, FileBatch, FileContext, FileFormat, FileInput,
    OAuthFlow, ProgressFn, Replayed, StreamTarget, WebhookReceiver, Window,
};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::{Channel, FeeBucket};
use crate::state::AppState;

/// Shopify (Admin GraphQL API, Shopify Payments).
#[derive(Clone, Copy, Debug, Default)]
pub struct Shopify;

#[async_trait]
impl Connector for Shopify {
    fn channel(&self) -> Channel {
        super::CHANNEL
    }

    fn name(&self) -> &'static str {
        "shopify"
    }

    fn label(&self) -> &'static str {
        "Shopify"
    }

    fn labels(&self) -> &'static [(&'static str, FeeBucket)] {
        labels::LABELS
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        connect::require_app(state)
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

    fn webhook(&self) -> Option<&'static dyn WebhookReceiver> {
        Some(&webhooks::Receiver)
    }

    fn formats(&self) -> &'static [FileFormat] {
        files::FORMATS
    }

    fn detect(&self, input: &FileInput<'_>) -> Result<Option<FileFormat>> {
        files::detect(input)
    }

    fn normalize_file(
        &self,
        input: &FileInput<'_>,
        format: FileFormat,
        ctx: &FileContext<'_>,
    ) -> Result<FileBatch> {
        let currency = files::currency_of(input).or(ctx.currency).ok_or_else(|| {
            Error::bad_input(format!(
                "{}: the file names no currency; pass --currency",
                input.file
            ))
        })?;
        let rules = super::mirrored::rules_from(ctx.settings)?;
        let normalized = files::normalize_with(
            input,
            format,
            &super::normalize::Context {
                mapper: ctx.mapper,
                currency,
            },
            &rules,
        )?;
        Ok(FileBatch {
            source_kind: files::source_kind(format),
            source_id: input.file.to_owned(),
            currency: Some(currency),
            normalized,
            text: None,
        })
    }

    /// Payouts read back as the saved pages they are. Orders and balance transactions do not
    /// yet: a sync stores an export's or a page's orders together with the further reads that
    /// completed them (refunded orders re-read by id, line-item pages) and leaves out the
    /// orders it found mirrored from another channel by looking at that channel's ledger; and
    /// it splits each balance transaction by the order it read beside it, which the
    /// transaction's own record does not hold. A sync of the shop re-derives both.
    async fn replay(
        &self,
        db: &Db,
        record: &raw_record::Model,
        ctx: &FileContext<'_>,
    ) -> Result<Replayed> {
        let _ = db;
        let kind = record.source_kind.as_str();
        if kind == sync::ORDERS_KIND || kind == sync::BULK_KIND {
            return Ok(Replayed::NeedsSync(
                "orders are stored with the reads that completed them and without the orders \
                 found mirrored from another channel",
            ));
        }
        if kind == sync::BALANCE_KIND {
            return Ok(Replayed::NeedsSync(
                "a transaction is split by the order its sync read beside it, not stored with it",
            ));
        }
        replay_as_file(self, record, ctx)
    }
}
