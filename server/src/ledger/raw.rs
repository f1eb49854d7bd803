//! Raw records: what a channel or a file sent, stored verbatim with its SHA-256 before anything is
//! derived from it. The same payload under the same source id is stored once; a changed payload
//! (a restatement) is a new row, so every version stays available for audit and replay.

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
    let row = raw_record::ActiveModel {
        org_id: Set(org_id),
        shop_id: Set(raw.shop_id),
        channel: Set(raw.channel.as_str().to_owned()),
        source_kind: Set(raw.source_kind.clone()),
        source_id: Set(raw.source_id.clone()),
        sha256: Set(sha256.clone()),
        payload: Set(raw.payload.clone()),
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
    // `do_nothing` reports "not inserted" for a replay; the select below finds the stored row.
    let inserted = raw_record::Entity::insert(row)
        .on_conflict(conflict)
        .do_nothing()
        .exec(db)
        .await?;
    let inserted = matches!(inserted, sea_orm::TryInsertResult::Inserted(_));
    let id: Option<i64> = raw_record::Entity::find()
        .select_only()
        .column(raw_record::Column::Id)
        .filter(raw_record::Column::OrgId.eq(org_id))
        .filter(raw_record::Column::SourceKind.eq(raw.source_kind.as_str()))
        .filter(raw_record::Column::SourceId.eq(raw.source_id.as_str()))
        .filter(raw_record::Column::Sha256.eq(sha256))
        .into_tuple()
        .one(db)
        .await?;
    let id = id.ok_or_else(|| anyhow::anyhow!("raw record vanished after insert"))?;
    Ok((id, inserted))
}
