//! `/connect/...`: start an OAuth round trip and receive the channel's callback.
//!
//! A round trip starts with a token with `connectors:write` (`Authorization: Bearer`) or with a
//! one-time `ticket` from `tiktokAuthorizeUrl`. Starting sets a cookie on the browser (HttpOnly,
//! SameSite=Lax, Path=/connect, as long as the state lives) and redirects to the channel; the
//! callback accepts the returned `state` once, from the browser holding that cookie (see
//! [`crate::connect::state`]).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::auth::viewer_from_headers;
use super::HttpState;
use crate::auth::Scope;
use crate::connect::state::{consume_state, redeem_ticket, STATE_TTL_SECS};
use crate::connect::{self, ConnectKind, Started};
use crate::error::{Error, Result};
use crate::org::OrgRef;

/// The org a round trip starts for: the ticket's (which must be the token's org when a token is
/// sent too), or the token's.
async fn org_of(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    kind: ConnectKind,
) -> Result<i64> {
    let viewer = viewer_from_headers(&state.app, headers).await?;
    if let Some(viewer) = &viewer {
        viewer.require(Scope::ConnectorsWrite)?;
    }
    let viewer_org = viewer.map(|viewer| viewer.org.id);
    match query.get("ticket") {
        Some(ticket) => Ok(redeem_ticket(state.app.db.conn(), ticket, kind, viewer_org)
            .await?
            .id),
        None => viewer_org.ok_or_else(|| {
            Error::Unauthenticated(
                "authentication required: send `Authorization: Bearer <token>`, or open the \
                 one-time URL that tiktokAuthorizeUrl / tiktokAdsAuthorizeUrl returns"
                    .to_owned(),
            )
        }),
    }
}

/// The redirect to the channel, setting the cookie that binds the round trip to this browser.
fn redirect(state: &HttpState, kind: ConnectKind, started: &Started) -> Response {
    let secure = if state.app.config.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Max-Age={STATE_TTL_SECS}; Path=/connect; HttpOnly; SameSite=Lax{secure}",
        kind.cookie(),
        started.browser
    );
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, started.authorize_url.clone()),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

async fn begin(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    kind: ConnectKind,
) -> Response {
    let started = match org_of(state, headers, query, kind).await {
        Ok(org) => connect::start(&state.app, org, kind).await,
        Err(error) => Err(error),
    };
    match started {
        Ok(started) => redirect(state, kind, &started),
        Err(error) => error.into_response(),
    }
}

/// `GET /connect/tiktok[?ticket=…]`: redirects to TikTok Shop's authorisation page.
pub(super) async fn tiktok(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    begin(&state, &headers, &query, ConnectKind::TikTokShop).await
}

/// `GET /connect/tiktok-ads[?ticket=…]`: redirects to TikTok for Business's authorisation page.
pub(super) async fn tiktok_ads(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    begin(&state, &headers, &query, ConnectKind::TikTokAds).await
}

/// The value of cookie `name` in the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Consumes the callback's `state` for this browser and returns its org and the code; nothing
/// is consumed when the code is missing.
async fn consume(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    kind: ConnectKind,
    code_names: &[&str],
) -> Result<(OrgRef, String)> {
    let code = param(query, code_names)?.to_owned();
    let browser = cookie(headers, kind.cookie());
    let org = consume_state(
        state.app.db.conn(),
        param(query, &["state"])?,
        kind,
        browser.as_deref(),
    )
    .await?;
    Ok((org, code))
}

/// `response` with the browser binding of `kind` removed: its state is used up.
fn forget_browser(mut response: Response, kind: ConnectKind) -> Response {
    let expired = format!(
        "{}=; Max-Age=0; Path=/connect; HttpOnly; SameSite=Lax",
        kind.cookie()
    );
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn page(title: &str, lines: &[String]) -> Html<String> {
    let items: String = lines
        .iter()
        .map(|l| format!("<li>{}</li>", escape(l)))
        .collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>{0}</title><h1>{0}</h1><ul>{items}</ul>",
        escape(title)
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn param<'a>(query: &'a HashMap<String, String>, names: &[&str]) -> Result<&'a str> {
    names
        .iter()
        .find_map(|name| query.get(*name))
        .map(String::as_str)
        .ok_or_else(|| Error::bad_input(format!("missing query parameter {}", names[0])))
}

/// `GET /connect/tiktok/callback?code&state`: connects the seller's shops to the state's org and
/// starts their backfill.
pub(super) async fn tiktok_callback(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let kind = ConnectKind::TikTokShop;
    let (org, code) = match consume(&state, &headers, &query, kind, &["code", "auth_code"]).await {
        Ok(consumed) => consumed,
        Err(error) => return error.into_response(),
    };
    let result = connect::complete_tiktok(&state.app, org.id, &code).await;
    let response = match result {
        Ok(shops) => {
            let lines: Vec<String> = shops
                .iter()
                .map(|s| format!("{} ({}) — backfill started", s.name, s.external_id))
                .collect();
            page(
                &format!(
                    "Connected {} TikTok shop(s) to org {}",
                    shops.len(),
                    org.key
                ),
                &lines,
            )
            .into_response()
        }
        Err(error) => error.into_response(),
    };
    forget_browser(response, kind)
}

/// `GET /connect/tiktok-ads/callback?auth_code&state`: stores the ad accounts in the state's org
/// and links them.
pub(super) async fn tiktok_ads_callback(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let kind = ConnectKind::TikTokAds;
    let (org, code) = match consume(&state, &headers, &query, kind, &["auth_code", "code"]).await {
        Ok(consumed) => consumed,
        Err(error) => return error.into_response(),
    };
    let result = connect::complete_tiktok_ads(&state.app, org.id, &code).await;
    let response = match result {
        Ok(accounts) => {
            let lines: Vec<String> = accounts
                .iter()
                .map(|a| match a.shop_id {
                    Some(_) => format!(
                        "{} ({}) — linked to its shop, spend sync started",
                        a.name, a.advertiser_id
                    ),
                    None => format!(
                        "{} ({}) — not linked: link it to a shop with linkAdAccount",
                        a.name, a.advertiser_id
                    ),
                })
                .collect();
            page(
                &format!(
                    "Connected {} ad account(s) to org {}",
                    accounts.len(),
                    org.key
                ),
                &lines,
            )
            .into_response()
        }
        Err(error) => error.into_response(),
    };
    forget_browser(response, kind)
}
