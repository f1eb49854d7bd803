//! The TikTok Marketing API (v1.3) client and the ads pull: `Access-Token` header, JSON-string
//! list parameters, `page`/`page_info` paging, retries on throttling (40100, 40133) and 5xx,
//! and the two reports that give ad cost (see `normalize::ads` for how it is counted once).

use std::sync::Arc;

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::{RawPage, RetryPolicy};
use super::error::TikTokError;
use super::model::{AdsReport, Envelope};
use super::normalize::ads::{gmv_max_report, integrated_report, AdsContext};
use super::sync::SyncError;
use crate::connectors::ingest::{ingest, IngestReport};
use crate::connectors::upstream::{self, UpstreamError};
use crate::connectors::Normalized;
use crate::db::Db;
use crate::ledger::mapping::FeeMapper;
use crate::money::Currency;

/// Throttling codes (reference §7).
const THROTTLED: &[i64] = &[40100, 40133];
/// The token is missing, invalid or expired, or lacks permission: connect again.
const REAUTHORIZE: &[i64] = &[40001, 40104, 40105];
/// Longest report window per request.
const WINDOW_DAYS: i64 = 30;
/// The channel, as errors name it.
pub const CHANNEL: &str = "TikTok for Business";
/// The token exchange (reference §7).
const TOKEN_PATH: &str = "/open_api/v1.3/oauth2/access_token/";

/// Where and as which app to call the Marketing API.
#[derive(Clone)]
pub struct AdsConfig {
    /// The app id.
    pub app_id: String,
    /// The app secret.
    pub secret: String,
    /// Base URL, e.g. `https://business-api.tiktok.com`.
    pub base: String,
    /// Retry policy.
    pub retry: RetryPolicy,
}

impl std::fmt::Debug for AdsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdsConfig")
            .field("app_id", &self.app_id)
            .field("secret", &"[redacted]")
            .field("base", &self.base)
            .field("retry", &self.retry)
            .finish()
    }
}

/// An ad account the token can read.
#[derive(Clone, Debug, Deserialize)]
pub struct Advertiser {
    /// Its id.
    #[serde(deserialize_with = "super::model::id")]
    pub advertiser_id: String,
    /// Its name.
    #[serde(default)]
    pub advertiser_name: Option<String>,
    /// Its time zone (report days are days there).
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Deserialize)]
struct TokenData {
    access_token: String,
    #[serde(default)]
    advertiser_ids: Vec<Value>,
}

#[derive(Deserialize)]
struct AdvertiserList {
    #[serde(default)]
    list: Vec<Advertiser>,
}

/// A Marketing API client holding one access token.
#[derive(Clone)]
pub struct AdsClient {
    http: reqwest::Client,
    config: Arc<AdsConfig>,
    access_token: String,
}

