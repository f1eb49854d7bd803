//! `ledger_day`: the ledger summed per org, day (org time zone), channel, shop, listing,
//! product, creator, bucket, status and currency. Kept exact by every posting in the same
//! transaction, rebuildable from `ledger_entry` at any time; the P&L reads it instead of
//! scanning raw lines. Absent references are 0 so the unique key has no NULLs.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, drop_all, index, pk};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut day = pk("ledger_day");
        day.col(col("org_id").big_integer())
            .col(col("day").date())
            .col(col("channel").string_len(32))
            .col(col("shop_id").big_integer())
            .col(col("listing_id").big_integer())
            .col(col("product_id").big_integer())
            .col(col("creator_id").big_integer())
            .col(col("bucket").string_len(32))
            .col(col("status").string_len(16))
            .col(col("currency").char_len(3))
            .col(col("amount_minor").big_integer())
            .col(col("quantity").big_integer())
            .col(col("sale_lines").big_integer());
        create_all(
            manager,
            vec![day],
            vec![index(
                "uq_ledger_day_key",
                "ledger_day",
                &[
                    "org_id",
                    "day",
                    "channel",
                    "shop_id",
                    "listing_id",
                    "product_id",
                    "creator_id",
                    "bucket",
                    "status",
                    "currency",
                ],
                true,
            )],
        )
        .await?;
        // Existing ledgers are summed once here; postings keep the sums from now on.
        manager
            .get_connection()
            .execute_unprepared(&crate::ledger_day_rebuild_from(None, crate::Stored::Text))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["ledger_day"]).await
    }
}
