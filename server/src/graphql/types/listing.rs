//! Listings (channel SKUs) and the master products they belong to, as the API shows them.

use async_graphql::{InputObject, SimpleObject, ID};

use super::scalars::DateTime;
use crate::error::{Error, Result};
use crate::ledger::Channel;
use crate::listings::{ListingFilter as DomainFilter, ListingView, ProductView};

/// A master product: the brand's own SKU, which listings on every channel are linked to.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct Product {
    /// Row id.
    pub id: ID,
    /// The master SKU (unit costs are set per master SKU).
    pub sku: String,
    /// Its name, when known (the title of the listing it was created from).
    pub name: Option<String>,
}

impl From<ProductView> for Product {
    fn from(p: ProductView) -> Self {
        Self {
            id: ID(p.id.to_string()),
            sku: p.sku,
            name: p.name,
        }
    }
}

/// A channel SKU of one shop (TikTok SKU id, Amazon seller SKU, …), linked to the master
/// product it sells. Its ledger lines count under that product in every P&L; while it is
/// unlinked they count under its channel SKU id, without COGS.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct Listing {
    /// Row id.
    pub id: ID,
    /// The channel of its shop.
    pub channel: Channel,
    /// Its shop (a connected channel account).
    pub shop_id: ID,
    /// Its shop's name.
    pub shop_name: String,
    /// The channel's own SKU id.
    pub channel_sku_id: String,
    /// The seller's SKU as the channel reported it (auto-linking matches it to master SKUs,
    /// ignoring letter case and surrounding or repeated whitespace).
    pub seller_sku: Option<String>,
    /// The channel's title.
    pub title: Option<String>,
    /// The channel's product id (groups SKUs of one product on the channel).
    pub channel_product_id: Option<String>,
    /// The master product it is linked to; null while unlinked.
    pub product: Option<Product>,
    /// True once `linkListing` or `unlinkListing` set its link: syncs and imports then never
    /// change it.
    pub linked_by_hand: bool,
    /// When it was first seen.
    pub created_at: DateTime,
}

impl From<ListingView> for Listing {
    fn from(v: ListingView) -> Self {
        Self {
            id: ID(v.id.to_string()),
            channel: v.channel,
            shop_id: ID(v.shop_id.to_string()),
            shop_name: v.shop_name,
            channel_sku_id: v.channel_sku_id,
            seller_sku: v.seller_sku,
            title: v.title,
            channel_product_id: v.channel_product_id,
            product: v.product.map(Into::into),
            linked_by_hand: v.linked_by_hand,
            created_at: v.created_at.into(),
        }
    }
}

/// Which listings to list; the conditions given must all hold.
#[derive(Clone, Debug, Default, InputObject)]
#[graphql(name = "ListingFilter")]
pub struct ListingFilterInput {
    /// True: only listings linked to no product (to link by hand); false: only linked ones.
    pub unlinked: Option<bool>,
    /// Only listings of this channel's shops.
    pub channel: Option<Channel>,
    /// Only listings of this shop (its id).
    pub shop_id: Option<ID>,
    /// Only listings whose seller SKU, channel SKU id or title contains this text (ASCII
    /// letters in any case).
    pub search: Option<String>,
}

impl ListingFilterInput {
    /// The domain filter.
    ///
    /// # Errors
    /// BAD_USER_INPUT naming `filter.shopId` when it is not an id.
    pub fn to_filter(&self) -> Result<DomainFilter> {
        let shop_id = self
            .shop_id
            .as_ref()
            .map(|id| parse_id("filter.shopId", id))
            .transpose()?;
        Ok(DomainFilter {
            unlinked: self.unlinked,
            channel: self.channel,
            shop_id,
            search: self.search.clone(),
        })
    }
}

/// The row id given as the argument `argument`.
///
/// # Errors
/// BAD_USER_INPUT naming `argument` when it is not a number.
pub fn parse_id(argument: &str, id: &ID) -> Result<i64> {
    id.parse()
        .map_err(|_| Error::bad_input(format!("{argument}: invalid id {:?}", id.as_str())))
}
