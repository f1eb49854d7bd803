//! Shopify's side of the seam: one stream per shop (`shopify.shop`: orders, Shopify Payments
//! balance transactions, payouts), the install flow, the webhook receiver, saved Admin GraphQL
//! answers and bulk exports as importable files, and the label table. Its errors become
//! [`ConnectorError`]s in `error.rs`, and nowhere else.

use async_trait::async_trait;
use entities::{shop, sync_state};

use super::{connect, files, labels, sync, webhooks, SHOP_STREAM};
use crate::connectors::seam::{
    Connector, ConnectorError, FileBatch, FileContext, FileFormat, FileInput, OAuthFlow,
    ProgressFn, StreamTarget, WebhookReceiver, Window,
};
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
}
