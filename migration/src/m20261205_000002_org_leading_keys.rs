//! Every key of a tenant table leads with `org_id` (issue 15), so the ledger can be
//! hash-distributed by org (Citus) or partitioned by org on plain PostgreSQL; the end-to-end test
//! `tenant_keys` reads the migrated catalogue and fails on a key that does not. Three keys did
//! not and are recreated with the org first; every query they serve already names the org:
//!
//! - `listing (product_id)` → `ix_listing_org_product (org_id, product_id)`: the drill-down's
//!   listings of a SKU (`pnl/lines.rs`: org, `product_id IN …`), the listings page's
//!   linked/unlinked filter (`listings.rs`), and the foreign key from `listing` to `product`.
//! - `mirrored_order (shop_id, order_id)` → `uq_mirrored_order_org_shop_order (org_id, shop_id,
//!   order_id)`: one row per order of a shop; the conflict target of `mirrored::record`.
//! - `sync_state (shop_id, stream)` → `uq_sync_state_org_shop_stream (org_id, shop_id, stream)`:
//!   one job per shop and stream; looked up by org, shop and stream (`sync::schedule_now`, the
//!   shop's sync status, `pnl sync`) and paused by org and shop (`catalog::pause_shop`).
//!
//! The indexes of `ledger_entry` after this migration, each with the queries it serves (checked
//! with `EXPLAIN QUERY PLAN` on SQLite and `EXPLAIN` on PostgreSQL; see `docs/scale.md`):
//!
//! - `uq_ledger_entry_key_seq (org_id, entry_key, seq)`: idempotent posting, whose
//!   `current_rows` reads `org_id = ? AND entry_key IN (…) ORDER BY seq`; `ledgerEntries(entryKey:)`;
//!   the Shopify payout pull's "is this line reversed" probe (same key as its reversal).
//! - `ix_ledger_entry_org_day (org_id, day)`: the drill-down `pnlLines` (org, day range),
//!   `pnl replay --since` (org, `day >= ?`), `ledgerEntries(from:, to:)` and the SQLite
//!   restatement of `day` when an org changes its time zone (both bound `day` to a day either
//!   side of the UTC dates of their `occurred_at` range: an org's day is never further away).
//! - `ix_ledger_entry_org_payout (org_id, payout_id)`: `payoutLines` and the payout totals
//!   (org, `payout_id IN …`), and the Shopify payout pull's oldest unassigned settled line
//!   (org, `payout_id IS NULL`).
//! - `ix_ledger_entry_org_order (org_id, order_id)`: ingest's order-level checks (org,
//!   `order_id IN …`), mirrored-order detection and the retirement of a mirrored order's
//!   estimates (its keys are deduplicated in Rust: with `DISTINCT entry_key` SQLite's planner
//!   read the org's whole `uq_ledger_entry_key_seq` instead), `ledgerEntries(orderId:)`.
//! - `ix_ledger_entry_org_unmapped (org_id, mapped, channel, label)`: `unmappedLabels` (org,
//!   `mapped = false`, grouped by channel and label) and rebook by label (org, `mapped IN
//!   (false, true)`, channel, label).
//! - `ix_ledger_entry_unattributed (org_id, shop_id, channel_product_id) WHERE product_id IS
//!   NULL AND channel_product_id IS NOT NULL`: the unattributed products after each ingest
//!   (partial: holds only the rows still waiting).
//!
//! Dropped: `ix_ledger_entry_org_occurred (org_id, occurred_at)`. Its two queries
//! (`ledgerEntries(from:, to:)` and the SQLite time zone restatement) now bound `day` and use
//! `ix_ledger_entry_org_day` (PostgreSQL's planner walked the primary key for the listing
//! rather than use it). In a `pnl bench --orders 50000 --days 90` SQLite database (325,715
//! lines, vacuumed) it was 11.5 MB: `ledger_entry`'s indexes went from 84.7 to 73.2 MB, the file
//! from 471.4 to 459.9 MB, and every posted line writes one index entry fewer.
//!
//! The rollups (`ledger_day`, `ledger_week`, `ledger_month`) carry one index each, their unique
//! key `(org_id, period, channel, shop_id, listing_id, product_id, creator_id, bucket, status,
//! currency)`: the conflict target of every posting's upsert and the range read of the P&L.

use sea_orm_migration::prelude::*;

use crate::util::{id, index};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// (table, old name, old columns, new name, new columns, unique).
type Rekey = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
    bool,
);

const REKEYED: &[Rekey] = &[
    (
        "listing",
        "ix_listing_product",
        &["product_id"],
        "ix_listing_org_product",
        &["org_id", "product_id"],
        false,
    ),
    (
        "mirrored_order",
        "uq_mirrored_order_shop_order",
        &["shop_id", "order_id"],
        "uq_mirrored_order_org_shop_order",
        &["org_id", "shop_id", "order_id"],
        true,
    ),
    (
        "sync_state",
        "uq_sync_state_shop_stream",
        &["shop_id", "stream"],
        "uq_sync_state_org_shop_stream",
        &["org_id", "shop_id", "stream"],
        true,
    ),
];

async fn swap(
    manager: &SchemaManager<'_>,
    table: &str,
    drop: &str,
    create: (&str, &[&str]),
    unique: bool,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(drop).table(id(table)).to_owned())
        .await?;
    manager
        .create_index(index(create.0, table, create.1, unique))
        .await
}

/// The `ledger_entry` index no query needs any more.
const DROPPED: (&str, &[&str]) = ("ix_ledger_entry_org_occurred", &["org_id", "occurred_at"]);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, _, new, columns, unique) in REKEYED {
            swap(manager, table, old, (new, columns), *unique).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name(DROPPED.0)
                    .table(id("ledger_entry"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(DROPPED.0, "ledger_entry", DROPPED.1, false))
            .await?;
        for (table, old, columns, new, _, unique) in REKEYED.iter().rev() {
            swap(manager, table, new, (old, columns), *unique).await?;
        }
        Ok(())
    }
}
