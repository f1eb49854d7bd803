//! Connecting channel accounts: the OAuth round trips (a sealed, expiring `state` names the
//! org), storing shops and ad accounts with their credentials sealed, and scheduling their
//! backfill. Used by the `/connect/...` routes, the GraphQL mutations and `pnl demo`.

use chrono::Utc;
use entities::{ad_account, shop};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use crate::connectors::catalog;
use crate::connectors::tiktok::ads::AdsClient;
use crate::connectors::tiktok::client::{TikTokClient, Tokens};
use crate::error::{Error, Result};
use crate::ledger::Channel;
use crate::state::AppState;
use crate::sync::jobs::{ads_config, seal, tiktok_config, AdsCredentials, ShopCredentials};
use crate::sync::{schedule_now, ADS_STREAM, SHOP_STREAM};

/// How long an authorisation round trip may take.
const STATE_TTL_SECS: i64 = 15 * 60;

/// What is being connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectKind {
    /// A TikTok Shop seller (all its shops).
    TikTokShop,
    /// A TikTok for Business advertiser.
    TikTokAds,
}

#[derive(Serialize, Deserialize)]
struct State {
    org: i64,
    kind: ConnectKind,
    exp: i64,
}

/// A sealed `state` for an authorisation round trip of `org_id`.
///
/// # Errors
/// Encryption failures.
pub fn state_for(state: &AppState, org_id: i64, kind: ConnectKind) -> Result<String> {
    let value = State {
        org: org_id,
        kind,
        exp: Utc::now().timestamp() + STATE_TTL_SECS,
    };
    state
        .secrets
        .seal(&serde_json::to_string(&value).map_err(|e| anyhow::anyhow!(e))?)
}

/// The org of a returned `state`, if it is ours, of `kind` and not expired.
///
/// # Errors
/// BAD_USER_INPUT for a forged, mixed-up or expired state.
pub fn org_of_state(state: &AppState, text: &str, kind: ConnectKind) -> Result<i64> {
    let invalid = || Error::bad_input("invalid or expired state: start the connection again");
    let opened = state.secrets.open(text).map_err(|_| invalid())?;
    let value: State = serde_json::from_str(&opened).map_err(|_| invalid())?;
    if value.kind != kind || value.exp < Utc::now().timestamp() {
        return Err(invalid());
    }
    Ok(value.org)
}

fn with_params(base: &str, params: &[(&str, &str)]) -> Result<String> {
    reqwest::Url::parse_with_params(base, params)
        .map(String::from)
        .map_err(|e| Error::Internal(anyhow::anyhow!("invalid authorize URL {base}: {e}")))
}

/// Where to send a seller to authorise the TikTok Shop app for `org_id`.
///
/// # Errors
/// No app configured, or an invalid URL.
pub fn tiktok_authorize_url(state: &AppState, org_id: i64) -> Result<String> {
    let app = &state.config.tiktok;
    if app.app_key.is_empty() {
        return Err(Error::bad_input(
            "no TikTok Shop app is configured (set tiktok.app_key and tiktok.app_secret)",
        ));
    }
    let redirect = format!("{}/connect/tiktok/callback", state.config.public_url());
    let sealed = state_for(state, org_id, ConnectKind::TikTokShop)?;
    with_params(
        &app.authorize_url,
        &[
            ("app_key", &app.app_key),
            ("state", &sealed),
            ("redirect_uri", &redirect),
        ],
    )
}

/// Where to send an advertiser to authorise the TikTok for Business app for `org_id`.
///
/// # Errors
/// No app configured, or an invalid URL.
pub fn tiktok_ads_authorize_url(state: &AppState, org_id: i64) -> Result<String> {
    let app = &state.config.tiktok_ads;
    if app.app_id.is_empty() {
        return Err(Error::bad_input("no TikTok for Business app is configured (set tiktok_ads.app_id and tiktok_ads.secret)"));
    }
    let redirect = format!("{}/connect/tiktok-ads/callback", state.config.public_url());
    let sealed = state_for(state, org_id, ConnectKind::TikTokAds)?;
    with_params(
        &app.authorize_url,
        &[
            ("app_id", &app.app_id),
            ("state", &sealed),
            ("redirect_uri", &redirect),
        ],
    )
}

