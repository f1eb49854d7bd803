//! A connected ad account (TikTok Ads advertiser), linked to a shop.

use sea_orm::entity::prelude::*;

/// One row of `ad_account`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ad_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub channel: String,
    pub advertiser_id: String,
    pub name: String,
    /// IANA time zone of the account; report days are days there.
    pub time_zone: String,
    pub currency: Option<String>,
    /// The shop its spend belongs to.
    pub shop_id: Option<i64>,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_message: Option<String>,
    /// Encrypted credentials.
    #[sea_orm(column_type = "Text", nullable)]
    pub credentials: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
