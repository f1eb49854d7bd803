//! An organisation (tenant); every other row belongs to one.

use sea_orm::entity::prelude::*;

/// One row of `org`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable key, as in the `org` claim of tokens.
    pub key: String,
    pub name: String,
    /// ISO 4217 reporting currency.
    pub currency: String,
    /// IANA time zone; P&L days are days in this zone.
    pub time_zone: String,
    pub created_at: DateTimeUtc,
    /// How ad spend not tied to a SKU is spread in the P&L: NET_SALES or NONE.
    pub ad_allocation: String,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