impl std::fmt::Debug for AdsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdsClient")
            .field("config", &self.config)
            .field("access_token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl AdsClient {
    /// A client over an existing token.
    pub fn new(http: reqwest::Client, config: Arc<AdsConfig>, access_token: String) -> Self {
        Self {
            http,
            config,
            access_token,
        }
    }

    /// The token (to persist).
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// Exchanges an authorisation code (`POST /open_api/v1.3/oauth2/access_token/`); returns the
    /// client and the advertiser ids granted.
    ///
    /// # Errors
    /// A refused code or a network failure.
    pub async fn exchange_code(
        http: reqwest::Client,
        config: Arc<AdsConfig>,
        code: &str,
    ) -> Result<(Self, Vec<String>), TikTokError> {
        let url = format!("{}{TOKEN_PATH}", config.base);
        let body = json!({ "app_id": config.app_id, "secret": config.secret, "auth_code": code });
        let hide = |e: UpstreamError| e.hiding(&[&config.secret, code]);
        let network = |e| hide(UpstreamError::network(CHANNEL, TOKEN_PATH, e));
        let response = http.post(&url).json(&body).send().await.map_err(network)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(network)?;
        let data: TokenData = envelope_data(TOKEN_PATH, status, &text).map_err(hide)?;
        let ids = data
            .advertiser_ids
            .iter()
            .map(|id| match id {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        Ok((Self::new(http, config, data.access_token), ids))
    }

    /// The ad accounts of the token, with their time zones.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn advertisers(&self) -> Result<Vec<Advertiser>, TikTokError> {
        let params = [
            ("app_id", self.config.app_id.clone()),
            ("secret", self.config.secret.clone()),
        ];
        let path = "/open_api/v1.3/oauth2/advertiser/get/";
        let hide = |e: UpstreamError| e.hiding(&[&self.config.secret]);
        let (_, data) = self.get(path, &params).await.map_err(hide)?;
        let list: AdvertiserList = serde_json::from_value(data)
            .map_err(|e| hide(UpstreamError::decode(CHANNEL, path, e.to_string())))?;
        Ok(list.list)
    }

    /// The TikTok shops (`store_id`s) an advertiser runs GMV Max for.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn stores(&self, advertiser_id: &str) -> Result<Vec<String>, TikTokError> {
        let (_, data) = self
            .get(
                "/open_api/v1.3/gmv_max/store/list/",
                &[("advertiser_id", advertiser_id.to_owned())],
            )
            .await?;
        Ok(data
            .get("store_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|store| match store.get("store_id")? {
                Value::String(id) => Some(id.clone()),
                Value::Number(id) => Some(id.to_string()),
                _ => None,
            })
            .collect())
    }

    /// One GET with retries.
    async fn get(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<(String, Value), TikTokError> {
        let url = format!("{}{path}", self.config.base);
        let mut last = String::new();
        for attempt in 0..self.config.retry.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.config.retry.delay(attempt - 1)).await;
            }
            let network = |e| UpstreamError::network(CHANNEL, path, e);
            let response = self
                .http
                .get(&url)
                .query(params)
                .header("Access-Token", &self.access_token)
                .send()
                .await
                .map_err(network)?;
            let status = response.status();
            let text = response.text().await.map_err(network)?;
            let envelope: Option<Envelope<Value>> = serde_json::from_str(&text).ok();
            let (code, message, request_id) = envelope
                .as_ref()
                .map_or((-1, text.chars().take(200).collect(), String::new()), |e| {
                    (e.code, e.message.clone(), e.request_id.clone())
                });
            if status.is_success() && code == 0 {
                return Ok((text, envelope.and_then(|e| e.data).unwrap_or(Value::Null)));
            }
            let answer = (code, message.as_str(), request_id.as_str());
            if REAUTHORIZE.contains(&code) {
                return Err(UpstreamError::answered(
                    CHANNEL,
                    path,
                    status.as_u16(),
                    answer,
                    REAUTHORIZE,
                ));
            }
            if !(THROTTLED.contains(&code)
                || status.is_server_error()
                || status == StatusCode::TOO_MANY_REQUESTS)
            {
                return Err(UpstreamError::answered(
                    CHANNEL,
                    path,
                    status.as_u16(),
                    answer,
                    &[],
                ));
            }
            last = upstream::answer(status.as_u16(), code, &message, &request_id);
            tracing::warn!(
                path,
                attempt,
                code,
                request_id,
                "TikTok Ads throttled or failed; backing off"
            );
        }
        Err(UpstreamError::Exhausted {
            channel: CHANNEL,
            endpoint: path.to_owned(),
            attempts: self.config.retry.attempts,
            last,
        })
    }

    /// Every page of a report.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn report(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Vec<RawPage>, TikTokError> {
        let mut pages = Vec::new();
        let mut page = 1;
        loop {
            let mut query = params.to_vec();
            query.push(("page", page.to_string()));
            query.push(("page_size", "1000".to_owned()));
            let (body, data) = self.get(path, &query).await?;
            let total = data
                .get("page_info")
                .and_then(|p| p.get("total_page"))
                .and_then(Value::as_i64)
                .unwrap_or(1);
            pages.push(RawPage {
                body,
                data,
                next: None,
            });
            if page >= total {
                return Ok(pages);
            }
            page += 1;
        }
    }
}

