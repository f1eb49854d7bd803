//! From an `Authorization` header to a [`Viewer`].

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;

use crate::auth::{partner, tokens, Scopes, Viewer};
use crate::error::{Error, Result};
use crate::org;
use crate::state::AppState;

/// The verified caller of a request: `None` without an `Authorization` header; an error for a
/// header that is not a valid bearer token, a revoked token or partner app, or an invalid org.
///
/// # Errors
/// [`Error::Unauthenticated`] with the reason.
pub async fn viewer_from_headers(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|text| {
            text.strip_prefix("Bearer ")
                .or_else(|| text.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            Error::Unauthenticated("the Authorization header must be `Bearer <token>`".to_owned())
        })?;
    viewer_from_token(state, token).await.map(Some)
}

/// The verified caller of a bearer `token`.
///
/// # Errors
/// [`Error::Unauthenticated`] with the reason.
pub async fn viewer_from_token(state: &AppState, token: &str) -> Result<Viewer> {
    let claims = state.jwt.verify(token)?;
    org::validate_key(&claims.org).map_err(|_| {
        Error::Unauthenticated(format!(
            "invalid token: org {:?} is not a valid org key",
            claims.org
        ))
    })?;
    let db = state.db.conn();
    let recorded = claims
        .jti
        .as_deref()
        .filter(|_| claims.client_id.is_none() && state.jwt.is_own(&claims));
    // A recorded token's org and revocation are read together (every request asks both).
    let (org, revoked) = match recorded {
        Some(jti) => match tokens::org_and_revoked(db, &claims.org, jti).await? {
            Some(found) => found,
            None => (
                org::ensure(db, &claims.org).await?,
                tokens::is_revoked(db, jti).await?,
            ),
        },
        None => (org::ensure(db, &claims.org).await?, false),
    };
    if let Some(client_id) = &claims.client_id {
        if !partner::is_active(db, client_id, org.id).await? {
            return Err(Error::Unauthenticated(format!(
                "invalid token: partner app {client_id} is revoked or unknown"
            )));
        }
    }
    if let Some(jti) = recorded.filter(|_| revoked) {
        return Err(Error::Unauthenticated(format!(
            "invalid token: token {jti} was revoked"
        )));
    }
    Ok(Viewer {
        org,
        subject: claims.sub,
        scopes: Scopes::parse_lenient(&claims.scope),
        client_id: claims.client_id,
    })
}
