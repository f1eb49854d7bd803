//! Linking a listing to its master product by hand, and unlinking it.

use async_graphql::{Context, Object, ResultExt, ID};

use crate::auth::Scope;
use crate::graphql::types::listing::{parse_id, Listing};
use crate::graphql::ContextExt;

/// Listing mutations.
#[derive(Default)]
pub(crate) struct ListingMutation;

#[Object]
impl ListingMutation {
    /// Links a listing to the master product whose SKU is exactly `productSku` (after trimming;
    /// the product is created when no product has that SKU, as `setProductCost` does). The
    /// listing's whole history, past lines included, then counts under that product in every
    /// P&L, with its unit costs; syncs never re-link it. Needs `costs:write`.
    async fn link_listing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The listing's id (from `listings`).")] listing_id: ID,
        #[graphql(desc = "The master SKU to link it to: 1 to 255 characters, trimmed.")]
        product_sku: String,
    ) -> async_graphql::Result<Listing> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let id = parse_id("listingId", &listing_id).extend()?;
        let db = &ctx.state()?.db;
        let listing = crate::listings::link(db, viewer.org.id, id, &product_sku)
            .await
            .extend()?;
        Ok(listing.into())
    }

    /// Unlinks a listing from its master product: its lines, past ones included, then count
    /// under its channel SKU id without COGS, until it is linked again; syncs never re-link it.
    /// Needs `costs:write`.
    async fn unlink_listing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The listing's id (from `listings`).")] listing_id: ID,
    ) -> async_graphql::Result<Listing> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let id = parse_id("listingId", &listing_id).extend()?;
        let listing = crate::listings::unlink(&ctx.state()?.db, viewer.org.id, id)
            .await
            .extend()?;
        Ok(listing.into())
    }
}
