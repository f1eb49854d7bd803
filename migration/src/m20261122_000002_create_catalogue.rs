//! What the money belongs to: `shop` (one channel account), `product` (the brand's master SKU),
//! `listing` (a channel's own SKU id, linked to a product once known) and `creator` (an affiliate).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, fk, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut shop = pk("shop");
        with_org(&mut shop, "shop");
        shop.col(col("channel").string_len(32))
            .col(col("external_id").string())
            .col(col("name").string())
            .col(null("region").string_len(16))
            .col(null("currency").char_len(3))
            .col(col("status").string_len(32).default("ACTIVE"))
            .col(null("status_message").text())
            // Channel credentials, encrypted at rest; never returned by the API.
            .col(null("credentials").text())
            .col(created_at());

        let mut product = pk("product");
        with_org(&mut product, "product");
        product
            .col(col("sku").string())
            .col(null("name").string())
            .col(created_at());

        let mut listing = pk("listing");
        with_org(&mut listing, "listing");
        listing
            .col(col("shop_id").big_integer())
            .col(col("channel_sku_id").string())
            .col(null("seller_sku").string())
            .col(null("product_id").big_integer())
            .col(null("title").string())
            .col(created_at())
            .foreign_key(&mut fk("listing", "shop_id", "shop"))
            .foreign_key(&mut fk("listing", "product_id", "product"));

        let mut creator = pk("creator");
        with_org(&mut creator, "creator");
        creator
            .col(col("channel").string_len(32))
            .col(col("handle").string())
            .col(null("external_id").string())
            .col(null("name").string())
            .col(created_at());

        create_all(
            manager,
            vec![shop, product, listing, creator],
            vec![
                index(
                    "uq_shop_org_channel_external",
                    "shop",
                    &["org_id", "channel", "external_id"],
                    true,
                ),
                index("uq_product_org_sku", "product", &["org_id", "sku"], true),
                index(
                    "uq_listing_org_shop_sku",
                    "listing",
                    &["org_id", "shop_id", "channel_sku_id"],
                    true,
                ),
                index("ix_listing_product", "listing", &["product_id"], false),
                index(
                    "uq_creator_org_channel_handle",
                    "creator",
                    &["org_id", "channel", "handle"],
                    true,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["creator", "listing", "product", "shop"]).await
    }
}
