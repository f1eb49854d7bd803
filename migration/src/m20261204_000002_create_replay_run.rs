//! `replay_run`: where a `pnl replay` of an org (and scope) is, so one killed midway resumes
//! after the last raw record it finished instead of starting over. Looked up by org and scope
//! (the unique index).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut run = pk("replay_run");
        with_org(&mut run, "replay_run");
        run.col(col("scope").string_len(128))
            .col(col("last_record_id").big_integer())
            .col(col("done").big_integer())
            .col(col("total").big_integer())
            .col(created_at())
            .col(col("updated_at").timestamp_with_time_zone())
            .col(null("finished_at").timestamp_with_time_zone());
        create_all(
            manager,
            vec![run],
            vec![index(
                "uq_replay_run_org_scope",
                "replay_run",
                &["org_id", "scope"],
                true,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["replay_run"]).await
    }
}
