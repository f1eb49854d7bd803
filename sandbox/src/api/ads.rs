//! Marketing API host: OAuth and advertiser discovery (reference §6 "Authentication").
//!
//! Calls carry the `Access-Token` header (not HMAC-signed). Errors are HTTP 200 with a
//! non-zero code. ⚠ Codes for auth failures are the sandbox's choice, after TikTok's
//! public error list: 40104 "access token is null" (missing header), 40105 invalid or
//! revoked token, 40001 no permission (wrong app secret, foreign advertiser), 40002 bad
//! parameter; throttling is 40100 (reference §7).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::envelope::{ads_ok, ApiError, ApiResult};
use super::sign::percent_encode;
use super::Shared;
use crate::sandbox::lock;

/// Query parameters of an ads call.
pub(crate) type Params = Query<HashMap<String, String>>;

/// Counts the call, applies throttling and checks the `Access-Token` header.
pub(crate) fn guard(s: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    if s.faults.on_ads_request() {
        return Err(ApiError::ads(
            40100,
            "Too many requests. Please retry in some time.",
        ));
    }
    let token = headers
        .get("access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if token.is_empty() {
        return Err(ApiError::ads(
            40104,
            "Access token is null, please check the header",
        ));
    }
    if !lock(&s.tokens).ads_token_valid(token, &s.faults) {
        return Err(ApiError::ads(
            40105,
            "Access token is incorrect or has been revoked",
        ));
    }
    Ok(())
}

/// The shop index of an advertiser id from the query.
pub(crate) fn advertiser(s: &Shared, q: &HashMap<String, String>) -> Result<usize, ApiError> {
    let id = q.get("advertiser_id").map_or("", String::as_str);
    if id.is_empty() {
        return Err(ApiError::ads(
            40002,
            "advertiser_id: Missing data for required field.",
        ));
    }
    s.world
        .shop_by_advertiser(id)
        .ok_or_else(|| ApiError::ads(40001, format!("No permission to operate advertiser {id}")))
}

/// `GET /portal/auth?app_id&state&redirect_uri`: approves at once and redirects with
/// `auth_code` (and `code`, as TikTok sends both) and `state`.
pub(crate) async fn authorize(State(s): State<Shared>, Query(q): Params) -> Response {
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    if get("app_id") != s.config.ads_app_id || get("redirect_uri").is_empty() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            40002,
            "invalid app_id or redirect_uri",
        )
        .into_response();
    }
    let code = percent_encode(&lock(&s.tokens).issue_ads_code());
    let redirect = get("redirect_uri");
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let state = percent_encode(get("state"));
    let location = format!("{redirect}{sep}auth_code={code}&code={code}&state={state}");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    app_id: Option<String>,
    secret: Option<String>,
    auth_code: Option<String>,
}

/// `POST /open_api/v1.3/oauth2/access_token/` with `{app_id, secret, auth_code}`.
pub(crate) async fn access_token(State(s): State<Shared>, body: Bytes) -> ApiResult {
    if s.faults.on_ads_request() {
        return Err(ApiError::ads(
            40100,
            "Too many requests. Please retry in some time.",
        ));
    }
    let body: TokenBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::ads(40002, format!("invalid request body: {e}")))?;
    let app_ok = body.app_id.as_deref() == Some(s.config.ads_app_id.as_str())
        && body.secret.as_deref() == Some(s.config.ads_secret.as_str());
    if !app_ok {
        return Err(ApiError::ads(40001, "app_id or secret is invalid"));
    }
    let code = body.auth_code.unwrap_or_default();
    let Some(token) = lock(&s.tokens).redeem_ads_code(&code, &s.faults) else {
        return Err(ApiError::ads(
            40002,
            "auth_code is invalid or has been used",
        ));
    };
    let advertisers: Vec<&str> = s
        .world
        .shops()
        .iter()
        .map(|x| x.advertiser_id.as_str())
        .collect();
    // `scope` lists permission ids; the sandbox grants reporting and GMV Max (⚠ values).
    Ok(ads_ok(json!({
        "access_token": token,
        "advertiser_ids": advertisers,
        "scope": [4, 17],
    })))
}

/// `GET /open_api/v1.3/oauth2/advertiser/get/?app_id&secret` (with `Access-Token`).
pub(crate) async fn advertisers(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> ApiResult {
    guard(&s, &headers)?;
    let get = |k: &str| q.get(k).map_or("", String::as_str);
    if get("app_id") != s.config.ads_app_id || get("secret") != s.config.ads_secret {
        return Err(ApiError::ads(40001, "app_id or secret is invalid"));
    }
    let list: Vec<Value> = s
        .world
        .shops()
        .iter()
        .enumerate()
        .map(|(i, shop)| {
            json!({
                "advertiser_id": shop.advertiser_id,
                "advertiser_name": s.world.shop(i).ads.name,
                "timezone": shop.advertiser_timezone,
            })
        })
        .collect();
    Ok(ads_ok(json!({ "list": list })))
}

/// `GET /open_api/v1.3/gmv_max/store/list/?advertiser_id`: the advertiser's shop.
pub(crate) async fn stores(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> ApiResult {
    guard(&s, &headers)?;
    let shop = advertiser(&s, &q)?;
    let info = &s.world.shops()[shop];
    Ok(ads_ok(json!({
        "store_list": [{
            "store_id": info.id,
            "is_gmv_max_available": true,
        }]
    })))
}
