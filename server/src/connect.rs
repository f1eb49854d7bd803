//! Connecting channel accounts: the OAuth round trips (a one-time `state` bound to the org and
//! to the browser that started the flow, see [`state`]), storing shops and ad accounts with
//! their credentials sealed, and scheduling their backfill. Used by the `/connect/...` routes,
//! the GraphQL mutations and `pnl demo`.

pub mod state;

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

/// What is being connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectKind {
    /// A TikTok Shop seller (all its shops).
    TikTokShop,
    /// A TikTok for Business advertiser.
    TikTokAds,
}

impl ConnectKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TikTokShop => "TIKTOK_SHOP",
            Self::TikTokAds => "TIKTOK_ADS",
        }
    }

    /// The route that starts the round trip; its callback is this plus `/callback`.
    pub fn path(self) -> &'static str {
        match self {
            Self::TikTokShop => "/connect/tiktok",
            Self::TikTokAds => "/connect/tiktok-ads",
        }
    }

    /// The name of the cookie that binds the round trip to the browser (one per kind, so a shop
    /// and an ad account can be connected side by side).
    pub fn cookie(self) -> &'static str {
        match self {
            Self::TikTokShop => "pnl_connect_tiktok",
            Self::TikTokAds => "pnl_connect_tiktok_ads",
        }
    }
}

/// A round trip just started: where to send the browser, and the cookie value to set on it.
#[derive(Clone, Debug)]
pub struct Started {
    /// The channel's authorisation page with our `state` and redirect URI.
    pub authorize_url: String,
    /// The browser binding: the cookie value whose hash the `state` keeps.
    pub browser: String,
}

fn with_params(base: &str, params: &[(&str, &str)]) -> Result<String> {
    reqwest::Url::parse_with_params(base, params)
        .map(String::from)
        .map_err(|e| Error::Internal(anyhow::anyhow!("invalid authorize URL {base}: {e}")))
}

/// Fails unless the channel app of `kind` is configured.
fn require_app(state: &AppState, kind: ConnectKind) -> Result<()> {
    match kind {
        ConnectKind::TikTokShop if state.config.tiktok.app_key.is_empty() => {
            Err(Error::bad_input(
                "no TikTok Shop app is configured (set tiktok.app_key and tiktok.app_secret)",
            ))
        }
        ConnectKind::TikTokAds if state.config.tiktok_ads.app_id.is_empty() => {
            Err(Error::bad_input("no TikTok for Business app is configured (set tiktok_ads.app_id and tiktok_ads.secret)"))
        }
        _ => Ok(()),
    }
}

/// Starts a round trip of `kind` for `org_id` in a browser: a fresh browser binding and a state
/// bound to it and to the org.
///
/// # Errors
/// No app configured, an invalid URL, or a database failure.
pub async fn start(state: &AppState, org_id: i64, kind: ConnectKind) -> Result<Started> {
    require_app(state, kind)?;
    let browser = self::state::random_value();
    let nonce = self::state::issue_state(state.db.conn(), org_id, kind, &browser).await?;
    let redirect = format!("{}{}/callback", state.config.public_url(), kind.path());
    let authorize_url = match kind {
        ConnectKind::TikTokShop => {
            let app = &state.config.tiktok;
            with_params(
                &app.authorize_url,
                &[
                    ("app_key", &app.app_key),
                    ("state", &nonce),
                    ("redirect_uri", &redirect),
                ],
            )?
        }
        ConnectKind::TikTokAds => {
            let app = &state.config.tiktok_ads;
            with_params(
                &app.authorize_url,
                &[
                    ("app_id", &app.app_id),
                    ("state", &nonce),
                    ("redirect_uri", &redirect),
                ],
            )?
        }
    };
    Ok(Started {
        authorize_url,
        browser,
    })
}

/// The URL on this server that starts a round trip of `kind` for `org_id` in whichever browser
/// opens it first: `/connect/...?ticket=…`, one-time and valid
/// [`state::TICKET_TTL_SECS`] seconds. For browser apps, which cannot send a bearer token with
/// a navigation.
///
/// # Errors
/// No app configured, an invalid URL, or a database failure.
pub async fn ticket_url(state: &AppState, org_id: i64, kind: ConnectKind) -> Result<String> {
    require_app(state, kind)?;
    let ticket = self::state::issue_ticket(state.db.conn(), org_id, kind).await?;
    with_params(
        &format!("{}{}", state.config.public_url(), kind.path()),
        &[("ticket", &ticket)],
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
        .map_err(|e| Error::bad_input(e.to_string()))?;
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
        .map_err(|e| Error::bad_input(e.to_string()))?;
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
        .map_err(|e| Error::bad_input(e.to_string()))?;
    let advertisers = client
        .advertisers()
        .await
        .map_err(|e| Error::bad_input(e.to_string()))?;
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
        row.status_message = Set(None);
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
