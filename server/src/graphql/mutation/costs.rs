//! Maintaining unit costs and FX rates.

use async_graphql::{Context, Object, ResultExt};

use crate::graphql::types::scalars::{Date, Decimal};

use crate::auth::Scope;
use crate::costs::fx::FxRate as DomainRate;
use crate::graphql::types::costs::{FxRate, ImportResult, ProductCost, SetProductCostInput};
use crate::graphql::types::pnl::{CreatorFeeInput, OrgSettings, OrgSettingsInput};
use crate::graphql::{args, ContextExt};
use crate::money::Money;

/// Cost mutations.
#[derive(Default)]
pub(crate) struct CostMutation;

#[Object]
impl CostMutation {
    /// Sets a product's landed unit cost from a day on (replacing one set for the same day).
    /// COGS of lines from that day uses it until the next cost. Needs `costs:write`.
    async fn set_product_cost(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cost, its currency, first day and optional components.")]
        input: SetProductCostInput,
    ) -> async_graphql::Result<ProductCost> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let cost = input.to_cost().extend()?;
        let txn = ctx
            .state()?
            .db
            .begin_write()
            .await
            .map_err(crate::error::Error::from)
            .extend()?;
        crate::costs::unit_cost::set(&*txn, viewer.org.id, &cost)
            .await
            .extend()?;
        txn.commit()
            .await
            .map_err(crate::error::Error::from)
            .extend()?;
        Ok(cost.into())
    }

    /// Imports unit costs from CSV text with the columns `sku, effective_from, currency,
    /// unit_cost` and optionally `product, freight, duty, packaging`. All or nothing: every bad
    /// cell is reported with its row, column and value. Needs `costs:write`.
    async fn import_product_costs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "CSV text with a header row (columns in the description above).")]
        csv: String,
    ) -> async_graphql::Result<ImportResult> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let report = crate::costs::csv_input::import_costs(&ctx.state()?.db, viewer.org.id, &csv)
            .await
            .extend()?;
        Ok(ImportResult {
            rows: i32::try_from(report.rows).unwrap_or(i32::MAX),
        })
    }

    /// Sets the rate of one day: units of `quote` per one `base`. Needs `costs:write`.
    async fn set_fx_rate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day the rate is for.")] day: Date,
        #[graphql(desc = "ISO 4217 code converted from, any letter case.")] base: String,
        #[graphql(desc = "ISO 4217 code converted to, any letter case.")] quote: String,
        #[graphql(desc = "Units of `quote` per one `base`, greater than zero.")] rate: Decimal,
    ) -> async_graphql::Result<FxRate> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let rate = DomainRate {
            day: day.0,
            base: args::currency("base", &base).extend()?,
            quote: args::currency("quote", &quote).extend()?,
            rate: rate.0,
        };
        crate::costs::fx::set(ctx.state()?.db.conn(), viewer.org.id, &rate)
            .await
            .extend()?;
        Ok(rate.into())
    }

    /// Imports FX rates from CSV text with the columns `day, base, quote, rate`. All or nothing.
    /// Needs `costs:write`.
    async fn import_fx_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "CSV text with a header row `day,base,quote,rate`.")] csv: String,
    ) -> async_graphql::Result<ImportResult> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let report = crate::costs::csv_input::import_rates(&ctx.state()?.db, viewer.org.id, &csv)
            .await
            .extend()?;
        Ok(ImportResult {
            rows: i32::try_from(report.rows).unwrap_or(i32::MAX),
        })
    }

    /// Changes the org's reporting currency, time zone (re-dates the ledger's days) or untied
    /// ad spend rule. Needs `admin`.
    async fn update_org_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The settings to change; those left out stay as they are.")]
        input: OrgSettingsInput,
    ) -> async_graphql::Result<OrgSettings> {
        let viewer = ctx.viewer_with(Scope::Admin)?;
        let currency =
            args::optional_currency("input.currency", input.currency.as_deref()).extend()?;
        let settings = crate::org::update_settings(
            &ctx.state()?.db,
            viewer.org.id,
            currency,
            input.time_zone.as_deref(),
            input.ad_allocation,
        )
        .await
        .extend()?;
        Ok(settings.into())
    }

    /// Records a flat fee paid to a creator for a period (prorated into `profitByCreator` by
    /// days). Needs `costs:write`.
    async fn set_creator_fee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The creator, the period the fee covers and the amount.")]
        input: CreatorFeeInput,
    ) -> async_graphql::Result<bool> {
        let viewer = ctx.viewer_with(Scope::CostsWrite)?;
        let currency = args::currency("input.currency", &input.currency).extend()?;
        let fee = crate::pnl::creators::NewCreatorFee {
            creator: input.creator,
            channel: input.channel.unwrap_or(crate::ledger::Channel::TikTokShop),
            period_start: input.period_start.0,
            period_end: input.period_end.0,
            amount: Money::from_decimal(input.amount.0, currency),
            note: input.note,
        };
        crate::pnl::creators::add_fee(ctx.state()?.db.conn(), viewer.org.id, &fee)
            .await
            .extend()?;
        Ok(true)
    }
}
