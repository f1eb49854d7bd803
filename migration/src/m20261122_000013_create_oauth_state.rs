//! `oauth_state`: the one-time values of a channel connection round trip, stored as SHA-256
//! hashes. A `TICKET` row is what `tiktokAuthorizeUrl` hands a browser app (bound to the org);
//! a `STATE` row is the OAuth `state` sent to the channel, bound to the org and to the browser
//! that started the flow (the hash of its cookie). Both are consumed once (`consumed_at`) and
//! expire within minutes; expired rows are deleted when new ones are made.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut oauth_state = pk("oauth_state");
        with_org(&mut oauth_state, "oauth_state");
        oauth_state
            // What is being connected: TIKTOK_SHOP or TIKTOK_ADS.
            .col(col("kind").string_len(32))
            // TICKET or STATE.
            .col(col("purpose").string_len(16))
            // Hex SHA-256 of the random value; the value itself is never stored.
            .col(col("nonce_hash").string_len(64))
            // Hex SHA-256 of the browser's cookie (STATE rows only).
            .col(null("browser_hash").string_len(64))
            .col(created_at())
            .col(col("expires_at").timestamp_with_time_zone())
            .col(null("consumed_at").timestamp_with_time_zone());

        create_all(
            manager,
            vec![oauth_state],
            vec![
                // Looked up by the value alone: the org is what the value tells.
                index(
                    "uq_oauth_state_nonce_hash",
                    "oauth_state",
                    &["nonce_hash"],
                    true,
                ),
                index(
                    "ix_oauth_state_expires_at",
                    "oauth_state",
                    &["expires_at"],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["oauth_state"]).await
    }
}
