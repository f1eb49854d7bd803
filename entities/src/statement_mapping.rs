//! An org's own statement mapping: its name and its TOML text (checked when saved).

use sea_orm::entity::prelude::*;

/// One row of `statement_mapping`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement_mapping")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// The name uploads and `pnl import --mapping` use (`[a-z0-9-]{1,64}`, unique per org).
    pub name: String,
    /// The mapping, as saved.
    #[sea_orm(column_type = "Text")]
    pub toml: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
