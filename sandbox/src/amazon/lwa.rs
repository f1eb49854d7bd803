//! Login with Amazon: `POST /auth/o2/token` (refresh-token and authorization-code grants)
//! and the Seller Central consent page `GET /apps/authorize/consent`, which approves at once
//! (like the TikTok auth host) and redirects with `spapi_oauth_code`, `selling_partner_id`
//! and `state`.
//!
//! Tokens record the fault generations current when they were issued (see
//! [`crate::Faults`]): a revoked seller's refresh tokens answer `invalid_grant` and its
//! access tokens 403, while tokens issued afterwards work.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rand::RngCore;
use serde_json::json;

use crate::api::Shared;
use crate::sandbox::lock;

#[derive(Debug, Clone)]
struct Access {
    seller: usize,
    expires: Instant,
    expire_generation: u64,
    revoke_generation: u64,
}

/// Issued codes and tokens.
#[derive(Debug, Default)]
pub(crate) struct LwaStore {
    codes: HashMap<String, usize>,
    refresh: HashMap<String, (usize, u64)>,
    access: HashMap<String, Access>,
}

fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Why an access token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    Missing,
    Unknown,
    Expired,
}

impl LwaStore {
    pub(crate) fn issue_code(&mut self, seller: usize) -> String {
        let code = random("ANsandbox");
        self.codes.insert(code.clone(), seller);
        code
    }

    pub(crate) fn issue_refresh(&mut self, seller: usize, revoke_generation: u64) -> String {
        let token = random("Atzr|sandbox-");
        self.refresh
            .insert(token.clone(), (seller, revoke_generation));
        token
    }

    fn issue_access(
        &mut self,
        seller: usize,
        ttl: Duration,
        expire_gen: u64,
        revoke_gen: u64,
    ) -> String {
        let token = random("Atza|sandbox-");
        let access = Access {
            seller,
            expires: Instant::now() + ttl,
            expire_generation: expire_gen,
            revoke_generation: revoke_gen,
        };
        self.access.insert(token.clone(), access);
        token
    }

    /// The seller an access token acts for.
    pub(crate) fn seller_of(&self, s: &Shared, token: Option<&str>) -> Result<usize, Refused> {
        let token = token.filter(|t| !t.is_empty()).ok_or(Refused::Missing)?;
        let access = self.access.get(token).ok_or(Refused::Unknown)?;
        let spec = &s.amazon.config.sellers[access.seller];
        let amazon = s.faults.amazon();
        if access.revoke_generation < amazon.revoke_generation(&spec.seller_id) {
            return Err(Refused::Unknown);
        }
        if access.expires <= Instant::now() || access.expire_generation < amazon.expire_generation()
        {
            return Err(Refused::Expired);
        }
        Ok(access.seller)
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /auth/o2/token` (form-encoded).
pub(crate) async fn token(
    State(s): State<Shared>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    s.amazon.lwa_calls.fetch_add(1, Ordering::SeqCst);
    let field = |k: &str| f.get(k).map_or("", String::as_str);
    let config = &s.amazon.config;
    if field("client_id") != config.lwa_client_id
        || field("client_secret") != config.lwa_client_secret
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let faults = s.faults.amazon();
    let mut store = lock(&s.amazon.tokens);
    let (seller, new_refresh) = match field("grant_type") {
        "refresh_token" => {
            let Some(&(seller, generation)) = store.refresh.get(field("refresh_token")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                );
            };
            if generation < faults.revoke_generation(&config.sellers[seller].seller_id) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                );
            }
            (seller, None)
        }
        "authorization_code" => {
            let Some(seller) = store.codes.remove(field("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The request has an invalid grant parameter : code",
                );
            };
            let generation = faults.revoke_generation(&config.sellers[seller].seller_id);
            (seller, Some(store.issue_refresh(seller, generation)))
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        }
    };
    let revoke = faults.revoke_generation(&config.sellers[seller].seller_id);
    let access = store.issue_access(
        seller,
        config.access_token_ttl,
        faults.expire_generation(),
        revoke,
    );
    drop(store);
    let mut body = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": config.access_token_ttl.as_secs(),
    });
    if let Some(refresh) = new_refresh {
        body["refresh_token"] = json!(refresh);
    }
    Json(body).into_response()
}

fn query_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /apps/authorize/consent?application_id&state[&version=beta][&redirect_uri]`.
///
/// Sandbox-only: `selling_partner_id` picks which configured seller consents (default: the
/// first). The redirect goes to `redirect_uri`, else to the app's registered URI.
pub(crate) async fn consent(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let param = |k: &str| q.get(k).map_or("", String::as_str);
    let config = &s.amazon.config;
    let bad = |message: &str| (StatusCode::BAD_REQUEST, message.to_owned()).into_response();
    if param("application_id") != config.application_id {
        return bad("unknown application_id");
    }
    if param("state").is_empty() {
        return bad("state is missing");
    }
    let redirect = match (param("redirect_uri"), &config.redirect_uri) {
        ("", Some(registered)) => registered.clone(),
        ("", None) => return bad("the app has no redirect URI and none was given"),
        (given, _) => given.to_owned(),
    };
    let seller = match param("selling_partner_id") {
        "" => 0,
        id => match s.amazon.seller_index(id) {
            Some(i) => i,
            None => return bad("unknown selling_partner_id"),
        },
    };
    let code = lock(&s.amazon.tokens).issue_code(seller);
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let location = format!(
        "{redirect}{sep}spapi_oauth_code={}&selling_partner_id={}&state={}",
        query_encode(&code),
        query_encode(&config.sellers[seller].seller_id),
        query_encode(param("state")),
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}
