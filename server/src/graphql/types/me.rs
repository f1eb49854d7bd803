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
