//! The Admin GraphQL client for one store: `X-Shopify-Access-Token`, cost-based throttling
//! (see [`super::throttle`]), bounded retries on `THROTTLED` (HTTP 200 or 429, honouring
//! `Retry-After`) and on 5xx or no answer, re-authorisation errors on 401/403 that are never
//! retried; bulk operations (run, poll, stream the JSONL line by line); and the OAuth code
//! exchange. The store's base URL is configuration (`shopify.shop_url`), so the same code
//! talks to the sandbox and to Shopify.

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::config::ShopifyAppConfig;
use super::error::ShopifyError;
use super::queries;
use super::throttle::{Backoff, Cost, CostThrottle};

/// One answer of the Admin GraphQL API.
#[derive(Clone, Debug)]
pub struct GraphqlPage {
    /// The exact response body (stored verbatim as the raw record).
    pub body: String,
    /// Its `data` member.
    pub data: Value,
    /// Its `extensions.cost`, when present.
    pub cost: Option<Cost>,
}

/// A client for one store's offline access token. Clones share the store's throttle state.
#[derive(Clone)]
pub struct ShopifyClient {
    http: reqwest::Client,
    shop: String,
    url: String,
    token: Arc<String>,
    throttle: Arc<CostThrottle>,
    backoff: Backoff,
}

impl std::fmt::Debug for ShopifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyClient")
            .field("shop", &self.shop)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The name of a document's first operation (`query PnlOrders(…)` → `PnlOrders`),
/// `anonymous` for an unnamed one.
pub fn operation_name(document: &str) -> String {
    let mut words = document
        .split(|c: char| c.is_whitespace() || c == '(' || c == '{')
        .filter(|w| !w.is_empty());
    while let Some(word) = words.next() {
        if word == "query" || word == "mutation" {
            return words
                .next()
                .filter(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or("anonymous")
                .to_owned();
        }
        if word.starts_with('{') || word.starts_with('#') {
            break;
        }
    }
    "anonymous".to_owned()
}

/// `Retry-After` in seconds.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Shopify's words in an error body: `errors` as a string, or the messages of `errors[]`.
fn messages(body: &Value) -> String {
    match body.get("errors") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(errors)) => errors
            .iter()
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn error_code(body: &Value, code: &str) -> bool {
    body.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some(code))
        })
}

impl ShopifyClient {
    /// A client for `shop` (a validated `NAME.myshopify.com`) with its offline token.
    pub fn new(
        app: &ShopifyAppConfig,
        http: reqwest::Client,
        shop: &str,
        access_token: String,
    ) -> Self {
        Self {
            http,
            shop: shop.to_owned(),
            url: app.graphql_url(shop),
            token: Arc::new(access_token),
            throttle: Arc::new(CostThrottle::default()),
            backoff: Backoff::default(),
        }
    }

    /// The same client with other retry delays (tests use short ones).
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The store's throttle state (waits taken, for tests and metrics).
    pub fn throttle(&self) -> &CostThrottle {
        &self.throttle
    }

    /// The store.
    pub fn shop(&self) -> &str {
        &self.shop
    }

