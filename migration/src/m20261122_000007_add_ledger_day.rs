//! The day of each ledger row in its org's time zone, computed when the row is written, so that
//! P&L queries group by day, week and month with the same SQL on SQLite (which has no time zone
//! database) and PostgreSQL. Rows written before this migration get their UTC date.

use sea_orm_migration::prelude::*;

use crate::util::{id, index};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(id("ledger_entry"))
                    .add_column(ColumnDef::new(id("day")).date().null())
                    .to_owned(),
            )
            .await?;
        let backfill = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE ledger_entry SET day = (occurred_at AT TIME ZONE 'UTC')::date"
            }
            _ => "UPDATE ledger_entry SET day = date(occurred_at)",
        };
        manager
            .get_connection()
            .execute_unprepared(backfill)
            .await?;
        manager
            .create_index(index(
                "ix_ledger_entry_org_day",
                "ledger_entry",
                &["org_id", "day"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ledger_entry_org_day")
                    .table(id("ledger_entry"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("ledger_entry"))
                    .drop_column(id("day"))
                    .to_owned(),
            )
            .await
    }
}
