//! `mapping_change`: every change of an org's label → bucket mapping, with who made it, when,
//! the bucket before and after, and the lines and money it re-booked (listed newest first by
//! `mappingChanges`, hence the index on org and id).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut change = pk("mapping_change");
        with_org(&mut change, "mapping_change");
        change
            .col(col("channel").string_len(32))
            .col(col("label").text())
            .col(col("from_bucket").string_len(32))
            .col(col("from_mapped").boolean())
            .col(col("to_bucket").string_len(32))
            .col(col("changed_by").text())
            .col(col("lines_moved").big_integer())
            .col(null("moved").text())
            .col(created_at());
        create_all(
            manager,
            vec![change],
            vec![index(
                "ix_mapping_change_org",
                "mapping_change",
                &["org_id", "id"],
                false,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["mapping_change"]).await
    }
}