    /// Runs `document` (its fragments appended) with `variables`.
    ///
    /// # Errors
    /// See [`ShopifyError`]: `errors[]` other than throttling are `Graphql`, naming the
    /// operation and Shopify's messages.
    pub async fn query(
        &self,
        document: &str,
        variables: Value,
    ) -> Result<GraphqlPage, ShopifyError> {
        let document = queries::with_fragments(document);
        let operation = operation_name(&document);
        let request = json!({ "query": document, "variables": variables });
        let attempts = self.backoff.attempts.max(1);
        let mut last_server_error = None;
        let mut last_wait = None;
        for attempt in 0..attempts {
            let wait = self.throttle.reserve(&operation);
            if !wait.is_zero() {
                tracing::debug!(
                    operation,
                    wait_ms = wait.as_millis() as u64,
                    "waiting for Shopify's cost bucket"
                );
                tokio::time::sleep(wait).await;
            }
            let sent = self
                .http
                .post(&self.url)
                .header("X-Shopify-Access-Token", self.token.as_str())
                .json(&request)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(error) if error.is_timeout() || error.is_connect() => {
                    let failure = crate::connectors::upstream::UpstreamError::no_answer(error);
                    tracing::warn!(operation, attempt, error = %failure, "Shopify did not answer; retrying");
                    last_server_error = Some(failure);
                    tokio::time::sleep(self.backoff.delay(attempt)).await;
                    continue;
                }
                Err(error) => return Err(ShopifyError::network(&operation, error)),
            };
            let status = response.status();
            let after = retry_after(response.headers());
            let text = response
                .text()
                .await
                .map_err(|e| ShopifyError::network(&operation, e))?;
            let body: Option<Value> = serde_json::from_str(&text).ok();
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                let message = body
                    .as_ref()
                    .map(messages)
                    .unwrap_or_else(|| text.chars().take(200).collect());
                return Err(ShopifyError::Reauthorize {
                    operation,
                    status: status.as_u16(),
                    message,
                }
                .hiding(&[self.token.as_str()]));
            }
            if status.is_server_error() {
                tracing::warn!(operation, attempt, %status, "Shopify failed; backing off");
                last_server_error = Some(format!("HTTP {}", status.as_u16()));
                if attempt + 1 < attempts {
                    tokio::time::sleep(after.unwrap_or_default().max(self.backoff.delay(attempt)))
                        .await;
                }
                continue;
            }
            let Some(body) = body else {
                return Err(ShopifyError::upstream(
                    &operation,
                    Some(status.as_u16()),
                    format!("HTTP {}: the answer is not JSON", status.as_u16()),
                ));
            };
            let cost = body
                .pointer("/extensions/cost")
                .and_then(|c| serde_json::from_value::<Cost>(c.clone()).ok());
            if let Some(cost) = &cost {
                self.throttle.observe(&operation, cost);
            }
            if status == StatusCode::TOO_MANY_REQUESTS || error_code(&body, "THROTTLED") {
                let expected = cost
                    .and_then(|c| c.requested_query_cost)
                    .filter(|c| *c > 0.0);
                let bucket = expected
                    .map(|points| self.throttle.time_for(points))
                    .unwrap_or_default();
                let wait = after
                    .unwrap_or_default()
                    .max(bucket)
                    .max(self.backoff.delay(attempt));
                tracing::warn!(operation, attempt, %status, wait_ms = wait.as_millis() as u64, "Shopify throttled the query; backing off");
                last_wait = Some(wait);
                last_server_error = None;
                if attempt + 1 < attempts {
                    tokio::time::sleep(wait).await;
                }
                continue;
            }
            if error_code(&body, "MAX_COST_EXCEEDED") {
                let requested = body
                    .pointer("/errors/0/extensions/cost")
                    .and_then(Value::as_f64)
                    .or_else(|| cost.and_then(|c| c.requested_query_cost))
                    .unwrap_or(0.0);
                let max = body
                    .pointer("/errors/0/extensions/maxCost")
                    .and_then(Value::as_f64)
                    .unwrap_or(1000.0);
                return Err(ShopifyError::MaxCostExceeded {
                    operation,
                    cost: requested as u64,
                    max: max as u64,
                });
            }
            if body.get("errors").is_some() {
                return Err(ShopifyError::Graphql {
                    operation,
                    message: messages(&body),
                }
                .hiding(&[self.token.as_str()]));
            }
            if !status.is_success() {
                return Err(ShopifyError::upstream(
                    &operation,
                    Some(status.as_u16()),
                    format!("HTTP {}", status.as_u16()),
                ));
            }
            let data = body.get("data").cloned().unwrap_or(Value::Null);
            return Ok(GraphqlPage {
                body: text,
                data,
                cost,
            });
        }
        match (last_server_error, last_wait) {
            (Some(last), _) => Err(ShopifyError::upstream(
                &operation,
                None,
                format!("kept failing after {attempts} attempts; the last: {last}"),
            )),
            (None, retry_after) => Err(ShopifyError::Throttled {
                operation,
                attempts,
                retry_after,
            }),
        }
    }

    /// Starts a bulk query (`inner_query`, e.g. [`queries::BULK_ORDERS`] with its filter);
    /// the operation's gid.
    ///
    /// # Errors
    /// `userErrors` (another bulk query running, an invalid query) are `Graphql`.
    pub async fn run_bulk(&self, inner_query: &str) -> Result<String, ShopifyError> {
        let page = self
            .query(queries::BULK_RUN, json!({ "query": inner_query }))
            .await?;
        let payload = &page.data["bulkOperationRunQuery"];
        let errors: Vec<&str> = payload["userErrors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["message"].as_str()).collect())
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(ShopifyError::Graphql {
                operation: "PnlBulkRun".to_owned(),
                message: errors.join("; "),
            });
        }
        payload["bulkOperation"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                ShopifyError::upstream("PnlBulkRun", Some(200), "no bulkOperation id in the answer")
            })
    }

    /// Polls the bulk operation `id` every `poll` until it ends; `on_progress` hears its
    /// `objectCount`. The download URL when COMPLETED (None when it found no objects).
    ///
    /// # Errors
    /// FAILED, CANCELED or EXPIRED is `BulkFailed` naming its `errorCode`.
    pub async fn wait_bulk(
        &self,
        id: &str,
        poll: Duration,
        on_progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Option<String>, ShopifyError> {
        loop {
            let page = self.query(queries::BULK_POLL, json!({ "id": id })).await?;
            let node = &page.data["node"];
            if node.is_null() {
                return Err(ShopifyError::upstream(
                    "PnlBulkPoll",
                    Some(200),
                    format!("no bulk operation {id}"),
                ));
            }
            // objectCount is an UnsignedInt64, written as a string; a number is accepted too.
            let count = match &node["objectCount"] {
                Value::String(s) => s.parse().unwrap_or(0),
                other => other.as_u64().unwrap_or(0),
            };
            on_progress(count);
            match node["status"].as_str().unwrap_or_default() {
                "COMPLETED" => return Ok(node["url"].as_str().map(str::to_owned)),
                status @ ("FAILED" | "CANCELED" | "CANCELLED" | "EXPIRED") => {
                    return Err(ShopifyError::BulkFailed {
                        id: id.to_owned(),
                        status: status.to_owned(),
                        error_code: node["errorCode"].as_str().unwrap_or("none").to_owned(),
                    });
                }
                _ => tokio::time::sleep(poll).await,
            }
        }
    }

    /// Streams the JSONL at `url` line by line (one chunk and one partial line buffered at a
    /// time). The URL is a credential: it appears in no error.
    ///
    /// # Errors
    /// No answer or a refusal, without the URL.
    pub async fn download_lines(
        &self,
        url: &str,
    ) -> Result<impl Stream<Item = Result<String, ShopifyError>> + Send + use<>, ShopifyError> {
        download_lines(&self.http, url).await
    }
}

