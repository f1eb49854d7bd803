//! Daily FX rates (units of `quote` per one `base`, exact decimal strings) and the lookup rule:
//! the rate of the day, else the latest earlier rate (and the answer says which day it used);
//! no rate at all is an error naming the currencies and the day.

use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use entities::fx_rate;
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::error::{Error, Result};
use crate::money::Currency;

/// One daily rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FxRate {
    /// The day it applies to.
    pub day: NaiveDate,
    /// The currency converted from.
    pub base: Currency,
    /// The currency converted to.
    pub quote: Currency,
    /// Units of `quote` per one `base`.
    pub rate: Decimal,
}

/// A rate found for a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateOnDay {
    /// The rate.
    pub rate: Decimal,
    /// The day whose rate it is (earlier than asked when that day had none).
    pub day: NaiveDate,
}

/// Checks a rate: different currencies, strictly positive.
///
/// # Errors
/// BAD_USER_INPUT naming the value.
pub fn validate(rate: &FxRate) -> Result<()> {
    if rate.base == rate.quote {
        return Err(Error::bad_input(format!(
            "base and quote are both {}",
            rate.base
        )));
    }
    if rate.rate <= Decimal::ZERO {
        return Err(Error::bad_input(format!(
            "rate must be positive, got {}",
            rate.rate
        )));
    }
    Ok(())
}

/// Stores `rate` for `org_id` (replacing the same pair and day).
///
/// # Errors
/// An invalid rate, or database failures.
pub async fn set(db: &impl ConnectionTrait, org_id: i64, rate: &FxRate) -> Result<()> {
    validate(rate)?;
    let row = fx_rate::ActiveModel {
        org_id: Set(org_id),
        day: Set(rate.day),
        base: Set(rate.base.as_str().to_owned()),
        quote: Set(rate.quote.as_str().to_owned()),
        rate: Set(rate.rate.normalize().to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    fx_rate::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                fx_rate::Column::OrgId,
                fx_rate::Column::Base,
                fx_rate::Column::Quote,
                fx_rate::Column::Day,
            ])
            .update_columns([fx_rate::Column::Rate])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The rate of `base`→`quote` on `day` for `org_id`, or the latest earlier one. The inverse
/// pair is used (as 1/rate) when only it is stored.
///
/// # Errors
/// BAD_USER_INPUT naming both currencies and the day when no rate exists on or before it.
pub async fn rate_on(
    db: &impl ConnectionTrait,
    org_id: i64,
    base: Currency,
    quote: Currency,
    day: NaiveDate,
) -> Result<RateOnDay> {
    if base == quote {
        return Ok(RateOnDay {
            rate: Decimal::ONE,
            day,
        });
    }
    let find = |from: Currency, to: Currency| {
        fx_rate::Entity::find()
            .filter(fx_rate::Column::OrgId.eq(org_id))
            .filter(fx_rate::Column::Base.eq(from.as_str()))
            .filter(fx_rate::Column::Quote.eq(to.as_str()))
            .filter(fx_rate::Column::Day.lte(day))
            .order_by_desc(fx_rate::Column::Day)
            .one(db)
    };
    let direct = find(base, quote).await?;
    let inverse = find(quote, base).await?;
    let pick = match (direct, inverse) {
        (Some(d), Some(i)) if i.day > d.day => Some((i, true)),
        (Some(d), _) => Some((d, false)),
        (None, Some(i)) => Some((i, true)),
        (None, None) => None,
    };
    let Some((row, inverted)) = pick else {
        return Err(Error::bad_input(format!(
            "no FX rate from {base} to {quote} on or before {day}: add one with setFxRate"
        )));
    };
    let stored = Decimal::from_str(&row.rate)
        .map_err(|_| anyhow::anyhow!("stored rate {:?} is not a decimal", row.rate))?;
    let rate = if inverted {
        Decimal::ONE
            .checked_div(stored)
            .ok_or_else(|| anyhow::anyhow!("stored rate {stored} cannot be inverted"))?
    } else {
        stored
    };
    Ok(RateOnDay { rate, day: row.day })
}

/// The rates of `org_id`, by pair and day.
///
/// # Errors
/// Database failures.
pub async fn list(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<FxRate>> {
    fx_rate::Entity::find()
        .filter(fx_rate::Column::OrgId.eq(org_id))
        .order_by_asc(fx_rate::Column::Base)
        .order_by_asc(fx_rate::Column::Quote)
        .order_by_asc(fx_rate::Column::Day)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(FxRate {
                day: row.day,
                base: Currency::parse(&row.base)?,
                quote: Currency::parse(&row.quote)?,
                rate: Decimal::from_str(&row.rate)
                    .map_err(|_| anyhow::anyhow!("stored rate {:?} is not a decimal", row.rate))?,
            })
        })
        .collect()
}
