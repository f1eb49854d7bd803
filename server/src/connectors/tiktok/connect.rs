//! Connecting TikTok: the TikTok Shop flow (`/connect/tiktok`: a seller's shops) and the TikTok
//! for Business flow (`/connect/tiktok-ads`: an advertiser's ad accounts), storing what they
//! grant with credentials sealed and scheduling the first syncs. The round trip itself (state,
//! ticket, cookie) is shared ([`crate::connect`]).

use async_trait::async_trait;
use chrono::Utc;
use entities::{ad_account, shop};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::ads::AdsClient;
use super::client::{TikTokClient, Tokens};
use super::config::{ads_config, tiktok_config};
use super::credentials::{AdsCredentials, ShopCredentials};
use super::{TikTokStream, CHANNEL, SHOP_STREAM};
use crate::connect::{with_params, ConnectKind};
use crate::connectors::catalog;
use crate::connectors::credentials::seal;
use crate::connectors::seam::{CallbackParams, Connected, OAuthFlow};
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::sync::schedule_now;

/// TikTok's flows: shops, then ad accounts.
pub static FLOWS: &[&dyn OAuthFlow] = &[&ShopFlow, &AdsFlow];

/// `/connect/tiktok`: a TikTok Shop seller authorises the app for all its shops.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShopFlow;

/// `/connect/tiktok-ads`: a TikTok for Business advertiser authorises its ad accounts.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdsFlow;

#[async_trait]
impl OAuthFlow for ShopFlow {
    fn kind(&self) -> ConnectKind {
        ConnectKind::new("tiktok", "TIKTOK_SHOP")
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        if state.config.channels.tiktok.app_key.is_empty() {
            return Err(Error::bad_input(
                "no TikTok Shop app is configured (set tiktok.app_key and tiktok.app_secret)",
            ));
        }
        Ok(())
    }

    fn authorize_url(
        &self,
        state: &AppState,
        nonce: &str,
        redirect_uri: &str,
        _subject: Option<&str>,
    ) -> Result<String> {
        let app = &state.config.channels.tiktok;
        with_params(
            &app.authorize_url,
            &[
                ("app_key", &app.app_key),
                ("state", nonce),
                ("redirect_uri", redirect_uri),
            ],
        )
    }

    fn code_params(&self) -> &'static [&'static str] {
        &["code", "auth_code"]
    }

    async fn complete(
        &self,
        state: &AppState,
        org_id: i64,
        code: &str,
        _callback: &CallbackParams,
        _subject: Option<&str>,
    ) -> Result<Connected> {
        let shops = complete_tiktok(state, org_id, code).await?;
        Ok(Connected {
            count: shops.len(),
            noun: "TikTok shop(s)",
            lines: shops
                .iter()
                .map(|s| format!("{} ({}) — backfill started", s.name, s.external_id))
                .collect(),
        })
    }
}

#[async_trait]
impl OAuthFlow for AdsFlow {
    fn kind(&self) -> ConnectKind {
        ConnectKind::new("tiktok-ads", "TIKTOK_ADS")
    }

    fn ready(&self, state: &AppState) -> Result<()> {
        if state.config.channels.tiktok_ads.app_id.is_empty() {
            return Err(Error::bad_input(
                "no TikTok for Business app is configured (set tiktok_ads.app_id and \
                 tiktok_ads.secret)",
            ));
        }
        Ok(())
    }

    fn authorize_url(
        &self,
        state: &AppState,
        nonce: &str,
        redirect_uri: &str,
        _subject: Option<&str>,
    ) -> Result<String> {
        let app = &state.config.channels.tiktok_ads;
        with_params(
            &app.authorize_url,
            &[
                ("app_id", &app.app_id),
                ("state", nonce),
                ("redirect_uri", redirect_uri),
            ],
        )
    }

    fn code_params(&self) -> &'static [&'static str] {
        &["auth_code", "code"]
    }

    async fn complete(
        &self,
        state: &AppState,
        org_id: i64,
        code: &str,
        _callback: &CallbackParams,
        _subject: Option<&str>,
    ) -> Result<Connected> {
        let accounts = complete_tiktok_ads(state, org_id, code).await?;
        Ok(Connected {
            count: accounts.len(),
            noun: "ad account(s)",
            lines: accounts
                .iter()
                .map(|a| match a.shop_id {
                    Some(_) => format!(
                        "{} ({}) — linked to its shop, spend sync started",
                        a.name, a.advertiser_id
                    ),
                    None => format!(
                        "{} ({}) — not linked: link it to a shop with linkAdAccount",
                        a.name, a.advertiser_id
                    ),
                })
                .collect(),
        })
    }
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
            CHANNEL,
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
        active.status = Set(ShopStatus::Active.as_str().to_owned());
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
                    .filter(shop::Column::Channel.eq(CHANNEL.as_str()))
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
                channel: Set(CHANNEL.as_str().to_owned()),
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
        row.status = Set(ShopStatus::Active.as_str().to_owned());
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
                &TikTokStream::Ads {
                    advertiser: account.advertiser_id.clone(),
                }
                .stored(),
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
    let stream = TikTokStream::Ads {
        advertiser: advertiser_id.to_owned(),
    };
    schedule_now(db, org_id, shop.id, &stream.stored()).await?;
    state.sync.wake();
    Ok(account)
}
