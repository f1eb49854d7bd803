//! Where one `pnl replay` of an org and scope is, so a killed run resumes.

use sea_orm::entity::prelude::*;

/// One row of `replay_run`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "replay_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// What is replayed, e.g. `channel=AMAZON since=2026-01-01`.
    pub scope: String,
    /// The last raw record finished (records are replayed in id order).
    pub last_record_id: i64,
    /// Records finished.
    pub done: i64,
    /// Records to replay when the run started.
    pub total: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set when the run went through every record; a later replay of the scope starts over.
    pub finished_at: Option<DateTimeUtc>,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
