//! The P&L pivot.

use async_graphql::{Context, Object, ResultExt};

use crate::auth::Scope;
use crate::graphql::types::scalars::Decimal;

use crate::graphql::fair::OrgGates;
use crate::graphql::types::completeness::Completeness;
use crate::graphql::types::kpis::Kpis;
use crate::graphql::types::pnl::{
    BlendedMargin, CreatorProfit, CreatorProfits, DateRangeInput, MarginAlert, MarginAlerts,
    OrgSettings, PeriodMargin, PnlFilterInput, PnlReport, PnlRow,
};
use crate::graphql::{args, ContextExt};
use crate::money::Currency;
use crate::pnl::completeness::SourceFilter;
use crate::pnl::{shortcuts, Dimension, PnlFilter, PnlRequest, ReportCache};

fn currency_arg(currency: Option<&str>) -> async_graphql::Result<Option<Currency>> {
    args::optional_currency("currency", currency).extend()
}

/// Waits for one of the org's report slots (see [`crate::graphql::fair`]).
async fn report_slot(ctx: &Context<'_>, org_id: i64) -> Option<tokio::sync::OwnedSemaphorePermit> {
    match ctx.data_opt::<OrgGates>() {
        Some(gates) => Some(gates.enter(org_id).await),
        None => None,
    }
}

/// The app's report cache (see [`crate::pnl::cache`]).
fn reports<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a ReportCache> {
    Ok(ctx.state()?.reports.as_ref())
}

/// What an answer of `org_id` over a range ending on `to` is built on. `version` is the org's
/// report version as the answer's report read it ([`ReportCache::version`]), so one answer
/// reads it once. `time_zone` is the org's when the caller has it at hand (a report carries it).
async fn completeness(
    ctx: &Context<'_>,
    org_id: i64,
    version: Option<crate::pnl::Version>,
    time_zone: Option<&str>,
    to: chrono::NaiveDate,
    filter: SourceFilter,
) -> async_graphql::Result<Completeness> {
    let db = ctx.state()?.db.conn();
    let zone = match time_zone {
        Some(zone) => zone.to_owned(),
        None => crate::org::settings(db, org_id).await.extend()?.time_zone,
    };
    // The stored zone was validated when it was set.
    let zone = zone.parse().unwrap_or(chrono_tz::UTC);
    let built_on = crate::pnl::completeness::completeness(
        db,
        reports(ctx)?,
        org_id,
        version,
        zone,
        to,
        filter,
    )
    .await
    .extend()?;
    Ok(built_on.into())
}

/// [`completeness`] over all of `org_id`'s sources, for an answer that does not carry the org's
/// time zone.
async fn org_completeness(
    ctx: &Context<'_>,
    org_id: i64,
    to: chrono::NaiveDate,
) -> async_graphql::Result<Completeness> {
    let version = reports(ctx)?
        .version(ctx.state()?.db.conn(), org_id)
        .await
        .extend()?;
    completeness(ctx, org_id, version, None, to, SourceFilter::default()).await
}

/// `request`'s report for `org_id` (from memory when it can be) and the report version it was
/// read under.
async fn report(
    ctx: &Context<'_>,
    org_id: i64,
    request: &PnlRequest,
) -> async_graphql::Result<(
    std::sync::Arc<crate::pnl::Answer>,
    Option<crate::pnl::Version>,
)> {
    let db = ctx.state()?.db.conn();
    let reports = reports(ctx)?;
    let version = reports.version(db, org_id).await.extend()?;
    let report = reports
        .report_at(db, org_id, version, request)
        .await
        .extend()?;
    Ok((report, version))
}

