//! `me`: the caller's identity.

use async_graphql::{Context, Object};

use crate::graphql::types::me::Me;
use crate::graphql::ContextExt;

/// Identity queries.
#[derive(Default)]
pub(crate) struct MeQuery;

#[Object]
impl MeQuery {
    /// The caller: org, scopes and subject from its verified token. Needs any valid token.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        Ok(Me::from(ctx.viewer()?))
    }
}
