//! Tenancy: `org` (every row of every other table belongs to one) and `api_client` (partner apps
//! that obtain org-scoped tokens with the client-credentials grant).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let org = pk("org")
            // The org's stable key, as it appears in the `org` claim of every token.
            .col(col("key").string_len(64))
            .col(col("name").string())
            // Reporting currency and time zone (days of the P&L are days in this zone).
            .col(col("currency").char_len(3).default("USD"))
            .col(col("time_zone").string_len(64).default("UTC"))
            .col(created_at())
            .to_owned();

        let mut api_client = pk("api_client");
        with_org(&mut api_client, "api_client");
        api_client
            .col(col("client_id").string_len(64))
            .col(col("name").string())
            // SHA-256 of the client secret (the secret is 256 random bits, so a fast hash is enough).
            .col(col("secret_hash").string_len(64))
            .col(col("scopes").string())
            .col(created_at())
            .col(null("revoked_at").timestamp_with_time_zone());

        create_all(
            manager,
            vec![org, api_client],
            vec![
                index("uq_org_key", "org", &["key"], true),
                index(
                    "uq_api_client_client_id",
                    "api_client",
                    &["client_id"],
                    true,
                ),
                index("ix_api_client_org", "api_client", &["org_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["api_client", "org"]).await
    }
}
