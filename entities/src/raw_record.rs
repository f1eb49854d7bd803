//! A channel payload exactly as received, with its hash and source id.

use sea_orm::entity::prelude::*;

/// One row of `raw_record`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "raw_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: Option<i64>,
    pub channel: String,
    pub source_kind: String,
    pub source_id: String,
    /// Hex SHA-256 of `payload`.
    pub sha256: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub received_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
