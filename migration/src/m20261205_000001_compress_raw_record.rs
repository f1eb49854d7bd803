//! `raw_record.payload` (TEXT) becomes `raw_record.payload_zstd`: the same bytes as one zstd frame
//! (level 3, with the frame's content checksum), as `pnl::ledger::raw` now writes them. Raw
//! payloads were about half of a large brand's database and compress about tenfold.
//!
//! Every existing row is converted in batches, in one transaction: each compressed payload is
//! decompressed again and its SHA-256 checked against the row's `sha256` (the hash of the
//! original bytes, which does not change) before it is written; one mismatch refuses the whole
//! migration, naming the row, and nothing is changed. Then the text column is dropped (SQLite
//! has `DROP COLUMN` since 3.35; no index covers the column). Down does the reverse, checked the
//! same way. This file keeps its own copy of the format on purpose: an applied migration never
//! changes, whatever the server's writer becomes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, TransactionTrait};
use sha2::{Digest, Sha256};

use crate::util::{add_column, drop_column, id, set_not_null};

const TABLE: &str = "raw_record";

/// Rows read, converted and written at a time (payloads can be megabytes each).
const BATCH: u64 = 100;

/// The zstd level of `pnl::ledger::raw` when this migration was written.
const LEVEL: i32 = 3;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // On PostgreSQL the migrator's transaction already holds this one (a savepoint); on
        // SQLite it is the only one, so a refused row leaves the table as it was.
        let txn = manager.get_connection().begin().await?;
        add_column(
            &txn,
            TABLE,
            "payload_zstd",
            ("BLOB NOT NULL DEFAULT x''", "BYTEA"),
        )
        .await?;
        convert(&txn, "payload", "payload_zstd", |id, text: String| {
            let compressed = compress(text.as_bytes())
                .map_err(|error| refuse(id, &format!("does not compress: {error}")))?;
            let back = zstd::stream::decode_all(compressed.as_slice())
                .map_err(|error| refuse(id, &format!("does not decompress: {error}")))?;
            Ok((back, Value::from(compressed)))
        })
        .await?;
        drop_column(&txn, TABLE, "payload").await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        add_column(&txn, TABLE, "payload", ("TEXT NOT NULL DEFAULT ''", "TEXT")).await?;
        convert(
            &txn,
            "payload_zstd",
            "payload",
            |id, compressed: Vec<u8>| {
                let bytes = zstd::stream::decode_all(compressed.as_slice())
                    .map_err(|error| refuse(id, &format!("does not decompress: {error}")))?;
                let text = String::from_utf8(bytes.clone())
                    .map_err(|error| refuse(id, &format!("is not UTF-8 text: {error}")))?;
                Ok((bytes, Value::from(text)))
            },
        )
        .await?;
        drop_column(&txn, TABLE, "payload_zstd").await?;
        txn.commit().await
    }
}

/// Fills `to` from `from` on every row of `raw_record`, in batches by id: `change` returns the
/// original bytes (checked against the row's `sha256`) and the value to store.
async fn convert<T, F>(
    db: &impl ConnectionTrait,
    from: &str,
    to: &str,
    change: F,
) -> Result<(), DbErr>
where
    T: sea_orm_migration::sea_orm::TryGetable,
    F: Fn(i64, T) -> Result<(Vec<u8>, Value), DbErr>,
{
    let backend = db.get_database_backend();
    let mut after = i64::MIN;
    let mut converted = 0_i64;
    loop {
        // Table-qualified names: on SQLite an unknown bare "name" silently reads as a string.
        let select = Query::select()
            .columns([
                (id("raw_record"), id("id")),
                (id("raw_record"), id("sha256")),
                (id("raw_record"), id(from)),
            ])
            .from(id("raw_record"))
            .and_where(Expr::col((id("raw_record"), id("id"))).gt(after))
            .order_by((id("raw_record"), id("id")), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = db.query_all(backend.build(&select)).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        for row in rows {
            let row_id: i64 = row.try_get("", "id")?;
            let sha256: String = row.try_get("", "sha256")?;
            let (original, stored) = change(row_id, row.try_get("", from)?)?;
            let hash = hex::encode(Sha256::digest(&original));
            if !hash.eq_ignore_ascii_case(sha256.trim()) {
                return Err(refuse(
                    row_id,
                    &format!("holds bytes whose SHA-256 is {hash}, not its sha256 {sha256}"),
                ));
            }
            let update = Query::update()
                .table(id("raw_record"))
                .value(id(to), stored)
                .and_where(Expr::col(id("id")).eq(row_id))
                .to_owned();
            db.execute(backend.build(&update)).await?;
            converted += 1;
        }
    }
    // The ALTER above locked the table, so no row came in meanwhile; checked all the same.
    let count = Query::select()
        .expr(Expr::col(id("id")).count())
        .from(id("raw_record"))
        .to_owned();
    let total: i64 = match db.query_one(backend.build(&count)).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    if total != converted {
        return Err(DbErr::Migration(format!(
            "raw_record: {converted} of {total} rows converted to {to}; nothing was converted"
        )));
    }
    set_not_null(db, TABLE, to).await?;
    Ok(())
}

/// `bytes` as one zstd frame with its content checksum, as `pnl::ledger::raw` writes them.
fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut compressor = zstd::bulk::Compressor::new(LEVEL)?;
    compressor.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))?;
    compressor.compress(bytes)
}

/// The error that refuses the migration because of raw record `row`.
fn refuse(row: i64, why: &str) -> DbErr {
    DbErr::Migration(format!(
        "raw record {row}: its payload {why}; nothing was converted"
    ))
}
