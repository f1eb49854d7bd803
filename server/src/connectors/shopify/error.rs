//! What talking to Shopify can fail with. Texts name the GraphQL operation (or the OAuth
//! endpoint), the HTTP status and Shopify's message; never an access token, the app secret,
//! an authorisation code or a bulk download URL (its query string is a signature).

use std::time::Duration;

use crate::connectors::seam::ConnectorError;
use crate::connectors::upstream;

/// The channel, as errors name it.
pub const CHANNEL: &str = "Shopify";

/// A failed Shopify call.
#[derive(Debug, thiserror::Error)]
pub enum ShopifyError {
    /// 401/403: the token is invalid or the app was uninstalled; only a new install helps.
    #[error("Shopify needs the store to be re-authorised: {operation} answered HTTP {status}: {message}")]
    Reauthorize {
        /// The GraphQL operation (or endpoint) called.
        operation: String,
        /// HTTP status.
        status: u16,
        /// Shopify's words.
        message: String,
    },
    /// Still `THROTTLED` (HTTP 200 or 429) after every retry.
    #[error("Shopify kept throttling {operation} after {attempts} attempts")]
    Throttled {
        /// The GraphQL operation.
        operation: String,
        /// Attempts made.
        attempts: u32,
        /// The last `Retry-After`, or the wait the bucket asked for.
        retry_after: Option<Duration>,
    },
    /// The query alone costs more than Shopify allows: ask for smaller pages.
    #[error("Shopify refused {operation}: it costs {cost} points, above the single-query limit of {max}; ask for fewer items a page")]
    MaxCostExceeded {
        /// The GraphQL operation.
        operation: String,
        /// Its `requestedQueryCost`.
        cost: u64,
        /// The limit.
        max: u64,
    },
    /// The answer carried `errors[]` (or `userErrors`): Shopify's messages.
    #[error("Shopify refused {operation}: {message}")]
    Graphql {
        /// The GraphQL operation.
        operation: String,
        /// Shopify's messages, joined by `; `.
        message: String,
    },
    /// A bulk operation ended FAILED, CANCELED or EXPIRED.
    #[error("Shopify bulk operation {id} ended {status} (errorCode {error_code})")]
    BulkFailed {
        /// The operation's gid.
        id: String,
        /// Its final status.
        status: String,
        /// Shopify's `errorCode` (`ACCESS_DENIED`, `INTERNAL_SERVER_ERROR`, `TIMEOUT`, or
        /// `none`).
        error_code: String,
    },
    /// Any other failure: a server error after every retry, no answer, an answer that does
    /// not decode, a refused code exchange.
    #[error("Shopify failed at {operation}: {message}")]
    Upstream {
        /// The operation or endpoint.
        operation: String,
        /// HTTP status, when Shopify answered.
        status: Option<u16>,
        /// What happened.
        message: String,
    },
}

impl ShopifyError {
    /// An `Upstream` failure; `message` is cleaned of query strings.
    pub fn upstream(operation: &str, status: Option<u16>, message: impl AsRef<str>) -> Self {
        Self::Upstream {
            operation: operation.to_owned(),
            status,
            message: upstream::without_queries(message.as_ref()),
        }
    }

    /// A request that got no answer, described without its URL.
    pub fn network(operation: &str, error: reqwest::Error) -> Self {
        Self::upstream(operation, None, upstream::UpstreamError::no_answer(error))
    }

    /// Whether only a new authorisation (install) can help.
    pub fn needs_reauthorization(&self) -> bool {
        matches!(self, Self::Reauthorize { .. })
    }

    /// The same error with every occurrence of `secrets` in its text replaced.
    #[must_use]
    pub fn hiding(mut self, secrets: &[&str]) -> Self {
        let text = match &mut self {
            Self::Reauthorize { message, .. }
            | Self::Graphql { message, .. }
            | Self::Upstream { message, .. } => message,
            Self::Throttled { .. } | Self::MaxCostExceeded { .. } | Self::BulkFailed { .. } => {
                return self;
            }
        };
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            *text = text.replace(secret, "[redacted]");
        }
        self
    }
}

impl From<ShopifyError> for ConnectorError {
    /// `Reauthorize` pauses the store's sync (NEEDS_REAUTH); `Throttled` is rate limiting;
    /// anything else is retried by the next scheduled run.
    fn from(error: ShopifyError) -> Self {
        match error {
            ShopifyError::Reauthorize { .. } => Self::Reauthorize(error.to_string()),
            ShopifyError::Throttled { retry_after, .. } => Self::RateLimited {
                retry_after,
                message: error.to_string(),
            },
            other => Self::Upstream(other.to_string()),
        }
    }
}
