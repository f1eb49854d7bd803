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

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::shop;
use futures::StreamExt;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::bulk::OrderAssembler;
use super::client::ShopifyClient;
use super::credentials::ShopifyCredentials;
use super::mirror::{self, MirrorMatch, MirrorRule, MirrorRules};
use super::mirrored::{self, Found};
use super::model::Order;
use super::normalize::{self, Context};
use super::{queries, CHANNEL};
use crate::connectors::credentials::open;
use crate::connectors::ingest::{ingest, Batch, IngestReport};
use crate::connectors::seam::{shop_currency, ConnectorError, Progress, ProgressFn, Window};
use crate::connectors::{joined_pages, Normalized};
use crate::ledger::mapping::FeeMapper;
use crate::state::AppState;

/// Windows longer than this are read through a bulk operation.
pub const BULK_WINDOW: Duration = Duration::days(3);
/// Payouts issued this long before the window are read again.
pub const PAYOUT_REACH: Duration = Duration::days(14);
/// How far back a balance transaction without a payout is looked for.
const UNASSIGNED_REACH: Duration = Duration::days(62);

/// Orders per page (each costs up to 300 points; see `queries`).
const ORDERS_PAGE: u32 = queries::ORDERS_PAGE_SIZE;
/// Orders read by id per call.
const BY_ID_CHUNK: usize = queries::ORDERS_PAGE_SIZE as usize;
/// Balance transactions per page. One node of `queries::BALANCE_TRANSACTIONS` costs about 10
/// points (itself, five money or object fields, an `adjustmentsOrders` entry with its three
/// amounts), so 100 a page cost 1,003 and Shopify refused every page (`MAX_COST_EXCEEDED`);
/// 50 leave room for the formula's uncertainty ([U], see `queries`).
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
    if let Err(ConnectorError::Reauthorize(message)) = &result {
        let marked = crate::connectors::catalog::refuse_shop_grant(
            state.db.conn(),
            shop.id,
            message,
            shop.credentials.as_deref(),
        )
        .await?;
        if marked {
            tracing::warn!(
                shop_id = shop.id,
                "Shopify token refused; the shop needs re-authorisation"
            );
        }
    }
    result.map(|()| pull.report)
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

