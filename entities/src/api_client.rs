//! A partner app allowed to obtain org-scoped tokens with client credentials.

use sea_orm::entity::prelude::*;

/// One row of `api_client`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub client_id: String,
    pub name: String,
    /// Hex SHA-256 of the client secret.
    pub secret_hash: String,
    /// Space-separated scopes the app may receive.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    /// Set when revoked; tokens of a revoked client stop working at once.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
