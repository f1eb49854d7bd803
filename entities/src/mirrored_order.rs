//! An order a channel holds only as a copy of another channel's order (a TikTok Shop or Amazon
//! order pushed into Shopify): the ledger skips it, and this row says which rule matched.

use sea_orm::entity::prelude::*;

/// One row of `mirrored_order`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mirrored_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: i64,
    /// The channel's order id.
    pub order_id: String,
    /// The order's display name (Shopify `#1001`).
    pub order_name: String,
    /// `SOURCE_NAME`, `APP`, `TAG` or `EXTERNAL_ORDER_ID`.
    pub rule: String,
    /// The value that matched the rule.
    pub matched: String,
    /// The channel that owns the order, when the rule tells.
    pub owner_channel: Option<String>,
    pub ordered_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
