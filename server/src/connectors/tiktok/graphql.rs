//! TikTok's own GraphQL fields, merged into the query and mutation roots through
//! [`crate::connectors::registry`]: connecting shops from tokens a seller already holds, linking
//! an ad account to a shop, and the two authorise-URL fields that predate the generic
//! `authorizeUrl(kind:)` (kept for existing clients, deprecated).

use async_graphql::{Context, InputObject, Object, ResultExt, ID};

use super::client::Tokens;
use super::connect::{AdsFlow, ShopFlow};
use crate::auth::Scope;
use crate::graphql::types::shop::{shop_id, AdAccount, Shop};
use crate::graphql::ContextExt;

/// TikTok's queries.
#[derive(Default)]
pub struct TikTokQuery;

#[Object]
impl TikTokQuery {
    /// A URL on this server that connects TikTok Shop to this org: open it in the browser of
    /// the seller (it sets a cookie there and redirects to TikTok). It works once, within 5
    /// minutes. Needs `connectors:write`.
    #[graphql(deprecation = "use authorizeUrl(kind: ...), kind tiktok")]
    async fn tiktok_authorize_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        crate::connect::ticket_url(ctx.state()?, viewer.org.id, &ShopFlow, None)
            .await
            .extend()
    }

    /// A URL on this server that connects TikTok Ads to this org: open it in the browser of the
    /// advertiser (it sets a cookie there and redirects to TikTok for Business). It works once,
    /// within 5 minutes. Needs `connectors:write`.
    #[graphql(deprecation = "use authorizeUrl(kind: ...), kind tiktok-ads")]
    async fn tiktok_ads_authorize_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        crate::connect::ticket_url(ctx.state()?, viewer.org.id, &AdsFlow, None)
            .await
            .extend()
    }
}

/// TikTok's mutations.
#[derive(Default)]
pub struct TikTokMutation;

#[Object]
impl TikTokMutation {
    /// Connects the shops of tokens a seller already granted and starts their backfill.
    /// Needs `connectors:write`.
    async fn connect_tiktok_shop(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tokens the seller granted and where to find the shops.")]
        input: ConnectTiktokShopInput,
    ) -> async_graphql::Result<Vec<Shop>> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let state = ctx.state()?;
        let shops = super::connect::connect_tiktok_tokens(state, viewer.org.id, input.into())
            .await
            .extend()?;
        let mut views = Vec::with_capacity(shops.len());
        for shop in shops {
            views.push(
                crate::sync::status::shop(state.db.conn(), viewer.org.id, shop.id)
                    .await
                    .extend()?
                    .into(),
            );
        }
        Ok(views)
    }

    /// Links an ad account to the shop whose products it advertises and starts its spend sync.
    /// Needs `connectors:write`.
    async fn link_ad_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The TikTok Ads advertiser id of an authorised ad account.")]
        advertiser_id: String,
        #[graphql(
            name = "shopId",
            desc = "The shop whose GMV Max campaigns the account runs (its id)."
        )]
        shop_id_arg: ID,
    ) -> async_graphql::Result<AdAccount> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let state = ctx.state()?;
        let id = shop_id(&shop_id_arg).extend()?;
        let account = super::connect::link_ad_account(state, viewer.org.id, &advertiser_id, id)
            .await
            .extend()?;
        let view = crate::sync::status::ad_account(state.db.conn(), viewer.org.id, account.id)
            .await
            .extend()?;
        Ok(view.into())
    }
}

/// Tokens a seller already granted (from TikTok's own token exchange). pnl never logs them
/// (secret inputs: traced as `"<secret>"`).
#[derive(Clone, InputObject)]
pub struct ConnectTiktokShopInput {
    /// Access token.
    #[graphql(secret)]
    pub access_token: String,
    /// Refresh token.
    #[graphql(secret)]
    pub refresh_token: String,
    /// Absolute Unix expiry of the access token (TikTok's `access_token_expire_in`).
    pub access_token_expires_at: i64,
    /// Absolute Unix expiry of the refresh token.
    pub refresh_token_expires_at: i64,
}

impl From<ConnectTiktokShopInput> for Tokens {
    fn from(input: ConnectTiktokShopInput) -> Self {
        Self {
            access_token: input.access_token,
            access_expires_at: input.access_token_expires_at,
            refresh_token: input.refresh_token,
            refresh_expires_at: input.refresh_token_expires_at,
        }
    }
}

impl std::fmt::Debug for ConnectTiktokShopInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectTiktokShopInput")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("access_token_expires_at", &self.access_token_expires_at)
            .field("refresh_token_expires_at", &self.refresh_token_expires_at)
            .finish()
    }
}
