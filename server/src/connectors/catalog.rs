//! Get-or-create of what lines refer to: shops, listings (linked to master products by seller
//! SKU on first sight), creators, and creator attribution rows. Used inside ingest transactions.

use chrono::Utc;
use entities::{ad_account, creator, listing, order_attribution, product, shop, sync_state};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{Attribution, ShopStatus, SkuRef};
use crate::error::Result;
use crate::ledger::Channel;

/// The shop `external_id` of `channel` for `org_id`, created with `name` when missing.
///
/// # Errors
/// Database failures.
pub async fn ensure_shop(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    external_id: &str,
    name: &str,
    currency: Option<&str>,
) -> Result<shop::Model> {
    if let Some(found) = shop::Entity::find()
        .filter(shop::Column::OrgId.eq(org_id))
        .filter(shop::Column::Channel.eq(channel.as_str()))
        .filter(shop::Column::ExternalId.eq(external_id))
        .one(db)
        .await?
    {
        return Ok(found);
    }
    Ok(shop::ActiveModel {
        org_id: Set(org_id),
        channel: Set(channel.as_str().to_owned()),
        external_id: Set(external_id.to_owned()),
        name: Set(name.to_owned()),
        region: Set(None),
        currency: Set(currency.map(ToOwned::to_owned)),
        status: Set(ShopStatus::Active.as_str().to_owned()),
        status_message: Set(None),
        credentials: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Marks `shop_id` as needing a new authorisation, with the channel's words, unless the seller
/// has connected it again since `credentials` (the sealed credentials a refused run started
/// with; none: mark it whatever they are now). A run that was refused with the old grant then
/// cannot undo a reconnection made while it ran. Returns whether it marked the shop.
///
/// # Errors
/// Database failures.
pub async fn refuse_shop_grant(
    db: &impl ConnectionTrait,
    shop_id: i64,
    message: &str,
    credentials: Option<&str>,
) -> Result<bool> {
    let mut update = shop::Entity::update_many()
        .col_expr(
            shop::Column::Status,
            Expr::value(ShopStatus::NeedsReauth.as_str()),
        )
        .col_expr(
            shop::Column::StatusMessage,
            Expr::value(Some(message.to_owned())),
        )
        .filter(shop::Column::Id.eq(shop_id));
    if let Some(credentials) = credentials {
        update = update.filter(shop::Column::Credentials.eq(credentials));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// Passes a pull's `result` through, marking `shop` NEEDS_REAUTH first when the channel refused
/// its grant ([`super::ConnectorError::Reauthorize`]), under the credentials the pull started
/// with (see [`refuse_shop_grant`]).
///
/// # Errors
/// The pull's own error, or a database failure while marking the shop.
pub async fn mark_refused_grant<T>(
    db: &impl ConnectionTrait,
    shop: &shop::Model,
    result: std::result::Result<T, super::ConnectorError>,
) -> std::result::Result<T, super::ConnectorError> {
    if let Err(super::ConnectorError::Reauthorize(message)) = &result {
        if refuse_shop_grant(db, shop.id, message, shop.credentials.as_deref()).await? {
            tracing::warn!(
                shop_id = shop.id,
                channel = shop.channel,
                "grant refused; the shop needs re-authorisation"
            );
        }
    }
    result
}

/// [`refuse_shop_grant`] for `org_id`'s ad account `advertiser_id`.
///
/// # Errors
/// Database failures.
pub async fn refuse_ad_account_grant(
    db: &impl ConnectionTrait,
    org_id: i64,
    advertiser_id: &str,
    message: &str,
    credentials: Option<&str>,
) -> Result<bool> {
    let mut update = ad_account::Entity::update_many()
        .col_expr(
            ad_account::Column::Status,
            Expr::value(ShopStatus::NeedsReauth.as_str()),
        )
        .col_expr(
            ad_account::Column::StatusMessage,
            Expr::value(Some(message.to_owned())),
        )
        .filter(ad_account::Column::OrgId.eq(org_id))
        .filter(ad_account::Column::AdvertiserId.eq(advertiser_id));
    if let Some(credentials) = credentials {
        update = update.filter(ad_account::Column::Credentials.eq(credentials));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// Sets a shop's status and the message explaining it.
///
/// # Errors
/// Database failures.
pub async fn set_shop_status(
    db: &impl ConnectionTrait,
    shop_id: i64,
    status: ShopStatus,
    message: Option<&str>,
) -> Result<()> {
    shop::Entity::update_many()
        .col_expr(
            shop::Column::Status,
            sea_orm::sea_query::Expr::value(status.as_str()),
        )
        .col_expr(
            shop::Column::StatusMessage,
            sea_orm::sea_query::Expr::value(message.map(ToOwned::to_owned)),
        )
        .filter(shop::Column::Id.eq(shop_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks `shop` `status` with `message` and pauses every sync job of it, recording
/// `"{why}: {message}"` as the jobs' error (the channel took the grant back: a deauthorisation,
/// an uninstall). A new grant makes the shop active and its jobs due again.
///
/// # Errors
/// Database failures.
pub async fn pause_shop(
    db: &impl ConnectionTrait,
    shop: &shop::Model,
    status: ShopStatus,
    message: &str,
    why: &str,
) -> Result<()> {
    set_shop_status(db, shop.id, status, Some(message)).await?;
    sync_state::Entity::update_many()
        .col_expr(
            sync_state::Column::State,
            Expr::value(crate::sync::SyncState::Paused.as_str()),
        )
        .col_expr(
            sync_state::Column::LastError,
            Expr::value(Some(format!("{why}: {message}"))),
        )
        .filter(sync_state::Column::OrgId.eq(shop.org_id))
        .filter(sync_state::Column::ShopId.eq(shop.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The master product with exactly `sku`, created when new.
///
/// # Errors
/// Database failures.
pub async fn ensure_product(
    db: &impl ConnectionTrait,
    org_id: i64,
    sku: &str,
    name: Option<&str>,
) -> Result<i64> {
    if let Some(found) = product::Entity::find()
        .filter(product::Column::OrgId.eq(org_id))
        .filter(product::Column::Sku.eq(sku))
        .one(db)
        .await?
    {
        return Ok(found.id);
    }
    let row = product::ActiveModel {
        org_id: Set(org_id),
        sku: Set(sku.to_owned()),
        sku_key: Set(migration::normalized_sku(sku)),
        name: Set(name.map(ToOwned::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// The product a listing first seen with `seller_sku` belongs to: the org's product whose SKU
/// equals it after normalisation ([`migration::normalized_sku`]: trimmed, inner whitespace
/// collapsed, case-insensitive), so `"ABC-1"` on one channel and `" abc-1 "` on another are one
/// product. When several products share the normalised SKU (set by hand, e.g. by
/// `setProductCost`), the one spelled exactly like `seller_sku` wins, else the oldest. A new
/// product (SKU: `seller_sku` trimmed) is created when none matches.
///
/// # Errors
/// Database failures.
pub async fn product_for_seller_sku(
    db: &impl ConnectionTrait,
    org_id: i64,
    seller_sku: &str,
    name: Option<&str>,
) -> Result<i64> {
    let seller_sku = seller_sku.trim();
    let matches = product::Entity::find()
        .filter(product::Column::OrgId.eq(org_id))
        .filter(product::Column::SkuKey.eq(migration::normalized_sku(seller_sku)))
        .order_by_asc(product::Column::Id)
        .all(db)
        .await?;
    let exact = matches.iter().find(|p| p.sku == seller_sku);
    match exact.or(matches.first()) {
        Some(found) => Ok(found.id),
        None => ensure_product(db, org_id, seller_sku, name).await,
    }
}

/// The listing of `sku` in `shop_id` as `(listing id, product id)`: created on first sight, and
/// linked to its master product ([`product_for_seller_sku`]) as soon as a seller SKU is known.
/// A listing linked or unlinked by hand (`linkListing`, `unlinkListing`) keeps its product: it
/// is never re-linked automatically.
///
/// # Errors
/// Database failures.
pub async fn ensure_listing(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    sku: &SkuRef,
) -> Result<(i64, Option<i64>)> {
    let seller_sku = sku
        .seller_sku
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let existing = listing::Entity::find()
        .filter(listing::Column::OrgId.eq(org_id))
        .filter(listing::Column::ShopId.eq(shop_id))
        .filter(listing::Column::ChannelSkuId.eq(sku.channel_sku_id.as_str()))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let link = row.product_id.is_none() && !row.linked_by_hand && seller_sku.is_some();
            let fill_seller = row.seller_sku.is_none() && seller_sku.is_some();
            let fill_product = row.channel_product_id.is_none() && sku.channel_product_id.is_some();
            if !link && !fill_seller && !fill_product {
                return Ok((row.id, row.product_id));
            }
            let product_id = match (link, seller_sku) {
                (true, Some(seller_sku)) => {
                    Some(product_for_seller_sku(db, org_id, seller_sku, sku.name.as_deref()).await?)
                }
                _ => row.product_id,
            };
            let mut active: listing::ActiveModel = row.into();
            active.product_id = Set(product_id);
            if let Some(seller_sku) = seller_sku {
                active.seller_sku = Set(Some(seller_sku.to_owned()));
            }
            if sku.channel_product_id.is_some() {
                active.channel_product_id = Set(sku.channel_product_id.clone());
            }
            let row = active.update(db).await?;
            Ok((row.id, row.product_id))
        }
        None => {
            let product_id = match seller_sku {
                Some(seller_sku) => {
                    Some(product_for_seller_sku(db, org_id, seller_sku, sku.name.as_deref()).await?)
                }
                None => None,
            };
            let row = listing::ActiveModel {
                org_id: Set(org_id),
                shop_id: Set(shop_id),
                channel_sku_id: Set(sku.channel_sku_id.clone()),
                seller_sku: Set(seller_sku.map(ToOwned::to_owned)),
                product_id: Set(product_id),
                title: Set(sku.name.clone()),
                channel_product_id: Set(sku.channel_product_id.clone()),
                created_at: Set(Utc::now()),
                linked_by_hand: Set(false),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Ok((row.id, product_id))
        }
    }
}

/// The master product of the channel product `channel_product_id` in `shop_id`, if a linked
/// listing of it is known.
///
/// # Errors
/// Database failures.
pub async fn product_of_channel_product(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    channel_product_id: &str,
) -> Result<Option<i64>> {
    Ok(listing::Entity::find()
        .filter(listing::Column::OrgId.eq(org_id))
        .filter(listing::Column::ShopId.eq(shop_id))
        .filter(listing::Column::ChannelProductId.eq(channel_product_id))
        .filter(listing::Column::ProductId.is_not_null())
        .one(db)
        .await?
        .and_then(|row| row.product_id))
}

/// Moves `shop_id`'s ledger lines that wait for their product onto it, for every channel
/// product whose master product is known now (see [`crate::ledger::attribute`]). Returns how
/// many lines moved.
///
/// # Errors
/// Database failures.
pub async fn attribute_waiting_lines(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
) -> Result<usize> {
    let mut products = std::collections::HashMap::new();
    for id in crate::ledger::unattributed_products(db, org_id, shop_id).await? {
        if let Some(product) = product_of_channel_product(db, org_id, shop_id, &id).await? {
            products.insert(id, product);
        }
    }
    crate::ledger::attribute(db, org_id, shop_id, &products).await
}

/// The creator `handle` on `channel`, created when new.
///
/// # Errors
/// Database failures.
pub async fn ensure_creator(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    handle: &str,
) -> Result<i64> {
    if let Some(found) = creator::Entity::find()
        .filter(creator::Column::OrgId.eq(org_id))
        .filter(creator::Column::Channel.eq(channel.as_str()))
        .filter(creator::Column::Handle.eq(handle))
        .one(db)
        .await?
    {
        return Ok(found.id);
    }
    let row = creator::ActiveModel {
        org_id: Set(org_id),
        channel: Set(channel.as_str().to_owned()),
        handle: Set(handle.to_owned()),
        external_id: Set(None),
        name: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Stores `attribution`, merging with what is known: a value already stored is kept unless the
/// new one is present (the affiliate API knows the creator, order detail knows samples).
///
/// # Errors
/// Database failures.
pub async fn upsert_attribution(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    channel: Channel,
    attribution: &Attribution,
) -> Result<()> {
    let sku_id = attribution
        .sku
        .as_ref()
        .map(|sku| sku.channel_sku_id.clone())
        .unwrap_or_default();
    let listing_id = match &attribution.sku {
        Some(sku) => Some(ensure_listing(db, org_id, shop_id, sku).await?.0),
        None => None,
    };
    let creator_id = match attribution.creator.as_deref().filter(|h| !h.is_empty()) {
        Some(handle) => Some(ensure_creator(db, org_id, channel, handle).await?),
        None => None,
    };
    let existing = order_attribution::Entity::find()
        .filter(order_attribution::Column::OrgId.eq(org_id))
        .filter(order_attribution::Column::ShopId.eq(shop_id))
        .filter(order_attribution::Column::OrderId.eq(attribution.order_id.as_str()))
        .filter(order_attribution::Column::ChannelSkuId.eq(sku_id.as_str()))
        .one(db)
        .await?;
    let currency = attribution
        .estimated_commission
        .or(attribution.actual_commission)
        .map(|m| m.currency().as_str().to_owned());
    let estimated = attribution
        .estimated_commission
        .map(|m| m.minor())
        .transpose()?;
    let actual = attribution
        .actual_commission
        .map(|m| m.minor())
        .transpose()?;
    let mut row = match existing {
        Some(row) => row.into(),
        None => order_attribution::ActiveModel {
            org_id: Set(org_id),
            shop_id: Set(shop_id),
            order_id: Set(attribution.order_id.clone()),
            channel_sku_id: Set(sku_id),
            quantity: Set(0),
            is_sample: Set(false),
            ..Default::default()
        },
    };
    if listing_id.is_some() {
        row.listing_id = Set(listing_id);
    }
    if creator_id.is_some() {
        row.creator_id = Set(creator_id);
    }
    if attribution.content_type.is_some() {
        row.content_type = Set(attribution.content_type.clone());
    }
    if attribution.commission_rate.is_some() {
        row.commission_rate = Set(attribution.commission_rate.clone());
    }
    if attribution.shop_ads_commission_rate.is_some() {
        row.shop_ads_commission_rate = Set(attribution.shop_ads_commission_rate.clone());
    }
    if currency.is_some() {
        row.currency = Set(currency);
    }
    if estimated.is_some() {
        row.estimated_commission_minor = Set(estimated);
    }
    if actual.is_some() {
        row.actual_commission_minor = Set(actual);
    }
    if attribution.quantity != 0 {
        row.quantity = Set(attribution.quantity);
    }
    if attribution.is_sample {
        row.is_sample = Set(true);
    }
    if attribution.occurred_at.is_some() {
        row.occurred_at = Set(attribution.occurred_at);
    }
    row.updated_at = Set(Utc::now());
    row.save(db).await?;
    Ok(())
}
