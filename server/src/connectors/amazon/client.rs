//! The SP-API client for one seller in one region: `x-amz-access-token` from a cached LWA
//! token, per-operation usage plans, bounded retries with jitter on 429 and 5xx, one
//! refresh and retry on 403, and re-authorisation errors that are never retried. Finances
//! pages come back as raw bytes plus their `NextToken` (only the envelope is parsed here;
//! the wire model parses the rest). Base URLs are configuration, so the same code talks to
//! the sandbox and to Amazon.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde::Deserialize;
use tracing::Instrument;

use super::auth::{AmazonConfig, Region, TokenCache};
use super::error::AmazonError;
use super::rate::{Operation, RateLimits};

/// A time window of a Finances call: `…After` (inclusive) and `…Before` (exclusive; Amazon
/// defaults it to now − 2 minutes). At most 180 days apart, or Amazon answers empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub after: DateTime<Utc>,
    /// Exclusive end; must be more than 2 minutes before the request.
    pub before: Option<DateTime<Utc>>,
}

/// One page of a Finances v0 listing.
#[derive(Clone, Debug)]
pub struct RawPage {
    /// The exact response body (store it verbatim).
    pub body: String,
    /// `payload.NextToken`; None on the last page. Pages can be empty before it runs out.
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    payload: Option<PayloadToken>,
}

