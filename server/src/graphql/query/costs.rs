//! Unit costs, products without a cost, FX rates.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::costs::{FxRate, ProductCost};
use crate::graphql::ContextExt;

/// Cost queries.
#[derive(Default)]
pub(crate) struct CostQuery;

#[Object]
impl CostQuery {
    /// Unit costs of the org's products (of one SKU when given). Needs `pnl:read`.
    async fn product_costs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this SKU (default: every product).")] sku: Option<String>,
    ) -> async_graphql::Result<Vec<ProductCost>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let costs =
            crate::costs::unit_cost::list(ctx.state()?.db.conn(), viewer.org.id, sku.as_deref())
                .await
                .extend()?;
        Ok(costs.into_iter().map(ProductCost::from).collect())
    }

    /// SKUs with no unit cost: their profit is flagged, never computed as if they cost nothing.
    /// Needs `pnl:read`.
    async fn products_without_cost(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        crate::costs::unit_cost::products_without_cost(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()
    }

    /// The org's FX rates. Needs `pnl:read`.
    async fn fx_rates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FxRate>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let rates = crate::costs::fx::list(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?;
        Ok(rates.into_iter().map(FxRate::from).collect())
    }
}
