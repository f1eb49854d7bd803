//! The statement mappings an upload can name.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::upload::StatementMappingInfo;
use crate::graphql::ContextExt;
use crate::statements::stored;

/// Statement mapping queries.
#[derive(Default)]
pub(crate) struct UploadQuery;

#[Object]
impl UploadQuery {
    /// The built-in statement mappings, then the org's own by name. Needs `pnl:read`.
    async fn statement_mappings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<StatementMappingInfo>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let list = stored::list(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        Ok(list.into_iter().map(StatementMappingInfo::from).collect())
    }
}
