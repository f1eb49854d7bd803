//! A narrower ledger row (issue 15): `ledger_entry.entry_key` (~100 characters, most of them
//! repeating the row's own `source_id`, `order_id`, `order_line` and `label`) becomes
//! `packed_key`, the key with each segment that equals one of those columns stored as one
//! placeholder character (`pnl::ledger::packed_key` has the rules; a TikTok key
//! `tiktok:st:{statement}:ord:{order}:sku:{sku}:{label}` is stored as
//! `tiktok:st:\u{2}:ord:\u{3}:sku:\u{4}:\u{5}`).
//!
//! No index covers either column (lookups go by `key_hash`), so none changes. Every existing
//! row is converted in batches, in one transaction; a row whose packed key does not read back
//! as its key refuses the migration, naming the row, and nothing is changed. Down writes the
//! readable keys back (a packed key naming a column the row lacks refuses it the same way).
//! This file keeps its own copy of the packing on purpose: an applied migration never changes,
//! whatever the server's packing becomes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{QueryResult, TransactionTrait};

use crate::util::{add_column, convert, drop_column, refuse, set_not_null};

const TABLE: &str = "ledger_entry";

/// The columns a key is packed against, in the order a segment is tried against them, each
/// with its placeholder.
const PARTS: [(&str, char); 4] = [
    ("source_id", '\u{2}'),
    ("order_id", '\u{3}'),
    ("order_line", '\u{4}'),
    ("label", '\u{5}'),
];

/// First character of a key stored as it is (one containing a placeholder itself).
const VERBATIM: char = '\u{1}';

const TEXT: (&str, &str) = ("TEXT NOT NULL DEFAULT ''", "TEXT");

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // On PostgreSQL the migrator's transaction already holds this one (a savepoint); on
        // SQLite it is the only one, so a refused row leaves the table as it was.
        let txn = manager.get_connection().begin().await?;
        add_column(&txn, TABLE, "packed_key", TEXT).await?;
        let columns = ["entry_key", "source_id", "order_id", "order_line", "label"];
        convert(&txn, &columns, &[("packed_key", "TEXT")], |row_id, row| {
            let key: String = row.try_get("", "entry_key")?;
            let parts = parts(row)?;
            let packed = pack(&key, &parts);
            if unpack(&packed, &parts).as_deref() != Some(key.as_str()) {
                return Err(refuse(row_id, "its entry key does not pack reversibly"));
            }
            Ok(vec![Value::from(packed)])
        })
        .await?;
        set_not_null(&txn, TABLE, "packed_key").await?;
        drop_column(&txn, TABLE, "entry_key").await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        // `entry_key`'s own type on PostgreSQL (`varchar`): a statement cached on a pooled
        // connection before down, reading the column, fails "cached plan must not change
        // result type" when it comes back as `text`.
        add_column(
            &txn,
            TABLE,
            "entry_key",
            ("TEXT NOT NULL DEFAULT ''", "VARCHAR"),
        )
        .await?;
        let columns = ["packed_key", "source_id", "order_id", "order_line", "label"];
        convert(&txn, &columns, &[("entry_key", "TEXT")], |row_id, row| {
            let packed: String = row.try_get("", "packed_key")?;
            let key = unpack(&packed, &parts(row)?).ok_or_else(|| {
                refuse(
                    row_id,
                    "its packed key names a column the row does not have",
                )
            })?;
            Ok(vec![Value::from(key)])
        })
        .await?;
        set_not_null(&txn, TABLE, "entry_key").await?;
        drop_column(&txn, TABLE, "packed_key").await?;
        txn.commit().await
    }
}

/// The row's parts, in the order of [`PARTS`].
fn parts(row: &QueryResult) -> Result<[Option<String>; 4], DbErr> {
    let mut parts: [Option<String>; 4] = Default::default();
    for (slot, (column, _)) in parts.iter_mut().zip(PARTS) {
        *slot = row.try_get("", column)?;
    }
    Ok(parts)
}

fn is_marker(c: char) -> bool {
    (VERBATIM..='\u{5}').contains(&c)
}

/// Whole segments after the first two that equal a part of at least two characters become
/// its placeholder; a key containing a placeholder is kept verbatim behind [`VERBATIM`].
fn pack(key: &str, parts: &[Option<String>; 4]) -> String {
    if key.contains(is_marker) {
        return format!("{VERBATIM}{key}");
    }
    let mut packed = String::with_capacity(key.len());
    for (index, segment) in key.split(':').enumerate() {
        if index > 0 {
            packed.push(':');
        }
        let slot = PARTS.iter().zip(parts).find(|(_, part)| {
            part.as_deref()
                .is_some_and(|part| part.len() >= 2 && part == segment)
        });
        match slot {
            Some(((_, marker), _)) if index >= 2 => packed.push(*marker),
            _ => packed.push_str(segment),
        }
    }
    packed
}

fn unpack(packed: &str, parts: &[Option<String>; 4]) -> Option<String> {
    if let Some(key) = packed.strip_prefix(VERBATIM) {
        return Some(key.to_owned());
    }
    let mut key = String::with_capacity(packed.len() + 64);
    for c in packed.chars() {
        match PARTS
            .iter()
            .zip(parts)
            .find(|((_, marker), _)| *marker == c)
        {
            Some((_, part)) => key.push_str(part.as_deref()?),
            None => key.push(c),
        }
    }
    Some(key)
}
