//! The one application error type, its client-facing `code`, and its mapping to GraphQL errors
//! and HTTP responses.
//!
//! Internal errors (database, I/O, bugs) are logged here with their full cause chain and reach
//! the client only as `"internal error"` with code `INTERNAL`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No token, or a token that does not verify; the reason is safe to show.
    #[error("{0}")]
    Unauthenticated(String),
    /// A valid token without the scope the operation needs.
    #[error("{0}")]
    Forbidden(String),
    /// The named thing does not exist in the caller's org.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What was looked for.
        entity: &'static str,
        /// The identifier given.
        id: String,
    },
    /// Input the caller can fix; the message names the field and value.
    #[error("{0}")]
    BadInput(String),
    /// Too many requests from one token or address; retry after this many seconds.
    #[error("too many requests: retry after {0} s")]
    RateLimited(u64),
    /// A database failure.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Anything else that is our fault.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// The stable code clients branch on (`extensions.code` in GraphQL).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::Db(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    /// Shorthand for [`Error::BadInput`].
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    /// Whether this is our failure (the database, a bug) rather than the input's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Db(_) | Self::Internal(_))
    }

    /// The message a client may see: internals are replaced and logged.
    pub fn public_message(&self) -> String {
        if self.is_internal() {
            tracing::error!(error = ?self, "internal error");
            "internal error".to_owned()
        } else {
            self.to_string()
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::BadInput(_) => StatusCode::BAD_REQUEST,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl async_graphql::ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        let code = self.code();
        async_graphql::Error::new(self.public_message()).extend_with(|_, e| e.set("code", code))
    }
}

impl Error {
    /// The error's usual answer, with another HTTP status (415, 406, 413 …).
    pub fn into_response_with(self, status: StatusCode) -> Response {
        let mut response = self.into_response();
        *response.status_mut() = status;
        response
    }
}

/// Non-GraphQL routes answer with a GraphQL-shaped error body, so clients parse one shape.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // A request error: nothing was executed, so there is no `data` (GraphQL over HTTP).
        let body = json!({
            "errors": [{ "message": self.public_message(), "extensions": { "code": self.code() } }],
        });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        if let Self::RateLimited(seconds) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Money errors come from input (a bad amount, an unknown currency, a total out of range).
impl From<crate::money::MoneyError> for Error {
    fn from(error: crate::money::MoneyError) -> Self {
        Self::BadInput(error.to_string())
    }
}
