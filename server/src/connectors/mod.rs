//! Channel connectors: one folder per channel (`connectors/<channel>/`) holding everything the
//! channel needs, and the shared vocabulary of normalised output (below) that every channel's
//! normaliser and the ingest step speak.
//!
//! # The seam
//! Shared code (the sync engine, `/connect/{kind}`, `/webhooks/{name}`, `pnl import`, the label
//! mapping, sync status and completeness) names no channel: it asks the [`registry::Registry`]
//! (held in [`crate::state::AppState`] as `connectors`, and reachable as
//! [`registry::Registry::builtin`] where there is no state, e.g. `pnl import`) for the
//! [`seam::Connector`] that owns a channel, a stored stream, an OAuth kind, a webhook name or a
//! file format, and calls it. Connectors are unit structs that read their settings from the
//! state they are handed, so the registry is a static list and needs no construction.
//!
//! Shape chosen, and why:
//! - **One object-safe trait** ([`seam::Connector`], `async_trait`) with optional parts as
//!   default methods: OAuth flows ([`seam::OAuthFlow`], several per channel: TikTok has one for
//!   shops and one for ad accounts), a webhook receiver ([`seam::WebhookReceiver`]), file formats
//!   (`formats` / `detect` / `normalize_file`, given the raw bytes *and* the JSON when the file
//!   parses, so tab-separated reports in any encoding can be detected too), and the label table.
//! - **Streams stay strings in the database** (no migration); parsing them is the connector's
//!   job ([`seam::Connector::parse_stream`] → [`seam::StreamTarget`]), and the engine finds a
//!   job's connector with [`registry::Registry::stream`].
//! - **One error** ([`seam::ConnectorError`]: `Reauthorize`, `RateLimited`, `Upstream`,
//!   `Store`): each connector maps its own errors into it in one place (TikTok:
//!   `From<SyncError>` in `tiktok/connector.rs`), and the engine maps it to a job outcome in one
//!   place (`sync::jobs::outcome_of`).
//! - **No currency guess**: a shop's currency is the one its channel named when it was
//!   connected (or its stored settings); [`seam::shop_currency`] refuses a shop without one,
//!   naming it.
//!
//! # Adding a channel
//! 1. A folder `connectors/<channel>/` with its client, models, normalisers, pulls and a unit
//!    struct implementing [`seam::Connector`] (streams, `pull`, and any of OAuth, webhook, file
//!    formats), plus `labels.rs` (`pub const LABELS: &[(&str, FeeBucket)]`) returned by
//!    `labels()`.
//! 2. One line in [`registry::CONNECTORS`] (and, if it has GraphQL fields of its own, e.g. a
//!    `<channel>/graphql.rs` with `#[Object]`s, one field in [`registry::ConnectorQueries`] /
//!    [`registry::ConnectorMutations`]).
//! 3. Its settings type as one field of [`config::ChannelsConfig`] (a top-level `[<channel>]`
//!    table), when it has settings.
//! 4. Its simulator module in `sandbox/`, for tests and `pnl demo`.
//!
//! Nothing else changes: routes (`/connect/{kind}`, `/webhooks/{name}`), `pnl import`, the sync
//! engine, `pnl sync`, the label mapping and GraphQL status reach it through the registry.

pub mod amazon;
pub mod catalog;
pub mod config;
pub mod credentials;
pub mod ingest;
pub mod registry;
mod run_memo;
pub mod seam;
pub mod settings;
pub mod shopify;
pub mod status;
pub mod tiktok;
pub mod upstream;

pub use registry::Registry;
pub use seam::{Connector, ConnectorError, Progress, StreamTarget};
pub use status::ShopStatus;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::ledger::{EntryStatus, FeeBucket};
use crate::money::Money;

/// Several response pages stored as one raw record: a JSON array of the bodies, verbatim (each
/// body is itself JSON, so the record stays JSON and every byte of every page is kept).
pub fn joined_pages<'a>(bodies: impl IntoIterator<Item = &'a str>) -> String {
    let bodies: Vec<&str> = bodies.into_iter().collect();
    format!("[{}]", bodies.join(","))
}

/// The pages of a record stored by [`joined_pages`], each exactly as received; `None` when
/// `payload` is not such a record (not a JSON array of JSON objects).
pub fn split_pages(payload: &str) -> Option<Vec<&str>> {
    let pages: Vec<&serde_json::value::RawValue> = serde_json::from_str(payload).ok()?;
    let pages: Vec<&str> = pages
        .into_iter()
        .map(serde_json::value::RawValue::get)
        .collect();
    (!pages.is_empty() && pages.iter().all(|page| page.trim_start().starts_with('{')))
        .then_some(pages)
}

/// Whether a string or key anywhere in `value` holds a NUL character. PostgreSQL cannot store
/// one in text (SQLite can), so such a payload is refused before anything is stored, the same
/// way on both backends.
pub fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains('\0') || contains_nul(value)),
        _ => false,
    }
}

/// A channel SKU as a line names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SkuRef {
    /// The channel's SKU id.
    pub channel_sku_id: String,
    /// The seller's own SKU, when the payload carries it.
    pub seller_sku: Option<String>,
    /// The channel's product id.
    pub channel_product_id: Option<String>,
    /// A display name.
    pub name: Option<String>,
}

