//! The catalogue as people manage it: an org's listings (channel SKUs of its shops) with the
//! master product each belongs to, and linking or unlinking one by hand.
//!
//! Listings are created and auto-linked by ingest ([`crate::connectors::catalog::ensure_listing`]);
//! a link set here is final: ingest never re-links a listing linked or unlinked by hand. The P&L
//! resolves every line through its listing's current product (see `pnl::query`), so a link made
//! here moves the listing's whole history, and nothing in the ledger is rewritten.
//!
//! Every read and write is scoped to one org: another org's listing is "not found", exactly like
//! one that does not exist.

use chrono::{DateTime, Utc};
use entities::{listing, product, shop};
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::connectors::catalog;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::Channel;

/// The longest master SKU accepted by hand (Shopify's variant SKU limit; Amazon's and TikTok's
/// seller SKUs are shorter).
pub const MAX_SKU_CHARS: usize = 255;

/// Which listings to list.
#[derive(Clone, Debug, Default)]
pub struct ListingFilter {
    /// Only listings linked to no product (true) or only linked ones (false).
    pub unlinked: Option<bool>,
    /// Only listings of this channel's shops.
    pub channel: Option<Channel>,
    /// Only listings of this shop (row id).
    pub shop_id: Option<i64>,
    /// Only listings whose seller SKU, channel SKU id or title contains this text (ASCII letters
    /// in any case).
    pub search: Option<String>,
}

/// A master product as a listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductView {
    /// Row id.
    pub id: i64,
    /// The master SKU.
    pub sku: String,
    /// Its name, when known.
    pub name: Option<String>,
}

/// A listing with its shop and product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingView {
    /// Row id (also the pagination key).
    pub id: i64,
    /// The shop's channel.
    pub channel: Channel,
    /// The shop (row id).
    pub shop_id: i64,
    /// The shop's name.
    pub shop_name: String,
    /// The channel's SKU id.
    pub channel_sku_id: String,
    /// The seller's SKU as the channel reported it.
    pub seller_sku: Option<String>,
    /// The channel's title.
    pub title: Option<String>,
    /// The channel's product id.
    pub channel_product_id: Option<String>,
    /// Its master product (none while unlinked).
    pub product: Option<ProductView>,
    /// Whether the link (or its absence) was set by hand.
    pub linked_by_hand: bool,
    /// When it was first seen.
    pub created_at: DateTime<Utc>,
}

