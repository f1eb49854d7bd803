//! The signed TikTok Shop client: common parameters, signing over the exact bytes sent,
//! `x-tts-access-token`, envelope checks, page tokens, token refresh before expiry and on
//! 105002, bounded retries with exponential backoff and jitter on throttling and transient
//! failures, and re-authorisation errors that are never retried. Base URLs are configuration,
//! so the same code talks to the sandbox and to TikTok.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;

use super::error::TikTokError;
use super::model::{Envelope, TokenData};
use super::sign::sign;
use crate::connectors::upstream::{self, UpstreamError};

/// The channel, as errors name it.
pub const CHANNEL: &str = "TikTok Shop";

/// Codes that mean the grant is gone (reference §1.6, §8.3–8.4).
const REAUTHORIZE: &[i64] = &[36004001, 36004005, 105005];
/// Access token expired (⚠ unconfirmed meaning; refresh and retry once).
const TOKEN_EXPIRED: i64 = 105002;
/// "Invalid parameter", overloaded (reference §1, error codes): with a message about the
/// access token (`invalid x-tts-access-token`) the token is no longer accepted, so it is
/// refreshed like an expired one. ⚠ The wording is unconfirmed: any message naming the access
/// token counts; other 36009004 answers stay plain refusals.
const INVALID_PARAM: i64 = 36009004;

/// Whether TikTok refused the access token itself (expired, or no longer valid).
fn token_refused(code: i64, message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    code == TOKEN_EXPIRED
        || (code == INVALID_PARAM && message.contains("access") && message.contains("token"))
}
/// Throttled, or an internal error worth retrying.
const RETRYABLE: &[i64] = &[36009002, 36009003];
/// Refresh this long before the access token expires.
const REFRESH_MARGIN_SECS: i64 = 300;

/// Where and as whom to call TikTok.
#[derive(Clone)]
pub struct TikTokConfig {
    /// The app key.
    pub app_key: String,
    /// The app secret (signs requests; never logged).
    pub app_secret: String,
    /// Shop API base URL, e.g. `https://open-api.tiktokglobalshop.com`.
    pub api_base: String,
    /// Auth host base URL, e.g. `https://auth.tiktok-shops.com`.
    pub auth_base: String,
    /// Retry policy.
    pub retry: RetryPolicy,
}

impl std::fmt::Debug for TikTokConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TikTokConfig")
            .field("app_key", &self.app_key)
            .field("app_secret", &"[redacted]")
            .field("api_base", &self.api_base)
            .field("auth_base", &self.auth_base)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Bounded exponential backoff with jitter.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all (first try included).
    pub attempts: u32,
    /// First delay; doubled each retry.
    pub base_delay: Duration,
    /// Longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay);
        // Full jitter in the upper half, so concurrent clients spread out.
        let half = exponential / 2;
        let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::random_range(0..=spread))
    }
}

/// A seller's tokens; expiries are absolute Unix seconds, as TikTok sends them. `Debug` shows
/// the expiries only.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    /// Access token.
    pub access_token: String,
    /// Its expiry.
    pub access_expires_at: i64,
    /// Refresh token.
    pub refresh_token: String,
    /// Its expiry.
    pub refresh_expires_at: i64,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[redacted]")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &"[redacted]")
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

impl From<TokenData> for Tokens {
    fn from(data: TokenData) -> Self {
        Self {
            access_token: data.access_token,
            access_expires_at: data.access_token_expire_in.unwrap_or(0),
            refresh_token: data.refresh_token,
            refresh_expires_at: data.refresh_token_expire_in.unwrap_or(0),
        }
    }
}

/// A page of results with its token.
#[derive(Clone, Debug)]
pub struct RawPage {
    /// The exact response body.
    pub body: String,
    /// `data`.
    pub data: Value,
    /// The next page token; `None` on the last page.
    pub next: Option<String>,
}

impl RawPage {
    /// Several pages stored as one payload: a JSON array of the response bodies, verbatim.
    pub fn joined(pages: &[Self]) -> String {
        crate::connectors::joined_pages(pages.iter().map(|page| page.body.as_str()))
    }
}

/// A client for one seller grant (and, with a cipher, one shop).
#[derive(Clone, Debug)]
pub struct TikTokClient {
    http: reqwest::Client,
    config: Arc<TikTokConfig>,
    tokens: Arc<Mutex<Tokens>>,
    cipher: Option<String>,
}

