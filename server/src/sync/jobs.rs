//! Running one claimed job: a TikTok shop's pull or a TikTok Ads account's pull, with
//! credentials opened from the database and refreshed tokens sealed back.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::{ad_account, shop, sync_state};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::claim::Outcome;
use super::{progress, ADS_STREAM, SHOP_STREAM};
use crate::config::parse_ttl;
use crate::connectors::tiktok::ads::{sync_ads, AdsClient, AdsConfig, AdsTarget};
use crate::connectors::tiktok::client::{RetryPolicy, TikTokClient, TikTokConfig, Tokens};
use crate::connectors::tiktok::error::TikTokError;
use crate::connectors::tiktok::sync::{sync_shop, ShopTarget, SyncError};
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

/// The TikTok client configuration of this server.
pub fn tiktok_config(state: &AppState) -> Arc<TikTokConfig> {
    let app = &state.config.tiktok;
    Arc::new(TikTokConfig {
        app_key: app.app_key.clone(),
        app_secret: app.app_secret.expose().to_owned(),
        api_base: app.api_base.trim_end_matches('/').to_owned(),
        auth_base: app.auth_base.trim_end_matches('/').to_owned(),
        retry: RetryPolicy::default(),
    })
}

/// The Marketing API client configuration of this server.
pub fn ads_config(state: &AppState) -> Arc<AdsConfig> {
    let app = &state.config.tiktok_ads;
    Arc::new(AdsConfig {
        app_id: app.app_id.clone(),
        secret: app.secret.expose().to_owned(),
        base: app.api_base.trim_end_matches('/').to_owned(),
        retry: RetryPolicy::default(),
    })
}

/// Seals `credentials` for storage.
///
/// # Errors
/// Encryption failures.
pub fn seal<T: Serialize>(state: &AppState, credentials: &T) -> Result<String> {
    let text = serde_json::to_string(credentials).map_err(|e| anyhow::anyhow!(e))?;
    state.secrets.seal(&text)
}

fn open<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    sealed: Option<&str>,
    what: &str,
) -> Result<T> {
    let sealed = sealed
        .ok_or_else(|| Error::bad_input(format!("{what} has no credentials: connect it first")))?;
    // serde's message may quote a value (a token): say only where it broke.
    serde_json::from_str(&state.secrets.open(sealed)?).map_err(|e| {
        anyhow::anyhow!(
            "the stored credentials of {what} are unreadable (line {}, column {})",
            e.line(),
            e.column()
        )
        .into()
    })
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
async fn save_tokens(
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

fn cursor_start(job: &sync_state::Model, overlap: Duration, backfill_days: u32) -> DateTime<Utc> {
    let now = Utc::now();
    job.cursor
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map(|c| {
            c.with_timezone(&Utc)
                - chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::days(3))
        })
        .unwrap_or_else(|| now - chrono::Duration::days(i64::from(backfill_days)))
}

/// The outcome of a pull; a database failure stays an error, for [`run_job`] to judge.
fn outcome_of(
    result: std::result::Result<(), SyncError>,
    cursor: DateTime<Utc>,
) -> Result<Outcome> {
    match result {
        Ok(()) => Ok(Outcome::Done {
            cursor: cursor.to_rfc3339(),
        }),
        Err(SyncError::TikTok(error @ TikTokError::Reauthorize { .. })) => {
            Ok(Outcome::Paused(error.to_string()))
        }
        Err(SyncError::Ledger(error @ Error::Db(_))) => Err(error),
        Err(error) => Ok(Outcome::Failed(error.to_string())),
    }
}

/// Runs of one job while the database is unreachable or busy, 1 s, 2 s, 4 s … apart (about half
/// a minute in all: a PostgreSQL restart), before the job fails until its next retry.
const STORE_ATTEMPTS: u32 = 6;

/// Runs `job` to its outcome (never an error: failures are outcomes). A run the database
/// interrupted (restarting, busy) runs again with backoff — posting is idempotent, so the lines
/// it had written are not written twice; a database error that needs a person (disk full,
/// read-only) fails at once, said in words, never the driver's text.
pub async fn run_job(state: &AppState, job: &sync_state::Model) -> Outcome {
    let mut delay = Duration::from_secs(1);
    let mut attempt = 1;
    loop {
        let error = match run(state, job).await {
            Ok(outcome) => return outcome,
            Err(Error::Db(error)) => error,
            Err(error) => return Outcome::Failed(error.to_string()),
        };
        let trouble = crate::db::Trouble::of(&error);
        tracing::warn!(job = job.id, attempt, %error, ?trouble, "the sync's database call failed");
        match trouble {
            Some(trouble) if trouble.is_transient() && attempt < STORE_ATTEMPTS => {
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Some(trouble) => return Outcome::Failed(trouble.in_words().to_owned()),
            None => return Outcome::Failed(
                "the database refused the sync's work (an internal error: the server log has the \
                     details)"
                    .to_owned(),
            ),
        }
    }
}

async fn run(state: &AppState, job: &sync_state::Model) -> Result<Outcome> {
    let shop = shop::Entity::find_by_id(job.shop_id)
        .filter(shop::Column::OrgId.eq(job.org_id))
        .one(state.db.conn())
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "shop",
            id: job.shop_id.to_string(),
        })?;
    if shop.status != "ACTIVE" {
        return Ok(Outcome::Paused(
            shop.status_message
                .clone()
                .unwrap_or_else(|| format!("shop is {}", shop.status)),
        ));
    }
    let overlap = parse_ttl(&state.config.sync.overlap).unwrap_or(Duration::from_secs(3 * 86_400));
    let from = cursor_start(job, overlap, state.config.sync.backfill_days);
    let to = Utc::now();
    let (sender, writer) = progress::writer(state.db.clone(), job.id);
    let outcome = if job.stream == SHOP_STREAM {
        let (client, credentials) = shop_client(state, &shop)?;
        let currency = shop
            .currency
            .as_deref()
            .map(Currency::parse)
            .transpose()?
            .unwrap_or(Currency::parse("USD")?);
        let target = ShopTarget {
            org_id: job.org_id,
            shop_id: shop.id,
            currency,
            credentials: shop.credentials.clone(),
        };
        let result = sync_shop(&state.db, &client, &target, from, to, &|p| {
            let _ = sender.send(p);
        })
        .await
        .map(|_| ());
        save_tokens(state, &shop, &credentials, &client).await?;
        outcome_of(result, to)?
    } else if let Some(advertiser) = job.stream.strip_prefix(ADS_STREAM) {
        let (client, target) = ads_target(state, job.org_id, advertiser).await?;
        let today = to.with_timezone(&target.time_zone).date_naive();
        let start = from.with_timezone(&target.time_zone).date_naive();
        let _ = sender.send(crate::connectors::tiktok::sync::Progress {
            step: "ads".to_owned(),
            done: 0,
            total: None,
        });
        outcome_of(
            sync_ads(&state.db, &client, &target, start, today)
                .await
                .map(|_| ()),
            to,
        )?
    } else {
        Outcome::Paused(format!("unknown stream {}", job.stream))
    };
    drop(sender);
    let _ = writer.await;
    Ok(outcome)
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
    let currency = account
        .currency
        .as_deref()
        .or(shop.currency.as_deref())
        .map(Currency::parse)
        .transpose()?
        .unwrap_or(Currency::parse("USD")?);
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
