//! Pulling a shop's money data over a date range, in the order that lets each step use the
//! previous one: affiliate orders (creators) and orders (catalogue, samples, estimates) first,
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
use crate::connectors::ingest::{ingest, IngestReport};
use crate::connectors::{Granularity, Normalized};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::money::{Currency, Money};

pub use crate::connectors::seam::Progress;

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
    /// The sealed credentials the run started with: a refused grant marks the shop only while
    /// they are still its credentials (none: whatever they are).
    pub credentials: Option<String>,
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

/// One shop's pull in progress: where it posts, and what it has posted so far.
struct Pull<'a> {
    db: &'a Db,
    client: &'a TikTokClient,
    target: &'a ShopTarget,
    ctx: Context<'a>,
    report: SyncReport,
}

impl Pull<'_> {
    /// Posts `normalized` as one batch of `kind` whose raw record is `pages`.
    async fn post(
        &mut self,
        kind: &str,
        source_id: &str,
        pages: &[RawPage],
        normalized: Normalized,
    ) -> Result<()> {
        let batch = super::batch(
            self.target.shop_id,
            kind,
            source_id,
            RawPage::joined(pages),
            normalized,
        );
        self.report
            .ingest
            .absorb(ingest(self.db, self.target.org_id, batch).await?);
        Ok(())
    }

    /// Reads every page of `request`, normalises each, and posts them as one batch of `kind`;
    /// returns the decoded pages.
    async fn list<T: serde::de::DeserializeOwned>(
        &mut self,
        kind: &str,
        window: &str,
        request: &ListRequest<'_>,
        normalize: fn(&T, &Context<'_>) -> Normalized,
    ) -> Result<Vec<T>, SyncError> {
        let pages = self
            .client
            .all_pages(
                request.method.clone(),
                request.path,
                request.params,
                request.body,
            )
            .await?;
        let decoded = decode_pages::<T>(request.path, &pages)?;
        let mut normalized = Normalized::default();
        for data in &decoded {
            normalized.extend(normalize(data, &self.ctx));
        }
        self.post(kind, window, &pages, normalized).await?;
        Ok(decoded)
    }
}

/// Decodes every page's `data` as `T`.
fn decode_pages<T: serde::de::DeserializeOwned>(
    path: &str,
    pages: &[RawPage],
) -> Result<Vec<T>, TikTokError> {
    pages
        .iter()
        .map(|page| TikTokClient::decode(path, &page.data))
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
        let marked = crate::connectors::catalog::refuse_shop_grant(
            db.conn(),
            target.shop_id,
            &error.to_string(),
            target.credentials.as_deref(),
        )
        .await?;
        if marked {
            tracing::warn!(shop_id = target.shop_id, %error, "TikTok grant revoked; the shop needs re-authorisation");
        }
    }
    result
}

/// A paged list endpoint to read.
struct ListRequest<'a> {
    method: Method,
    path: &'a str,
    params: &'a [(&'a str, String)],
    body: Option<&'a serde_json::Value>,
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
    let mut pull = Pull {
        db,
        client,
        target,
        ctx,
        report: SyncReport::default(),
    };
    let (ge, lt) = (from.timestamp().to_string(), to.timestamp().to_string());
    let window = format!("{ge}-{lt}");
    let step = |name: &str, done: usize, total: Option<usize>| {
        progress(Progress {
            step: name.to_owned(),
            done,
            total,
        })
    };
    let page = ("page_size", "100".to_owned());
    let get = |path, params| ListRequest {
        method: Method::GET,
        path,
        params,
        body: None,
    };

    // 1. Affiliate orders: creators. 2. Orders: catalogue links, samples, sale estimates, which
    // take their creator from the attribution step 1 stored (an estimate posted before its
    // creator was known would be corrected by whichever later sync re-read its order, so the
    // ledger would depend on how many runs a backfill took).
    let body = json!({ "create_time_ge": from.timestamp(), "create_time_lt": to.timestamp() });
    step("affiliate orders", 0, None);
    let params = [page.clone()];
    let request = ListRequest {
        method: Method::POST,
        path: "/affiliate_seller/202410/orders/search",
        params: &params,
        body: Some(&body),
    };
    pull.list(
        "tiktok.affiliate_seller.202410.orders",
        &window,
        &request,
        normalize::affiliate_orders_202410,
    )
    .await?;
    step("orders", 0, None);
    let params = [page.clone(), ("sort_field", "create_time".to_owned())];
    let request = ListRequest {
        method: Method::POST,
        path: "/order/202309/orders/search",
        params: &params,
        body: Some(&body),
    };
    pull.list(
        "tiktok.order.202309.orders",
        &window,
        &request,
        normalize::orders_202309,
    )
    .await?;

    // 3. Payments and statements: reported totals.
    step("payments", 0, None);
    let params = [
        page.clone(),
        ("sort_field", "create_time".to_owned()),
        ("create_time_ge", ge.clone()),
        ("create_time_lt", lt.clone()),
    ];
    pull.list(
        "tiktok.finance.202309.payments",
        &window,
        &get("/finance/202309/payments", &params),
        normalize::payments_202309,
    )
    .await?;
    step("statements", 0, None);
    let params = [
        page.clone(),
        ("sort_field", "statement_time".to_owned()),
        ("statement_time_ge", ge.clone()),
        ("statement_time_lt", lt.clone()),
    ];
    let lists = pull
        .list(
            "tiktok.finance.202309.statements",
            &window,
            &get("/finance/202309/statements", &params),
            normalize::statements_202309,
        )
        .await?;

    // 4. Each statement's transactions, with the SKU split of its orders.
    let ids: Vec<String> = lists
        .iter()
        .flat_map(|list| list.statements.iter().map(|s| s.id.clone()))
        .collect();
    for (index, id) in ids.iter().enumerate() {
        step("statement transactions", index, Some(ids.len()));
        pull.statement(id).await?;
        pull.report.statements += 1;
    }
    step("statement transactions", ids.len(), Some(ids.len()));

    // 5. Estimates for what is not settled yet.
    step("unsettled", 0, None);
    let params = [
        page,
        ("sort_field", "order_create_time".to_owned()),
        ("search_time_ge", ge),
        ("search_time_lt", lt),
    ];
    pull.list(
        "tiktok.finance.202507.unsettled",
        &window,
        &get("/finance/202507/orders/unsettled", &params),
        normalize::unsettled_2507,
    )
    .await?;
    step("done", 1, Some(1));
    Ok(pull.report)
}

