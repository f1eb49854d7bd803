//! The orders of a pull: paged by `updated_at`, or through a bulk export; the rest of an
//! order's line items; orders by id; mirrored orders recorded instead of posted.

use std::collections::HashMap;

use chrono::Utc;
use futures::StreamExt;
use serde_json::json;

use super::{
    decode, within, Pull, BULK_CHUNK, BULK_KIND, BULK_POLL, BY_ID_CHUNK, ORDERS_KIND, ORDERS_PAGE,
};
use crate::connectors::joined_pages;
use crate::connectors::seam::{ConnectorError, Progress, ProgressFn, Window};
use crate::connectors::shopify::bulk::{ChunkLines, OrderAssembler};
use crate::connectors::shopify::mirror::{self, MirrorMatch, MirrorRule};
use crate::connectors::shopify::mirrored::{self, Found};
use crate::connectors::shopify::model::{self, Order};
use crate::connectors::shopify::{normalize, queries};
use crate::connectors::Normalized;

/// The orders a run read most recently, at most [`OrderCache::CAPACITY`] (a backfill reads
/// far more; balance transactions mostly belong to orders read shortly before them).
#[derive(Default)]
pub(super) struct OrderCache {
    orders: HashMap<String, Order>,
    order: std::collections::VecDeque<String>,
}

impl OrderCache {
    const CAPACITY: usize = 5_000;

    pub(super) fn insert(&mut self, order: &Order) {
        let id = order.order_id();
        if self.orders.insert(id.clone(), order.clone()).is_none() {
            self.order.push_back(id);
            while self.order.len() > Self::CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.orders.remove(&old);
                }
            }
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<&Order> {
        self.orders.get(id)
    }
}

impl Pull<'_> {
    /// The mirror rule `order` matches, if any: its own fields first, then its external ids
    /// against orders another channel of the org owns.
    pub(super) async fn mirrored(
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
    pub(super) async fn post_orders(
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
                mirrored::retire_estimates(
                    &self.state.db,
                    self.shop.org_id,
                    self.shop.id,
                    &order.order_id(),
                )
                .await?;
                continue;
            }
            self.seen.insert(order);
            normalized.extend(normalize::order(order, &self.ctx()));
        }
        self.post(kind, source_id, payload, normalized).await
    }

    /// Orders by gid, with the rest of the line items of any order that has more than a page.
    pub(super) async fn orders_by_id(
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
                model::parse_orders_page(&page.body).map_err(decode("nodes(ids:)"))?;
            bodies.push(page.body);
            for order in &mut found {
                self.complete_line_items(order, &mut bodies).await?;
            }
            orders.extend(found);
        }
        Ok((orders, bodies))
    }

    /// Reads the rest of `order`'s line items when its first page was not all of them.
    pub(super) async fn complete_line_items(
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
            let (items, info) = model::parse_order_line_items_page(&page.body)
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

    pub(super) async fn paged_orders(
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
                model::parse_orders_page(&page.body).map_err(decode("orders"))?;
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

    pub(super) async fn bulk_orders(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        self.report.bulk = true;
        let filter = within("updated_at", window.from, window.to);
        // Inside a GraphQL string only backslashes and `"` need escaping (single quotes are plain).
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
        let mut raw = ChunkLines::default();
        let mut line_no = 0;
        let mut chunk_no = 0;
        while let Some(line) = lines.next().await {
            let line = line?;
            line_no += 1;
            let finished = assembler
                .push(line_no, &line)
                .map_err(decode("bulk export"))?;
            raw.push(line, finished.is_some());
            chunk.extend(finished);
            if chunk.len() >= BULK_CHUNK {
                self.post_bulk_chunk(&id, chunk_no, std::mem::take(&mut chunk), raw.take())
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
        let raw = raw.finish();
        if !chunk.is_empty() || !raw.is_empty() {
            self.post_bulk_chunk(&id, chunk_no, chunk, raw).await?;
        }
        Ok(())
    }

    /// Posts a chunk of a bulk export: orders with refunds are re-read by id first (the export
    /// lists refunds without their lines).
    pub(super) async fn post_bulk_chunk(
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
}