#[derive(Deserialize)]
struct PayloadToken {
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorList {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Amazon's `{code, message}` of an error answer (the body's first 200 characters when it
/// is not the documented list).
fn refusal(text: &str) -> (String, String) {
    match serde_json::from_str::<ErrorList>(text)
        .ok()
        .and_then(|l| l.errors.into_iter().next())
    {
        Some(e) => (e.code, e.message),
        None => (String::new(), text.chars().take(200).collect()),
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A client for one selling partner's grant in one region.
#[derive(Clone, Debug)]
pub struct AmazonClient {
    pub(crate) http: reqwest::Client,
    pub(crate) config: Arc<AmazonConfig>,
    region: Region,
    auth: Arc<TokenCache>,
    limits: Arc<RateLimits>,
}

impl AmazonClient {
    /// A client over the seller's refresh token, calling `region`'s host.
    pub fn new(
        http: reqwest::Client,
        config: Arc<AmazonConfig>,
        region: Region,
        refresh_token: String,
    ) -> Self {
        let limits = Arc::new(RateLimits::new(config.quotas));
        Self {
            http,
            config,
            region,
            auth: Arc::new(TokenCache::new(refresh_token)),
            limits,
        }
    }

    /// A client for the region serving `marketplace_id`.
    ///
    /// # Errors
    /// `Upstream` naming the id when it is not in Amazon's marketplace table.
    pub fn for_marketplace(
        http: reqwest::Client,
        config: Arc<AmazonConfig>,
        marketplace_id: &str,
        refresh_token: String,
    ) -> Result<Self, AmazonError> {
        let region = Region::for_marketplace(marketplace_id).ok_or_else(|| {
            AmazonError::upstream(
                "marketplace",
                None,
                format!("unknown marketplace id {marketplace_id}"),
            )
        })?;
        Ok(Self::new(http, config, region, refresh_token))
    }

    /// The region called.
    pub fn region(&self) -> Region {
        self.region
    }

    /// One GET with the usage plan, the token and retries; the body of the 200 answer.
    pub(crate) async fn get(
        &self,
        op: Operation,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<String, AmazonError> {
        let span = tracing::debug_span!(
            "amazon",
            operation = op.name(),
            region = self.region.as_str()
        );
        self.get_inner(op, path, query).instrument(span).await
    }

    async fn get_inner(
        &self,
        op: Operation,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<String, AmazonError> {
        let backoff = self.config.backoff;
        let url = format!("{}{path}", self.config.api_base.get(self.region));
        let mut refreshed = false;
        let mut attempt = 0;
        let mut last: Option<(u16, String)> = None;
        while attempt < backoff.attempts.max(1) {
            self.limits.acquire(op).await;
            let token = self.auth.access_token(&self.http, &self.config).await?;
            let sent = self
                .http
                .get(&url)
                .query(query)
                .header("x-amz-access-token", &token)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(error) if error.is_timeout() || error.is_connect() => {
                    let failure = crate::connectors::upstream::UpstreamError::no_answer(error);
                    tracing::warn!(path, attempt, error = %failure, "Amazon did not answer; retrying");
                    last = Some((0, failure));
                    tokio::time::sleep(backoff.delay(attempt)).await;
                    attempt += 1;
                    continue;
                }
                Err(error) => return Err(AmazonError::network(path, error)),
            };
            let status = response.status();
            if let Some(rate) = response
                .headers()
                .get("x-amzn-RateLimit-Limit")
                .and_then(|v| v.to_str().ok())
            {
                self.limits.observe(op, rate);
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response
                .text()
                .await
                .map_err(|e| AmazonError::network(path, e))?;
            if status.is_success() {
                return Ok(text);
            }
            let (code, message) = refusal(&text);
            if status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED {
                if refreshed {
                    return Err(AmazonError::Reauthorize {
                        endpoint: path.to_owned(),
                        status: status.as_u16(),
                        code,
                        message,
                    });
                }
                // The token expired or was revoked: refresh once (a revoked grant then
                // fails with invalid_grant, which is Reauthorize).
                refreshed = true;
                tracing::info!(path, code, "Amazon refused the access token; refreshing");
                self.auth.invalidate(&token).await;
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                let mut wait = backoff.delay(attempt);
                if status == StatusCode::TOO_MANY_REQUESTS {
                    // The bucket is empty: nothing comes back before one token period.
                    wait = wait.max(self.limits.period(op));
                }
                if let Some(after) = retry_after {
                    wait = wait.max(after);
                }
                tracing::warn!(path, attempt, %status, code, wait_ms = wait.as_millis() as u64, "Amazon throttled or failed; backing off");
                last = Some((status.as_u16(), format!("HTTP {status}, {code}: {message}")));
                attempt += 1;
                if attempt < backoff.attempts {
                    tokio::time::sleep(wait).await;
                }
                continue;
            }
            return Err(AmazonError::upstream(
                path,
                Some(status.as_u16()),
                format!("HTTP {}, {code}: {message}", status.as_u16()),
            ));
        }
        match last {
            Some((429, _)) => Err(AmazonError::RateLimited {
                endpoint: path.to_owned(),
                attempts: backoff.attempts,
            }),
            Some((status, words)) => Err(AmazonError::upstream(
                path,
                (status != 0).then_some(status),
                format!(
                    "kept failing after {} attempts; the last: {words}",
                    backoff.attempts
                ),
            )),
            None => Err(AmazonError::upstream(path, None, "no attempt was made")),
        }
    }

    fn finances_page(path: &str, body: String) -> Result<RawPage, AmazonError> {
        let envelope: Envelope = serde_json::from_str(&body).map_err(|e| {
            AmazonError::upstream(
                path,
                Some(200),
                format!(
                    "not a Finances envelope (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let next_token = envelope
            .payload
            .and_then(|p| p.next_token)
            .filter(|t| !t.is_empty());
        Ok(RawPage { body, next_token })
    }

    fn window_query(
        window: &Window,
        (after, before): (&'static str, &'static str),
        query: &mut Vec<(&'static str, String)>,
    ) {
        query.push((after, iso(window.after)));
        if let Some(b) = window.before {
            query.push((before, iso(b)));
        }
    }

    /// One page of `listFinancialEventGroups` for groups started in `window` (100 a page).
    ///
    /// # Errors
    /// See [`AmazonError`].
    pub async fn list_financial_event_groups(
        &self,
        window: &Window,
        next_token: Option<&str>,
    ) -> Result<RawPage, AmazonError> {
        let path = "/finances/v0/financialEventGroups";
        let mut query = vec![("MaxResultsPerPage", "100".to_owned())];
        Self::window_query(
            window,
            (
                "FinancialEventGroupStartedAfter",
                "FinancialEventGroupStartedBefore",
            ),
            &mut query,
        );
        if let Some(token) = next_token {
            query.push(("NextToken", token.to_owned()));
        }
        let body = self
            .get(Operation::ListFinancialEventGroups, path, &query)
            .await?;
        Self::finances_page(path, body)
    }

    /// One page of `listFinancialEventsByGroupId` (100 events a page); with a window, only
    /// events posted in it.
    ///
    /// # Errors
    /// See [`AmazonError`].
    pub async fn list_financial_events_by_group(
        &self,
        group_id: &str,
        window: Option<&Window>,
        next_token: Option<&str>,
    ) -> Result<RawPage, AmazonError> {
        let path = format!("/finances/v0/financialEventGroups/{group_id}/financialEvents");
        let mut query = vec![("MaxResultsPerPage", "100".to_owned())];
        if let Some(window) = window {
            Self::window_query(window, ("PostedAfter", "PostedBefore"), &mut query);
        }
        if let Some(token) = next_token {
            query.push(("NextToken", token.to_owned()));
        }
        let body = self
            .get(Operation::ListFinancialEventsByGroupId, &path, &query)
            .await?;
        Self::finances_page(&path, body)
    }

    /// The marketplaces the seller takes part in (Sellers API `getMarketplaceParticipations`),
    /// as `(marketplace id, country code, default currency)`, participating ones only.
    ///
    /// # Errors
    /// See [`AmazonError`]; an answer that does not decode is `Upstream`.
    pub async fn marketplace_participations(&self) -> Result<Vec<Participation>, AmazonError> {
        let path = "/sellers/v1/marketplaceParticipations";
        let body = self
            .get(Operation::GetMarketplaceParticipations, path, &[])
            .await?;
        let answer: ParticipationsEnvelope = serde_json::from_str(&body).map_err(|e| {
            AmazonError::upstream(
                path,
                Some(200),
                format!(
                    "not a marketplaceParticipations answer (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        Ok(answer
            .payload
            .into_iter()
            .filter(|p| p.participation.is_participating)
            .map(|p| Participation {
                marketplace_id: p.marketplace.id,
                country_code: p.marketplace.country_code,
                currency: p.marketplace.default_currency_code,
                name: p.marketplace.name,
            })
            .collect())
    }
}

/// A marketplace the seller sells in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participation {
    /// Marketplace id, e.g. `ATVPDKIKX0DER`.
    pub marketplace_id: String,
    /// Country code, e.g. `US`.
    pub country_code: String,
    /// The marketplace's default currency, e.g. `USD`.
    pub currency: String,
    /// Its name, e.g. `Amazon.com`.
    pub name: String,
}

#[derive(Deserialize)]
struct ParticipationsEnvelope {
    #[serde(default)]
    payload: Vec<ParticipationItem>,
}

#[derive(Deserialize)]
struct ParticipationItem {
    marketplace: MarketplaceItem,
    participation: ParticipationFlags,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarketplaceItem {
    id: String,
    #[serde(default)]
    country_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    default_currency_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParticipationFlags {
    is_participating: bool,
}

#[cfg(test)]
mod tests;
