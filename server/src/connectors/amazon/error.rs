//! What talking to Amazon can fail with. Texts name the operation's path, the HTTP status
//! and Amazon's error code and message; never a token, a client secret, an authorisation
//! code or a pre-signed document URL.

use crate::connectors::upstream::{self, UpstreamError};

/// The channel, as errors name it.
pub const CHANNEL: &str = "Amazon";

/// A failed Amazon call.
#[derive(Debug, thiserror::Error)]
pub enum AmazonError {
    /// The grant is gone (`invalid_grant`, or 401/403 `Unauthorized` after a fresh token):
    /// retrying cannot help; the seller must authorise the app again.
    #[error("Amazon needs the account to be re-authorised: {endpoint} answered HTTP {status}, {code}: {message}")]
    Reauthorize {
        /// The path called.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// Amazon's code (`invalid_grant`, `Unauthorized`).
        code: String,
        /// Amazon's message.
        message: String,
    },
    /// Still throttled (429 `QuotaExceeded`) after every retry.
    #[error("Amazon kept throttling {endpoint} after {attempts} attempts")]
    RateLimited {
        /// The path called.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Any other failure: a refusal, a server error after every retry, no answer, or an
    /// answer that does not decode.
    #[error("Amazon failed at {endpoint}: {message}")]
    Upstream {
        /// The path called (or what was fetched, for report documents).
        endpoint: String,
        /// HTTP status, when Amazon answered.
        status: Option<u16>,
        /// What happened, in Amazon's words where it answered.
        message: String,
    },
}

impl AmazonError {
    /// An `Upstream` failure; `message` is cleaned of query strings.
    pub fn upstream(endpoint: &str, status: Option<u16>, message: impl AsRef<str>) -> Self {
        Self::Upstream {
            endpoint: endpoint.to_owned(),
            status,
            message: upstream::without_queries(message.as_ref()),
        }
    }

    /// A request that got no answer, described without its URL.
    pub fn network(endpoint: &str, error: reqwest::Error) -> Self {
        Self::upstream(endpoint, None, UpstreamError::no_answer(error))
    }

    /// Whether only a new authorisation can help.
    pub fn needs_reauthorization(&self) -> bool {
        matches!(self, Self::Reauthorize { .. })
    }
}

impl From<AmazonError> for UpstreamError {
    /// The shared error the sync engine understands (`Reauthorize` marks the shop
    /// NEEDS_REAUTH). Amazon's codes are words, so they travel in the message.
    fn from(error: AmazonError) -> Self {
        match error {
            AmazonError::Reauthorize {
                endpoint,
                status,
                code,
                message,
            } => Self::Reauthorize {
                channel: CHANNEL,
                endpoint,
                status,
                code: 0,
                message: format!("{code}: {message}"),
                request_id: String::new(),
            },
            AmazonError::RateLimited { endpoint, attempts } => Self::Exhausted {
                channel: CHANNEL,
                endpoint,
                attempts,
                last: "HTTP 429 QuotaExceeded".to_owned(),
            },
            AmazonError::Upstream {
                endpoint,
                status: Some(status),
                message,
            } => Self::Api {
                channel: CHANNEL,
                endpoint,
                status,
                code: 0,
                message,
                request_id: String::new(),
            },
            AmazonError::Upstream {
                endpoint,
                status: None,
                message,
            } => Self::Network {
                channel: CHANNEL,
                endpoint,
                failure: message,
            },
        }
    }
}
