//! A one-time value of a channel connection round trip: a ticket that starts it, or the OAuth
//! `state` bound to the browser that started it. Only hashes are stored.

use sea_orm::entity::prelude::*;

/// One row of `oauth_state`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_state")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// What is being connected: `TIKTOK_SHOP` or `TIKTOK_ADS`.
    pub kind: String,
    /// `TICKET` or `STATE`.
    pub purpose: String,
    /// Hex SHA-256 of the value handed out.
    pub nonce_hash: String,
    /// Hex SHA-256 of the browser cookie a `STATE` is bound to.
    pub browser_hash: Option<String>,
    /// The account the round trip is for, when the channel's page is per account (a Shopify
    /// shop's `NAME.myshopify.com`); the callback must name the same one.
    pub subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when used; a used value is refused.
    pub consumed_at: Option<DateTimeUtc>,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
