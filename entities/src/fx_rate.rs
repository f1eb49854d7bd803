//! A daily exchange rate: units of `quote` per one `base`.

use sea_orm::entity::prelude::*;

/// One row of `fx_rate`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fx_rate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub day: Date,
    pub base: String,
    pub quote: String,
    /// Exact decimal string.
    pub rate: String,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
