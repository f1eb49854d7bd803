//! The seam between shared code and one channel: the [`Connector`] trait and what crosses it
//! (streams, pull windows, progress, OAuth flows, webhook receivers, file formats and the one
//! error a connector fails with). See the module doc of [`crate::connectors`] for how a channel
//! plugs in.

use std::time::Duration;

use async_trait::async_trait;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use entities::{raw_record, shop, sync_state};

pub use super::run_memo::RunMemo;
use super::Normalized;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::{Channel, FeeBucket};
use crate::money::Currency;
use crate::state::AppState;

/// Where a sync is, for progress bars.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The step running.
    pub step: String,
    /// Units done in this step.
    pub done: usize,
    /// Units in this step, when known.
    pub total: Option<usize>,
}

/// Where a running pull reports its [`Progress`].
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// The time range one pull reads: from the cursor less the overlap (or the backfill start) to
/// now. The engine stores `to` as the job's cursor when the pull succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
}

/// What a stored `sync_state.stream` is about, as its connector reads it. Stored spellings are
/// the connector's business ([`Connector::parse_stream`]); shared code only needs to know
/// whether a job syncs a shop or one of its ad accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamTarget {
    /// The shop's own money (orders, settlements, payouts).
    Shop,
    /// An ad account whose spend is booked to the shop.
    AdAccount {
        /// The channel's id of the ad account.
        advertiser_id: String,
    },
}

/// Why a connector's pull (or call) stopped. Every connector maps its own errors into these,
/// in one place of its folder; the sync engine maps these to outcomes in one place too.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The grant is revoked or expired: nothing helps until the seller connects again (the job
    /// pauses; the connector has marked the shop or account).
    #[error("{0}")]
    Reauthorize(String),
    /// The channel throttled us past the connector's retries.
    #[error("{message}")]
    RateLimited {
        /// When the channel said to come back, if it did.
        retry_after: Option<Duration>,
        /// The channel's words.
        message: String,
    },
    /// The channel refused or kept failing; the next scheduled run tries again.
    #[error("{0}")]
    Upstream(String),
    /// Our side failed (ledger, database, a shop without a currency, …).
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<sea_orm::DbErr> for ConnectorError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Store(error.into())
    }
}

/// One flow of connecting accounts through a channel's OAuth: its URL name (`/connect/{kind}`
/// and `/connect/{kind}/callback`), the channel's authorise page, and what a callback's code
/// connects.
#[async_trait]
pub trait OAuthFlow: Send + Sync {
    /// URL-safe name and stored spelling of this flow.
    fn kind(&self) -> crate::connect::ConnectKind;

    /// Fails (in words, naming the settings) unless the channel app is configured.
    ///
    /// # Errors
    /// No app configured.
    fn ready(&self, state: &AppState) -> Result<()>;

    /// The query parameter (of `/connect/{kind}`, and the argument of the GraphQL authorize-URL
    /// query) naming the account a round trip is for, when the channel's authorisation page is
    /// per account (Shopify: `shop`, a `NAME.myshopify.com` domain); `None` for channels with one
    /// authorisation page. The state is bound to the account, and [`OAuthFlow::complete`] is
    /// handed it back.
    fn subject_param(&self) -> Option<&'static str> {
        None
    }

    /// The account named by [`OAuthFlow::subject_param`], validated and in its one spelling.
    ///
    /// # Errors
    /// BAD_USER_INPUT for an invalid account, naming it.
    fn subject(&self, value: &str) -> Result<String> {
        Ok(value.trim().to_owned())
    }

    /// The channel's authorisation page for our one-time `nonce` and `redirect_uri` (and the
    /// account from [`OAuthFlow::subject`]).
    ///
    /// # Errors
    /// An invalid configured URL.
    fn authorize_url(
        &self,
        state: &AppState,
        nonce: &str,
        redirect_uri: &str,
        subject: Option<&str>,
    ) -> Result<String>;

    /// Checks the callback's own signature, when the channel signs it (Shopify's `hmac`),
    /// before its state is consumed or its code used.
    ///
    /// # Errors
    /// UNAUTHENTICATED for a missing or wrong signature.
    fn verify_callback(&self, state: &AppState, callback: &CallbackParams) -> Result<()> {
        let _ = (state, callback);
        Ok(())
    }

    /// The query parameters that may carry the authorisation code, most likely first.
    fn code_params(&self) -> &'static [&'static str];

    /// Exchanges `code` and connects what it grants to `org_id` (scheduling their syncs).
    /// `callback` is every query parameter of the callback (Amazon names the seller there);
    /// `subject` is the account the state was bound to ([`OAuthFlow::subject`]).
    ///
    /// # Errors
    /// A refused code, channel failures, or database failures.
    async fn complete(
        &self,
        state: &AppState,
        org_id: i64,
        code: &str,
        callback: &CallbackParams,
        subject: Option<&str>,
    ) -> Result<Connected>;
}

/// The query parameters of an OAuth callback.
pub type CallbackParams = std::collections::HashMap<String, String>;

