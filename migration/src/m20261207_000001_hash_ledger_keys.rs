//! A narrower ledger row (issue 15): keys and content hashes as 16 binary bytes.
//!
//! - `ledger_entry.key_hash` (new): 8 bytes of the SHA-256 of the key's scope (its first three
//!   `:`-separated parts, which name its source, so one posting's keys sit together in the
//!   index) and 8 of the SHA-256 of the whole `entry_key`. The unique key
//!   `uq_ledger_entry_key_seq (org_id, entry_key, seq)` — the entry key's ~100 characters in
//!   every index entry, the largest of the ledger's indexes — becomes
//!   `uq_ledger_entry_key_hash_seq (org_id, key_hash, seq)`. It serves what the old key served:
//!   posting's `current_rows` (org, `key_hash IN …`, by seq), `ledgerEntries(entryKey:)` and the
//!   Shopify payout pull's "is this line reversed" probe (a reversal keeps its line's key). The
//!   readable `entry_key` stays in the row, for the API and the drill-down, and every lookup
//!   also compares it, so two keys sharing a hash could never be confused.
//! - `ledger_entry.content_hash`: 64 hex characters → the first 16 bytes of the SHA-256 they
//!   spell (what tells a replay from a correction; 2^-128 odds of two contents meeting). The bytes
//!   are the hex's first half, so a line stored before reads as unchanged when it comes again.
//!
//! Every existing row is converted in batches, in one transaction; a `content_hash` that is not
//! 64 hex digits refuses the migration, naming the row, and nothing is changed. Down recomputes
//! the full hex from the row's own columns (a reversal: from the row it cancels, i.e. with
//! amount and quantity negated back) where it matches the 16 bytes, as it does for every row the
//! server wrote; any other row gets its 16 bytes zero-padded. This file keeps its own copy of
//! the key hash and of the canonical content text on purpose: an applied migration never
//! changes, whatever the server's hashing becomes.
//!
//! Measured on the `pnl bench --orders 200000 --days 60 --amazon-orders 40000` SQLite database
//! (1,514,361 lines): the unique key went from 192 to 46 MB (127 → 30 bytes per line), the
//! table from 690 to 661 MB, the file from 1.10 to 0.93 GB.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::DateTimeUtc;
use sea_orm_migration::sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use sha2::{Digest, Sha256};

use crate::util::{add_column, convert, drop_column, id, index, refuse, set_not_null};

const TABLE: &str = "ledger_entry";

/// Bytes kept of each SHA-256.
const BYTES: usize = 16;

const OLD_KEY: (&str, &[&str]) = ("uq_ledger_entry_key_seq", &["org_id", "entry_key", "seq"]);
const NEW_KEY: (&str, &[&str]) = (
    "uq_ledger_entry_key_hash_seq",
    &["org_id", "key_hash", "seq"],
);

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // On PostgreSQL the migrator's transaction already holds this one (a savepoint); on
        // SQLite it is the only one, so a refused row leaves the table as it was.
        let txn = manager.get_connection().begin().await?;
        add_column(&txn, TABLE, "key_hash", BINARY).await?;
        add_column(&txn, TABLE, "content_digest", BINARY).await?;
        let targets = [("key_hash", "BYTEA"), ("content_digest", "BYTEA")];
        convert(
            &txn,
            &["entry_key", "content_hash"],
            &targets,
            |row_id, row| {
                let key: String = row.try_get("", "entry_key")?;
                let hex_hash: String = row.try_get("", "content_hash")?;
                let digest = hex::decode(hex_hash.trim())
                    .ok()
                    .filter(|bytes| bytes.len() == 32)
                    .ok_or_else(|| {
                        refuse(
                            row_id,
                            &format!("its content_hash {hex_hash:?} is not 64 hex digits"),
                        )
                    })?;
                Ok(vec![
                    Value::from(key_hash(&key)),
                    Value::from(digest[..BYTES].to_vec()),
                ])
            },
        )
        .await?;
        set_not_null(&txn, TABLE, "key_hash").await?;
        swap_key(&txn, OLD_KEY.0, NEW_KEY).await?;
        replace_content_hash(&txn).await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        swap_key(&txn, NEW_KEY.0, OLD_KEY).await?;
        add_column(&txn, TABLE, "content_digest", HEX).await?;
        convert(&txn, CONTENT, &[("content_digest", "TEXT")], |_, row| {
            let full = Sha256::digest(canonical(row)?.as_bytes());
            let stored: Vec<u8> = row.try_get("", "content_hash")?;
            let hex_hash = if stored == full[..BYTES] {
                hex::encode(full)
            } else {
                // Not a hash the server wrote (a hand-made row): its 16 bytes, zero-padded.
                // At worst the old code books that line as a correction when it comes again.
                format!("{}{}", hex::encode(&stored), "0".repeat(64 - 2 * BYTES))
            };
            Ok(vec![Value::from(hex_hash)])
        })
        .await?;
        replace_content_hash(&txn).await?;
        drop_column(&txn, TABLE, "key_hash").await?;
        txn.commit().await
    }
}

