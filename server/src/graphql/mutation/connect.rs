//! Connecting shops and ad accounts, and starting syncs.

use async_graphql::{Context, Object, ResultExt, ID};

use crate::auth::Scope;
use crate::connectors::tiktok::client::Tokens;
use crate::graphql::types::shop::{shop_id, AdAccount, ConnectTiktokShopInput, Shop};
use crate::graphql::ContextExt;

/// Connection mutations.
#[derive(Default)]
pub(crate) struct ConnectMutation;

#[Object]
impl ConnectMutation {
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
        let tokens = Tokens {
            access_token: input.access_token,
            access_expires_at: input.access_token_expires_at,
            refresh_token: input.refresh_token,
            refresh_expires_at: input.refresh_token_expires_at,
        };
        let shops =
            crate::connectors::tiktok::connect::connect_tiktok_tokens(state, viewer.org.id, tokens)
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

    /// Runs the shop's sync now (and its linked ad accounts'). Needs `connectors:write`.
    async fn trigger_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "shopId", desc = "The shop to sync now (its id).")] shop_id_arg: ID,
    ) -> async_graphql::Result<Shop> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let state = ctx.state()?;
        let id = shop_id(&shop_id_arg).extend()?;
        crate::sync::trigger(state, viewer.org.id, id)
            .await
            .extend()?;
        Ok(
            crate::sync::status::shop(state.db.conn(), viewer.org.id, id)
                .await
                .extend()?
                .into(),
        )
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
        let id = shop_id(&shop_id_arg).extend()?;
        let account = crate::connectors::tiktok::connect::link_ad_account(
            ctx.state()?,
            viewer.org.id,
            &advertiser_id,
            id,
        )
        .await
        .extend()?;
        let view =
            crate::sync::status::ad_account(ctx.state()?.db.conn(), viewer.org.id, account.id)
                .await
                .extend()?;
        Ok(view.into())
    }
}
