//! Channel connectors: clients that talk to a channel's API, and pure normalisers that turn what
//! it says into ledger lines. The shared vocabulary of normalised output lives here so that
//! every channel's normaliser and the ingest step speak the same language.

pub mod amazon;
pub mod catalog;
pub mod ingest;
pub mod tiktok;
pub mod upstream;

use chrono::{DateTime, Utc};

use crate::ledger::{Channel, EntryStatus, FeeBucket};
use crate::money::Money;

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

/// The channel every TikTok line belongs to.
pub const TIKTOK: Channel = Channel::TikTokShop;