/// The usual currency of a TikTok Shop region.
pub fn region_currency(region: &str) -> Option<&'static str> {
    Some(match region.to_ascii_uppercase().as_str() {
        "US" => "USD",
        "GB" | "UK" => "GBP",
        "ID" => "IDR",
        "MY" => "MYR",
        "TH" => "THB",
        "VN" => "VND",
        "PH" => "PHP",
        "SG" => "SGD",
        "MX" => "MXN",
        "BR" => "BRL",
        "JP" => "JPY",
        "ES" | "DE" | "FR" | "IT" | "IE" => "EUR",
        _ => return None,
    })
}

/// Exchanges a seller's authorisation code and connects its shops.
///
/// # Errors
/// A refused code, TikTok failures, or database failures.
pub async fn complete_tiktok(
    state: &AppState,
    org_id: i64,
    code: &str,
) -> Result<Vec<shop::Model>> {
    let config = tiktok_config(state);
    let tokens = TikTokClient::exchange_code(&reqwest::Client::new(), &config, code)
        .await
        .map_err(|e| Error::bad_input(format!("TikTok refused the authorisation: {e}")))?;
    connect_tiktok_tokens(state, org_id, tokens).await
}

/// Connects every shop an already-issued grant covers and schedules their backfill.
///
/// # Errors
/// Tokens TikTok refuses, or database failures.
pub async fn connect_tiktok_tokens(
    state: &AppState,
    org_id: i64,
    tokens: Tokens,
) -> Result<Vec<shop::Model>> {
    let client = TikTokClient::new(reqwest::Client::new(), tiktok_config(state), tokens);
    let shops = client
        .authorized_shops()
        .await
        .map_err(|e| Error::bad_input(format!("TikTok refused the tokens: {e}")))?;
    let tokens = client.tokens().await;
    let db = state.db.conn();
    let mut connected = Vec::new();
    for authorized in shops {
        let currency = authorized.region.as_deref().and_then(region_currency);
        let row = catalog::ensure_shop(
            db,
            org_id,
            Channel::TikTokShop,
            &authorized.id,
            &authorized.name,
            currency,
        )
        .await?;
        let credentials = ShopCredentials {
            access_token: tokens.access_token.clone(),
            access_expires_at: tokens.access_expires_at,
            refresh_token: tokens.refresh_token.clone(),
            refresh_expires_at: tokens.refresh_expires_at,
            cipher: authorized.cipher.clone(),
        };
        let mut active: shop::ActiveModel = row.into();
        active.name = Set(authorized.name.clone());
        active.region = Set(authorized.region.clone());
        if let Some(currency) = currency {
            active.currency = Set(Some(currency.to_owned()));
        }
        active.credentials = Set(Some(seal(state, &credentials)?));
        active.status = Set("ACTIVE".to_owned());
        active.status_message = Set(None);
        let row = active.update(db).await?;
        schedule_now(db, org_id, row.id, SHOP_STREAM).await?;
        connected.push(row);
    }
    state.sync.wake();
    Ok(connected)
}

