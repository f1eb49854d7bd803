//! Shopify Payments in a pull: balance transactions (with the orders they split by) and
//! payouts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::{
    decode, within, Pull, BALANCE_KIND, BALANCE_PAGE, PAYOUTS_KIND, PAYOUT_PAGE, PAYOUT_REACH,
    UNASSIGNED_REACH,
};
use crate::connectors::joined_pages;
use crate::connectors::seam::{ConnectorError, Progress, ProgressFn, Window};
use crate::connectors::shopify::model::{self, Order};
use crate::connectors::shopify::{normalize, queries};

/// The oldest settled line of shop `shop_id` of `org_id` still without a payout (not reversed),
/// if any: where a sync reads balance transactions from (reference pitfall 9).
///
/// # Errors
/// Database failures.
pub async fn oldest_unassigned(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let (org, shop) = match backend {
        sea_orm::DatabaseBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    // `ix_ledger_entry_org_payout` finds the org's lines without a payout; a reversal keeps
    // the entry key of the line it reverses, so `uq_ledger_entry_key_hash_seq` answers the
    // probe (the reversal names its line by id, so the hash alone is exact here).
    let settled = crate::ledger::EntryStatus::Settled.code();
    let sql = format!(
        "SELECT MIN(e.occurred_at) FROM ledger_entry e WHERE e.org_id = {org} \
         AND e.payout_id IS NULL AND e.shop_id = {shop} \
         AND e.status = {settled} AND e.reversal_of IS NULL \
         AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.org_id = e.org_id \
           AND r.key_hash = e.key_hash AND r.reversal_of = e.id)"
    );
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            sql,
            [org_id.into(), shop_id.into()],
        ))
        .await?;
    Ok(row.and_then(|row| {
        row.try_get_by_index::<Option<DateTime<Utc>>>(0)
            .ok()
            .flatten()
    }))
}

impl Pull<'_> {
    pub(super) async fn balance_transactions(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        let mut from = window.from;
        let db = self.state.db.conn();
        if let Some(oldest) = oldest_unassigned(db, self.shop.org_id, self.shop.id).await? {
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
            let (nodes, info) = model::parse_balance_transactions_page(&page.body)
                .map_err(decode("balanceTransactions"))?;
            self.report.balance_transactions += nodes.len();
            let wanted = normalize::orders_to_fetch(&nodes);
            let missing: Vec<String> = wanted
                .iter()
                .filter(|gid| self.seen.get(model::gid_tail(gid)).is_none())
                .cloned()
                .collect();
            let (fetched, bodies) = self.orders_by_id(&missing).await?;
            for order in &fetched {
                self.seen.insert(order);
            }
            let orders: HashMap<String, Order> = wanted
                .iter()
                .filter_map(|gid| self.seen.get(model::gid_tail(gid)))
                .map(|o| (o.order_id(), o.clone()))
                .collect();
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

    pub(super) async fn payouts(
        &mut self,
        window: Window,
        progress: ProgressFn<'_>,
    ) -> Result<(), ConnectorError> {
        // No upper bound: a scheduled payout carries the date it will be paid, which may be
        // after now.
        let filter = format!(
            "issued_at:>='{}'",
            (window.from - PAYOUT_REACH).format("%Y-%m-%dT%H:%M:%SZ")
        );
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
            let (nodes, info) = model::parse_payouts_page(&page.body).map_err(decode("payouts"))?;
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
