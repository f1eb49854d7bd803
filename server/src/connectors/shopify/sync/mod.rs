//! The `shopify.shop` stream of one shop: orders (with their refunds and payment transactions)
//! updated in the window, then Shopify Payments balance transactions, then payouts.
//!
//! - **Orders**: a window longer than [`BULK_WINDOW`] (a backfill) is read through a bulk
//!   operation (`bulkOperationRunQuery`, polled, its JSONL streamed line by line and assembled
//!   into orders, never loaded whole); orders with refunds are then re-read by id for their
//!   refund lines (a bulk query keeps lists inline and cannot nest a refund's connections). A
//!   shorter window (the incremental sync, with the engine's overlap) pages `orders` by
//!   `updated_at`. Mirrored orders (a marketplace's order pushed into Shopify) are recorded and
//!   post nothing.
//! - **Balance transactions** are read from the window's start, or from the oldest settled line
//!   still without a payout if that is earlier (reference pitfall 9: a transaction read before
//!   its payout existed is read again until it has one, and its lines are corrected into the
//!   payout). The orders they belong to are read by id, so a charge is split into the same
//!   buckets as the order's estimate.
//! - **Payouts** issued since [`PAYOUT_REACH`] before the window are read again each run (their
//!   status moves from SCHEDULED to PAID).

mod orders;
mod payments;

pub use payments::oldest_unassigned;

use orders::OrderCache;

use chrono::{DateTime, Duration, Utc};
use entities::shop;

use super::client::ShopifyClient;
use super::credentials::ShopifyCredentials;
use super::mirror::MirrorRules;
use super::mirrored;
use super::normalize::Context;
use super::{queries, CHANNEL};
use crate::connectors::credentials::open;
use crate::connectors::ingest::{ingest, Batch, IngestReport};
use crate::connectors::seam::{shop_currency, ConnectorError, ProgressFn, Window};
use crate::connectors::{joined_pages, Normalized};
use crate::ledger::mapping::FeeMapper;
use crate::state::AppState;

/// Windows longer than this are read through a bulk operation: a backfill, or a shop that
/// was not synced for a week (the incremental sync reads the engine's overlap, 3 days by
/// default, plus the time since the last run).
pub const BULK_WINDOW: Duration = Duration::days(7);
/// Payouts issued this long before the window are read again.
pub const PAYOUT_REACH: Duration = Duration::days(14);
/// How far back a balance transaction without a payout is looked for.
const UNASSIGNED_REACH: Duration = Duration::days(62);

/// Orders per page (each costs up to 300 points; see `queries`).
const ORDERS_PAGE: u32 = queries::ORDERS_PAGE_SIZE;
/// Orders read by id per call.
const BY_ID_CHUNK: usize = queries::ORDERS_PAGE_SIZE as usize;
/// Balance transactions per page (about 10 points each: 50 stay well under the 1,000-point
/// single-query limit).
const BALANCE_PAGE: i64 = 50;
/// Payouts per page.
const PAYOUT_PAGE: i64 = 50;
/// Orders per ingest batch of a bulk export.
const BULK_CHUNK: usize = 250;
/// How often a bulk operation is polled.
const BULK_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// Raw record kinds of this stream.
pub const ORDERS_KIND: &str = "shopify.admin.orders";
/// A chunk of a bulk export's JSONL (the lines, verbatim).
pub const BULK_KIND: &str = "shopify.bulk.orders";
/// A page of balance transactions with the orders read for it.
pub const BALANCE_KIND: &str = "shopify.payments.balance_transactions";
/// A page of payouts.
pub const PAYOUTS_KIND: &str = "shopify.payments.payouts";

/// What one pull did.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Orders read.
    pub orders: usize,
    /// Of which mirrored (skipped).
    pub mirrored: usize,
    /// Balance transactions read.
    pub balance_transactions: usize,
    /// Payouts read.
    pub payouts: usize,
    /// Whether the orders came through a bulk operation.
    pub bulk: bool,
    /// What ingest did.
    pub ingest: IngestReport,
}

