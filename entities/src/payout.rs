//! A total a channel reports: a statement, payment, settlement or payout.

use sea_orm::entity::prelude::*;

/// One row of `payout`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payout")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: Option<i64>,
    pub channel: String,
    pub kind: String,
    pub external_id: String,
    /// The channel's total in minor units of `currency`.
    pub reported_minor: i64,
    pub currency: String,
    pub period_start: Option<DateTimeUtc>,
    pub period_end: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub status: String,
    pub parent_id: Option<i64>,
    pub raw_record_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
