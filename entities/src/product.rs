//! A master product (the brand's own SKU).

use sea_orm::entity::prelude::*;

/// One row of `product`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub sku: String,
    /// `sku` normalised (`migration::normalized_sku`): listings auto-link by it.
    pub sku_key: String,
    pub name: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
