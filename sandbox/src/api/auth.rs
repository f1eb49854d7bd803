//! The auth host (reference §1.4): authorise, exchange a code, refresh. Not signed.
//!
//! Errors come back as HTTP 200 with a non-zero `code` (success is `code == 0`, not the
//! HTTP status; reference §8.2). ⚠ The codes for a wrong secret (36009004) and an unknown
//! or used code / refresh token (36004004) are the sandbox's choice; only 36004001 ("rt has
//! expired") and 36004005 are documented.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::envelope::{ok, ApiError, ApiResult, INVALID_PARAM};
use super::sign::percent_encode;
use super::tokens::{Issued, TokenState};
use super::Shared;
use crate::sandbox::lock;

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> &'a str {
    q.get(key).map_or("", String::as_str)
}

fn auth_error(code: i64, message: &str) -> ApiError {
    ApiError::new(StatusCode::OK, code, message)
}

/// `GET /oauth/authorize?app_key&state&redirect_uri`: approves at once and redirects
/// (302) to `redirect_uri?code=…&state=…`.
pub(crate) async fn authorize(State(s): State<Shared>, Query(q): Params) -> Response {
    if param(&q, "app_key") != s.config.app_key {
        return ApiError::new(StatusCode::BAD_REQUEST, INVALID_PARAM, "invalid app_key")
            .into_response();
    }
    let redirect = param(&q, "redirect_uri");
    if redirect.is_empty() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_PARAM,
            "param redirect_uri is missing",
        )
        .into_response();
    }
    let code = lock(&s.tokens).issue_code();
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let state = percent_encode(param(&q, "state"));
    let location = format!(
        "{redirect}{sep}code={}&state={state}",
        percent_encode(&code)
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn check_app(s: &Shared, q: &HashMap<String, String>) -> Result<(), ApiError> {
    if param(q, "app_key") != s.config.app_key {
        return Err(auth_error(INVALID_PARAM, "invalid app_key"));
    }
    if param(q, "app_secret") != s.config.app_secret {
        return Err(auth_error(INVALID_PARAM, "invalid app_secret"));
    }
    Ok(())
}

fn token_data(s: &Shared, issued: &Issued) -> serde_json::Value {
    let region = s
        .world
        .shops()
        .first()
        .map_or("", |shop| shop.region.as_str());
    json!({
        "access_token": issued.access_token,
        "access_token_expire_in": issued.access_expires_at,
        "refresh_token": issued.refresh_token,
        "refresh_token_expire_in": issued.refresh_expires_at,
        "open_id": format!("{:016x}", crate::rng::hash(&[s.world.seed(), 0x0BE1D])),
        "seller_name": "Sandbox Seller",
        "seller_base_region": region,
        "user_type": 0,
        // ⚠ UNCONFIRMED: the .NET SDK calls this list `granted_permissions`.
        "granted_scopes": [
            "seller.authorization.info",
            "seller.finance.info",
            "seller.order.info",
            "seller.return_refund.basic",
            "seller.affiliate_collaboration.read",
        ],
    })
}

/// `GET /api/v2/token/get?app_key&app_secret&auth_code&grant_type=authorized_code`.
pub(crate) async fn token_get(State(s): State<Shared>, Query(q): Params) -> ApiResult {
    check_app(&s, &q)?;
    if param(&q, "grant_type") != "authorized_code" {
        return Err(auth_error(INVALID_PARAM, "invalid grant_type"));
    }
    let now = chrono::Utc::now().timestamp();
    let mut tokens = lock(&s.tokens);
    if !tokens.redeem_code(param(&q, "auth_code")) {
        return Err(auth_error(
            36004004,
            "invalid auth_code, it is unknown or already used",
        ));
    }
    let issued = tokens.issue(now, s.config.access_token_ttl, &s.faults, None);
    drop(tokens);
    Ok(ok(token_data(&s, &issued)))
}

/// `GET /api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type=refresh_token`.
///
/// `grant_type=authorized_code` is accepted too: the official Node SDK sends that constant
/// for refreshes while the PHP and .NET SDKs send `refresh_token` (reference §1.4).
pub(crate) async fn token_refresh(State(s): State<Shared>, Query(q): Params) -> ApiResult {
    check_app(&s, &q)?;
    if !matches!(param(&q, "grant_type"), "refresh_token" | "authorized_code") {
        return Err(auth_error(INVALID_PARAM, "invalid grant_type"));
    }
    let now = chrono::Utc::now().timestamp();
    let refresh = param(&q, "refresh_token");
    let mut tokens = lock(&s.tokens);
    match tokens.check_refresh(refresh, now, &s.faults) {
        TokenState::Valid => {}
        TokenState::Unknown => return Err(auth_error(36004004, "invalid refresh_token")),
        TokenState::Expired | TokenState::Revoked => {
            return Err(auth_error(36004001, "rt has expired"))
        }
    }
    let issued = tokens.issue(now, s.config.access_token_ttl, &s.faults, Some(refresh));
    drop(tokens);
    Ok(ok(token_data(&s, &issued)))
}