impl TikTokClient {
    /// A client over existing tokens.
    pub fn new(http: reqwest::Client, config: Arc<TikTokConfig>, tokens: Tokens) -> Self {
        Self {
            http,
            config,
            tokens: Arc::new(Mutex::new(tokens)),
            cipher: None,
        }
    }

    /// The same grant, scoped to the shop with `cipher`.
    #[must_use]
    pub fn for_shop(&self, cipher: &str) -> Self {
        Self {
            cipher: Some(cipher.to_owned()),
            ..self.clone()
        }
    }

    /// The current tokens (to persist after a refresh).
    pub async fn tokens(&self) -> Tokens {
        self.tokens.lock().await.clone()
    }

    /// Exchanges an authorisation code for tokens (auth host; not signed).
    ///
    /// # Errors
    /// A refused code, or network failure.
    pub async fn exchange_code(
        http: &reqwest::Client,
        config: &TikTokConfig,
        code: &str,
    ) -> Result<Tokens, TikTokError> {
        let query = [
            ("app_key", config.app_key.as_str()),
            ("app_secret", config.app_secret.as_str()),
            ("auth_code", code),
            ("grant_type", "authorized_code"),
        ];
        token_call(http, &config.auth_base, "/api/v2/token/get", &query)
            .await
            .map_err(|e| e.hiding(&[&config.app_secret, code]))
    }

