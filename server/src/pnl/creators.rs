//! Profit per creator: the orders a creator drove (net sales, COGS, channel fees, commission)
//! plus the creator's own costs — free samples valued at COGS and flat fees (prorated to the
//! range) — giving the creator's profit and ROI.

use chrono::{NaiveDate, Utc};
use entities::{creator, creator_fee, listing, order_attribution};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{Dimension, PnlFilter, PnlRequest, PnlRow, ReportCache};
use crate::costs::fx::rate_on;
use crate::error::{Error, Result};
use crate::ledger::Channel;
use crate::money::{Currency, Money};

/// A creator's P&L.
#[derive(Clone, Debug)]
pub struct CreatorProfit {
    /// The creator's handle.
    pub creator: String,
    /// The P&L of the orders they drove (commission included in creator costs).
    pub row: PnlRow,
    /// Free samples sent in the range, valued at COGS (negative).
    pub samples: Money,
    /// Units sent as samples.
    pub sample_units: i64,
    /// Flat fees for the range, prorated by days (negative).
    pub flat_fees: Money,
}

impl CreatorProfit {
    /// Contribution profit of their orders, less samples and flat fees.
    ///
    /// # Errors
    /// Overflow.
    pub fn profit(&self) -> Result<Money> {
        Ok(self
            .row
            .contribution_profit()?
            .checked_add(self.samples)?
            .checked_add(self.flat_fees)?)
    }

    /// Everything the creator cost: commission, samples and fees (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn cost(&self) -> Result<Money> {
        Ok(self
            .row
            .creator_costs()?
            .checked_add(self.samples)?
            .checked_add(self.flat_fees)?)
    }

    /// Profit per unit of creator cost (none when they cost nothing).
    ///
    /// # Errors
    /// Overflow.
    pub fn roi(&self) -> Result<Option<Decimal>> {
        let cost = self.cost()?;
        if cost.is_zero() {
            return Ok(None);
        }
        Ok(self
            .profit()?
            .amount()
            .checked_div(-cost.amount())
            .map(|r| r.round_dp(4)))
    }
}

/// A flat fee to record.
#[derive(Clone, Debug)]
pub struct NewCreatorFee {
    /// The creator's handle.
    pub creator: String,
    /// The channel they work on.
    pub channel: Channel,
    /// First day covered.
    pub period_start: NaiveDate,
    /// Last day covered (inclusive).
    pub period_end: NaiveDate,
    /// The fee (positive).
    pub amount: Money,
    /// What it is for.
    pub note: Option<String>,
}

