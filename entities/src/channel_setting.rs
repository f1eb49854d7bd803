//! An org's setting of one channel, as text (`channel`, `key` → `value`).

use sea_orm::entity::prelude::*;

/// One row of `channel_setting`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_setting")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// The channel (`SHOPIFY`, …).
    pub channel: String,
    /// The setting's name.
    pub key: String,
    /// Its value (the channel's connector reads and writes it).
    #[sea_orm(column_type = "Text")]
    pub value: String,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
