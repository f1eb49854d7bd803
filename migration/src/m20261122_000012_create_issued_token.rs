//! `issued_token`: the tokens `pnl token` signed (by their `jti`), so that an operator can list
//! them and revoke one before it expires. Only the claims are kept, never the token itself.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut issued_token = pk("issued_token");
        with_org(&mut issued_token, "issued_token");
        issued_token
            // The token's `jti` claim (random; looked up on every request that carries it).
            .col(col("jti").string_len(64))
            .col(col("subject").string())
            .col(col("scopes").string())
            .col(created_at())
            .col(col("expires_at").timestamp_with_time_zone())
            .col(null("revoked_at").timestamp_with_time_zone());

        create_all(
            manager,
            vec![issued_token],
            vec![
                index("uq_issued_token_jti", "issued_token", &["jti"], true),
                index("ix_issued_token_org", "issued_token", &["org_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["issued_token"]).await
    }
}
