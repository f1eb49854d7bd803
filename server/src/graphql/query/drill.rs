//! Drill-down: the ledger lines behind a P&L figure or a payout, and a line's raw record.

use async_graphql::{Context, Object, ResultExt, ID};

use crate::auth::Scope;
use crate::error::Error;
use crate::graphql::types::connection::{connection, IdConnection, Page};
use crate::graphql::types::drill::RawRecord;
use crate::graphql::types::ledger::LedgerEntry;
use crate::graphql::types::pnl::{DateRangeInput, PnlFilterInput};
use crate::graphql::ContextExt;
use crate::ledger::FeeBucket;
use crate::pnl::lines::{self, LineScope};
use crate::pnl::PnlFilter;

fn id_arg(name: &str, id: &ID) -> async_graphql::Result<i64> {
    id.parse::<i64>()
        .map_err(|_| Error::bad_input(format!("{name}: invalid id {:?}", id.as_str())))
        .extend()
}

async fn page_of(
    ctx: &Context<'_>,
    scope: LineScope,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<IdConnection<LedgerEntry>> {
    let viewer = ctx.viewer_with(Scope::PnlRead)?;
    let page = Page::parse(first, after.as_deref())?;
    let db = ctx.state()?.db.conn();
    let (entries, more) = lines::lines(db, viewer.org.id, &scope, page.after, page.limit)
        .await
        .extend()?;
    let edges = entries.into_iter().map(|e| (e.id, LedgerEntry::from(e)));
    Ok(connection(page, edges, more))
}

/// Drill-down queries.
#[derive(Default)]
pub(crate) struct DrillQuery;

#[Object]
impl DrillQuery {
    /// The ledger lines behind one P&L figure: those `pnl` counts over `range` with `filter`
    /// in `buckets` (e.g. net sales: PRODUCT_SALES, SELLER_DISCOUNTS, SHIPPING_INCOME,
    /// REFUNDS), oldest first with reversals, in their own currencies. COGS has no lines (it
    /// comes from unit costs). Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn pnl_lines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days of the figure, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(desc = "The figure's filters (default: none).")] filter: Option<PnlFilterInput>,
        #[graphql(desc = "The buckets the figure sums (default: every bucket).")] buckets: Option<
            Vec<FeeBucket>,
        >,
        #[graphql(desc = "Page size, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<IdConnection<LedgerEntry>> {
        let filter = filter.unwrap_or_default();
        let shop_id = filter
            .shop_id
            .as_ref()
            .map(|id| id_arg("filter.shopId", id));
        let scope = LineScope::Figure {
            from: range.from.0,
            to: range.to.0,
            filter: PnlFilter {
                channel: filter.channel,
                shop_id: shop_id.transpose()?,
                sku: filter.sku,
                creator: filter.creator,
            },
            buckets: buckets.unwrap_or_default(),
        };
        page_of(ctx, scope, first, after).await
    }

    /// The ledger lines booked to one payout (its `id`), oldest first: what its `ledger`
    /// total and `breakdown` add up. Another org's payout has none. Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn payout_lines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The payout's `id`.")] payout_id: ID,
        #[graphql(desc = "Page size, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<IdConnection<LedgerEntry>> {
        let scope = LineScope::Payout(id_arg("payoutId", &payout_id)?);
        page_of(ctx, scope, first, after).await
    }

    /// The raw channel record a ledger line came from (its `rawRecordId`), verbatim
    /// (NOT_FOUND if the caller's org has none with that id). Needs `pnl:read`.
    async fn raw_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
    ) -> async_graphql::Result<RawRecord> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let id = id_arg("id", &id)?;
        let record = lines::raw_record(ctx.state()?.db.conn(), viewer.org.id, id)
            .await
            .extend()?;
        Ok(record.into())
    }
}
