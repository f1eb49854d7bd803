//! A flat fee paid to a creator for a period.

use sea_orm::entity::prelude::*;

/// One row of `creator_fee`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "creator_fee")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub creator_id: i64,
    pub period_start: Date,
    pub period_end: Date,
    /// The fee (positive), minor units of `currency`.
    pub amount_minor: i64,
    pub currency: String,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