/// The client of `shop` (its domain, its sealed token).
///
/// # Errors
/// A shop without credentials.
pub fn shop_client(state: &AppState, shop: &shop::Model) -> crate::error::Result<ShopifyClient> {
    let credentials: ShopifyCredentials = open(
        state,
        shop.credentials.as_deref(),
        &format!("shop {}", shop.id),
    )?;
    Ok(ShopifyClient::new(
        &state.config.channels.shopify,
        reqwest::Client::new(),
        &shop.external_id,
        credentials.access_token,
    ))
}

/// Pulls `window` of `shop`; a revoked token also marks the shop NEEDS_REAUTH.
///
/// # Errors
/// See [`ConnectorError`]. What was ingested before a failure stays ingested.
pub async fn sync_shop(
    state: &AppState,
    shop: &shop::Model,
    window: Window,
    progress: ProgressFn<'_>,
) -> Result<SyncReport, ConnectorError> {
    let client = shop_client(state, shop)?;
    let mut pull = Pull::new(state, &client, shop).await?;
    let result = pull.run(window, progress).await;
    crate::connectors::catalog::mark_refused_grant(state.db.conn(), shop, result).await?;
    Ok(pull.report)
}

/// Re-reads `orders` (legacy ids) of `shop` and ingests what changed (webhooks).
///
/// # Errors
/// Shopify or database failures.
pub async fn reread_orders(
    state: &AppState,
    shop: &shop::Model,
    orders: &[String],
) -> Result<(), ConnectorError> {
    let client = shop_client(state, shop)?;
    let mut pull = Pull::new(state, &client, shop).await?;
    let ids: Vec<String> = orders.iter().map(|id| order_gid(id)).collect();
    let (orders, bodies) = pull.orders_by_id(&ids).await?;
    let source = format!("webhook:{}", ids.join(","));
    pull.post_orders(
        orders,
        ORDERS_KIND,
        &source,
        joined_pages(bodies.iter().map(String::as_str)),
    )
    .await
}

/// The gid of order `id`.
pub fn order_gid(id: &str) -> String {
    format!("gid://shopify/Order/{id}")
}

/// `updated_at` (or another date field) within `from..to`, in Shopify's search syntax.
fn within(field: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "{field}:>='{}' AND {field}:<'{}'",
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        to.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

fn decode(what: &str) -> impl Fn(crate::error::Error) -> ConnectorError + '_ {
    move |e| ConnectorError::Upstream(format!("Shopify {what}: {e}"))
}

pub(super) struct Pull<'a> {
    state: &'a AppState,
    client: &'a ShopifyClient,
    shop: &'a shop::Model,
    mapper: FeeMapper,
    currency: crate::money::Currency,
    rules: MirrorRules,
    /// Orders read in this run, so balance transactions of the same orders need no re-read.
    seen: OrderCache,
    report: SyncReport,
}

impl<'a> Pull<'a> {
    async fn new(
        state: &'a AppState,
        client: &'a ShopifyClient,
        shop: &'a shop::Model,
    ) -> Result<Self, ConnectorError> {
        Ok(Self {
            state,
            client,
            shop,
            mapper: FeeMapper::load(state.db.conn(), shop.org_id).await?,
            currency: shop_currency(shop)?,
            rules: mirrored::rules(state.db.conn(), shop.org_id).await?,
            seen: OrderCache::default(),
            report: SyncReport::default(),
        })
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            mapper: &self.mapper,
            currency: self.currency,
        }
    }

    async fn run(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        if window.to - window.from > BULK_WINDOW {
            self.bulk_orders(window, progress).await?;
        } else {
            self.paged_orders(window, progress).await?;
        }
        self.balance_transactions(window, progress).await?;
        self.payouts(window, progress).await
    }

    async fn post(
        &mut self,
        kind: &str,
        source_id: &str,
        payload: String,
        normalized: Normalized,
    ) -> Result<(), ConnectorError> {
        let batch = Batch::with_raw(CHANNEL, self.shop.id, kind, source_id, payload, normalized);
        self.report
            .ingest
            .absorb(ingest(&self.state.db, self.shop.org_id, batch).await?);
        Ok(())
    }
}