/// Which payout (statement, payment, …) a line belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PayoutRef {
    /// STATEMENT, PAYMENT, SETTLEMENT, PAYOUT.
    pub kind: PayoutKind,
    /// The channel's id.
    pub external_id: String,
}

/// Kinds of totals a channel reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum PayoutKind {
    /// A TikTok daily statement.
    Statement,
    /// A TikTok payment to the bank (groups statements).
    Payment,
    /// An Amazon settlement.
    Settlement,
    /// A Shopify payout.
    Payout,
}

impl PayoutKind {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statement => "STATEMENT",
            Self::Payment => "PAYMENT",
            Self::Settlement => "SETTLEMENT",
            Self::Payout => "PAYOUT",
        }
    }

    /// Parses the stored spelling.
    ///
    /// # Errors
    /// An unknown spelling.
    pub fn parse(text: &str) -> crate::error::Result<Self> {
        match text {
            "STATEMENT" => Ok(Self::Statement),
            "PAYMENT" => Ok(Self::Payment),
            "SETTLEMENT" => Ok(Self::Settlement),
            "PAYOUT" => Ok(Self::Payout),
            other => Err(crate::error::Error::bad_input(format!(
                "unknown payout kind {other:?}"
            ))),
        }
    }
}

/// How finely a settled line describes its money; finer lines supersede coarser ones for the
/// same statement and order, so the same money is never posted twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Granularity {
    /// A whole transaction or order of a statement.
    Order,
    /// One SKU of an order within a statement.
    Sku,
    /// An adjustment, reserve or ad charge that belongs to no order.
    Standalone,
}

/// One normalised money component, before ids are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Stable key from channel identifiers.
    pub entry_key: String,
    /// The channel's order id.
    pub order_id: Option<String>,
    /// The channel SKU.
    pub sku: Option<SkuRef>,
    /// The creator's handle, when known from the payload itself.
    pub creator: Option<String>,
    /// The bucket.
    pub bucket: FeeBucket,
    /// The channel's label.
    pub label: String,
    /// Whether the label was mapped.
    pub mapped: bool,
    /// Signed amount.
    pub amount: Money,
    /// Units.
    pub quantity: i32,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Estimate or settled.
    pub status: EntryStatus,
    /// The payout it belongs to.
    pub payout: Option<PayoutRef>,
    /// See [`Granularity`].
    pub granularity: Granularity,
    /// A statement that these lines fully describe; set on settled lines.
    pub statement: Option<String>,
    /// The channel's product id, for lines tied to a product but not a SKU (ad spend).
    pub product: Option<String>,
    /// Not posted while this key is current: another source already describes the money.
    pub excluded_by: Option<String>,
    /// Keys this line's source replaces (reversed when this line is posted).
    pub replaces: Vec<String>,
}

/// A total the channel reports, to be reconciled against its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutInfo {
    /// Which one.
    pub reference: PayoutRef,
    /// The channel's total.
    pub reported: Money,
    /// Period covered, when known.
    pub period_start: Option<DateTime<Utc>>,
    /// Period end.
    pub period_end: Option<DateTime<Utc>>,
    /// When paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// The channel's status text (PAID, PROCESSING, …); none when this payload does not say
    /// (a statement's transactions do not carry its payment status).
    pub status: Option<String>,
    /// The payout that paid this one.
    pub parent: Option<PayoutRef>,
    /// A payout of the same shop, kind and currency whose period starts and ends on the same
    /// days is this payout under another id (Amazon: a financial event group and its settlement
    /// report name one settlement by two unrelated ids); the first one stored keeps its id and
    /// this one's lines are booked to it.
    pub same_period: bool,
}

/// Attribution of an order (or one SKU of it) to a creator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    /// The order.
    pub order_id: String,
    /// The SKU, when attribution is per SKU.
    pub sku: Option<SkuRef>,
    /// The creator.
    pub creator: Option<String>,
    /// Content type (VIDEO, LIVE, …).
    pub content_type: Option<String>,
    /// Commission rate as a decimal percent string ("15.50").
    pub commission_rate: Option<String>,
    /// Shop-ads commission rate, same unit.
    pub shop_ads_commission_rate: Option<String>,
    /// Estimated commission.
    pub estimated_commission: Option<Money>,
    /// Actual commission.
    pub actual_commission: Option<Money>,
    /// Units.
    pub quantity: i32,
    /// A free sample sent to the creator.
    pub is_sample: bool,
    /// When the order was created.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// A row the normaliser could not use, with where it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Position, e.g. `transactions[3].fee_tax_breakdown.fee.platform_commission_amount`.
    pub position: String,
    /// What was wrong.
    pub reason: String,
}

/// Everything a normaliser derives from one payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// Ledger lines.
    pub lines: Vec<Line>,
    /// Reported totals.
    pub payouts: Vec<PayoutInfo>,
    /// Creator attribution and samples.
    pub attributions: Vec<Attribution>,
    /// Channel SKUs seen (listings to create and link to master products).
    pub listings: Vec<SkuRef>,
    /// Rows that could not be used.
    pub failures: Vec<Failure>,
    /// Rows read.
    pub rows: usize,
}

impl Normalized {
    /// Appends another normaliser's output.
    pub fn extend(&mut self, other: Self) {
        self.lines.extend(other.lines);
        self.payouts.extend(other.payouts);
        self.attributions.extend(other.attributions);
        self.listings.extend(other.listings);
        self.failures.extend(other.failures);
        self.rows += other.rows;
    }
}
