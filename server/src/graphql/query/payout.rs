//! Payout reconciliation queries.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::connectors::PayoutKind;
use crate::graphql::types::connection::{connection, IdConnection, Page};
use crate::graphql::types::payout::{Payout, PayoutFilter};
use crate::graphql::ContextExt;
use crate::ledger::Channel;

/// Payout queries.
#[derive(Default)]
pub(crate) struct PayoutQuery;

#[Object]
impl PayoutQuery {
    /// One payout by the channel's id (NOT_FOUND if the caller's org has none). Needs `pnl:read`.
    async fn payout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The channel that reported it.")] channel: Channel,
        #[graphql(desc = "The channel's own id of the statement, payment or payout.")]
        external_id: String,
        #[graphql(desc = "Disambiguates when a statement and a payment share an id.")] kind: Option<
            PayoutKind,
        >,
    ) -> async_graphql::Result<Payout> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let view = crate::payout::find(
            ctx.state()?.db.conn(),
            viewer.org.id,
            channel,
            kind,
            &external_id,
        )
        .await
        .extend()?;
        Ok(view.into())
    }

    /// Payouts of the caller's org, newest first, each reconciled against the ledger.
    /// Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn payouts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which payouts (default: all).")] filter: Option<PayoutFilter>,
        #[graphql(desc = "Page size, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<IdConnection<Payout>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let page = Page::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into();
        let (views, more) = crate::payout::list(
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
            views.into_iter().map(|v| (v.id, Payout::from(v))),
            more,
        ))
    }
}
