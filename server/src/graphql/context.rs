//! Access to the viewer and the application state from a resolver.

use async_graphql::{Context, ErrorExtensions};

use crate::auth::{Scope, Viewer};
use crate::error::Error;
use crate::state::AppState;

/// Resolver helpers over [`Context`].
pub trait ContextExt {
    /// The verified caller holding `scope`: UNAUTHENTICATED without a token, FORBIDDEN without
    /// the scope.
    ///
    /// # Errors
    /// As above, already extended with their codes.
    fn viewer_with(&self, scope: Scope) -> async_graphql::Result<&Viewer>;

    /// The verified caller, whatever its scopes.
    ///
    /// # Errors
    /// UNAUTHENTICATED without a token.
    fn viewer(&self) -> async_graphql::Result<&Viewer>;

    /// The application state.
    ///
    /// # Errors
    /// INTERNAL if the schema was built without it.
    fn state(&self) -> async_graphql::Result<&AppState>;
}

impl ContextExt for Context<'_> {
    fn viewer_with(&self, scope: Scope) -> async_graphql::Result<&Viewer> {
        let viewer = self.viewer()?;
        viewer.require(scope).map_err(|error| error.extend())?;
        Ok(viewer)
    }

    fn viewer(&self) -> async_graphql::Result<&Viewer> {
        self.data_opt::<Viewer>().ok_or_else(|| {
            Error::Unauthenticated(
                "authentication required: send `Authorization: Bearer <token>`".to_owned(),
            )
            .extend()
        })
    }

    fn state(&self) -> async_graphql::Result<&AppState> {
        self.data::<AppState>()
            .map_err(|_| Error::Internal(anyhow::anyhow!("schema built without state")).extend())
    }
}
