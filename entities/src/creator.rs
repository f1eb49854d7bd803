//! An affiliate creator on a channel.

use sea_orm::entity::prelude::*;

/// One row of `creator`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "creator")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub channel: String,
    pub handle: String,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
