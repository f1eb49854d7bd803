//! A channel account (a TikTok shop, an Amazon seller account, a Shopify store).

use sea_orm::entity::prelude::*;

/// One row of `shop`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub channel: String,
    pub external_id: String,
    pub name: String,
    pub region: Option<String>,
    pub currency: Option<String>,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_message: Option<String>,
    /// Encrypted channel credentials.
    #[sea_orm(column_type = "Text", nullable)]
    pub credentials: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
