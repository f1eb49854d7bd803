//! Raw records: what a channel or a file sent, stored verbatim with its SHA-256 before anything is
//! derived from it. The same payload under the same source id is stored once; a changed payload
//! (a restatement) is a new row, so every version stays available for audit and replay.
//!
//! Payloads are stored as one zstd frame (`raw_record.payload_zstd`); `sha256` is the hash of the
//! original bytes. This module is the only place that compresses or decompresses them: writers
//! go through [`store`] / [`store_new`], readers through [`payload`]. Migration
//! `m20261205_000001_compress_raw_record` writes the same format for rows stored before it.

use chrono::{DateTime, Utc};
use entities::raw_record;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use sha2::{Digest, Sha256};

use super::Channel;
use crate::error::Result;

/// A payload to store.
#[derive(Clone, Debug)]
pub struct RawInput {
    /// The channel it came from.
    pub channel: Channel,
    /// The shop it belongs to, when known.
    pub shop_id: Option<i64>,
    /// What it is, e.g. `tiktok.finance.202501.statement_transactions`.
    pub source_kind: String,
    /// The channel's id of the thing (statement id, order id, file name and row…).
    pub source_id: String,
    /// The exact bytes received, as text.
    pub payload: String,
}

/// What a posting's lines were derived from.
#[derive(Clone, Debug)]
pub enum Raw {
    /// A payload received now: stored first (found, when the same payload was stored before).
    New(RawInput),
    /// The id of a record of the posting's org stored before: a replay reads its lines from it
    /// again, so neither hashes the payload nor looks it up.
    Stored(i64),
}

/// The zstd level of new payloads. On the sandbox's synced payloads (release build) level 3,
/// zstd's default, stores them 10.3 times smaller (4× for small pages, up to 17× for Shopify
/// JSONL) at ~380 MB/s, as fast as level 1; level 6 is 10% smaller at a third of the speed,
/// level 19 16% smaller at 1/100 of it, on every sync (test `raw_compression_ratios_…`).
const LEVEL: i32 = 3;

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores `raw` for `org_id` unless the identical payload is already stored; returns its id.
///
/// # Errors
/// Database failures.
pub async fn store(
    db: &impl ConnectionTrait,
    org_id: i64,
    raw: &RawInput,
    received_at: DateTime<Utc>,
) -> Result<i64> {
    Ok(store_new(db, org_id, raw, received_at).await?.0)
}

/// Like [`store`], also telling whether the payload is new (false for a replay).
///
/// # Errors
/// Database failures.
pub async fn store_new(
    db: &impl ConnectionTrait,
    org_id: i64,
    raw: &RawInput,
    received_at: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let sha256 = sha256_hex(raw.payload.as_bytes());
    // A payload seen before (a sync's overlap, a replay) is found by its hash, without
    // compressing it again.
    if let Some(id) = stored_id(db, org_id, raw, &sha256).await? {
        return Ok((id, false));
    }
    let compressed = compress(raw.payload.as_bytes()).map_err(|error| {
        anyhow::anyhow!(
            "compressing the payload of {} {}: {error}",
            raw.source_kind,
            raw.source_id
        )
    })?;
    let row = raw_record::ActiveModel {
        org_id: Set(org_id),
        shop_id: Set(raw.shop_id),
        channel: Set(raw.channel.as_str().to_owned()),
        source_kind: Set(raw.source_kind.clone()),
        source_id: Set(raw.source_id.clone()),
        sha256: Set(sha256.clone()),
        payload_zstd: Set(compressed),
        received_at: Set(received_at),
        ..Default::default()
    };
    let conflict = OnConflict::columns([
        raw_record::Column::OrgId,
        raw_record::Column::SourceKind,
        raw_record::Column::SourceId,
        raw_record::Column::Sha256,
    ])
    .do_nothing()
    .to_owned();
    // `do_nothing` reports "not inserted" when another writer stored it meanwhile; the select
    // below finds the stored row.
    let inserted = raw_record::Entity::insert(row)
        .on_conflict(conflict)
        .do_nothing()
        .exec(db)
        .await?;
    let inserted = matches!(inserted, sea_orm::TryInsertResult::Inserted(_));
    let id = stored_id(db, org_id, raw, &sha256)
        .await?
        .ok_or_else(|| anyhow::anyhow!("raw record vanished after insert"))?;
    Ok((id, inserted))
}

