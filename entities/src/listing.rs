//! A channel SKU of one shop, linked to its master product once known.

use sea_orm::entity::prelude::*;

/// One row of `listing`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listing")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: i64,
    pub channel_sku_id: String,
    pub seller_sku: Option<String>,
    pub product_id: Option<i64>,
    pub title: Option<String>,
    /// The channel's product id (ad reports name products).
    pub channel_product_id: Option<String>,
    pub created_at: DateTimeUtc,
    /// Set by `linkListing` / `unlinkListing`: auto-linking never changes `product_id` again.
    pub linked_by_hand: bool,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
