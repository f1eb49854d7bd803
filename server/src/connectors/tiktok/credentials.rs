//! TikTok credentials: what a shop's and an ad account's sealed `credentials` column holds,
//! the clients opened from them, and refreshed tokens sealed back.

use entities::{ad_account, shop};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::ads::{AdsClient, AdsTarget};
use super::client::{TikTokClient, Tokens};
use super::config::{ads_config, tiktok_config};
use crate::connectors::credentials::{open, seal};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::state::AppState;

/// What a TikTok shop's `credentials` column holds (sealed). `Debug` shows no token.
#[derive(Clone, Serialize, Deserialize)]
pub struct ShopCredentials {
    /// Access token.
    pub access_token: String,
    /// Its absolute expiry.
    pub access_expires_at: i64,
    /// Refresh token.
    pub refresh_token: String,
    /// Its absolute expiry.
    pub refresh_expires_at: i64,
    /// The shop's cipher.
    pub cipher: String,
}

/// What an ad account's `credentials` column holds (sealed). `Debug` shows no token.
#[derive(Clone, Serialize, Deserialize)]
pub struct AdsCredentials {
    /// Access token.
    pub access_token: String,
}

impl std::fmt::Debug for ShopCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopCredentials")
            .field("access_token", &"[redacted]")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &"[redacted]")
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("cipher", &self.cipher)
            .finish()
    }
}

impl std::fmt::Debug for AdsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdsCredentials")
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// A client for `shop`, scoped to its cipher.
///
/// # Errors
/// No or unreadable credentials.
pub fn shop_client(
    state: &AppState,
    shop: &shop::Model,
) -> Result<(TikTokClient, ShopCredentials)> {
    let credentials: ShopCredentials = open(
        state,
        shop.credentials.as_deref(),
        &format!("shop {}", shop.id),
    )?;
    let tokens = Tokens {
        access_token: credentials.access_token.clone(),
        access_expires_at: credentials.access_expires_at,
        refresh_token: credentials.refresh_token.clone(),
        refresh_expires_at: credentials.refresh_expires_at,
    };
    let client = TikTokClient::new(reqwest::Client::new(), tiktok_config(state), tokens)
        .for_shop(&credentials.cipher);
    Ok((client, credentials))
}

/// Writes refreshed tokens back (sealed) when they changed.
///
/// # Errors
/// Encryption or database failures.
pub async fn save_tokens(
    state: &AppState,
    shop: &shop::Model,
    before: &ShopCredentials,
    client: &TikTokClient,
) -> Result<()> {
    let now = client.tokens().await;
    if now.access_token == before.access_token && now.refresh_token == before.refresh_token {
        return Ok(());
    }
    let credentials = ShopCredentials {
        access_token: now.access_token,
        access_expires_at: now.access_expires_at,
        refresh_token: now.refresh_token,
        refresh_expires_at: now.refresh_expires_at,
        cipher: before.cipher.clone(),
    };
    let mut row: shop::ActiveModel = shop.clone().into();
    row.credentials = Set(Some(seal(state, &credentials)?));
    row.update(state.db.conn()).await?;
    Ok(())
}

/// The client and target of the linked ad account `advertiser` of `org_id`.
///
/// # Errors
/// An unknown, unlinked or credential-less account.
pub async fn ads_target(
    state: &AppState,
    org_id: i64,
    advertiser: &str,
) -> Result<(AdsClient, AdsTarget)> {
    let account = ad_account::Entity::find()
        .filter(ad_account::Column::OrgId.eq(org_id))
        .filter(ad_account::Column::AdvertiserId.eq(advertiser))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "ad account",
            id: advertiser.to_owned(),
        })?;
    let shop_id = account.shop_id.ok_or_else(|| {
        Error::bad_input(format!("ad account {advertiser} is not linked to a shop"))
    })?;
    let shop = shop::Entity::find_by_id(shop_id)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: shop_id.to_string(),
        })?;
    let credentials: AdsCredentials = open(
        state,
        account.credentials.as_deref(),
        &format!("ad account {advertiser}"),
    )?;
    let client = AdsClient::new(
        reqwest::Client::new(),
        ads_config(state),
        credentials.access_token,
    );
    let code = account
        .currency
        .as_deref()
        .or(shop.currency.as_deref())
        .ok_or_else(|| {
            Error::bad_input(format!(
                "ad account {advertiser} has no currency, nor has its shop {} ({:?}): \
                 reconnect the shop so TikTok names its region",
                shop.id, shop.name
            ))
        })?;
    let currency = Currency::parse(code)?;
    let time_zone = account.time_zone.parse().map_err(|_| {
        Error::bad_input(format!(
            "ad account {advertiser}: unknown time zone {}",
            account.time_zone
        ))
    })?;
    Ok((
        client,
        AdsTarget {
            org_id,
            shop_id,
            store_id: shop.external_id,
            advertiser_id: account.advertiser_id,
            currency,
            time_zone,
            credentials: account.credentials,
        },
    ))
}
