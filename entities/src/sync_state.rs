//! Cursor, schedule, lock and progress of one stream of one shop.

use sea_orm::entity::prelude::*;

/// One row of `sync_state`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_state")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: i64,
    pub stream: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub cursor: Option<String>,
    pub state: String,
    pub last_success_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub progress: Option<String>,
    pub next_run_at: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
