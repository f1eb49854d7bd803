//! Shops, sync status, ad accounts and connection URLs.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::shop::{AdAccount, Shop};
use crate::graphql::ContextExt;

/// Shop queries.
#[derive(Default)]
pub(crate) struct ShopQuery;

#[Object]
impl ShopQuery {
    /// The org's connected shops with their sync status. Needs `pnl:read`.
    async fn shops(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Shop>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let shops = crate::sync::status::shops(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        Ok(shops.into_iter().map(Shop::from).collect())
    }

    /// The org's connected ad accounts. Needs `pnl:read`.
    async fn ad_accounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AdAccount>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let accounts = crate::sync::status::ad_accounts(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        Ok(accounts.into_iter().map(AdAccount::from).collect())
    }

    /// A URL on this server that connects accounts of one channel to this org: open it in the
    /// browser of the seller or advertiser (it sets a cookie there and redirects to the
    /// channel's authorisation page). It works once, within 5 minutes. Needs
    /// `connectors:write`.
    async fn authorize_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "What to connect: a connection kind's URL name (as in `/connect/{kind}`); an \
                    unknown kind is refused with the list of known ones."
        )]
        kind: String,
        #[graphql(
            desc = "The account to connect, for kinds whose authorisation page is per account                     (`shopify`: the shop's `NAME.myshopify.com` domain); ignored otherwise."
        )]
        account: Option<String>,
    ) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let state = ctx.state()?;
        let flow = crate::connect::flow_argument(state, "kind", &kind).extend()?;
        let subject = crate::connect::subject_of(flow, account.as_deref()).extend()?;
        crate::connect::ticket_url(state, viewer.org.id, flow, subject.as_deref())
            .await
            .extend()
    }
}