/// Exchanges an advertiser's authorisation code, stores its ad accounts and links each to the
/// org's shop it runs GMV Max for (when there is one).
///
/// # Errors
/// A refused code, Marketing API failures, or database failures.
pub async fn complete_tiktok_ads(
    state: &AppState,
    org_id: i64,
    code: &str,
) -> Result<Vec<ad_account::Model>> {
    let (client, _) = AdsClient::exchange_code(reqwest::Client::new(), ads_config(state), code)
        .await
        .map_err(|e| {
            Error::bad_input(format!(
                "TikTok for Business refused the authorisation: {e}"
            ))
        })?;
    let advertisers = client
        .advertisers()
        .await
        .map_err(|e| Error::bad_input(format!("TikTok for Business: {e}")))?;
    let db = state.db.conn();
    let sealed = seal(
        state,
        &AdsCredentials {
            access_token: client.access_token().to_owned(),
        },
    )?;
    let mut accounts = Vec::new();
    for advertiser in advertisers {
        let stores = client
            .stores(&advertiser.advertiser_id)
            .await
            .unwrap_or_default();
        let shop = match stores.first() {
            Some(store) => {
                shop::Entity::find()
                    .filter(shop::Column::OrgId.eq(org_id))
                    .filter(shop::Column::Channel.eq(Channel::TikTokShop.as_str()))
                    .filter(shop::Column::ExternalId.eq(store.as_str()))
                    .one(db)
                    .await?
            }
            None => None,
        };
        let existing = ad_account::Entity::find()
            .filter(ad_account::Column::OrgId.eq(org_id))
            .filter(ad_account::Column::AdvertiserId.eq(advertiser.advertiser_id.as_str()))
            .one(db)
            .await?;
        let mut row: ad_account::ActiveModel = match existing {
            Some(row) => row.into(),
            None => ad_account::ActiveModel {
                org_id: Set(org_id),
                channel: Set(Channel::TikTokShop.as_str().to_owned()),
                advertiser_id: Set(advertiser.advertiser_id.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            },
        };
        row.name = Set(advertiser
            .advertiser_name
            .clone()
            .unwrap_or_else(|| advertiser.advertiser_id.clone()));
        row.time_zone = Set(advertiser
            .timezone
            .clone()
            .unwrap_or_else(|| "UTC".to_owned()));
        row.credentials = Set(Some(sealed.clone()));
        row.status = Set("ACTIVE".to_owned());
        if let Some(shop) = &shop {
            row.shop_id = Set(Some(shop.id));
            row.currency = Set(shop.currency.clone());
        }
        row.save(db).await?;
        let account = ad_account::Entity::find()
            .filter(ad_account::Column::OrgId.eq(org_id))
            .filter(ad_account::Column::AdvertiserId.eq(advertiser.advertiser_id.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("ad account vanished after save"))?;
        if let Some(shop_id) = account.shop_id {
            schedule_now(
                db,
                org_id,
                shop_id,
                &format!("{ADS_STREAM}{}", account.advertiser_id),
            )
            .await?;
        }
        accounts.push(account);
    }
    state.sync.wake();
    Ok(accounts)
}

/// Links ad account `advertiser_id` of `org_id` to its shop `shop_id` and schedules its pull.
///
/// # Errors
/// NOT_FOUND for an account or shop the org does not have; database failures.
pub async fn link_ad_account(
    state: &AppState,
    org_id: i64,
    advertiser_id: &str,
    shop_id: i64,
) -> Result<ad_account::Model> {
    let db = state.db.conn();
    let shop = shop::Entity::find_by_id(shop_id)
        .filter(shop::Column::OrgId.eq(org_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: shop_id.to_string(),
        })?;
    let account = ad_account::Entity::find()
        .filter(ad_account::Column::OrgId.eq(org_id))
        .filter(ad_account::Column::AdvertiserId.eq(advertiser_id))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "ad account",
            id: advertiser_id.to_owned(),
        })?;
    let mut row: ad_account::ActiveModel = account.into();
    row.shop_id = Set(Some(shop.id));
    if row.currency.as_ref().is_none() {
        row.currency = Set(shop.currency.clone());
    }
    let account = row.update(db).await?;
    schedule_now(db, org_id, shop.id, &format!("{ADS_STREAM}{advertiser_id}")).await?;
    state.sync.wake();
    Ok(account)
}