async fn grouped(
    ctx: &Context<'_>,
    range: DateRangeInput,
    by: Dimension,
    currency: Option<String>,
) -> async_graphql::Result<PnlReport> {
    let viewer = ctx.viewer_with(Scope::PnlRead)?;
    let slot = report_slot(ctx, viewer.org.id).await;
    let request = PnlRequest {
        from: range.from.0,
        to: range.to.0,
        group_by: vec![by],
        filter: PnlFilter::default(),
        currency: currency_arg(currency.as_deref())?,
        time_zone: None,
    };
    let (report, version) = report(ctx, viewer.org.id, &request).await?;
    let built_on = completeness(
        ctx,
        viewer.org.id,
        version,
        Some(&report.report().time_zone),
        request.to,
        SourceFilter::default(),
    )
    .await?;
    PnlReport::try_from_answer(&report, built_on, slot).extend()
}

/// P&L queries.
#[derive(Default)]
pub(crate) struct PnlQuery;

#[Object]
impl PnlQuery {
    /// Profit and loss over a range of days, grouped by any of CHANNEL, SHOP, SKU, PRODUCT,
    /// CREATOR, BUCKET, DAY, WEEK, MONTH (none: one total row). Amounts are converted to
    /// `currency` (default: the org's) at the rate of each line's day. Needs `pnl:read`.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "crate::graphql::limits::report_cost(&range, crate::graphql::limits::distinct(&group_by), child_complexity)"
    )]
    async fn pnl(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(desc = "Dimensions to group by, in order (none: one total row).")] group_by: Vec<
            Dimension,
        >,
        #[graphql(desc = "Which ledger lines count (default: all).")] filter: Option<
            PnlFilterInput,
        >,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
        #[graphql(
            desc = "Must be the org's time zone (days are recorded in it); default the org's."
        )]
        time_zone: Option<String>,
    ) -> async_graphql::Result<PnlReport> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let slot = report_slot(ctx, viewer.org.id).await;
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
            from: range.from.0,
            to: range.to.0,
            // A dimension counts once, so a grouping never has more keys than there are
            // dimensions.
            group_by: group_by
                .into_iter()
                .fold(Vec::new(), |mut seen, dimension| {
                    if !seen.contains(&dimension) {
                        seen.push(dimension);
                    }
                    seen
                }),
            filter: PnlFilter {
                channel: filter.channel,
                shop_id,
                sku: filter.sku,
                creator: filter.creator,
            },
            currency: currency_arg(currency.as_deref())?,
            time_zone,
        };
        let (report, version) = report(ctx, viewer.org.id, &request).await?;
        let sources = SourceFilter {
            channel: request.filter.channel,
            shop_id: request.filter.shop_id,
        };
        let built_on = completeness(
            ctx,
            viewer.org.id,
            version,
            Some(&report.report().time_zone),
            request.to,
            sources,
        )
        .await?;
        PnlReport::try_from_answer(&report, built_on, slot).extend()
    }

    /// Profit per SKU (master SKU, or channel SKU id while unlinked); untied ad spend allocated
    /// by the org's rule. Shortcut for `pnl(groupBy: [SKU])`. Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn profit_by_sku(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<PnlReport> {
        grouped(ctx, range, Dimension::Sku, currency).await
    }

    /// Channels side by side in one currency. Shortcut for `pnl(groupBy: [CHANNEL])`.
    /// Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn channel_comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<PnlReport> {
        grouped(ctx, range, Dimension::Channel, currency).await
    }

    /// Margin over every channel per DAY, WEEK or MONTH, with the change from the previous
    /// period (week over week for WEEK). Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn blended_margin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(desc = "DAY, WEEK or MONTH.")] granularity: Dimension,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<BlendedMargin> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let _slot = report_slot(ctx, viewer.org.id).await;
        let rows = shortcuts::blended_margin(
            ctx.state()?.db.conn(),
            reports(ctx)?,
            viewer.org.id,
            range.from.0,
            range.to.0,
            granularity,
            currency_arg(currency.as_deref())?,
        )
        .await
        .extend()?;
        let periods = rows
            .into_iter()
            .map(|p| {
                Ok(PeriodMargin {
                    period: p.row.key.period.clone().unwrap_or_default(),
                    margin_change: p.margin_change.map(Into::into),
                    net_sales_change: p.net_sales_change.map(Into::into),
                    row: PnlRow::try_from_domain(&p.row).extend()?,
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        let built_on = org_completeness(ctx, viewer.org.id, range.to.0);
        Ok(BlendedMargin {
            periods,
            completeness: built_on.await?,
        })
    }

    /// SKUs whose margin in the range is under `threshold` (e.g. "0.20": the "GPM below 20 % →
    /// review pricing and fees" rule), lowest first, with the cost bucket that moved most
    /// against the equally long period before. Needs `pnl:read`.
    #[graphql(complexity = "2 * crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn margin_alerts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Margin under which a SKU is listed, e.g. \"0.20\" for 20 %.")]
        threshold: Decimal,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<MarginAlerts> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let _slot = report_slot(ctx, viewer.org.id).await;
        let alerts = shortcuts::margin_alerts(
            ctx.state()?.db.conn(),
            reports(ctx)?,
            viewer.org.id,
            threshold.0,
            range.from.0,
            range.to.0,
            currency_arg(currency.as_deref())?,
        )
        .await
        .extend()?;
        let alerts = alerts
            .into_iter()
            .map(|a| {
                Ok(MarginAlert {
                    sku: a.sku,
                    margin: a.margin.into(),
                    previous_margin: a.previous_margin.map(Into::into),
                    bucket_moved_most: a.bucket,
                    bucket_change: a.change.map(Into::into),
                    row: PnlRow::try_from_domain(&a.row).extend()?,
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        let built_on = org_completeness(ctx, viewer.org.id, range.to.0);
        Ok(MarginAlerts {
            alerts,
            completeness: built_on.await?,
        })
    }

    /// The org's reporting settings. Needs `pnl:read`.
    async fn org_settings(&self, ctx: &Context<'_>) -> async_graphql::Result<OrgSettings> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        Ok(crate::org::settings(ctx.state()?.db.conn(), viewer.org.id)
            .await
            .extend()?
            .into())
    }

    /// Profit per creator: the orders they drove (net sales, COGS, channel fees, commission)
    /// less their free samples at COGS and flat fees, with ROI. Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn profit_by_creator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<CreatorProfits> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let _slot = report_slot(ctx, viewer.org.id).await;
        let rows = crate::pnl::creators::profit_by_creator(
            ctx.state()?.db.conn(),
            reports(ctx)?,
            viewer.org.id,
            range.from.0,
            range.to.0,
            currency_arg(currency.as_deref())?,
        )
        .await
        .extend()?;
        let creators = rows
            .into_iter()
            .map(|c| CreatorProfit::try_from_domain(c).extend())
            .collect::<async_graphql::Result<_>>()?;
        let built_on = org_completeness(ctx, viewer.org.id, range.to.0);
        Ok(CreatorProfits {
            creators,
            completeness: built_on.await?,
        })
    }

    /// The headline figures of a range (net sales, contribution profit, margin, ad spend, ROAS,
    /// TACoS, refund rate) next to the equally long range just before it, each with its change:
    /// a dashboard's tiles in one query. Needs `pnl:read`.
    #[graphql(complexity = "crate::graphql::limits::report_cost(&range, 1, child_complexity)")]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report, inclusive, in the org's time zone.")]
        range: DateRangeInput,
        #[graphql(
            desc = "ISO 4217 code of the reporting currency, any letter case (default: the org's)."
        )]
        currency: Option<String>,
    ) -> async_graphql::Result<Kpis> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let _slot = report_slot(ctx, viewer.org.id).await;
        let db = ctx.state()?.db.conn();
        let currency = currency_arg(currency.as_deref())?;
        let (from, to) = (range.from.0, range.to.0);
        let kpis = crate::pnl::kpis::kpis(db, reports(ctx)?, viewer.org.id, from, to, currency)
            .await
            .extend()?;
        let built_on = org_completeness(ctx, viewer.org.id, to).await?;
        Kpis::try_from_domain(kpis, built_on).extend()
    }
}
