//! Starting syncs (connecting accounts is each channel's: see `crate::connectors::registry`).

use async_graphql::{Context, Object, ResultExt, ID};

use crate::auth::Scope;
use crate::graphql::types::shop::{shop_id, Shop};
use crate::graphql::ContextExt;

/// Connection mutations.
#[derive(Default)]
pub(crate) struct ConnectMutation;

#[Object]
impl ConnectMutation {
    /// Runs the shop's sync now (and its linked ad accounts'). Needs `connectors:write`.
    async fn trigger_sync(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "shopId", desc = "The shop to sync now (its id).")] shop_id_arg: ID,
    ) -> async_graphql::Result<Shop> {
        let viewer = ctx.viewer_with(Scope::ConnectorsWrite)?;
        let state = ctx.state()?;
        let id = shop_id(&shop_id_arg).extend()?;
        crate::sync::trigger(state, viewer.org.id, id)
            .await
            .extend()?;
        Ok(
            crate::sync::status::shop(state.db.conn(), viewer.org.id, id)
                .await
                .extend()?
                .into(),
        )
    }
}
