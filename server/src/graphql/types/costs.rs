//! Unit costs and FX rates as the API shows and takes them.

use async_graphql::{InputObject, SimpleObject};

use super::scalars::{Date, Decimal};

use super::money::MoneyObject;
use crate::costs::fx::FxRate as DomainRate;
use crate::costs::unit_cost::UnitCost;
use crate::error::Result;
use crate::money::{Currency, Money};

/// A landed unit cost of a product, in force from `effectiveFrom` until the next one.
#[derive(Clone, Debug, SimpleObject)]
pub struct ProductCost {
    /// The product's SKU.
    pub sku: String,
    /// First day it applies (a day in the org's time zone).
    pub effective_from: Date,
    /// The unit cost.
    pub unit_cost: MoneyObject,
    /// The goods part, when given.
    pub product: Option<MoneyObject>,
    /// Inbound freight, when given.
    pub freight: Option<MoneyObject>,
    /// Import duty, when given.
    pub duty: Option<MoneyObject>,
    /// Packaging, when given.
    pub packaging: Option<MoneyObject>,
}

impl From<UnitCost> for ProductCost {
    fn from(c: UnitCost) -> Self {
        Self {
            sku: c.sku,
            effective_from: c.effective_from.into(),
            unit_cost: c.unit_cost.into(),
            product: c.components.product.map(Into::into),
            freight: c.components.freight.map(Into::into),
            duty: c.components.duty.map(Into::into),
            packaging: c.components.packaging.map(Into::into),
        }
    }
}

/// Landed-cost components; when any is given they must add up to `unitCost`.
#[derive(Clone, Debug, Default, InputObject)]
pub struct CostComponentsInput {
    /// The goods themselves.
    pub product: Option<Decimal>,
    /// Inbound freight.
    pub freight: Option<Decimal>,
    /// Import duty.
    pub duty: Option<Decimal>,
    /// Packaging.
    pub packaging: Option<Decimal>,
}

/// Input of `setProductCost`.
#[derive(Clone, Debug, InputObject)]
pub struct SetProductCostInput {
    /// The product's SKU (created if new).
    pub sku: String,
    /// The landed unit cost, a decimal string.
    pub unit_cost: Decimal,
    /// ISO 4217 currency of the cost and its components.
    pub currency: String,
    /// First day it applies.
    pub effective_from: Date,
    /// Optional landed-cost components.
    pub components: Option<CostComponentsInput>,
}

/// `value` in `currency`, refusing more decimals than the currency has (a cost is never rounded
/// silently).
fn money(Decimal(value): Decimal, currency: Currency, field: &str) -> Result<Money> {
    if value.normalize().scale() > currency.exponent() {
        return Err(crate::error::Error::bad_input(format!(
            "{field}: {value} has more decimals than {currency} allows ({})",
            currency.exponent()
        )));
    }
    Ok(Money::from_decimal(value, currency))
}

impl SetProductCostInput {
    /// The domain cost.
    ///
    /// # Errors
    /// An unknown currency or an amount with more decimals than the currency has.
    pub fn to_cost(&self) -> Result<UnitCost> {
        let currency = crate::graphql::args::currency("input.currency", &self.currency)?;
        let components = self.components.clone().unwrap_or_default();
        let part = |value: Option<Decimal>, field: &str| {
            value.map(|v| money(v, currency, field)).transpose()
        };
        Ok(UnitCost {
            sku: self.sku.trim().to_owned(),
            effective_from: self.effective_from.0,
            unit_cost: money(self.unit_cost, currency, "unitCost")?,
            components: crate::costs::unit_cost::Components {
                product: part(components.product, "components.product")?,
                freight: part(components.freight, "components.freight")?,
                duty: part(components.duty, "components.duty")?,
                packaging: part(components.packaging, "components.packaging")?,
            },
        })
    }
}

/// A daily exchange rate: units of `quote` per one `base`.
#[derive(Clone, Debug, SimpleObject)]
pub struct FxRate {
    /// The day.
    pub day: Date,
    /// From.
    pub base: String,
    /// To.
    pub quote: String,
    /// Units of `quote` per one `base`, a decimal string.
    pub rate: Decimal,
}

impl From<DomainRate> for FxRate {
    fn from(r: DomainRate) -> Self {
        Self {
            day: r.day.into(),
            base: r.base.as_str().to_owned(),
            quote: r.quote.as_str().to_owned(),
            rate: r.rate.into(),
        }
    }
}

/// What a CSV import stored.
#[derive(Clone, Debug, SimpleObject)]
pub struct ImportResult {
    /// Rows stored.
    pub rows: i32,
}
