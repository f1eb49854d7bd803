//! An effective-dated landed unit cost of a product.

use sea_orm::entity::prelude::*;

/// One row of `product_cost`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_cost")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub product_id: i64,
    pub effective_from: Date,
    pub currency: String,
    pub unit_cost_minor: i64,
    pub product_minor: Option<i64>,
    pub freight_minor: Option<i64>,
    pub duty_minor: Option<i64>,
    pub packaging_minor: Option<i64>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
