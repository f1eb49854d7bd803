//! `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for partner apps.
//! Errors are the RFC's §5.2 JSON bodies; successful responses are never cached.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::HttpState;
use crate::auth::jwt::TokenRequest;
use crate::auth::{partner, Scopes};

/// The form fields of a token request.
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// An RFC 6749 §5.2 error.
struct OAuthError {
    code: &'static str,
    description: String,
    basic_auth: bool,
}

impl OAuthError {
    fn new(code: &'static str, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            basic_auth: false,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = if self.code == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response = (
            status,
            Json(json!({ "error": self.code, "error_description": self.description })),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        if status == StatusCode::UNAUTHORIZED {
            let challenge = if self.basic_auth {
                "Basic realm=\"pnl\""
            } else {
                "Bearer realm=\"pnl\""
            };
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}

/// Issues a short-lived token for a partner app's org and scopes.
pub(super) async fn token(
    State(state): State<HttpState>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    match issue(&state, &headers, form).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn issue(
    state: &HttpState,
    headers: &HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(form) = form.map_err(|rejection| {
        OAuthError::new(
            "invalid_request",
            format!("expected an application/x-www-form-urlencoded body: {rejection}"),
        )
    })?;
    match form.grant_type.as_deref() {
        None => return Err(OAuthError::new("invalid_request", "grant_type is required")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported; use client_credentials"),
            ))
        }
    }
    let basic = basic_credentials(headers)?;
    let basic_auth = basic.is_some();
    let (client_id, secret) = match (basic, form.client_id, form.client_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(OAuthError::new(
                "invalid_request",
                "use only one client authentication method",
            ))
        }
        (Some(credentials), None, None) => credentials,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(OAuthError {
                basic_auth,
                ..OAuthError::new("invalid_client", "client authentication is required")
            })
        }
    };
    let app = partner::authenticate(state.app.db.conn(), &client_id, &secret)
        .await
        .map_err(|error| OAuthError::new("server_error", error.public_message()))?
        .ok_or(OAuthError {
            basic_auth,
            ..OAuthError::new(
                "invalid_client",
                "unknown client, wrong secret or revoked client",
            )
        })?;
    let scopes = match form
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => app.scopes.clone(),
        Some(requested) => {
            let requested = Scopes::parse_strict(requested)
                .map_err(|e| OAuthError::new("invalid_scope", e.to_string()))?;
            if !app.scopes.covers(&requested) {
                return Err(OAuthError::new(
                    "invalid_scope",
                    format!("this client may be granted at most: {}", app.scopes),
                ));
            }
            requested
        }
    };
    let ttl = state.app.config.partner_token_ttl();
    let access_token = state
        .app
        .jwt
        .sign(&TokenRequest {
            subject: &app.client_id,
            org: &app.org.key,
            scopes: &scopes,
            ttl,
            client_id: Some(&app.client_id),
        })
        .map_err(|error| OAuthError::new("server_error", error.public_message()))?;
    let mut response = Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "scope": scopes.to_string(),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `Authorization: Basic base64(client_id:client_secret)`, if present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError {
        basic_auth: true,
        ..OAuthError::new("invalid_client", "malformed Basic credentials")
    };
    let encoded = value
        .to_str()
        .ok()
        .and_then(|text| text.strip_prefix("Basic "))
        .ok_or_else(malformed)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}
