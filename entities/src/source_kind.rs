//! The kinds of source an org's ledger lines came from (`tiktok.finance.202501.statement_transactions`,
//! `amazon.settlement.v2_flat_file`, …), each stored once: a ledger row carries the id.

use sea_orm::entity::prelude::*;

/// One row of `source_kind`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source_kind")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    #[sea_orm(column_type = "Text")]
    pub name: String,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