/// Records a flat fee paid to a creator (the creator is created if new).
///
/// # Errors
/// A period that ends before it starts or a negative fee (BAD_USER_INPUT); database failures.
pub async fn add_fee(db: &impl ConnectionTrait, org_id: i64, fee: &NewCreatorFee) -> Result<()> {
    if fee.period_end < fee.period_start {
        return Err(Error::bad_input(format!(
            "periodEnd {} is before periodStart {}",
            fee.period_end, fee.period_start
        )));
    }
    if fee.amount.amount().is_sign_negative() {
        return Err(Error::bad_input(format!(
            "amount must not be negative, got {}",
            fee.amount
        )));
    }
    let creator_id =
        crate::connectors::catalog::ensure_creator(db, org_id, fee.channel, fee.creator.trim())
            .await?;
    creator_fee::ActiveModel {
        org_id: Set(org_id),
        creator_id: Set(creator_id),
        period_start: Set(fee.period_start),
        period_end: Set(fee.period_end),
        amount_minor: Set(fee.amount.minor()?),
        currency: Set(fee.amount.currency().as_str().to_owned()),
        note: Set(fee.note.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Profit per creator over `from..=to`, in `currency` (default: the org's).
///
/// # Errors
/// What the pivot fails with; a missing FX rate.
pub async fn profit_by_creator(
    db: &impl ConnectionTrait,
    reports: &ReportCache,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    currency: Option<Currency>,
) -> Result<Vec<CreatorProfit>> {
    let request = PnlRequest {
        from,
        to,
        group_by: vec![Dimension::Creator],
        filter: PnlFilter::default(),
        currency,
        time_zone: None,
    };
    let pivot = reports.report(db, org_id, &request).await?;
    let reporting = pivot.currency;
    let creators = creator::Entity::find()
        .filter(creator::Column::OrgId.eq(org_id))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for row in pivot.rows {
        let Some(handle) = row.key.creator.clone().filter(|h| !h.starts_with('(')) else {
            continue;
        };
        let Some(creator) = creators.iter().find(|c| c.handle == handle) else {
            continue;
        };
        let (samples, sample_units) = samples(db, org_id, creator.id, from, to, reporting).await?;
        let flat_fees = fees(db, org_id, creator.id, from, to, reporting).await?;
        out.push(CreatorProfit {
            creator: handle,
            row,
            samples,
            sample_units,
            flat_fees,
        });
    }
    Ok(out)
}

async fn convert(
    db: &impl ConnectionTrait,
    org_id: i64,
    money: Money,
    to: Currency,
    day: NaiveDate,
) -> Result<Money> {
    if money.currency() == to {
        return Ok(money);
    }
    let rate = rate_on(db, org_id, money.currency(), to, day).await?;
    Ok(money.convert(rate.rate, to)?)
}

/// Samples sent to the creator in the range, at the unit cost in force on the day they were
/// sent (negative), and their units.
async fn samples(
    db: &impl ConnectionTrait,
    org_id: i64,
    creator_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
) -> Result<(Money, i64)> {
    let rows = order_attribution::Entity::find()
        .filter(order_attribution::Column::OrgId.eq(org_id))
        .filter(order_attribution::Column::CreatorId.eq(creator_id))
        .filter(order_attribution::Column::IsSample.eq(true))
        .all(db)
        .await?;
    let mut total = Money::zero(currency);
    let mut units = 0;
    for row in rows {
        let Some(day) = row
            .occurred_at
            .map(|t| t.date_naive())
            .filter(|d| *d >= from && *d <= to)
        else {
            continue;
        };
        let product = match row.listing_id {
            Some(id) => listing::Entity::find_by_id(id)
                .one(db)
                .await?
                .and_then(|l| l.product_id),
            None => None,
        };
        let Some(product) = product else { continue };
        let cost = crate::costs::unit_cost::cost_on(db, org_id, product, day).await?;
        if let Some(cost) = cost {
            let value = cost.checked_mul_int(i64::from(row.quantity.max(1)))?;
            total = total.checked_sub(convert(db, org_id, value, currency, day).await?)?;
        }
        units += i64::from(row.quantity.max(1));
    }
    Ok((total, units))
}

/// Flat fees of the creator, prorated to the days of each fee's period inside the range.
async fn fees(
    db: &impl ConnectionTrait,
    org_id: i64,
    creator_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    currency: Currency,
) -> Result<Money> {
    let rows = creator_fee::Entity::find()
        .filter(creator_fee::Column::OrgId.eq(org_id))
        .filter(creator_fee::Column::CreatorId.eq(creator_id))
        .filter(creator_fee::Column::PeriodStart.lte(to))
        .filter(creator_fee::Column::PeriodEnd.gte(from))
        .all(db)
        .await?;
    let mut total = Money::zero(currency);
    for row in rows {
        let fee = Money::from_minor(row.amount_minor, Currency::parse(&row.currency)?);
        let days = row
            .period_end
            .signed_duration_since(row.period_start)
            .num_days()
            + 1;
        let inside = to
            .min(row.period_end)
            .signed_duration_since(from.max(row.period_start))
            .num_days()
            + 1;
        let share = Money::from_decimal(
            fee.amount() * Decimal::from(inside) / Decimal::from(days),
            fee.currency(),
        );
        total = total
            .checked_sub(convert(db, org_id, share, currency, from.max(row.period_start)).await?)?;
    }
    Ok(total)
}
