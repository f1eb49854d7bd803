//! Revoking tokens minted with `pnl token`.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::me::IssuedToken;
use crate::graphql::ContextExt;

/// Token mutations.
#[derive(Default)]
pub(crate) struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Revokes a token of this org minted with `pnl token`, by its `jti`: it stops working at its
    /// next request. A `jti` of another org is NOT_FOUND. Needs `admin`.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's `jti` (printed by `pnl token` and `pnl token list`).")]
        jti: String,
    ) -> async_graphql::Result<IssuedToken> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let db = ctx.state()?.db.conn();
        let (_, token) = crate::auth::tokens::revoke(db, &jti, Some(viewer.org.id))
            .await
            .extend()?;
        Ok(token.into())
    }
}