struct Pull<'a> {
    state: &'a AppState,
    client: &'a ShopifyClient,
    shop: &'a shop::Model,
    mapper: FeeMapper,
    currency: crate::money::Currency,
    rules: MirrorRules,
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

    /// The mirror rule `order` matches, if any: its own fields first, then its external ids
    /// against orders another channel of the org owns.
    async fn mirrored(
        &self,
        order: &Order,
    ) -> Result<Option<(MirrorMatch, Option<String>)>, ConnectorError> {
        if let Some(found) = mirror::classify(order, &self.rules) {
            return Ok(Some((found, None)));
        }
        let ids = mirror::external_order_ids(order);
        let owner = mirrored::owned_elsewhere(self.state.db.conn(), self.shop.org_id, &ids).await?;
        Ok(owner.map(|(value, channel)| {
            (
                MirrorMatch {
                    rule: MirrorRule::ExternalOrderId,
                    value,
                },
                Some(channel),
            )
        }))
    }

    /// Normalises and posts `orders` (skipping and recording mirrored ones) under one raw record.
    async fn post_orders(
        &mut self,
        orders: Vec<Order>,
        kind: &str,
        source_id: &str,
        payload: String,
    ) -> Result<(), ConnectorError> {
        let mut normalized = Normalized::default();
        for order in &orders {
            self.report.orders += 1;
            if let Some((matched, owner_channel)) = self.mirrored(order).await? {
                self.report.mirrored += 1;
                normalized.rows += 1;
                mirrored::record(
                    self.state.db.conn(),
                    self.shop.org_id,
                    self.shop.id,
                    &Found {
                        order_id: &order.order_id(),
                        order_name: order.name.as_deref().unwrap_or_default(),
                        ordered_at: order
                            .created_at
                            .or(order.processed_at)
                            .unwrap_or_else(Utc::now),
                        matched,
                        owner_channel,
                    },
                )
                .await?;
                continue;
            }
            normalized.extend(normalize::order(order, &self.ctx()));
        }
        self.post(kind, source_id, payload, normalized).await
    }

    /// Orders by gid, with the rest of the line items of any order that has more than a page.
    async fn orders_by_id(
        &self,
        ids: &[String],
    ) -> Result<(Vec<Order>, Vec<String>), ConnectorError> {
        let mut orders = Vec::new();
        let mut bodies = Vec::new();
        for chunk in ids.chunks(BY_ID_CHUNK) {
            let page = self
                .client
                .query(queries::ORDERS_BY_ID, json!({ "ids": chunk }))
                .await?;
            let (mut found, _) =
                super::model::parse_orders_page(&page.body).map_err(decode("nodes(ids:)"))?;
            bodies.push(page.body);
            for order in &mut found {
                self.complete_line_items(order, &mut bodies).await?;
            }
            orders.extend(found);
        }
        Ok((orders, bodies))
    }

    /// Reads the rest of `order`'s line items when its first page was not all of them.
    async fn complete_line_items(
        &self,
        order: &mut Order,
        bodies: &mut Vec<String>,
    ) -> Result<(), ConnectorError> {
        loop {
            let info = &order.line_items.page_info;
            let Some(after) = info.end_cursor.clone().filter(|_| info.has_next_page) else {
                return Ok(());
            };
            let page = self
                .client
                .query(
                    queries::ORDER_LINE_ITEMS,
                    json!({ "id": order.id, "after": after }),
                )
                .await?;
            let (items, info) = super::model::parse_order_line_items_page(&page.body)
                .map_err(decode("order(id:) lineItems"))?;
            bodies.push(page.body);
            if items.is_empty() && info.has_next_page {
                return Err(ConnectorError::Upstream(format!(
                    "Shopify order {}: an empty page of line items that says more follow",
                    order.order_id()
                )));
            }
            order.line_items.nodes.extend(items);
            order.line_items.page_info = info;
        }
    }

    async fn paged_orders(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        let filter = within("updated_at", window.from, window.to);
        let mut after: Option<String> = None;
        let mut page_no = 0;
        loop {
            progress(Progress {
                step: "orders".to_owned(),
                done: self.report.orders,
                total: None,
            });
            let page = self
                .client
                .query(
                    queries::ORDERS,
                    json!({ "first": ORDERS_PAGE, "after": after, "query": filter }),
                )
                .await?;
            let (mut orders, info) =
                super::model::parse_orders_page(&page.body).map_err(decode("orders"))?;
            let mut bodies = vec![page.body];
            for order in &mut orders {
                self.complete_line_items(order, &mut bodies).await?;
            }
            let source = format!("{filter}#{page_no}");
            self.post_orders(
                orders,
                ORDERS_KIND,
                &source,
                joined_pages(bodies.iter().map(String::as_str)),
            )
            .await?;
            page_no += 1;
            match info.end_cursor.filter(|_| info.has_next_page) {
                Some(cursor) => after = Some(cursor),
                None => return Ok(()),
            }
        }
    }

    async fn bulk_orders(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        self.report.bulk = true;
        let filter = within("updated_at", window.from, window.to);
        // The filter goes inside a GraphQL string: only `\` and `"` are escaped there (`\'`
        // is no GraphQL escape, and Shopify refuses the document with it).
        let inner = queries::BULK_ORDERS.replace(
            "{filter}",
            &filter.replace('\\', "\\\\").replace('"', "\\\""),
        );
        let id = self.client.run_bulk(&inner).await?;
        let report = |objects: u64| {
            progress(Progress {
                step: "orders (bulk export)".to_owned(),
                done: usize::try_from(objects).unwrap_or(usize::MAX),
                total: None,
            });
        };
        let Some(url) = self.client.wait_bulk(&id, BULK_POLL, &report).await? else {
            return Ok(());
        };
        let mut lines = Box::pin(self.client.download_lines(&url).await?);
        let mut assembler = OrderAssembler::new();
        let mut chunk: Vec<Order> = Vec::new();
        let mut raw: Vec<String> = Vec::new();
        let mut line_no = 0;
        let mut chunk_no = 0;
        while let Some(line) = lines.next().await {
            let line = line?;
            line_no += 1;
            if let Some(order) = assembler
                .push(line_no, &line)
                .map_err(decode("bulk export"))?
            {
                chunk.push(order);
            }
            raw.push(line);
            if chunk.len() >= BULK_CHUNK {
                self.post_bulk_chunk(
                    &id,
                    chunk_no,
                    std::mem::take(&mut chunk),
                    std::mem::take(&mut raw),
                )
                .await?;
                chunk_no += 1;
                progress(Progress {
                    step: "orders (bulk export)".to_owned(),
                    done: self.report.orders,
                    total: None,
                });
            }
        }
        if let Some(order) = assembler.finish().map_err(decode("bulk export"))? {
            chunk.push(order);
        }
        if !chunk.is_empty() || !raw.is_empty() {
            self.post_bulk_chunk(&id, chunk_no, chunk, raw).await?;
        }
        Ok(())
    }

    /// Posts a chunk of a bulk export: orders with refunds are re-read by id first (the export
    /// lists refunds without their lines).
    async fn post_bulk_chunk(
        &mut self,
        operation: &str,
        chunk_no: usize,
        orders: Vec<Order>,
        lines: Vec<String>,
    ) -> Result<(), ConnectorError> {
        let refunded: Vec<String> = orders
            .iter()
            .filter(|o| !o.refunds.is_empty())
            .map(|o| o.id.clone())
            .collect();
        let (reread, bodies) = self.orders_by_id(&refunded).await?;
        let mut by_id: HashMap<String, Order> =
            reread.into_iter().map(|o| (o.id.clone(), o)).collect();
        let orders: Vec<Order> = orders
            .into_iter()
            .map(|o| by_id.remove(&o.id).unwrap_or(o))
            .collect();
        let mut payload = lines.join("\n");
        for body in &bodies {
            payload.push('\n');
            payload.push_str(body);
        }
        let source = format!("{operation}#{chunk_no}");
        self.post_orders(orders, BULK_KIND, &source, payload).await
    }

    /// The oldest settled line of this shop still without a payout, if any.
    async fn oldest_unassigned(&self) -> Result<Option<DateTime<Utc>>, ConnectorError> {
        let db = self.state.db.conn();
        let backend = db.get_database_backend();
        let placeholder = match backend {
            sea_orm::DatabaseBackend::Postgres => "$1",
            _ => "?",
        };
        let sql = format!(
            "SELECT MIN(e.occurred_at) FROM ledger_entry e WHERE e.shop_id = {placeholder} \
             AND e.status = 'SETTLED' AND e.payout_id IS NULL AND e.reversal_of IS NULL \
             AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reversal_of = e.id)"
        );
        let row = db
            .query_one(Statement::from_sql_and_values(
                backend,
                sql,
                [self.shop.id.into()],
            ))
            .await?;
        Ok(row.and_then(|row| {
            row.try_get_by_index::<Option<DateTime<Utc>>>(0)
                .ok()
                .flatten()
        }))
    }

    async fn balance_transactions(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        let mut from = window.from;
        if let Some(oldest) = self.oldest_unassigned().await? {
            from = from.min(oldest.max(window.to - UNASSIGNED_REACH));
        }
        let filter = within("processed_at", from, window.to);
        let mut after: Option<String> = None;
        let mut page_no = 0;
        loop {
            progress(Progress {
                step: "balance transactions".to_owned(),
                done: self.report.balance_transactions,
                total: None,
            });
            let page = self
                .client
                .query(
                    queries::BALANCE_TRANSACTIONS,
                    json!({ "first": BALANCE_PAGE, "after": after, "query": filter }),
                )
                .await?;
            let (nodes, info) = super::model::parse_balance_transactions_page(&page.body)
                .map_err(decode("balanceTransactions"))?;
            self.report.balance_transactions += nodes.len();
            let wanted = normalize::orders_to_fetch(&nodes);
            let (orders, bodies) = self.orders_by_id(&wanted).await?;
            let orders: HashMap<String, Order> =
                orders.into_iter().map(|o| (o.order_id(), o)).collect();
            let normalized = normalize::balance_transactions(&nodes, &orders, &self.ctx());
            let mut all = vec![page.body];
            all.extend(bodies);
            let source = format!("{filter}#{page_no}");
            self.post(
                BALANCE_KIND,
                &source,
                joined_pages(all.iter().map(String::as_str)),
                normalized,
            )
            .await?;
            page_no += 1;
            match info.end_cursor.filter(|_| info.has_next_page) {
                Some(cursor) => after = Some(cursor),
                None => return Ok(()),
            }
        }
    }

    async fn payouts(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        let filter = within("issued_at", window.from - PAYOUT_REACH, window.to);
        let mut after: Option<String> = None;
        let mut page_no = 0;
        loop {
            progress(Progress {
                step: "payouts".to_owned(),
                done: self.report.payouts,
                total: None,
            });
            let page = self
                .client
                .query(
                    queries::PAYOUTS,
                    json!({ "first": PAYOUT_PAGE, "after": after, "query": filter }),
                )
                .await?;
            let (nodes, info) =
                super::model::parse_payouts_page(&page.body).map_err(decode("payouts"))?;
            self.report.payouts += nodes.len();
            let normalized = normalize::payouts(&nodes, &self.ctx());
            let source = format!("{filter}#{page_no}");
            self.post(PAYOUTS_KIND, &source, page.body, normalized)
                .await?;
            page_no += 1;
            match info.end_cursor.filter(|_| info.has_next_page) {
                Some(cursor) => after = Some(cursor),
                None => return Ok(()),
            }
        }
    }
}
