//! Org P&L settings (how untied ad spend is allocated) and flat fees paid to creators.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, fk, id, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(id("org"))
                    .add_column(
                        ColumnDef::new(id("ad_allocation"))
                            .string_len(16)
                            .not_null()
                            .default("NET_SALES"),
                    )
                    .to_owned(),
            )
            .await?;
        let mut fee = pk("creator_fee");
        with_org(&mut fee, "creator_fee");
        fee.col(col("creator_id").big_integer())
            .col(col("period_start").date())
            .col(col("period_end").date())
            .col(col("amount_minor").big_integer())
            .col(col("currency").char_len(3))
            .col(null("note").string())
            .col(created_at())
            .foreign_key(&mut fk("creator_fee", "creator_id", "creator"));
        create_all(
            manager,
            vec![fee],
            vec![index(
                "ix_creator_fee_org_creator",
                "creator_fee",
                &["org_id", "creator_id"],
                false,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["creator_fee"]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("org"))
                    .drop_column(id("ad_allocation"))
                    .to_owned(),
            )
            .await
    }
}
