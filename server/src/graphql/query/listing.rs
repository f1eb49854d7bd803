//! The org's listings and the master products they are linked to.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::connection::{connection, IdConnection, Page};
use crate::graphql::types::listing::{Listing, ListingFilterInput};
use crate::graphql::ContextExt;

/// Listing queries.
#[derive(Default)]
pub(crate) struct ListingQuery;

#[Object]
impl ListingQuery {
    /// The org's listings (channel SKUs of every shop), oldest first, each with the master
    /// product it is linked to. `filter: {unlinked: true}` lists those still to link. Needs
    /// `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn listings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which listings (default: all).")] filter: Option<ListingFilterInput>,
        #[graphql(desc = "Page size, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<IdConnection<Listing>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let page = Page::parse(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().to_filter().extend()?;
        let db = ctx.state()?.db.conn();
        let (listings, more) =
            crate::listings::list(db, viewer.org.id, &filter, page.after, page.limit)
                .await
                .extend()?;
        Ok(connection(
            page,
            listings.into_iter().map(|l| (l.id, Listing::from(l))),
            more,
        ))
    }
}