/// The id of the stored record of `raw` whose payload hashes to `sha256`, if any.
async fn stored_id(
    db: &impl ConnectionTrait,
    org_id: i64,
    raw: &RawInput,
    sha256: &str,
) -> Result<Option<i64>> {
    Ok(raw_record::Entity::find()
        .select_only()
        .column(raw_record::Column::Id)
        .filter(raw_record::Column::OrgId.eq(org_id))
        .filter(raw_record::Column::SourceKind.eq(raw.source_kind.as_str()))
        .filter(raw_record::Column::SourceId.eq(raw.source_id.as_str()))
        .filter(raw_record::Column::Sha256.eq(sha256))
        .into_tuple()
        .one(db)
        .await?)
}

/// The original payload of `record`, byte for byte as it was received.
///
/// # Errors
/// A stored payload that is not a whole zstd frame (or fails the frame's checksum), or that
/// does not decompress to UTF-8 text; the message names the record.
pub fn payload(record: &raw_record::Model) -> Result<String> {
    let fail = |why: String| anyhow::anyhow!("raw record {}: stored payload {why}", record.id);
    if record.payload_zstd.is_empty() {
        return Err(fail("is empty (not a zstd frame)".to_owned()).into());
    }
    let bytes = zstd::stream::decode_all(record.payload_zstd.as_slice())
        .map_err(|error| fail(format!("does not decompress: {error}")))?;
    Ok(String::from_utf8(bytes).map_err(|error| fail(format!("is not UTF-8 text: {error}")))?)
}

/// `bytes` as one zstd frame at [`LEVEL`], with the frame's content checksum so a damaged
/// frame fails to decompress instead of yielding other bytes.
fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut compressor = zstd::bulk::Compressor::new(LEVEL)?;
    compressor.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))?;
    compressor.compress(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(payload_zstd: Vec<u8>) -> raw_record::Model {
        raw_record::Model {
            id: 7,
            org_id: 1,
            shop_id: None,
            channel: "OTHER".to_owned(),
            source_kind: "test".to_owned(),
            source_id: "1".to_owned(),
            sha256: String::new(),
            payload_zstd,
            received_at: Utc::now(),
        }
    }

    #[test]
    fn a_payload_reads_back_byte_for_byte() {
        for text in [
            "",
            "{\"a\":1}",
            "Kaffeemühle — 東京 🚚\r\n\tend \u{0}",
            &"{\"page\":[1,2,3]}\n".repeat(10_000),
        ] {
            let stored = record(compress(text.as_bytes()).unwrap());
            assert_eq!(payload(&stored).unwrap(), text);
        }
    }

    #[test]
    fn a_damaged_or_missing_payload_is_an_error_naming_the_record() {
        let mut damaged = compress("{\"amount\":\"12.34\"}".repeat(50).as_bytes()).unwrap();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0x55;
        let truncated = compress(b"some text to cut short").unwrap()[..8].to_vec();
        for (bytes, why) in [
            (damaged, "does not decompress"),
            (truncated, "does not decompress"),
            (Vec::new(), "is empty"),
            (b"plain text".to_vec(), "does not decompress"),
            (compress(&[0xff, 0xfe]).unwrap(), "is not UTF-8"),
        ] {
            let message = payload(&record(bytes)).unwrap_err().to_string();
            assert!(
                message.contains("raw record 7") && message.contains(why),
                "{message}"
            );
        }
    }
}
