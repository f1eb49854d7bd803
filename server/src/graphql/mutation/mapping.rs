//! Per-org fee mapping overrides.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::ledger::{FeeMapping, SetFeeMappingInput};
use crate::graphql::ContextExt;
use crate::ledger::mapping;

/// Fee mapping mutations.
#[derive(Default)]
pub(crate) struct MappingMutation;

#[Object]
impl MappingMutation {
    /// Books a channel label into a bucket for the caller's org, replacing any earlier rule.
    /// Applies to lines posted from now on and to replays. Needs `admin`.
    async fn set_fee_mapping(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The channel, its label and the bucket it belongs in.")]
        input: SetFeeMappingInput,
    ) -> async_graphql::Result<FeeMapping> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let db = ctx.state()?.db.conn();
        let rule =
            mapping::set_override(db, viewer.org.id, input.channel, &input.label, input.bucket)
                .await
                .extend()?;
        Ok(rule.into())
    }
}
