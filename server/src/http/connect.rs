//! `/connect/...`: start an OAuth round trip (needs a token with `connectors:write`) and
//! receive the channel's callback (the sealed `state` names the org).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::auth::viewer_from_headers;
use super::HttpState;
use crate::auth::Scope;
use crate::connect::{self, ConnectKind};
use crate::error::{Error, Result};

async fn org_of(state: &HttpState, headers: &HeaderMap) -> Result<i64> {
    let viewer = viewer_from_headers(&state.app, headers)
        .await?
        .ok_or_else(|| {
            Error::Unauthenticated(
                "authentication required: send `Authorization: Bearer <token>`".to_owned(),
            )
        })?;
    viewer.require(Scope::ConnectorsWrite)?;
    Ok(viewer.org.id)
}

fn redirect(url: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, url.to_owned())]).into_response()
}

/// `GET /connect/tiktok`: redirects to TikTok Shop's authorisation page.
pub(super) async fn tiktok(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    match org_of(&state, &headers)
        .await
        .and_then(|org| connect::tiktok_authorize_url(&state.app, org))
    {
        Ok(url) => redirect(&url),
        Err(error) => error.into_response(),
    }
}

/// `GET /connect/tiktok-ads`: redirects to TikTok for Business's authorisation page.
pub(super) async fn tiktok_ads(State(state): State<HttpState>, headers: HeaderMap) -> Response {
    match org_of(&state, &headers)
        .await
        .and_then(|org| connect::tiktok_ads_authorize_url(&state.app, org))
    {
        Ok(url) => redirect(&url),
        Err(error) => error.into_response(),
    }
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

/// `GET /connect/tiktok/callback?code&state`: connects the seller's shops and starts their
/// backfill.
pub(super) async fn tiktok_callback(
    State(state): State<HttpState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let org = connect::org_of_state(
            &state.app,
            param(&query, &["state"])?,
            ConnectKind::TikTokShop,
        )?;
        connect::complete_tiktok(&state.app, org, param(&query, &["code", "auth_code"])?).await
    }
    .await;
    match result {
        Ok(shops) => {
            let lines: Vec<String> = shops
                .iter()
                .map(|s| format!("{} ({}) — backfill started", s.name, s.external_id))
                .collect();
            page(&format!("Connected {} TikTok shop(s)", shops.len()), &lines).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /connect/tiktok-ads/callback?auth_code&state`: stores the ad accounts and links them.
pub(super) async fn tiktok_ads_callback(
    State(state): State<HttpState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let org = connect::org_of_state(
            &state.app,
            param(&query, &["state"])?,
            ConnectKind::TikTokAds,
        )?;
        connect::complete_tiktok_ads(&state.app, org, param(&query, &["auth_code", "code"])?).await
    }
    .await;
    match result {
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
                &format!("Connected {} ad account(s)", accounts.len()),
                &lines,
            )
            .into_response()
        }
        Err(error) => error.into_response(),
    }
}