/// The columns the canonical content text is made of.
const CONTENT: &[&str] = &[
    "content_hash",
    "reversal_of",
    "shop_id",
    "channel",
    "order_id",
    "order_line",
    "listing_id",
    "creator_id",
    "bucket",
    "label",
    "mapped",
    "amount_minor",
    "currency",
    "quantity",
    "occurred_at",
    "status",
    "payout_id",
];

/// The canonical content text of `row` as the server wrote it when this migration was written
/// (`pnl::ledger::content`); a reversal carries the hash of the row it cancels.
fn canonical(row: &QueryResult) -> Result<String, DbErr> {
    let reversal: Option<i64> = row.try_get("", "reversal_of")?;
    let amount: i64 = row.try_get("", "amount_minor")?;
    let quantity: i32 = row.try_get("", "quantity")?;
    let (amount, quantity) = match reversal {
        Some(_) => (-amount, -quantity),
        None => (amount, quantity),
    };
    let occurred_at: DateTimeUtc = row.try_get("", "occurred_at")?;
    Ok(format!(
        "{:?}|{}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}",
        row.try_get::<Option<i64>>("", "shop_id")?,
        row.try_get::<String>("", "channel")?,
        row.try_get::<Option<String>>("", "order_id")?,
        row.try_get::<Option<String>>("", "order_line")?,
        row.try_get::<Option<i64>>("", "listing_id")?,
        row.try_get::<Option<i64>>("", "creator_id")?,
        row.try_get::<String>("", "bucket")?,
        row.try_get::<String>("", "label")?,
        row.try_get::<bool>("", "mapped")?,
        amount,
        row.try_get::<String>("", "currency")?,
        quantity,
        occurred_at.timestamp(),
        row.try_get::<String>("", "status")?,
        row.try_get::<Option<i64>>("", "payout_id")?,
    ))
}

/// The key hash of `key`, as `pnl::ledger` computes it when this migration was written: 8 bytes
/// of the SHA-256 of its scope (its first three `:`-separated parts), then 8 of the key's.
fn key_hash(key: &str) -> Vec<u8> {
    let scope = key
        .match_indices(':')
        .nth(2)
        .map_or(key, |(at, _)| &key[..=at]);
    let mut hash = Sha256::digest(scope.as_bytes())[..8].to_vec();
    hash.extend_from_slice(&Sha256::digest(key.as_bytes())[..8]);
    hash
}

/// A binary column: (SQLite, PostgreSQL).
const BINARY: (&str, &str) = ("BLOB NOT NULL DEFAULT x''", "BYTEA");

/// The hex column the ledger's first migration made: (SQLite, PostgreSQL).
const HEX: (&str, &str) = ("CHAR(64) NOT NULL DEFAULT ''", "CHAR(64)");

/// `content_digest` (filled) replaces `content_hash`, under its name. SQLite has `DROP COLUMN`
/// since 3.35 and `RENAME COLUMN` since 3.25; no index covers either column.
async fn replace_content_hash(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    set_not_null(db, TABLE, "content_digest").await?;
    drop_column(db, TABLE, "content_hash").await?;
    let rename = Table::alter()
        .table(id(TABLE))
        .rename_column(id("content_digest"), id("content_hash"))
        .to_owned();
    db.execute(db.get_database_backend().build(&rename)).await?;
    Ok(())
}

/// Replaces unique key `drop` with `create`.
async fn swap_key(
    db: &impl ConnectionTrait,
    drop: &str,
    create: (&str, &[&str]),
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let drop = Index::drop().name(drop).table(id(TABLE)).to_owned();
    db.execute(backend.build(&drop)).await?;
    db.execute(backend.build(&index(create.0, TABLE, create.1, true)))
        .await?;
    Ok(())
}