    async fn refresh(&self, stale: &str) -> Result<(), TikTokError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access_token != stale {
            return Ok(()); // another task already refreshed
        }
        let query = [
            ("app_key", self.config.app_key.as_str()),
            ("app_secret", self.config.app_secret.as_str()),
            ("refresh_token", tokens.refresh_token.as_str()),
            ("grant_type", "refresh_token"),
        ];
        *tokens = token_call(
            &self.http,
            &self.config.auth_base,
            "/api/v2/token/refresh",
            &query,
        )
        .await
        .map_err(|e| e.hiding(&[&self.config.app_secret, &tokens.refresh_token]))?;
        tracing::info!("refreshed the TikTok access token");
        Ok(())
    }

    async fn access_token(&self) -> Result<String, TikTokError> {
        let (token, expires) = {
            let tokens = self.tokens.lock().await;
            (tokens.access_token.clone(), tokens.access_expires_at)
        };
        if expires > 0 && expires - chrono::Utc::now().timestamp() < REFRESH_MARGIN_SECS {
            self.refresh(&token).await?;
            return Ok(self.tokens.lock().await.access_token.clone());
        }
        Ok(token)
    }

    /// One API call with retries; returns the exact body and the `data` value.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(String, Value), TikTokError> {
        let body_bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| UpstreamError::decode(CHANNEL, path, e.to_string()))?;
        let mut refreshed = false;
        let mut last = String::new();
        // Failed attempts so far; a token refresh is not a failure and does not count.
        let mut attempt = 0;
        while attempt < self.config.retry.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.config.retry.delay(attempt - 1)).await;
            }
            let token = self.access_token().await?;
            let mut query: Vec<(String, String)> = vec![
                ("app_key".to_owned(), self.config.app_key.clone()),
                (
                    "timestamp".to_owned(),
                    chrono::Utc::now().timestamp().to_string(),
                ),
            ];
            if let Some(cipher) = &self.cipher {
                query.push(("shop_cipher".to_owned(), cipher.clone()));
            }
            query.extend(
                params
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| ((*k).to_owned(), v.clone())),
            );
            let signature = sign(&self.config.app_secret, path, &query, body_bytes.as_deref());
            query.push(("sign".to_owned(), signature));
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.config.api_base))
                .query(&query)
                .header("x-tts-access-token", &token)
                .header("content-type", "application/json");
            if let Some(bytes) = &body_bytes {
                request = request.body(bytes.clone());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(error) if error.is_timeout() || error.is_connect() => {
                    last = UpstreamError::no_answer(error);
                    tracing::warn!(path, attempt, error = %last, "TikTok request failed; retrying");
                    attempt += 1;
                    continue;
                }
                Err(error) => return Err(UpstreamError::network(CHANNEL, path, error)),
            };
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| UpstreamError::network(CHANNEL, path, e))?;
            let envelope: Option<Envelope<Value>> = serde_json::from_str(&text).ok();
            let (code, message, request_id) = match &envelope {
                Some(envelope) => (
                    envelope.code,
                    envelope.message.clone(),
                    envelope.request_id.clone(),
                ),
                None => (-1, text.chars().take(200).collect(), String::new()),
            };
            if status.is_success() && code == 0 {
                let data = envelope.and_then(|e| e.data).unwrap_or(Value::Null);
                return Ok((text, data));
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
            if token_refused(code, &message) {
                // Refused again after a refresh, or the refresh itself refused: only the seller
                // can mend the grant now.
                if refreshed {
                    return Err(UpstreamError::answered(
                        CHANNEL,
                        path,
                        status.as_u16(),
                        answer,
                        &[code],
                    ));
                }
                refreshed = true;
                tracing::info!(
                    path,
                    request_id,
                    code,
                    "TikTok refused the access token; refreshing"
                );
                self.refresh(&token)
                    .await
                    .map_err(UpstreamError::needing_authorisation)?;
                continue;
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || status.is_server_error()
                || RETRYABLE.contains(&code);
            if !retryable {
                return Err(UpstreamError::answered(
                    CHANNEL,
                    path,
                    status.as_u16(),
                    answer,
                    &[],
                ));
            }
            last = upstream::answer(status.as_u16(), code, &message, &request_id);
            tracing::warn!(path, attempt, request_id, code, %status, "TikTok throttled or failed; backing off");
            attempt += 1;
        }
        Err(UpstreamError::Exhausted {
            channel: CHANNEL,
            endpoint: path.to_owned(),
            attempts: self.config.retry.attempts,
            last,
        })
    }

    /// One page of a paged endpoint.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        body: Option<&Value>,
        token: Option<&str>,
    ) -> Result<RawPage, TikTokError> {
        let mut params = params.to_vec();
        if let Some(token) = token {
            params.push(("page_token", token.to_owned()));
        }
        let (body, data) = self.call(method, path, &params, body).await?;
        let next = data
            .get("next_page_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(ToOwned::to_owned);
        Ok(RawPage { body, data, next })
    }

    /// Every page of a paged endpoint, in order.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn all_pages(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Vec<RawPage>, TikTokError> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .page(method.clone(), path, params, body, token.as_deref())
                .await?;
            token.clone_from(&page.next);
            pages.push(page);
            if token.is_none() {
                return Ok(pages);
            }
            if pages.len() > 100_000 {
                return Err(UpstreamError::decode(
                    CHANNEL,
                    path,
                    "more than 100000 pages: the page token does not advance",
                ));
            }
        }
    }

    /// The shops this grant covers, with their ciphers.
    ///
    /// # Errors
    /// See [`TikTokError`].
    pub async fn authorized_shops(&self) -> Result<Vec<super::model::AuthorizedShop>, TikTokError> {
        let path = "/authorization/202309/shops";
        let unscoped = Self {
            cipher: None,
            ..self.clone()
        };
        let (_, data) = unscoped.call(Method::GET, path, &[], None).await?;
        Ok(Self::decode::<super::model::ShopList>(path, &data)?.shops)
    }

    /// Decodes `value` as `T`, naming the path on failure.
    ///
    /// # Errors
    /// [`TikTokError::Decode`].
    pub fn decode<T: DeserializeOwned>(path: &str, value: &Value) -> Result<T, TikTokError> {
        // From a reference: a page is kept (for its raw record) after it is decoded, and
        // decoding a clone of it copied the whole tree first.
        T::deserialize(value).map_err(|e| UpstreamError::decode(CHANNEL, path, e.to_string()))
    }
}

/// One call to a token endpoint `path` of the auth host `base`. The query holds the app secret
/// and the code or refresh token, so no failure here names more than the path.
async fn token_call(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    query: &[(&str, &str)],
) -> Result<Tokens, TikTokError> {
    let network = |e| UpstreamError::network(CHANNEL, path, e);
    let response = http
        .get(format!("{base}{path}"))
        .query(query)
        .send()
        .await
        .map_err(network)?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(network)?;
    // serde's message may quote a value of the answer (a token): say only where it broke.
    let envelope: Envelope<TokenData> = serde_json::from_str(&text).map_err(|e| {
        UpstreamError::decode(
            CHANNEL,
            path,
            format!(
                "HTTP {status}, not the documented token answer (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    if envelope.code != 0 {
        let answer = (
            envelope.code,
            envelope.message.as_str(),
            envelope.request_id.as_str(),
        );
        return Err(UpstreamError::answered(
            CHANNEL,
            path,
            status,
            answer,
            REAUTHORIZE,
        ));
    }
    envelope
        .data
        .map(Tokens::from)
        .ok_or_else(|| UpstreamError::decode(CHANNEL, path, "no data in the token answer"))
}
