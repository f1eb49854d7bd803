//! Shopify's own GraphQL fields, merged into the roots through
//! [`crate::connectors::registry`]: the install URL for a shop, the mirrored orders the ledger
//! skipped (with the rule that matched), and the org's list of order source names that mark a
//! mirrored order.

use async_graphql::{Context, Object, ResultExt, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::connect::{shop_domain, InstallFlow};
use super::mirrored;
use crate::auth::Scope;
use crate::graphql::ContextExt;

/// Shopify's queries.
#[derive(Default)]
pub struct ShopifyQuery;

/// A Shopify order the ledger does not count because it is a copy of another channel's order
/// (a TikTok Shop or Amazon order pushed into Shopify): that channel's own lines count it.
#[derive(Clone, Debug, SimpleObject)]
pub struct MirroredOrder {
    /// The Shopify shop (row id).
    pub shop_id: ID,
    /// The Shopify order's id.
    pub order_id: String,
    /// Its name in the Shopify admin (`#1001`).
    pub order_name: String,
    /// The rule that recognised it: `SOURCE_NAME`, `APP`, `TAG` or `EXTERNAL_ORDER_ID`.
    pub rule: String,
    /// The value that matched (the source name, app, tag, or the other channel's order id).
    pub matched: String,
    /// The channel that owns the order, when the rule tells (`EXTERNAL_ORDER_ID`).
    pub owner_channel: Option<String>,
    /// When it was placed.
    pub ordered_at: DateTime<Utc>,
}

impl From<entities::mirrored_order::Model> for MirroredOrder {
    fn from(row: entities::mirrored_order::Model) -> Self {
        Self {
            shop_id: ID(row.shop_id.to_string()),
            order_id: row.order_id,
            order_name: row.order_name,
            rule: row.rule,
            matched: row.matched,
            owner_channel: row.owner_channel,
            ordered_at: row.ordered_at,
        }
    }
}

#[Object]
impl ShopifyQuery {
    /// A URL on this server that installs the app on a Shopify shop and connects it to this org:
    /// open it in the merchant's browser (it sets a cookie there and redirects to the shop's
    /// Shopify admin to approve). It works once, within 5 minutes. Needs `connectors:write`.
    async fn shopify_authorize_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shop's `NAME.myshopify.com` domain.")] shop: String,
    ) -> async_graphql::Result<String> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let shop = shop_domain(&shop).extend()?;
        crate::connect::ticket_url(ctx.state()?, viewer.org.id, &InstallFlow, Some(&shop))
            .await
            .extend()
    }

    /// Shopify orders skipped because they mirror another channel's orders, newest first.
    /// Needs `pnl:read`.
    async fn mirrored_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (1–1000).", default = 100)] limit: i32,
    ) -> async_graphql::Result<Vec<MirroredOrder>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let limit = u64::try_from(limit)
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| {
                crate::error::Error::bad_input(format!("limit: {limit} is not within 1–1000"))
            })
            .extend()?;
        let rows = mirrored::list(ctx.state()?.db.conn(), viewer.org.id, limit)
            .await
            .extend()?;
        Ok(rows.into_iter().map(MirroredOrder::from).collect())
    }

    /// The order source names (matched against an order's `sourceName`, creating app and tags,
    /// in any case) that mark a Shopify order as mirrored from a marketplace. Needs `pnl:read`.
    async fn shopify_mirror_source_names(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<String>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        Ok(mirrored::rules(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?
            .source_names)
    }
}

/// Shopify's mutations.
#[derive(Default)]
pub struct ShopifyMutation;

#[Object]
impl ShopifyMutation {
    /// Replaces the org's mirrored-order source names (applies to orders synced from now on).
    /// Needs `admin`.
    async fn set_shopify_mirror_source_names(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Source names, app names or tags; at most 100.")] names: Vec<String>,
    ) -> async_graphql::Result<Vec<String>> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        mirrored::set_source_names(ctx.state()?.db.conn(), viewer.org.id, &names)
            .await
            .extend()
    }
}
