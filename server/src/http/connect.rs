//! `/connect/{kind}`: start an OAuth round trip and receive the channel's callback at
//! `/connect/{kind}/callback`; `kind` names an [`crate::connectors::seam::OAuthFlow`] of the
//! connector registry (404 in words for an unknown one).
//!
//! A round trip starts with a token with `connectors:write` (`Authorization: Bearer`) or with a
//! one-time `ticket` from the GraphQL API's authorize-URL queries. Starting sets a cookie on the browser (HttpOnly,
//! SameSite=Lax, Path=/connect, as long as the state lives) and redirects to the channel; the
//! callback accepts the returned `state` once, from the browser holding that cookie (see
//! [`crate::connect::state`]).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::auth::viewer_from_headers;
use super::HttpState;
use crate::auth::Scope;
use crate::connect::state::{consume_state, redeem_ticket, Consumed, STATE_TTL_SECS};
use crate::connect::{self, ConnectKind, Started};
use crate::connectors::seam::OAuthFlow;
use crate::error::{Error, Result};

/// The org a round trip starts for: the ticket's (which must be the token's org when a token is
/// sent too), or the token's; and the account, the ticket's or the one the query names.
async fn org_of(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    flow: &dyn OAuthFlow,
) -> Result<(i64, Option<String>)> {
    let kind = flow.kind();
    let viewer = viewer_from_headers(&state.app, headers).await?;
    if let Some(viewer) = &viewer {
        viewer.require(Scope::ConnectorsWrite)?;
    }
    let viewer_org = viewer.map(|viewer| viewer.org.id);
    match query.get("ticket") {
        Some(ticket) => {
            let consumed = redeem_ticket(state.app.db.conn(), ticket, kind, viewer_org).await?;
            let subject = match consumed.subject {
                Some(subject) => Some(subject),
                None => connect::subject_of(flow, subject_value(flow, query))?,
            };
            Ok((consumed.org.id, subject))
        }
        None => Ok((
            viewer_org.ok_or_else(|| {
                Error::Unauthenticated(
                    "authentication required: send `Authorization: Bearer <token>`, or open the \
                 one-time URL that the GraphQL authorize-URL query for this connection returns"
                        .to_owned(),
                )
            })?,
            connect::subject_of(flow, subject_value(flow, query))?,
        )),
    }
}

/// The value the start request gives for the flow's account parameter.
fn subject_value<'a>(flow: &dyn OAuthFlow, query: &'a HashMap<String, String>) -> Option<&'a str> {
    flow.subject_param()
        .and_then(|name| query.get(name))
        .map(String::as_str)
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

/// `GET /connect/{kind}[?ticket=…]`: redirects to the channel's authorisation page.
pub(super) async fn begin(
    State(state): State<HttpState>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let flow = match connect::flow(&state.app, &kind) {
        Ok(flow) => flow,
        Err(error) => return error.into_response(),
    };
    let kind = flow.kind();
    let started = match org_of(&state, &headers, &query, flow).await {
        Ok((org, subject)) => connect::start(&state.app, org, flow, subject.as_deref()).await,
        Err(error) => Err(error),
    };
    match started {
        Ok(started) => redirect(&state, kind, &started),
        Err(error) => error.into_response(),
    }
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

/// Consumes the callback's `state` for this browser and returns its org, account and the code;
/// nothing is consumed when the code is missing or the callback's own signature is wrong.
async fn consume(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    flow: &dyn OAuthFlow,
) -> Result<(Consumed, String)> {
    let kind = flow.kind();
    let code = param(query, flow.code_params())?.to_owned();
    flow.verify_callback(&state.app, query)?;
    let browser = cookie(headers, &kind.cookie());
    let consumed = consume_state(
        state.app.db.conn(),
        param(query, &["state"])?,
        kind,
        browser.as_deref(),
    )
    .await?;
    Ok((consumed, code))
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

/// `GET /connect/{kind}/callback?code&state`: connects what the seller granted to the state's
/// org and starts its first syncs.
pub(super) async fn callback(
    State(state): State<HttpState>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let flow = match connect::flow(&state.app, &kind) {
        Ok(flow) => flow,
        Err(error) => return error.into_response(),
    };
    finish(&state, &headers, &query, flow).await
}

async fn finish(
    state: &HttpState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    flow: &dyn OAuthFlow,
) -> Response {
    let kind = flow.kind();
    let (Consumed { org, subject }, code) = match consume(state, headers, query, flow).await {
        Ok(consumed) => consumed,
        Err(error) => return error.into_response(),
    };
    let response = match flow
        .complete(&state.app, org.id, &code, query, subject.as_deref())
        .await
    {
        Ok(connected) => page(
            &format!(
                "Connected {} {} to org {}",
                connected.count, connected.noun, org.key
            ),
            &connected.lines,
        )
        .into_response(),
        Err(error) => error.into_response(),
    };
    forget_browser(response, kind)
}
