//! The channel's product id on ledger rows tied to a product but to no SKU (an ad report's
//! spend per product), so a row posted before the product was known — ads synced before the
//! shop's first sync — can be attributed once the product is known. The partial index finds
//! the rows still waiting, cheaply, after every ingest.

use sea_orm_migration::prelude::*;

use crate::util::id;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(id("ledger_entry"))
                    .add_column(ColumnDef::new(id("channel_product_id")).string().null())
                    .to_owned(),
            )
            .await?;
        // Partial indexes read the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_ledger_entry_unattributed ON ledger_entry \
                 (org_id, shop_id, channel_product_id) \
                 WHERE product_id IS NULL AND channel_product_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ledger_entry_unattributed")
                    .table(id("ledger_entry"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("ledger_entry"))
                    .drop_column(id("channel_product_id"))
                    .to_owned(),
            )
            .await
    }
}
