//! The gate of every signed shop-API request: faults, common parameters, signature,
//! timestamp window, access token and shop cipher, checked in that order.

use axum::body::{to_bytes, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::envelope::ApiError;
use super::sign;
use super::tokens::TokenState;
use super::Shared;
use crate::faults::Injected;
use crate::sandbox::lock;

/// Largest accepted request body.
const BODY_LIMIT: usize = 1 << 20;
/// Allowed clock skew of `timestamp`, either way (reference §1.3).
const TIMESTAMP_WINDOW_SECS: i64 = 300;

/// A verified shop-API request.
#[derive(Debug)]
pub(crate) struct ShopCall {
    /// The shop the `shop_cipher` names (`None` on `/authorization/*`).
    pub(crate) shop: Option<usize>,
    params: Vec<(String, String)>,
    body: Bytes,
}

/// Paths that must be called without `shop_cipher` (reference §1.2).
fn is_shopless(path: &str) -> bool {
    path.starts_with("/authorization/") || path.starts_with("/seller/")
}

impl FromRequest<Shared> for ShopCall {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, ApiError> {
        match state.faults.on_shop_request() {
            Injected::None => {}
            Injected::Throttle => {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    36009002,
                    "Too many requests, please try again later",
                ))
            }
            Injected::ServerError => {
                return Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    36009003,
                    "internal error, please retry",
                ))
            }
            Injected::InternalErrorCode => {
                return Err(ApiError::new(
                    StatusCode::OK,
                    36009003,
                    "internal error, please retry",
                ))
            }
        }
        let (parts, body) = req.into_parts();
        let body = to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| ApiError::param("invalid request body"))?;
        let params = sign::parse_query(parts.uri.query().unwrap_or(""));
        let call = Self {
            shop: None,
            params,
            body,
        };
        // ⚠ The reference says Content-Type is required even on GET; what TikTok answers
        // without it is unknown, so the sandbox answers 36009004.
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type.starts_with("application/json") {
            return Err(ApiError::param(
                "invalid content-type, expect application/json",
            ));
        }
        let config = &state.config;
        match call.param("app_key") {
            None => return Err(ApiError::param("param app_key is missing")),
            Some(k) if k != config.app_key => return Err(ApiError::param("invalid app_key")),
            Some(_) => {}
        }
        let Some(provided) = call.param("sign") else {
            return Err(ApiError::param("missing signature"));
        };
        let now = chrono::Utc::now().timestamp();
        let timestamp = call.param("timestamp").and_then(|t| t.parse::<i64>().ok());
        if timestamp.is_none_or(|t| (t - now).abs() > TIMESTAMP_WINDOW_SECS) {
            return Err(ApiError::param("invalid timestamp"));
        }
        let path = parts.uri.path();
        let body: &[u8] = if parts.method == axum::http::Method::GET {
            &[]
        } else {
            &call.body
        };
        if !sign::verify(&config.app_secret, path, &call.params, body, provided) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                106001,
                "invalid signature",
            ));
        }
        let token = parts
            .headers
            .get("x-tts-access-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let token_state = lock(&state.tokens).check_access(token, now, &state.faults);
        match token_state {
            TokenState::Valid => {}
            TokenState::Unknown => return Err(ApiError::param("invalid x-tts-access-token")),
            TokenState::Expired => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    105002,
                    "access token expired",
                ))
            }
            TokenState::Revoked => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    36004005,
                    "can not find related auth record",
                ))
            }
        }
        let cipher = call.param("shop_cipher");
        let shop = match (is_shopless(path), cipher) {
            (true, Some(_)) => return Err(ApiError::param("unexpected shop_cipher")),
            (true, None) => None,
            (false, Some(c)) => match state.world.shop_by_cipher(c) {
                Some(shop) => Some(shop),
                None => return Err(ApiError::param("invalid shop_cipher")),
            },
            (false, None) => return Err(ApiError::param("invalid shop_cipher")),
        };
        Ok(Self { shop, ..call })
    }
}

impl ShopCall {
    /// The first value of a query parameter.
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The shop of a shop-scoped call.
    pub(crate) fn shop(&self) -> Result<usize, ApiError> {
        self.shop
            .ok_or_else(|| ApiError::param("invalid shop_cipher"))
    }

    /// An optional integer query parameter.
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.param(key).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::param(format!("invalid {key}"))),
        }
    }

    /// `page_size` within `min..=max` (default when absent, unless required).
    pub(crate) fn page_size(
        &self,
        default: Option<usize>,
        min: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        match (self.int("page_size")?, default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(ApiError::param("param page_size is missing")),
            (Some(n), _) if n >= min as i64 && n <= max as i64 => Ok(n as usize),
            (Some(_), _) => Err(ApiError::param(format!(
                "invalid page_size, it must be between {min} and {max}"
            ))),
        }
    }

    /// The required `sort_field`, which must be one of `allowed`.
    pub(crate) fn sort_field(&self, allowed: &[&str]) -> Result<String, ApiError> {
        match self.param("sort_field").filter(|v| !v.is_empty()) {
            None => Err(ApiError::param("param sort_field is missing")),
            Some(f) if allowed.contains(&f) => Ok(f.to_owned()),
            Some(_) => Err(ApiError::param("invalid sort_field")),
        }
    }

    /// Whether `sort_order` asks for descending order (`default_desc` when absent).
    pub(crate) fn descending(&self, default_desc: bool) -> Result<bool, ApiError> {
        match self.param("sort_order").filter(|v| !v.is_empty()) {
            None => Ok(default_desc),
            Some("ASC") => Ok(false),
            Some("DESC") => Ok(true),
            Some(_) => Err(ApiError::param("invalid sort_order")),
        }
    }

    /// The page token, if any.
    pub(crate) fn page_token(&self) -> Option<&str> {
        self.param("page_token")
    }

    /// The JSON body (an empty body reads as `{}`).
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body)
            .map_err(|e| ApiError::param(format!("invalid request body: {e}")))
    }
}
