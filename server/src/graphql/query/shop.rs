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

    /// Where to send a seller to connect TikTok Shop to this org (valid 15 minutes).
    /// Needs `connectors:write`.
    async fn tiktok_authorize_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        crate::connect::tiktok_authorize_url(ctx.state()?, viewer.org.id).extend()
    }

    /// Where to send an advertiser to connect TikTok Ads to this org (valid 15 minutes).
    /// Needs `connectors:write`.
    async fn tiktok_ads_authorize_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        crate::connect::tiktok_ads_authorize_url(ctx.state()?, viewer.org.id).extend()
    }
}
