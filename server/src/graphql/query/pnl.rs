//! The P&L pivot.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::pnl::{DateRangeInput, PnlFilterInput, PnlReport};
use crate::graphql::ContextExt;
use crate::money::Currency;
use crate::pnl::{report, Dimension, PnlFilter, PnlRequest};

/// P&L queries.
#[derive(Default)]
pub(crate) struct PnlQuery;

#[Object]
impl PnlQuery {
    /// Profit and loss over a range of days, grouped by any of CHANNEL, SHOP, SKU, PRODUCT,
    /// CREATOR, BUCKET, DAY, WEEK, MONTH (none: one total row). Amounts are converted to
    /// `currency` (default: the org's) at the rate of each line's day. Needs `pnl:read`.
    #[allow(clippy::too_many_arguments)]
    async fn pnl(
        &self,
        ctx: &Context<'_>,
        range: DateRangeInput,
        group_by: Vec<Dimension>,
        filter: Option<PnlFilterInput>,
        currency: Option<String>,
        #[graphql(
            desc = "Must be the org's time zone (days are recorded in it); default the org's."
        )]
        time_zone: Option<String>,
    ) -> async_graphql::Result<PnlReport> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let filter = filter.unwrap_or_default();
        let shop_id = filter
            .shop_id
            .map(|id| {
                id.parse::<i64>().map_err(|_| {
                    crate::error::Error::bad_input(format!(
                        "filter.shopId: invalid id {:?}",
                        id.as_str()
                    ))
                })
            })
            .transpose()
            .extend()?;
        let request = PnlRequest {
            from: range.from,
            to: range.to,
            group_by,
            filter: PnlFilter {
                channel: filter.channel,
                shop_id,
                sku: filter.sku,
                creator: filter.creator,
            },
            currency: currency
                .as_deref()
                .map(Currency::parse)
                .transpose()
                .map_err(crate::error::Error::from)
                .extend()?,
            time_zone,
        };
        let report = report(ctx.state()?.db.conn(), viewer.org.id, &request)
            .await
            .extend()?;
        PnlReport::try_from_domain(report).extend()
    }
}
