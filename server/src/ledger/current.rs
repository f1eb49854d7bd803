//! The current state of entry keys: which row of each key is live (its highest `seq`, unless
//! that is a reversal), read by the columns posting compares; whole rows only by id, for what
//! is reversed.

use std::collections::{HashMap, HashSet};

use entities::ledger_entry;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::content::key_hash;
use super::packed_key;
use crate::error::Result;

/// Keys (or ids) looked up per query.
pub(super) const CHUNK: usize = 500;

/// Which of `keys` are current (posted and not reversed) for `org_id`.
///
/// # Errors
/// Database failures.
pub async fn live_keys(
    db: &impl ConnectionTrait,
    org_id: i64,
    keys: &[&str],
) -> Result<HashSet<String>> {
    Ok(current_rows(db, org_id, keys)
        .await?
        .into_iter()
        .filter(|(_, current)| current.live.is_some())
        .map(|(key, _)| key)
        .collect())
}

/// For each of `keys` that has a current row: that row's id and the raw record it came from.
///
/// # Errors
/// Database failures.
pub async fn current_holders(
    db: &impl ConnectionTrait,
    org_id: i64,
    keys: &[&str],
) -> Result<HashMap<String, (i64, Option<i64>)>> {
    Ok(current_rows(db, org_id, keys)
        .await?
        .into_iter()
        .filter_map(|(key, current)| {
            let head = current.live?;
            Some((key, (head.id, head.raw_record_id)))
        })
        .collect())
}

/// The state of one key: its live row (none when the last row is a reversal) and highest seq.
pub(super) struct Current {
    pub(super) live: Option<Head>,
    pub(super) last_seq: i32,
}

/// What posting needs to know of a key's live row; [`rows_by_id`] reads the whole row when it
/// is reversed.
pub(super) struct Head {
    pub(super) id: i64,
    pub(super) content_hash: Vec<u8>,
    pub(super) raw_record_id: Option<i64>,
}

pub(super) async fn current_rows(
    db: &impl ConnectionTrait,
    org_id: i64,
    keys: &[&str],
) -> Result<HashMap<String, Current>> {
    type Found = (String, i32, Option<i64>, i64, Vec<u8>, Option<i64>);
    let unpacked = packed_key::unpacked_sql(db.get_database_backend());
    let mut current = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        // The unique key `(org_id, key_hash, seq)` finds the rows; the readable key (unpacked
        // by the database: one column read, not the four it is made of) is compared as well,
        // so a row of another key sharing a hash would be ignored, never taken. Only the
        // columns posting compares are read: most keys of a posting are replays.
        let rows: Vec<Found> = ledger_entry::Entity::find()
            .select_only()
            .column_as(Expr::cust(unpacked.as_str()), "entry_key")
            .columns([
                ledger_entry::Column::Seq,
                ledger_entry::Column::ReversalOf,
                ledger_entry::Column::Id,
                ledger_entry::Column::ContentHash,
                ledger_entry::Column::RawRecordId,
            ])
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::KeyHash.is_in(chunk.iter().map(|key| key_hash(key))))
            .order_by_asc(ledger_entry::Column::Seq)
            .into_tuple()
            .all(db)
            .await?;
        let asked: HashSet<&str> = chunk.iter().copied().collect();
        // Rows arrive in ascending seq, so the last one seen per key is its current state.
        for (key, seq, reversal_of, id, content_hash, raw_record_id) in rows {
            if !asked.contains(key.as_str()) {
                continue;
            }
            let live = reversal_of.is_none().then_some(Head {
                id,
                content_hash,
                raw_record_id,
            });
            current.insert(
                key,
                Current {
                    live,
                    last_seq: seq,
                },
            );
        }
    }
    Ok(current)
}

/// `org_id`'s ledger rows with the given ids.
pub(super) async fn rows_by_id(
    db: &impl ConnectionTrait,
    org_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, ledger_entry::Model>> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for row in ledger_entry::Entity::find()
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            rows.insert(row.id, row);
        }
    }
    Ok(rows)
}
