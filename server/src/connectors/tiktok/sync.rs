//! Pulling a shop's money data over a date range, in the order that lets each step use the
//! previous one: orders (catalogue, samples, estimates) and affiliate orders (creators) first,
//! then payments and statements (reported totals), then each statement's transactions with the
//! SKU split of its orders, then unsettled estimates. Each statement is one ingest transaction,
//! so a sync stopped anywhere and started again posts every line exactly once.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::json;

use super::client::{RawPage, TikTokClient};
use super::error::TikTokError;
use super::model;
use super::normalize::{self, Context};
use crate::connectors::ingest::{ingest, Batch, IngestReport};
use crate::connectors::{Granularity, Normalized};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::raw::RawInput;
use crate::ledger::Channel;
use crate::money::{Currency, Money};

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

/// What a sync did.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Statements read.
    pub statements: usize,
    /// The ingest counts, added up.
    pub ingest: IngestReport,
}

/// One shop to sync.
#[derive(Clone, Debug)]
pub struct ShopTarget {
    /// The org.
    pub org_id: i64,
    /// The shop row.
    pub shop_id: i64,
    /// The shop's currency (payloads without one use it).
    pub currency: Currency,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// TikTok refused or kept failing.
    #[error(transparent)]
    TikTok(#[from] TikTokError),
    /// The ledger side failed.
    #[error(transparent)]
    Ledger(#[from] Error),
}

impl From<crate::money::MoneyError> for SyncError {
    fn from(error: crate::money::MoneyError) -> Self {
        Self::Ledger(error.into())
    }
}

impl From<sea_orm::DbErr> for SyncError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Ledger(error.into())
    }
}

/// A payload made of several pages, stored verbatim as a JSON array of the response bodies.
fn raw_pages(kind: &str, source_id: &str, shop_id: i64, pages: &[RawPage]) -> RawInput {
    let bodies: Vec<&str> = pages.iter().map(|page| page.body.as_str()).collect();
    RawInput {
        channel: Channel::TikTokShop,
        shop_id: Some(shop_id),
        source_kind: kind.to_owned(),
        source_id: source_id.to_owned(),
        payload: format!("[{}]", bodies.join(",")),
    }
}

async fn post(
    db: &Db,
    target: &ShopTarget,
    kind: &str,
    source_id: &str,
    raw: RawInput,
    normalized: Normalized,
    report: &mut SyncReport,
) -> Result<()> {
    let batch = Batch {
        channel: Channel::TikTokShop,
        shop_id: target.shop_id,
        source_kind: kind.to_owned(),
        source_id: source_id.to_owned(),
        raw: Some(raw),
        normalized,
    };
    report
        .ingest
        .absorb(ingest(db, target.org_id, batch).await?);
    Ok(())
}

/// Decodes every page's `data` as `T`.
fn decode_pages<T: serde::de::DeserializeOwned>(
    path: &str,
    pages: &[RawPage],
) -> Result<Vec<T>, TikTokError> {
    pages
        .iter()
        .map(|page| TikTokClient::decode(path, page.data.clone()))
        .collect()
}

