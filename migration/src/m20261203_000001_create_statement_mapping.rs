//! `statement_mapping`: an org's own statement mappings (TOML text, checked when saved), by
//! name, one per (org, name), so a frontend can offer them and uploads can name them.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut mapping = pk("statement_mapping");
        with_org(&mut mapping, "statement_mapping");
        mapping
            .col(col("name").string_len(64))
            .col(col("toml").text())
            .col(created_at())
            .col(col("updated_at").timestamp_with_time_zone());
        create_all(
            manager,
            vec![mapping],
            vec![index(
                "uq_statement_mapping_org_name",
                "statement_mapping",
                &["org_id", "name"],
                true,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["statement_mapping"]).await
    }
}
