//! Ad accounts (TikTok Ads advertisers) connected by an org, each linked to the shop whose
//! products it advertises; credentials encrypted like shops'.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, fk, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut account = pk("ad_account");
        with_org(&mut account, "ad_account");
        account
            .col(col("channel").string_len(32))
            .col(col("advertiser_id").string())
            .col(col("name").string())
            .col(col("time_zone").string_len(64).default("UTC"))
            .col(null("currency").char_len(3))
            .col(null("shop_id").big_integer())
            .col(col("status").string_len(32).default("ACTIVE"))
            .col(null("status_message").text())
            .col(null("credentials").text())
            .col(created_at())
            .foreign_key(&mut fk("ad_account", "shop_id", "shop"));
        create_all(
            manager,
            vec![account],
            vec![index(
                "uq_ad_account_org_advertiser",
                "ad_account",
                &["org_id", "channel", "advertiser_id"],
                true,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["ad_account"]).await
    }
}