/// Pulls `from..to` of one shop like [`pull`]; a revoked or missing grant also marks the shop
/// `NEEDS_REAUTH` with TikTok's message, so the seller is asked to connect it again.
///
/// # Errors
/// As [`pull`].
pub async fn sync_shop(
    db: &Db,
    client: &TikTokClient,
    target: &ShopTarget,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<SyncReport, SyncError> {
    let result = pull(db, client, target, from, to, progress).await;
    if let Err(SyncError::TikTok(error @ TikTokError::Reauthorize { .. })) = &result {
        crate::connectors::catalog::set_shop_status(
            db.conn(),
            target.shop_id,
            "NEEDS_REAUTH",
            Some(&error.to_string()),
        )
        .await?;
        tracing::warn!(shop_id = target.shop_id, %error, "TikTok grant revoked; the shop needs re-authorisation");
    }
    result
}

/// Pulls `from..to` of one shop; `progress` is told about each step.
///
/// # Errors
/// TikTok failures after retries (a revoked grant is [`TikTokError::Reauthorize`], never
/// retried), or ledger failures. Statements already ingested stay ingested.
pub async fn pull(
    db: &Db,
    client: &TikTokClient,
    target: &ShopTarget,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<SyncReport, SyncError> {
    let mapper = FeeMapper::load(db.conn(), target.org_id).await?;
    let ctx = Context {
        mapper: &mapper,
        currency: target.currency,
    };
    let mut report = SyncReport::default();
    let (ge, lt) = (from.timestamp().to_string(), to.timestamp().to_string());
    let step = |name: &str, done: usize, total: Option<usize>| {
        progress(Progress {
            step: name.to_owned(),
            done,
            total,
        })
    };

    // 1. Orders: catalogue links, samples, sale estimates.
    step("orders", 0, None);
    let path = "/order/202309/orders/search";
    let body = json!({ "create_time_ge": from.timestamp(), "create_time_lt": to.timestamp() });
    let pages = client
        .all_pages(
            Method::POST,
            path,
            &[
                ("page_size", "100".to_owned()),
                ("sort_field", "create_time".to_owned()),
            ],
            Some(&body),
        )
        .await?;
    let mut orders = Normalized::default();
    for data in decode_pages::<model::OrderList>(path, &pages)? {
        orders.extend(normalize::orders_202309(&data, &ctx));
    }
    post(
        db,
        target,
        "tiktok.order.202309.orders",
        &format!("{ge}-{lt}"),
        raw_pages(
            "tiktok.order.202309.orders",
            &format!("{ge}-{lt}"),
            target.shop_id,
            &pages,
        ),
        orders,
        &mut report,
    )
    .await?;

    // 2. Affiliate orders: creators.
    step("affiliate orders", 0, None);
    let path = "/affiliate_seller/202410/orders/search";
    let pages = client
        .all_pages(
            Method::POST,
            path,
            &[("page_size", "100".to_owned())],
            Some(&body),
        )
        .await?;
    let mut affiliate = Normalized::default();
    for data in decode_pages::<model::AffiliateOrderList>(path, &pages)? {
        affiliate.extend(normalize::affiliate_orders_202410(&data, &ctx));
    }
    post(
        db,
        target,
        "tiktok.affiliate_seller.202410.orders",
        &format!("{ge}-{lt}"),
        raw_pages(
            "tiktok.affiliate_seller.202410.orders",
            &format!("{ge}-{lt}"),
            target.shop_id,
            &pages,
        ),
        affiliate,
        &mut report,
    )
    .await?;

    // 3. Payments and statements: reported totals.
    step("payments", 0, None);
    let path = "/finance/202309/payments";
    let params = [
        ("sort_field", "create_time".to_owned()),
        ("page_size", "100".to_owned()),
        ("create_time_ge", ge.clone()),
        ("create_time_lt", lt.clone()),
    ];
    let pages = client.all_pages(Method::GET, path, &params, None).await?;
    let mut payments = Normalized::default();
    for data in decode_pages::<model::PaymentList>(path, &pages)? {
        payments.extend(normalize::payments_202309(&data, &ctx));
    }
    post(
        db,
        target,
        "tiktok.finance.202309.payments",
        &format!("{ge}-{lt}"),
        raw_pages(
            "tiktok.finance.202309.payments",
            &format!("{ge}-{lt}"),
            target.shop_id,
            &pages,
        ),
        payments,
        &mut report,
    )
    .await?;

    step("statements", 0, None);
    let path = "/finance/202309/statements";
    let params = [
        ("sort_field", "statement_time".to_owned()),
        ("page_size", "100".to_owned()),
        ("statement_time_ge", ge.clone()),
        ("statement_time_lt", lt.clone()),
    ];
    let pages = client.all_pages(Method::GET, path, &params, None).await?;
    let lists = decode_pages::<model::StatementList>(path, &pages)?;
    let mut statements = Normalized::default();
    for data in &lists {
        statements.extend(normalize::statements_202309(data, &ctx));
    }
    post(
        db,
        target,
        "tiktok.finance.202309.statements",
        &format!("{ge}-{lt}"),
        raw_pages(
            "tiktok.finance.202309.statements",
            &format!("{ge}-{lt}"),
            target.shop_id,
            &pages,
        ),
        statements,
        &mut report,
    )
    .await?;

    // 4. Each statement's transactions, with the SKU split of its orders.
    let ids: Vec<String> = lists
        .iter()
        .flat_map(|list| list.statements.iter().map(|s| s.id.clone()))
        .collect();
    for (index, id) in ids.iter().enumerate() {
        step("statement transactions", index, Some(ids.len()));
        statement(db, client, target, &ctx, id, &mut report).await?;
        report.statements += 1;
    }
    step("statement transactions", ids.len(), Some(ids.len()));

    // 5. Estimates for what is not settled yet.
    step("unsettled", 0, None);
    let path = "/finance/202507/orders/unsettled";
    let params = [
        ("sort_field", "order_create_time".to_owned()),
        ("page_size", "100".to_owned()),
        ("search_time_ge", ge.clone()),
        ("search_time_lt", lt.clone()),
    ];
    let pages = client.all_pages(Method::GET, path, &params, None).await?;
    let mut unsettled = Normalized::default();
    for data in decode_pages::<model::Unsettled2507>(path, &pages)? {
        unsettled.extend(normalize::unsettled_2507(&data, &ctx));
    }
    post(
        db,
        target,
        "tiktok.finance.202507.unsettled",
        &format!("{ge}-{lt}"),
        raw_pages(
            "tiktok.finance.202507.unsettled",
            &format!("{ge}-{lt}"),
            target.shop_id,
            &pages,
        ),
        unsettled,
        &mut report,
    )
    .await?;
    step("done", 1, Some(1));
    Ok(report)
}

/// One statement: its transactions (all pages merged) and, for each order in it, the SKU rows
/// that split the same money. A SKU split is used only when it adds up to the order's lines in
/// this statement; otherwise the order-level lines stand (and a warning says why).
async fn statement(
    db: &Db,
    client: &TikTokClient,
    target: &ShopTarget,
    ctx: &Context<'_>,
    id: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let path = format!("/finance/202501/statements/{id}/statement_transactions");
    let params = [
        ("sort_field", "order_create_time".to_owned()),
        ("page_size", "100".to_owned()),
    ];
    let pages = client.all_pages(Method::GET, &path, &params, None).await?;
    let mut decoded = decode_pages::<model::StatementTransactions2501>(&path, &pages)?.into_iter();
    let Some(mut merged) = decoded.next() else {
        return Ok(());
    };
    for page in decoded {
        merged.transactions.extend(page.transactions);
    }
    let currency = Currency::parse(&merged.currency)?;
    let ctx = Context { currency, ..*ctx };
    let mut normalized = normalize::statement_transactions_2501(&merged, &ctx);
    let mut raw_bodies: Vec<RawPage> = pages;

    let orders: Vec<String> = {
        let mut seen: Vec<String> = normalized
            .lines
            .iter()
            .filter(|line| line.granularity == Granularity::Order)
            .filter_map(|line| line.order_id.clone())
            .collect();
        seen.sort();
        seen.dedup();
        seen
    };
    let order_totals = totals_by_order(&normalized, currency)?;
    for order in orders {
        let path = format!("/finance/202501/orders/{order}/statement_transactions");
        let (body, data) = client.call(Method::GET, &path, &[], None).await?;
        let by_order: model::OrderTransactions2501 = TikTokClient::decode(&path, data.clone())?;
        let mut skus = normalize::order_transactions_2501(&by_order, &ctx);
        skus.lines
            .retain(|line| line.statement.as_deref() == Some(id));
        let sku_total = Money::checked_sum(skus.lines.iter().map(|l| l.amount), currency)?;
        if Some(&sku_total) == order_totals.get(&order) && skus.failures.is_empty() {
            normalized.lines.extend(skus.lines);
            raw_bodies.push(RawPage {
                body,
                data,
                next: None,
            });
        } else {
            tracing::warn!(statement = id, order, "the SKU split does not add up to the order's settlement; keeping order-level lines");
        }
    }
    let raw = raw_pages(
        "tiktok.finance.202501.statement_transactions",
        id,
        target.shop_id,
        &raw_bodies,
    );
    Ok(post(
        db,
        target,
        "tiktok.finance.202501.statement_transactions",
        id,
        raw,
        normalized,
        report,
    )
    .await?)
}

fn totals_by_order(normalized: &Normalized, currency: Currency) -> Result<HashMap<String, Money>> {
    let mut totals: BTreeMap<String, Money> = BTreeMap::new();
    for line in normalized
        .lines
        .iter()
        .filter(|line| line.granularity == Granularity::Order)
    {
        if let Some(order) = &line.order_id {
            let entry = totals
                .entry(order.clone())
                .or_insert_with(|| Money::zero(currency));
            *entry = entry.checked_add(line.amount)?;
        }
    }
    Ok(totals.into_iter().collect())
}
