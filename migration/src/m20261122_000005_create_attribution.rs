//! Creator attribution of orders (from the affiliate API) and free samples (from order detail),
//! plus the channel's product id on listings (ad reports name products, not SKUs).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, drop_all, fk, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut attribution = pk("order_attribution");
        with_org(&mut attribution, "order_attribution");
        attribution
            .col(col("shop_id").big_integer())
            .col(col("order_id").string())
            // Empty when the attribution covers the whole order.
            .col(col("channel_sku_id").string().default(""))
            .col(null("listing_id").big_integer())
            .col(null("creator_id").big_integer())
            .col(null("content_type").string_len(32))
            // Decimal percent strings ("15.50").
            .col(null("commission_rate").string_len(16))
            .col(null("shop_ads_commission_rate").string_len(16))
            .col(null("currency").char_len(3))
            .col(null("estimated_commission_minor").big_integer())
            .col(null("actual_commission_minor").big_integer())
            .col(col("quantity").integer().default(0))
            .col(col("is_sample").boolean().default(false))
            .col(null("occurred_at").timestamp_with_time_zone())
            .col(col("updated_at").timestamp_with_time_zone())
            .foreign_key(&mut fk("order_attribution", "shop_id", "shop"))
            .foreign_key(&mut fk("order_attribution", "listing_id", "listing"))
            .foreign_key(&mut fk("order_attribution", "creator_id", "creator"));
        create_all(
            manager,
            vec![attribution],
            vec![
                index(
                    "uq_order_attribution_order_sku",
                    "order_attribution",
                    &["org_id", "shop_id", "order_id", "channel_sku_id"],
                    true,
                ),
                index(
                    "ix_order_attribution_creator",
                    "order_attribution",
                    &["org_id", "creator_id"],
                    false,
                ),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(crate::util::id("listing"))
                    .add_column(null("channel_product_id").string())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_listing_channel_product",
                "listing",
                &["org_id", "channel_product_id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_listing_channel_product")
                    .table(crate::util::id("listing"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(crate::util::id("listing"))
                    .drop_column(crate::util::id("channel_product_id"))
                    .to_owned(),
            )
            .await?;
        drop_all(manager, &["order_attribution"]).await
    }
}
