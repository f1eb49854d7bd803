//! One change of an org's label → bucket mapping and what it re-booked.

use sea_orm::entity::prelude::*;

/// One row of `mapping_change`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mapping_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub channel: String,
    #[sea_orm(column_type = "Text")]
    pub label: String,
    /// Where the label was booked before (OTHER when it matched no mapping).
    pub from_bucket: String,
    /// False when the label matched no mapping before.
    pub from_mapped: bool,
    pub to_bucket: String,
    /// The token subject that made the change.
    #[sea_orm(column_type = "Text")]
    pub changed_by: String,
    /// Lines re-booked into `to_bucket`.
    pub lines_moved: i64,
    /// Their net amount per currency: `CUR:minor` pairs joined by `;`, e.g. `USD:-1250;GBP:30`.
    #[sea_orm(column_type = "Text", nullable)]
    pub moved: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