impl Pull<'_> {
    /// One statement: its transactions (all pages merged) and, for each order in it, the SKU
    /// rows that split the same money (see [`StatementSplit`]).
    async fn statement(&mut self, id: &str) -> Result<(), SyncError> {
        let path = format!("/finance/202501/statements/{id}/statement_transactions");
        let params = [
            ("sort_field", "order_create_time".to_owned()),
            ("page_size", "100".to_owned()),
        ];
        let pages = self
            .client
            .all_pages(Method::GET, &path, &params, None)
            .await?;
        let Some(mut split) = StatementSplit::new(id, &path, pages, self.ctx)? else {
            return Ok(());
        };
        for order in split.orders() {
            let path = format!("/finance/202501/orders/{order}/statement_transactions");
            let (body, data) = self.client.call(Method::GET, &path, &[], None).await?;
            split.add_order(
                &order,
                &path,
                RawPage {
                    body,
                    data,
                    next: None,
                },
            )?;
        }
        let (pages, normalized) = split.finish();
        Ok(self
            .post(StatementSplit::KIND, id, &pages, normalized)
            .await?)
    }
}

/// One 202501 statement being assembled: its order-level lines, then, order by order, the SKU
/// rows of `GET /finance/202501/orders/{order_id}/statement_transactions` for this statement.
/// A SKU split replaces nothing itself: it is added only when it adds up to the order's lines in
/// this statement (ingest then lets the SKU lines supersede the order-level ones); otherwise the
/// order-level lines stand and a warning says why.
pub struct StatementSplit<'a> {
    id: String,
    ctx: Context<'a>,
    pages: Vec<RawPage>,
    normalized: Normalized,
    order_totals: HashMap<String, Money>,
}

impl<'a> StatementSplit<'a> {
    /// The raw-record kind of an assembled statement.
    pub const KIND: &'static str = "tiktok.finance.202501.statement_transactions";

    /// Decodes and normalises the statement's transaction pages (read from `path`); `None` when
    /// there are no pages.
    ///
    /// # Errors
    /// A page that does not decode, an unknown currency, or totals out of range.
    pub fn new(
        id: &str,
        path: &str,
        pages: Vec<RawPage>,
        ctx: Context<'a>,
    ) -> Result<Option<Self>, SyncError> {
        let mut decoded =
            decode_pages::<model::StatementTransactions2501>(path, &pages)?.into_iter();
        let Some(mut merged) = decoded.next() else {
            return Ok(None);
        };
        for page in decoded {
            merged.transactions.extend(page.transactions);
        }
        let currency = Currency::parse(&merged.currency)?;
        let ctx = Context { currency, ..ctx };
        let normalized = normalize::statement_transactions_2501(&merged, &ctx);
        let order_totals = totals_by_order(&normalized, currency)?;
        Ok(Some(Self {
            id: id.to_owned(),
            ctx,
            pages,
            normalized,
            order_totals,
        }))
    }

    /// The orders whose SKU split is wanted, sorted.
    pub fn orders(&self) -> Vec<String> {
        let mut orders: Vec<String> = self.order_totals.keys().cloned().collect();
        orders.sort();
        orders
    }

    /// Adds `order`'s SKU rows (the response `page`, read from `path`) when they add up.
    ///
    /// # Errors
    /// A page that does not decode, or totals out of range.
    pub fn add_order(&mut self, order: &str, path: &str, page: RawPage) -> Result<(), SyncError> {
        let by_order: model::OrderTransactions2501 = TikTokClient::decode(path, &page.data)?;
        let mut skus = normalize::order_transactions_2501(&by_order, &self.ctx);
        skus.lines
            .retain(|line| line.statement.as_deref() == Some(self.id.as_str()));
        let sku_total = Money::checked_sum(skus.lines.iter().map(|l| l.amount), self.ctx.currency)?;
        if Some(&sku_total) == self.order_totals.get(order) && skus.failures.is_empty() {
            self.normalized.lines.extend(skus.lines);
            self.pages.push(page);
        } else {
            tracing::warn!(statement = self.id, order, "the SKU split does not add up to the order's settlement; keeping order-level lines");
        }
        Ok(())
    }

    /// The pages to store as the raw record (statement pages, then the SKU splits used) and the
    /// lines to ingest.
    pub fn finish(self) -> (Vec<RawPage>, Normalized) {
        (self.pages, self.normalized)
    }
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