/// What a completed OAuth callback connected, for the page the browser lands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connected {
    /// How many accounts.
    pub count: usize,
    /// What they are, plural form, e.g. `TikTok shop(s)`.
    pub noun: &'static str,
    /// One line per account.
    pub lines: Vec<String>,
}

/// A channel's webhook endpoint (`POST /webhooks/{name}`).
#[async_trait]
pub trait WebhookReceiver: Send + Sync {
    /// Verifies `body` (before parsing anything), stores and acts on it; the JSON answered.
    ///
    /// # Errors
    /// UNAUTHENTICATED for a wrong signature (nothing stored), BAD_USER_INPUT for a body that is
    /// not an event, or database failures.
    async fn receive(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<serde_json::Value>;
}

/// A saved-file format a connector reads (`pnl import --format NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileFormat {
    /// The name `--format` takes, prefixed with the channel, e.g. `tiktok-payments-202309`.
    pub name: &'static str,
    /// What the format is, in a sentence (shown by `pnl import --help`).
    pub description: &'static str,
}

impl FileFormat {
    /// The name `--format` takes.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the format is, in a sentence.
    pub fn description(&self) -> &'static str {
        self.description
    }
}

/// One file offered to the connectors: its name (for messages and as a default source id), its
/// bytes as read (any encoding), and its JSON when it parses as JSON.
#[derive(Clone, Copy, Debug)]
pub struct FileInput<'a> {
    /// The file's name as the user gave it.
    pub file: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// Its JSON, when it is JSON.
    pub json: Option<&'a serde_json::Value>,
}

/// What a file import needs besides the file.
#[derive(Clone, Copy, Debug)]
pub struct FileContext<'a> {
    /// The org's label mapping.
    pub mapper: &'a FeeMapper,
    /// `--currency`, for files that name none.
    pub currency: Option<Currency>,
    /// `--advertiser`: the ad account of an ads report.
    pub advertiser: Option<&'a str>,
    /// `--time-zone`: the ad account's time zone.
    pub time_zone: Option<chrono_tz::Tz>,
    /// The org's settings of the connector's channel (`channel_setting`: key → value), so a
    /// file is read under the same settings as a sync (Shopify: the mirrored-order source names).
    pub settings: &'a std::collections::HashMap<String, String>,
    /// What the connector keeps between the records of one replay run (none outside a replay).
    pub memo: Option<&'a RunMemo>,
}

/// A file normalised by its connector, ready to post.
#[derive(Clone, Debug)]
pub struct FileBatch {
    /// The raw record's `source_kind`.
    pub source_kind: &'static str,
    /// The raw record's `source_id`.
    pub source_id: String,
    /// The currency the file names (stored on a shop the import creates).
    pub currency: Option<Currency>,
    /// The normalised lines.
    pub normalized: Normalized,
    /// The raw record's text when the file is not UTF-8 (decoded from its character set, so
    /// the stored record reads as the file did); `None`: the bytes are the text.
    pub text: Option<String>,
}

