//! The channel labels of an org's ledger lines (`referral_fee_amount`, `FBAPerUnitFulfillmentFee`,
//! `Adjustment / WFS Reimbursement`, …), each stored once: a ledger row carries the id.

use sea_orm::entity::prelude::*;

/// One row of `ledger_label`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_label")]
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
