//! Effective-dated unit costs: one per product and `effective_from` day, in any currency, with
//! optional landed-cost components that must add up to the unit cost.

use chrono::{NaiveDate, Utc};
use entities::{product, product_cost};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// Landed-cost components of a unit cost (each optional).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Components {
    /// The goods themselves.
    pub product: Option<Money>,
    /// Inbound freight.
    pub freight: Option<Money>,
    /// Import duty.
    pub duty: Option<Money>,
    /// Packaging.
    pub packaging: Option<Money>,
}

impl Components {
    fn all(&self) -> impl Iterator<Item = (&'static str, Money)> {
        [
            ("product", self.product),
            ("freight", self.freight),
            ("duty", self.duty),
            ("packaging", self.packaging),
        ]
        .into_iter()
        .filter_map(|(name, money)| money.map(|m| (name, m)))
    }
}

/// A unit cost in force from a day on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitCost {
    /// The product's SKU.
    pub sku: String,
    /// First day it applies (in the org's time zone).
    pub effective_from: NaiveDate,
    /// The landed unit cost.
    pub unit_cost: Money,
    /// Its components, when given.
    pub components: Components,
}

/// Checks a unit cost: not negative, and components (when any) in its currency adding up to it.
///
/// # Errors
/// BAD_USER_INPUT naming the field and value.
pub fn validate(cost: &UnitCost) -> Result<()> {
    if cost.sku.trim().is_empty() {
        return Err(Error::bad_input("sku must not be empty"));
    }
    if cost.unit_cost.amount().is_sign_negative() && !cost.unit_cost.is_zero() {
        return Err(Error::bad_input(format!(
            "unitCost must not be negative, got {}",
            cost.unit_cost
        )));
    }
    let mut parts = cost.components.all().peekable();
    if parts.peek().is_none() {
        return Ok(());
    }
    let mut total = Money::zero(cost.unit_cost.currency());
    for (name, money) in parts {
        if money.currency() != cost.unit_cost.currency() {
            return Err(Error::bad_input(format!(
                "component {name} is in {} but unitCost is in {}",
                money.currency(),
                cost.unit_cost.currency()
            )));
        }
        total = total.checked_add(money)?;
    }
    if total != cost.unit_cost {
        return Err(Error::bad_input(format!(
            "components add up to {total} but unitCost is {}",
            cost.unit_cost
        )));
    }
    Ok(())
}

fn minor(money: Option<Money>) -> Result<Option<i64>> {
    Ok(money.map(|m| m.minor()).transpose()?)
}

/// Stores `cost` for `org_id` (the product is created if the SKU is new; a cost for the same
/// product and day is replaced).
///
/// # Errors
/// An invalid cost (BAD_USER_INPUT), or database failures.
pub async fn set(db: &impl ConnectionTrait, org_id: i64, cost: &UnitCost) -> Result<()> {
    validate(cost)?;
    let product_id =
        crate::connectors::catalog::ensure_product(db, org_id, cost.sku.trim(), None).await?;
    let row = product_cost::ActiveModel {
        org_id: Set(org_id),
        product_id: Set(product_id),
        effective_from: Set(cost.effective_from),
        currency: Set(cost.unit_cost.currency().as_str().to_owned()),
        unit_cost_minor: Set(cost.unit_cost.minor()?),
        product_minor: Set(minor(cost.components.product)?),
        freight_minor: Set(minor(cost.components.freight)?),
        duty_minor: Set(minor(cost.components.duty)?),
        packaging_minor: Set(minor(cost.components.packaging)?),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    product_cost::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                product_cost::Column::OrgId,
                product_cost::Column::ProductId,
                product_cost::Column::EffectiveFrom,
            ])
            .update_columns([
                product_cost::Column::Currency,
                product_cost::Column::UnitCostMinor,
                product_cost::Column::ProductMinor,
                product_cost::Column::FreightMinor,
                product_cost::Column::DutyMinor,
                product_cost::Column::PackagingMinor,
            ])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The unit costs of `org_id` (of one SKU when given), by SKU and day.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    org_id: i64,
    sku: Option<&str>,
) -> Result<Vec<UnitCost>> {
    let products: Vec<product::Model> = {
        let mut query = product::Entity::find().filter(product::Column::OrgId.eq(org_id));
        if let Some(sku) = sku {
            query = query.filter(product::Column::Sku.eq(sku));
        }
        query.all(db).await?
    };
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let rows = product_cost::Entity::find()
        .filter(product_cost::Column::OrgId.eq(org_id))
        .filter(product_cost::Column::ProductId.is_in(ids))
        .order_by_asc(product_cost::Column::ProductId)
        .order_by_asc(product_cost::Column::EffectiveFrom)
        .all(db)
        .await?;
    let mut costs = Vec::with_capacity(rows.len());
    for row in rows {
        let currency = Currency::parse(&row.currency)?;
        let money = |minor: Option<i64>| minor.map(|m| Money::from_minor(m, currency));
        let sku = products
            .iter()
            .find(|p| p.id == row.product_id)
            .map(|p| p.sku.clone())
            .unwrap_or_default();
        costs.push(UnitCost {
            sku,
            effective_from: row.effective_from,
            unit_cost: Money::from_minor(row.unit_cost_minor, currency),
            components: Components {
                product: money(row.product_minor),
                freight: money(row.freight_minor),
                duty: money(row.duty_minor),
                packaging: money(row.packaging_minor),
            },
        });
    }
    costs.sort_by(|a, b| {
        (a.sku.as_str(), a.effective_from).cmp(&(b.sku.as_str(), b.effective_from))
    });
    Ok(costs)
}

/// SKUs of `org_id`'s products that have no unit cost at all (their profit is flagged, not
/// computed as if they cost nothing).
///
/// # Errors
/// Database failures.
pub async fn products_without_cost(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<String>> {
    let costed = sea_orm::sea_query::Query::select()
        .column(product_cost::Column::ProductId)
        .from(product_cost::Entity)
        .and_where(product_cost::Column::OrgId.eq(org_id))
        .to_owned();
    Ok(product::Entity::find()
        .filter(product::Column::OrgId.eq(org_id))
        .filter(product::Column::Id.not_in_subquery(costed))
        .order_by_asc(product::Column::Sku)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.sku)
        .collect())
}

/// The unit cost of `product_id` in force on `day` (the latest from that day or before).
///
/// # Errors
/// Database failures.
pub async fn cost_on(
    db: &impl ConnectionTrait,
    org_id: i64,
    product_id: i64,
    day: NaiveDate,
) -> Result<Option<Money>> {
    let row = product_cost::Entity::find()
        .filter(product_cost::Column::OrgId.eq(org_id))
        .filter(product_cost::Column::ProductId.eq(product_id))
        .filter(product_cost::Column::EffectiveFrom.lte(day))
        .order_by_desc(product_cost::Column::EffectiveFrom)
        .one(db)
        .await?;
    row.map(|row| {
        Ok(Money::from_minor(
            row.unit_cost_minor,
            Currency::parse(&row.currency)?,
        ))
    })
    .transpose()
}