/// `org_id`'s listings after `after` (by id), at most `limit`, and whether more follow.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    org_id: i64,
    filter: &ListingFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<ListingView>, bool)> {
    let mut query = listing::Entity::find().filter(listing::Column::OrgId.eq(org_id));
    if let Some(after) = after {
        query = query.filter(listing::Column::Id.gt(after));
    }
    match filter.unlinked {
        Some(true) => query = query.filter(listing::Column::ProductId.is_null()),
        Some(false) => query = query.filter(listing::Column::ProductId.is_not_null()),
        None => {}
    }
    if let Some(shop_id) = filter.shop_id {
        query = query.filter(listing::Column::ShopId.eq(shop_id));
    }
    if let Some(channel) = filter.channel {
        query = query.filter(
            listing::Column::ShopId.in_subquery(
                Query::select()
                    .column(shop::Column::Id)
                    .from(shop::Entity)
                    .and_where(shop::Column::OrgId.eq(org_id))
                    .and_where(shop::Column::Channel.eq(channel.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        // LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
        let pattern = format!("%{}%", escape_like(&search.trim().to_lowercase()));
        let contains = |column: listing::Column| {
            Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(&pattern).escape('\\'))
        };
        query = query.filter(
            contains(listing::Column::SellerSku)
                .or(contains(listing::Column::ChannelSkuId))
                .or(contains(listing::Column::Title)),
        );
    }
    let mut rows = query
        .order_by_asc(listing::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let views = views(db, org_id, rows).await?;
    Ok((views, more))
}

/// `text` with LIKE's wildcards and escape character taken literally.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The listing rows with their shops and products (two reads for a whole page).
async fn views(
    db: &impl ConnectionTrait,
    org_id: i64,
    rows: Vec<listing::Model>,
) -> Result<Vec<ListingView>> {
    let shop_ids: Vec<i64> = rows.iter().map(|row| row.shop_id).collect();
    let product_ids: Vec<i64> = rows.iter().filter_map(|row| row.product_id).collect();
    let shops = shop::Entity::find()
        .filter(shop::Column::OrgId.eq(org_id))
        .filter(shop::Column::Id.is_in(shop_ids))
        .all(db)
        .await?;
    let products = if product_ids.is_empty() {
        Vec::new()
    } else {
        product::Entity::find()
            .filter(product::Column::OrgId.eq(org_id))
            .filter(product::Column::Id.is_in(product_ids))
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|row| {
            let shop = shops
                .iter()
                .find(|shop| shop.id == row.shop_id)
                .ok_or_else(|| {
                    Error::Internal(anyhow::anyhow!(
                        "listing {} names shop {} outside its org",
                        row.id,
                        row.shop_id
                    ))
                })?;
            let product = row
                .product_id
                .and_then(|id| products.iter().find(|p| p.id == id))
                .map(|p| ProductView {
                    id: p.id,
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                });
            Ok(ListingView {
                id: row.id,
                channel: shop.channel.parse()?,
                shop_id: shop.id,
                shop_name: shop.name.clone(),
                channel_sku_id: row.channel_sku_id,
                seller_sku: row.seller_sku,
                title: row.title,
                channel_product_id: row.channel_product_id,
                product,
                linked_by_hand: row.linked_by_hand,
                created_at: row.created_at,
            })
        })
        .collect()
}

/// Checks a master SKU given as the argument `argument`: trimmed, not empty, at most
/// [`MAX_SKU_CHARS`] characters.
///
/// # Errors
/// BAD_USER_INPUT naming `argument`.
pub fn parse_sku<'a>(argument: &str, sku: &'a str) -> Result<&'a str> {
    let sku = sku.trim();
    if sku.is_empty() {
        return Err(Error::bad_input(format!(
            "{argument}: a SKU cannot be empty"
        )));
    }
    let chars = sku.chars().count();
    if chars > MAX_SKU_CHARS {
        return Err(Error::bad_input(format!(
            "{argument}: a SKU has at most {MAX_SKU_CHARS} characters, this one has {chars}"
        )));
    }
    Ok(sku)
}

/// Links `org_id`'s listing `listing_id` to the product with exactly `product_sku` (trimmed;
/// created when new), by hand: its whole history then counts under that product, and ingest
/// never re-links it.
///
/// # Errors
/// BAD_USER_INPUT for a bad SKU (naming `productSku`), NOT_FOUND for a listing that is not
/// `org_id`'s, or database failures.
pub async fn link(db: &Db, org_id: i64, listing_id: i64, product_sku: &str) -> Result<ListingView> {
    let sku = parse_sku("productSku", product_sku)?;
    let txn = db.begin_write().await?;
    let row = find(&*txn, org_id, listing_id).await?;
    let product = catalog::ensure_product(&*txn, org_id, sku, row.title.as_deref()).await?;
    let row = set_link(&*txn, row, Some(product)).await?;
    let view = views(&*txn, org_id, vec![row]).await?;
    txn.commit().await?;
    single(view, listing_id)
}

/// Unlinks `org_id`'s listing `listing_id` by hand: its lines show as unlinked (under their
/// channel SKU id, without COGS) until it is linked again, and ingest never re-links it.
///
/// # Errors
/// NOT_FOUND for a listing that is not `org_id`'s, or database failures.
pub async fn unlink(db: &Db, org_id: i64, listing_id: i64) -> Result<ListingView> {
    let txn = db.begin_write().await?;
    let row = find(&*txn, org_id, listing_id).await?;
    let row = set_link(&*txn, row, None).await?;
    let view = views(&*txn, org_id, vec![row]).await?;
    txn.commit().await?;
    single(view, listing_id)
}

async fn find(db: &impl ConnectionTrait, org_id: i64, listing_id: i64) -> Result<listing::Model> {
    listing::Entity::find()
        .filter(listing::Column::OrgId.eq(org_id))
        .filter(listing::Column::Id.eq(listing_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "listing",
            id: listing_id.to_string(),
        })
}

async fn set_link(
    db: &impl ConnectionTrait,
    row: listing::Model,
    product: Option<i64>,
) -> Result<listing::Model> {
    let mut active: listing::ActiveModel = row.into();
    active.product_id = Set(product);
    active.linked_by_hand = Set(true);
    Ok(active.update(db).await?)
}

fn single(mut views: Vec<ListingView>, listing_id: i64) -> Result<ListingView> {
    views.pop().ok_or_else(|| Error::NotFound {
        entity: "listing",
        id: listing_id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_is_trimmed_and_refused_when_empty_or_too_long() {
        assert_eq!(parse_sku("productSku", "  ABC-1 ").unwrap(), "ABC-1");
        let empty = parse_sku("productSku", " \t").unwrap_err().to_string();
        assert!(empty.contains("productSku"), "{empty}");
        let long = "x".repeat(MAX_SKU_CHARS + 1);
        let long = parse_sku("productSku", &long).unwrap_err().to_string();
        assert!(
            long.contains("productSku") && long.contains("256"),
            "{long}"
        );
        assert!(parse_sku("productSku", &"é".repeat(MAX_SKU_CHARS)).is_ok());
    }

    #[test]
    fn like_wildcards_in_a_search_are_literal() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
