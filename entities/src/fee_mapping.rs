//! A per-org override of where a channel label is booked.

use sea_orm::entity::prelude::*;

/// One row of `fee_mapping`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fee_mapping")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub channel: String,
    pub label: String,
    pub bucket: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
