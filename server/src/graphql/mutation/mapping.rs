//! Per-org fee mapping overrides.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::ledger::{FeeMapping, MappingChange, SetFeeMappingInput};
use crate::graphql::ContextExt;
use crate::ledger::mapping;

/// Fee mapping mutations.
#[derive(Default)]
pub(crate) struct MappingMutation;

#[Object]
impl MappingMutation {
    /// Books a channel label into a bucket for the caller's org, replacing any earlier rule, and
    /// re-books every existing line of that label into it (each a reversal in the old bucket
    /// and a new line in the new one, in one transaction; totals by bucket move, the ledger's
    /// total stays). The change is recorded (`change`, and `mappingChanges`). Needs `admin`.
    async fn set_fee_mapping(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The channel, its label and the bucket it belongs in.")]
        input: SetFeeMappingInput,
    ) -> async_graphql::Result<FeeMapping> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let (rule, change) = mapping::change_override(
            &ctx.state()?.db,
            viewer.org.id,
            &viewer.subject,
            input.channel,
            &input.label,
            input.bucket,
        )
        .await
        .extend()?;
        Ok(FeeMapping {
            change: Some(MappingChange::try_from(change).extend()?),
            ..rule.into()
        })
    }
}
