//! Attribution of an order (or one SKU of it) to a creator, and free samples.

use sea_orm::entity::prelude::*;

/// One row of `order_attribution`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_attribution")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: i64,
    pub order_id: String,
    /// Empty when the attribution covers the whole order.
    pub channel_sku_id: String,
    pub listing_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub content_type: Option<String>,
    /// Decimal percent string ("15.50").
    pub commission_rate: Option<String>,
    pub shop_ads_commission_rate: Option<String>,
    pub currency: Option<String>,
    pub estimated_commission_minor: Option<i64>,
    pub actual_commission_minor: Option<i64>,
    pub quantity: i32,
    pub is_sample: bool,
    pub occurred_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
