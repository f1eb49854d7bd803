//! Ledger drill-down, fee mappings and unmapped labels.

use async_graphql::{Context, ErrorExtensions, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::connection::{connection, IdConnection, Page};
use crate::graphql::types::ledger::{
    FeeMapping, LedgerEntry, LedgerEntryFilter, MappingChange, UnmappedFee,
};
use crate::graphql::ContextExt;
use crate::ledger::{mapping, query};

/// Ledger queries.
#[derive(Default)]
pub(crate) struct LedgerQuery;

#[Object]
impl LedgerQuery {
    /// Ledger rows of the caller's org, oldest first, including reversals; each row links to the
    /// raw record it came from. Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn ledger_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which rows (default: all).")] filter: Option<LedgerEntryFilter>,
        #[graphql(desc = "Page size, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<IdConnection<LedgerEntry>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let page = Page::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into();
        let (entries, more) = query::list(
            ctx.state()?.db.conn(),
            viewer.org.id,
            &filter,
            page.after,
            page.limit,
        )
        .await
        .extend()?;
        Ok(connection(
            page,
            entries.into_iter().map(|e| (e.id, LedgerEntry::from(e))),
            more,
        ))
    }

    /// The org's own label → bucket rules (the built-in tables apply where none is set).
    /// Needs `pnl:read`.
    async fn fee_mappings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FeeMapping>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let rules = mapping::list_overrides(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        Ok(rules.into_iter().map(FeeMapping::from).collect())
    }

    /// The org's mapping changes, newest first: who changed which label from which bucket to
    /// which, and the lines and money each re-booked. Needs `pnl:read`.
    async fn mapping_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1 to 500 (default 50).")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<MappingChange>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let limit = match first {
            None => 50,
            Some(n @ 1..=500) => u64::try_from(n).unwrap_or(50),
            Some(n) => {
                return Err(crate::error::Error::bad_input(format!(
                    "first must be between 1 and 500, got {n}"
                ))
                .extend())
            }
        };
        let changes = mapping::list_changes(&ctx.state()?.db, viewer.org.id, limit)
            .await
            .extend()?;
        changes
            .into_iter()
            .map(|change| MappingChange::try_from(change).map_err(|error| error.extend()))
            .collect()
    }

    /// Channel labels that matched no mapping, with how many rows and how much money sit in
    /// OTHER because of them. Map them with `setFeeMapping`. Needs `pnl:read`.
    async fn unmapped_fees(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UnmappedFee>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let rows = mapping::unmapped_labels(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        rows.into_iter()
            .map(|row| UnmappedFee::try_from(row).map_err(|error| error.extend()))
            .collect()
    }
}
