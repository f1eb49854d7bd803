//! Drops `ix_ledger_entry_raw_record`: nothing looks ledger lines up by raw record (a line links
//! to its record through the column; raw records are never deleted), and every index on
//! `ledger_entry` is paid on each of the millions of rows a large shop posts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ledger_entry_raw_record")
                    .table(Alias::new("ledger_entry"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_ledger_entry_raw_record")
                    .table(Alias::new("ledger_entry"))
                    .col(Alias::new("raw_record_id"))
                    .to_owned(),
            )
            .await
    }
}
