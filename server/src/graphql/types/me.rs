//! `Me`: who the token says the caller is.

use async_graphql::SimpleObject;

use crate::auth::Viewer;

/// The caller, as its verified token describes it.
#[derive(Clone, Debug, SimpleObject)]
pub struct Me {
    /// The org every query and mutation of this token is scoped to.
    pub org: String,
    /// The granted scopes (`pnl:read`, `costs:write`, `connectors:write`, `admin`).
    pub scopes: Vec<String>,
    /// The token's subject.
    pub subject: String,
    /// The partner app the token was issued to, if any.
    pub client_id: Option<String>,
}

impl From<&Viewer> for Me {
    fn from(viewer: &Viewer) -> Self {
        Self {
            org: viewer.org.key.clone(),
            scopes: viewer
                .scopes
                .iter()
                .map(|scope| scope.as_str().to_owned())
                .collect(),
            subject: viewer.subject.clone(),
            client_id: viewer.client_id.clone(),
        }
    }
}

/// A token minted with `pnl token`, as recorded by its `jti` (the token itself is never stored).
#[derive(Clone, Debug, SimpleObject)]
pub struct IssuedToken {
    /// The token's `jti` claim.
    pub jti: String,
    /// The token's subject.
    pub subject: String,
    /// The scopes it grants.
    pub scopes: Vec<String>,
    /// When it expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// When it was revoked; null while it is valid.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<crate::auth::tokens::IssuedToken> for IssuedToken {
    fn from(token: crate::auth::tokens::IssuedToken) -> Self {
        Self {
            scopes: token
                .scopes
                .iter()
                .map(|scope| scope.as_str().to_owned())
                .collect(),
            jti: token.jti,
            subject: token.subject,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}
