//! What a second sales channel needs that the first did not:
//! - `oauth_state.subject`: the account a round trip is for when the channel's authorisation
//!   page is per account (a Shopify install starts at `https://NAME.myshopify.com/…`), so the
//!   callback must name the same one;
//! - `channel_setting`: an org's settings of one channel, as text (e.g. the order source names
//!   Shopify orders mirrored from a marketplace carry);
//! - `mirrored_order`: orders one channel holds only as a copy of another channel's order
//!   (TikTok Shop or Amazon orders pushed into Shopify), skipped by the ledger and listed with
//!   the rule that recognised them.

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
                    .table(id("oauth_state"))
                    .add_column(null("subject").string_len(255))
                    .to_owned(),
            )
            .await?;

        let mut setting = pk("channel_setting");
        with_org(&mut setting, "channel_setting");
        setting
            .col(col("channel").string_len(32))
            .col(col("key").string_len(64))
            .col(col("value").text())
            .col(col("updated_at").timestamp_with_time_zone());

        let mut mirrored = pk("mirrored_order");
        with_org(&mut mirrored, "mirrored_order");
        mirrored
            .col(col("shop_id").big_integer())
            .foreign_key(&mut fk("mirrored_order", "shop_id", "shop"))
            // The channel's order id (Shopify: the order's legacy id) and display name.
            .col(col("order_id").string_len(64))
            .col(col("order_name").string_len(128))
            // SOURCE_NAME, APP, TAG or EXTERNAL_ORDER_ID, and the value that matched.
            .col(col("rule").string_len(32))
            .col(col("matched").string_len(255))
            // The channel that owns the order, when the rule tells (EXTERNAL_ORDER_ID).
            .col(null("owner_channel").string_len(32))
            .col(col("ordered_at").timestamp_with_time_zone())
            .col(created_at());

        create_all(
            manager,
            vec![setting, mirrored],
            vec![
                index(
                    "uq_channel_setting_org_channel_key",
                    "channel_setting",
                    &["org_id", "channel", "key"],
                    true,
                ),
                // One row per order of a shop; listed per org newest first.
                index(
                    "uq_mirrored_order_shop_order",
                    "mirrored_order",
                    &["shop_id", "order_id"],
                    true,
                ),
                index(
                    "ix_mirrored_order_org_ordered_at",
                    "mirrored_order",
                    &["org_id", "ordered_at"],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["mirrored_order", "channel_setting"]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(id("oauth_state"))
                    .drop_column(id("subject"))
                    .to_owned(),
            )
            .await
    }
}