/// The `data` of a token answer of `path`. serde's messages may quote a value of the answer
/// (the token), so a decode failure says only where it broke.
fn envelope_data<T: serde::de::DeserializeOwned>(
    path: &str,
    status: u16,
    text: &str,
) -> Result<T, TikTokError> {
    let broke = |e: serde_json::Error| {
        UpstreamError::decode(
            CHANNEL,
            path,
            format!(
                "HTTP {status}, not the documented token answer (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    };
    let envelope: Envelope<Value> = serde_json::from_str(text).map_err(broke)?;
    if envelope.code != 0 {
        let answer = (
            envelope.code,
            envelope.message.as_str(),
            envelope.request_id.as_str(),
        );
        return Err(UpstreamError::answered(CHANNEL, path, status, answer, &[]));
    }
    serde_json::from_value(envelope.data.unwrap_or(Value::Null)).map_err(broke)
}

/// One ad account linked to one shop.
#[derive(Clone, Debug)]
pub struct AdsTarget {
    /// The org.
    pub org_id: i64,
    /// The shop its spend belongs to.
    pub shop_id: i64,
    /// The shop's id on TikTok (GMV Max `store_ids`).
    pub store_id: String,
    /// The advertiser.
    pub advertiser_id: String,
    /// Its currency.
    pub currency: Currency,
    /// Its time zone.
    pub time_zone: chrono_tz::Tz,
    /// The sealed credentials the run started with: a refused grant marks the account only
    /// while they are still its credentials (none: whatever they are).
    pub credentials: Option<String>,
}

/// Pulls like [`pull_ads`]; a revoked grant also marks the ad account `NEEDS_REAUTH` with the
/// platform's message, so the seller is asked to connect it again (and every P&L answer says its
/// spend is missing).
///
/// # Errors
/// As [`pull_ads`].
pub async fn sync_ads(
    db: &Db,
    client: &AdsClient,
    target: &AdsTarget,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<IngestReport, SyncError> {
    let result = pull_ads(db, client, target, from, to).await;
    if let Err(SyncError::TikTok(error @ TikTokError::Reauthorize { .. })) = &result {
        let marked = crate::connectors::catalog::refuse_ad_account_grant(
            db.conn(),
            target.org_id,
            &target.advertiser_id,
            &error.to_string(),
            target.credentials.as_deref(),
        )
        .await?;
        if marked {
            tracing::warn!(advertiser = %target.advertiser_id, %error, "ad grant revoked; the ad account needs re-authorisation");
        }
    }
    result
}

/// Pulls ad cost for the account's days `from..=to`: GMV Max first, then the integrated report,
/// in windows of 30 days, each window one ingest.
///
/// # Errors
/// Marketing API failures after retries, or ledger failures.
pub async fn pull_ads(
    db: &Db,
    client: &AdsClient,
    target: &AdsTarget,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<IngestReport, SyncError> {
    let mapper = FeeMapper::load(db.conn(), target.org_id).await?;
    let ctx = AdsContext {
        mapper: &mapper,
        advertiser_id: &target.advertiser_id,
        currency: target.currency,
        time_zone: target.time_zone,
    };
    let mut report = IngestReport::default();
    let mut start = from;
    while start <= to {
        let end = (start + chrono::Duration::days(WINDOW_DAYS - 1)).min(to);
        let window = format!("{start}..{end}");
        let common = [
            ("advertiser_id", target.advertiser_id.clone()),
            ("start_date", start.to_string()),
            ("end_date", end.to_string()),
        ];
        let gmv_params: Vec<(&str, String)> = common
            .iter()
            .cloned()
            .chain([
                ("store_ids", json!([target.store_id]).to_string()),
                (
                    "dimensions",
                    json!(["campaign_id", "stat_time_day", "item_group_id"]).to_string(),
                ),
                (
                    "metrics",
                    json!(["cost", "gross_revenue", "orders"]).to_string(),
                ),
            ])
            .collect();
        let integrated_params: Vec<(&str, String)> = common
            .iter()
            .cloned()
            .chain([
                ("report_type", "BASIC".to_owned()),
                ("data_level", "AUCTION_CAMPAIGN".to_owned()),
                (
                    "dimensions",
                    json!(["campaign_id", "stat_time_day"]).to_string(),
                ),
                (
                    "metrics",
                    json!(["spend", "impressions", "clicks"]).to_string(),
                ),
            ])
            .collect();
        // GMV Max first: its allocation excludes the same campaign-days of the integrated report.
        let (pages, normalized) = report_step(
            client,
            "/open_api/v1.3/gmv_max/report/get/",
            &gmv_params,
            &ctx,
            gmv_max_report,
        )
        .await?;
        report.absorb(
            post(
                db,
                target,
                "tiktok_ads.report.gmv_max",
                &window,
                &pages,
                normalized,
            )
            .await?,
        );
        let (pages, normalized) = report_step(
            client,
            "/open_api/v1.3/report/integrated/get/",
            &integrated_params,
            &ctx,
            integrated_report,
        )
        .await?;
        report.absorb(
            post(
                db,
                target,
                "tiktok_ads.report.integrated",
                &window,
                &pages,
                normalized,
            )
            .await?,
        );
        start = end + chrono::Duration::days(1);
    }
    Ok(report)
}

/// Every page of one report, normalised.
async fn report_step(
    client: &AdsClient,
    path: &str,
    params: &[(&str, String)],
    ctx: &AdsContext<'_>,
    normalize: fn(&AdsReport, &AdsContext<'_>) -> Normalized,
) -> Result<(Vec<RawPage>, Normalized), SyncError> {
    let pages = client.report(path, params).await?;
    let mut normalized = Normalized::default();
    for page in &pages {
        let data = AdsReport::deserialize(&page.data)
            .map_err(|e| UpstreamError::decode(CHANNEL, path, e.to_string()))?;
        normalized.extend(normalize(&data, ctx));
    }
    Ok((pages, normalized))
}

async fn post(
    db: &Db,
    target: &AdsTarget,
    kind: &str,
    window: &str,
    pages: &[RawPage],
    normalized: Normalized,
) -> Result<IngestReport, SyncError> {
    let source_id = format!("{}:{window}", target.advertiser_id);
    let batch = super::batch(
        target.shop_id,
        kind,
        &source_id,
        RawPage::joined(pages),
        normalized,
    );
    Ok(ingest(db, target.org_id, batch).await?)
}
