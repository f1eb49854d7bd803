//! The ledger: `raw_record` (what a channel sent, verbatim and hashed), `payout` (every total a
//! channel reports: statement, payment, settlement, payout) and `ledger_entry` (append-only, one
//! row per money component of one source line; corrections are reversal rows, never updates).

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, created_at, drop_all, fk, index, null, pk, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut raw = pk("raw_record");
        with_org(&mut raw, "raw_record");
        raw.col(null("shop_id").big_integer())
            .col(col("channel").string_len(32))
            .col(col("source_kind").string_len(64))
            .col(col("source_id").string())
            // Hex SHA-256 of `payload`: a changed payload under the same source id is a new row.
            .col(col("sha256").char_len(64))
            .col(col("payload").text())
            .col(col("received_at").timestamp_with_time_zone())
            .foreign_key(&mut fk("raw_record", "shop_id", "shop"));

        let mut payout = pk("payout");
        with_org(&mut payout, "payout");
        payout
            .col(null("shop_id").big_integer())
            .col(col("channel").string_len(32))
            .col(col("kind").string_len(32))
            .col(col("external_id").string())
            // The total as the channel reports it, in minor units of `currency`.
            .col(col("reported_minor").big_integer())
            .col(col("currency").char_len(3))
            .col(null("period_start").timestamp_with_time_zone())
            .col(null("period_end").timestamp_with_time_zone())
            .col(null("paid_at").timestamp_with_time_zone())
            .col(col("status").string_len(32))
            // The payout that paid this one out (a TikTok statement's payment).
            .col(null("parent_id").big_integer())
            .col(null("raw_record_id").big_integer())
            .col(created_at())
            .col(col("updated_at").timestamp_with_time_zone())
            .foreign_key(&mut fk("payout", "shop_id", "shop"))
            .foreign_key(&mut fk("payout", "parent_id", "payout"))
            .foreign_key(&mut fk("payout", "raw_record_id", "raw_record"));

        let mut entry = pk("ledger_entry");
        with_org(&mut entry, "ledger_entry");
        entry
            .col(null("shop_id").big_integer())
            .col(col("channel").string_len(32))
            // Derived from channel identifiers; (org, key, seq) is unique. The row with the
            // highest seq of a key is its current state, unless it is a reversal.
            .col(col("entry_key").string())
            .col(col("seq").integer())
            .col(null("reversal_of").big_integer())
            .col(col("content_hash").char_len(64))
            .col(null("order_id").string())
            .col(null("order_line").string())
            .col(null("listing_id").big_integer())
            .col(null("product_id").big_integer())
            .col(null("creator_id").big_integer())
            .col(col("bucket").string_len(32))
            // The channel's own field or fee label the amount came from.
            .col(col("label").string())
            // Whether `label` was found in a mapping; false means it fell through to OTHER.
            .col(col("mapped").boolean())
            .col(col("amount_minor").big_integer())
            .col(col("currency").char_len(3))
            .col(col("quantity").integer().default(0))
            .col(col("occurred_at").timestamp_with_time_zone())
            .col(col("status").string_len(16))
            .col(null("payout_id").big_integer())
            .col(col("source_kind").string_len(64))
            .col(col("source_id").string())
            .col(null("raw_record_id").big_integer())
            .col(created_at())
            .foreign_key(&mut fk("ledger_entry", "shop_id", "shop"))
            .foreign_key(&mut fk("ledger_entry", "reversal_of", "ledger_entry"))
            .foreign_key(&mut fk("ledger_entry", "listing_id", "listing"))
            .foreign_key(&mut fk("ledger_entry", "product_id", "product"))
            .foreign_key(&mut fk("ledger_entry", "creator_id", "creator"))
            .foreign_key(&mut fk("ledger_entry", "payout_id", "payout"))
            .foreign_key(&mut fk("ledger_entry", "raw_record_id", "raw_record"));

        create_all(
            manager,
            vec![raw, payout, entry],
            vec![
                index(
                    "uq_raw_record_source",
                    "raw_record",
                    &["org_id", "source_kind", "source_id", "sha256"],
                    true,
                ),
                index(
                    "uq_payout_org_channel_kind_external",
                    "payout",
                    &["org_id", "channel", "kind", "external_id"],
                    true,
                ),
                index(
                    "ix_payout_org_period",
                    "payout",
                    &["org_id", "period_start"],
                    false,
                ),
                index(
                    "uq_ledger_entry_key_seq",
                    "ledger_entry",
                    &["org_id", "entry_key", "seq"],
                    true,
                ),
                // P&L queries filter on org and time range first.
                index(
                    "ix_ledger_entry_org_occurred",
                    "ledger_entry",
                    &["org_id", "occurred_at"],
                    false,
                ),
                index(
                    "ix_ledger_entry_org_payout",
                    "ledger_entry",
                    &["org_id", "payout_id"],
                    false,
                ),
                index(
                    "ix_ledger_entry_org_order",
                    "ledger_entry",
                    &["org_id", "order_id"],
                    false,
                ),
                index(
                    "ix_ledger_entry_org_unmapped",
                    "ledger_entry",
                    &["org_id", "mapped", "channel", "label"],
                    false,
                ),
                index(
                    "ix_ledger_entry_raw_record",
                    "ledger_entry",
                    &["raw_record_id"],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["ledger_entry", "payout", "raw_record"]).await
    }
}
