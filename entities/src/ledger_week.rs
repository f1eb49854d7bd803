//! The ledger summed per ISO week (Monday first) and key; maintained by postings, rebuildable
//! from `ledger_day`.

use sea_orm::entity::prelude::*;

/// One row of `ledger_week`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_week")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// The Monday of the week.
    pub week: Date,
    pub channel: String,
    /// 0 when none.
    pub shop_id: i64,
    /// 0 when none.
    pub listing_id: i64,
    /// The line's own product (ad spend tied to a product); 0 when none.
    pub product_id: i64,
    /// 0 when none.
    pub creator_id: i64,
    pub bucket: String,
    pub status: String,
    pub currency: String,
    pub amount_minor: i64,
    pub quantity: i64,
    /// Sale lines (reversals count −1).
    pub sale_lines: i64,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
