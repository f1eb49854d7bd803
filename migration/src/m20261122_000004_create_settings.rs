//! What a brand maintains beside the ledger: `product_cost` (effective-dated unit costs with
//! landed-cost components), `fx_rate` (daily rates as exact decimal strings), `fee_mapping`
//! (per-org label → bucket overrides) and `sync_state` (cursors and progress per shop and stream).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, fk, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut cost = pk("product_cost");
        with_org(&mut cost, "product_cost");
        cost.col(col("product_id").big_integer())
            .col(col("effective_from").date())
            .col(col("currency").char_len(3))
            // Total landed unit cost and its optional components, minor units of `currency`.
            .col(col("unit_cost_minor").big_integer())
            .col(null("product_minor").big_integer())
            .col(null("freight_minor").big_integer())
            .col(null("duty_minor").big_integer())
            .col(null("packaging_minor").big_integer())
            .col(created_at())
            .foreign_key(&mut fk("product_cost", "product_id", "product"));

        let mut fx = pk("fx_rate");
        with_org(&mut fx, "fx_rate");
        fx.col(col("day").date())
            .col(col("base").char_len(3))
            .col(col("quote").char_len(3))
            // Units of `quote` per one unit of `base`, as an exact decimal string.
            .col(col("rate").string_len(40))
            .col(created_at());

        let mut mapping = pk("fee_mapping");
        with_org(&mut mapping, "fee_mapping");
        mapping
            .col(col("channel").string_len(32))
            .col(col("label").string())
            .col(col("bucket").string_len(32))
            .col(created_at())
            .col(col("updated_at").timestamp_with_time_zone());

        let mut sync = pk("sync_state");
        with_org(&mut sync, "sync_state");
        sync.col(col("shop_id").big_integer())
            .col(col("stream").string_len(64))
            .col(null("cursor").text())
            .col(col("state").string_len(32).default("IDLE"))
            .col(null("last_success_at").timestamp_with_time_zone())
            .col(null("last_error").text())
            .col(null("progress").text())
            .col(null("next_run_at").timestamp_with_time_zone())
            .col(null("locked_by").string())
            .col(null("locked_until").timestamp_with_time_zone())
            .col(col("updated_at").timestamp_with_time_zone())
            .foreign_key(&mut fk("sync_state", "shop_id", "shop"));

        create_all(
            manager,
            vec![cost, fx, mapping, sync],
            vec![
                index(
                    "uq_product_cost_org_product_from",
                    "product_cost",
                    &["org_id", "product_id", "effective_from"],
                    true,
                ),
                index(
                    "uq_fx_rate_org_day_pair",
                    "fx_rate",
                    &["org_id", "base", "quote", "day"],
                    true,
                ),
                index(
                    "uq_fee_mapping_org_channel_label",
                    "fee_mapping",
                    &["org_id", "channel", "label"],
                    true,
                ),
                index(
                    "uq_sync_state_shop_stream",
                    "sync_state",
                    &["shop_id", "stream"],
                    true,
                ),
                index("ix_sync_state_due", "sync_state", &["next_run_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(
            manager,
            &["sync_state", "fee_mapping", "fx_rate", "product_cost"],
        )
        .await
    }
}