/// Exchanges an install callback's `code` for the store's offline token: `(access_token,
/// scope)`.
///
/// # Errors
/// A refused code or app credentials (`Upstream`, naming Shopify's `error`), or no answer;
/// never the code or the secret.
pub async fn exchange_code(
    app: &ShopifyAppConfig,
    http: &reqwest::Client,
    shop: &str,
    code: &str,
) -> Result<(String, String), ShopifyError> {
    const ENDPOINT: &str = "/admin/oauth/access_token";
    let secret = app.api_secret.expose();
    let url = format!("{}{ENDPOINT}", app.shop_base(shop));
    let hide = |e: ShopifyError| e.hiding(&[code, secret]);
    let response = http
        .post(&url)
        .json(&json!({ "client_id": app.api_key, "client_secret": secret, "code": code }))
        .send()
        .await
        .map_err(|e| hide(ShopifyError::network(ENDPOINT, e)))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| hide(ShopifyError::network(ENDPOINT, e)))?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        let words = match (body["error"].as_str(), body["error_description"].as_str()) {
            (Some(error), Some(description)) => format!("{error}: {description}"),
            (Some(error), None) => error.to_owned(),
            _ => messages(&body),
        };
        return Err(hide(ShopifyError::upstream(
            ENDPOINT,
            Some(status.as_u16()),
            format!("HTTP {}: {words}", status.as_u16()),
        )));
    }
    match (body["access_token"].as_str(), body["scope"].as_str()) {
        (Some(token), Some(scope)) if !token.is_empty() => Ok((token.to_owned(), scope.to_owned())),
        _ => Err(ShopifyError::upstream(
            ENDPOINT,
            Some(status.as_u16()),
            "the answer has no access_token and scope",
        )),
    }
}

mod download;
#[cfg(test)]
mod tests;

pub use download::download_lines;
