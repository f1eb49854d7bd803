//! A token `pnl token` signed, by its `jti`, so that it can be listed and revoked.

use sea_orm::entity::prelude::*;

/// One row of `issued_token`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issued_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// The token's `jti` claim.
    pub jti: String,
    pub subject: String,
    /// Space-separated scopes the token grants.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when revoked; the token stops working on its next request.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