/// Everything shared code needs of one channel. Implementations are unit structs listed in
/// [`crate::connectors::registry`]; their configuration comes from the [`AppState`] they are
/// handed (`state.config.channels.<name>`), so a connector needs no construction.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The channel its shops and ledger lines belong to.
    fn channel(&self) -> Channel;

    /// URL-safe name: `/webhooks/{name}`; also the prefix of its stored stream names.
    fn name(&self) -> &'static str;

    /// The channel as people call it, e.g. `TikTok Shop`; an imported file's shop is named
    /// `"{label} (imported)"`.
    fn label(&self) -> &'static str;

    /// The built-in label → bucket table (overridable per org).
    fn labels(&self) -> &'static [(&'static str, FeeBucket)];
    /// The label's spelling in [`Connector::labels`] when the channel writes one label several
    /// ways (casing, two sources naming one fee differently); `None`: labels are exact.
    fn canonical_label(&self, _label: &str) -> Option<String> {
        None
    }

    /// Whether the channel app is configured enough to sync (`pnl sync` refuses otherwise).
    ///
    /// # Errors
    /// What is missing, naming the settings.
    fn ready(&self, state: &AppState) -> Result<()>;

    /// The stored stream of a shop's own money; connecting a shop schedules it, its status
    /// shows it, `triggerSync` and `pnl sync` run it.
    fn shop_stream(&self) -> &'static str;

    /// The stored stream of ad account `advertiser_id`'s spend, when the channel has ad accounts.
    fn ad_account_stream(&self, _advertiser_id: &str) -> Option<String> {
        None
    }

    /// What a stored stream name is about; `None` when it is not this connector's.
    fn parse_stream(&self, stream: &str) -> Option<StreamTarget>;

    /// Pulls `job`'s stream of `shop` over `window`, telling `progress` about each step.
    ///
    /// # Errors
    /// See [`ConnectorError`]; a revoked grant is also recorded on the shop or account.
    async fn pull(
        &self,
        state: &AppState,
        shop: &shop::Model,
        job: &sync_state::Model,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> std::result::Result<(), ConnectorError>;

    /// The OAuth flows that connect its accounts (none: connected another way).
    fn oauth(&self) -> &'static [&'static dyn OAuthFlow] {
        &[]
    }

    /// Its webhook receiver, if the channel pushes events.
    fn webhook(&self) -> Option<&'static dyn WebhookReceiver> {
        None
    }

    /// The saved-file formats it reads.
    fn formats(&self) -> &'static [FileFormat] {
        &[]
    }

    /// Recognises `input` as one of [`Connector::formats`]; an error when the file is this
    /// channel's but cannot be imported (an error response saved as a file, …).
    ///
    /// # Errors
    /// A file of this channel that cannot be imported, named.
    fn detect(&self, _input: &FileInput<'_>) -> Result<Option<FileFormat>> {
        Ok(None)
    }

    /// Normalises `input` as `format` (one of [`Connector::formats`]).
    ///
    /// # Errors
    /// A file that does not match its format, named, or one that names no currency when
    /// `--currency` was not given.
    fn normalize_file(
        &self,
        input: &FileInput<'_>,
        format: FileFormat,
        ctx: &FileContext<'_>,
    ) -> Result<FileBatch> {
        let _ = (input, ctx);
        Err(Error::bad_input(format!(
            "{}: {} files cannot be imported",
            format.name,
            self.label()
        )))
    }

    /// Re-reads `record`, a raw record this connector stored, through today's normalisers
    /// (`pnl replay`). `ctx` carries the org's mapping and settings and the shop's currency.
    /// The default reads the record as a saved file of one of [`Connector::formats`]
    /// ([`replay_as_file`]); a connector overrides it when a record needs more than its payload
    /// (an ads report's account and time zone) or cannot be read alone.
    ///
    /// # Errors
    /// A record that does not read under today's normalisers, named.
    async fn replay(
        &self,
        db: &Db,
        record: &raw_record::Model,
        ctx: &FileContext<'_>,
    ) -> Result<Replayed> {
        let _ = db;
        replay_as_file(self, record, ctx)
    }
}

/// What a raw record says today ([`Connector::replay`]).
#[derive(Clone, Debug)]
pub enum Replayed {
    /// Its lines (and payouts, listings, attributions) through today's normalisers.
    Lines(Normalized),
    /// It carries no money of its own (a webhook that only triggers a re-read).
    NoMoney,
    /// It does not hold all its lines were derived from (its sync combined it with other
    /// reads); a sync of its shop re-derives them. Says what is missing.
    NeedsSync(&'static str),
}

/// Reads `record` as the saved file it would be: a sync stores what the connector's file
/// formats read (one response, or the pages of one list joined by
/// [`crate::connectors::joined_pages`]). [`Replayed::NoMoney`] when none of `connector`'s
/// formats reads it.
///
/// # Errors
/// A record that matches a format but does not read, named.
pub fn replay_as_file<C: Connector + ?Sized>(
    connector: &C,
    record: &raw_record::Model,
    ctx: &FileContext<'_>,
) -> Result<Replayed> {
    let file = format!("raw record {} ({})", record.id, record.source_kind);
    let read = |bytes: &[u8],
                json: Option<&serde_json::Value>,
                file: &str|
     -> Result<Option<Normalized>> {
        let input = FileInput { file, bytes, json };
        match connector.detect(&input)? {
            Some(format) => Ok(Some(
                connector.normalize_file(&input, format, ctx)?.normalized,
            )),
            None => Ok(None),
        }
    };
    let payload = crate::ledger::raw::payload(record)?;
    // Pages joined into one record: each page reads as the saved response it was.
    if let Some(pages) = super::split_pages(&payload) {
        let mut all = Normalized::default();
        let mut any = false;
        for (index, page) in pages.into_iter().enumerate() {
            let json = serde_json::from_str::<serde_json::Value>(page).ok();
            let name = format!("{file}, page {}", index + 1);
            if let Some(normalized) = read(page.as_bytes(), json.as_ref(), &name)? {
                all.extend(normalized);
                any = true;
            }
        }
        return Ok(if any {
            Replayed::Lines(all)
        } else {
            Replayed::NoMoney
        });
    }
    let json = serde_json::from_str::<serde_json::Value>(&payload).ok();
    Ok(match read(payload.as_bytes(), json.as_ref(), &file)? {
        Some(normalized) => Replayed::Lines(normalized),
        None => Replayed::NoMoney,
    })
}

/// The currency of `shop`: what the channel said when it was connected, or its stored
/// settings; never a guess.
///
/// # Errors
/// A shop without a currency (named), or an unknown code.
pub fn shop_currency(shop: &shop::Model) -> Result<Currency> {
    let code = shop.currency.as_deref().ok_or_else(|| {
        Error::bad_input(format!(
            "shop {} ({:?}, {}) has no currency: the channel did not name one when it was \
             connected and none is stored; set the shop's currency",
            shop.id, shop.name, shop.external_id
        ))
    })?;
    Ok(Currency::parse(code)?)
}
