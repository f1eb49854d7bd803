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

/// Where a key's current row must come from for [`held_elsewhere`] to name it.
#[derive(Clone, Copy, Debug)]
pub struct Elsewhere<'a> {
    /// Raw records above this one…
    pub after_record: i64,
    /// …other than these…
    pub except: &'a [i64],
    /// …by a row at or below this id.
    pub up_to_row: i64,
}

/// Which of `keys` have a row that may hold them for [`held_elsewhere`]: a row at or below
/// `elsewhere.up_to_row`, not a reversal, from a raw record above `elsewhere.after_record` other
/// than `elsewhere.except`. The database finds them (no row crosses to this process unless it
/// qualifies). Rows are never deleted, so the answer holds a superset of what
/// [`held_elsewhere`] finds later, whatever was posted in between: a replay asks it ahead.
///
/// # Errors
/// Database failures.
pub async fn elsewhere_candidates(
    db: &impl ConnectionTrait,
    org_id: i64,
    keys: &[&str],
    elsewhere: Elsewhere<'_>,
) -> Result<Vec<String>> {
    let unpacked = packed_key::unpacked_sql(db.get_database_backend());
    let mut candidates: HashSet<String> = HashSet::new();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<String> = ledger_entry::Entity::find()
            .select_only()
            .column_as(Expr::cust(unpacked.as_str()), "entry_key")
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::KeyHash.is_in(chunk.iter().map(|key| key_hash(key))))
            .filter(ledger_entry::Column::RawRecordId.gt(elsewhere.after_record))
            .filter(ledger_entry::Column::RawRecordId.is_not_in(elsewhere.except.iter().copied()))
            .filter(ledger_entry::Column::Id.lte(elsewhere.up_to_row))
            .filter(ledger_entry::Column::ReversalOf.is_null())
            .into_tuple()
            .all(db)
            .await?;
        let asked: HashSet<&str> = chunk.iter().copied().collect();
        candidates.extend(rows.into_iter().filter(|key| asked.contains(key.as_str())));
    }
    Ok(candidates.into_iter().collect())
}

/// Which of `candidates` ([`elsewhere_candidates`]) are current in a row at or below
/// `elsewhere.up_to_row` that came from a raw record above `elsewhere.after_record` other than
/// `elsewhere.except` (a replay's test for a line that a later source restates).
///
/// # Errors
/// Database failures.
pub async fn held_elsewhere(
    db: &impl ConnectionTrait,
    org_id: i64,
    candidates: &[String],
    elsewhere: Elsewhere<'_>,
) -> Result<HashSet<String>> {
    let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
    Ok(current_rows(db, org_id, &candidates)
        .await?
        .into_iter()
        .filter(|(_, current)| {
            current.live.as_ref().is_some_and(|head| {
                head.id <= elsewhere.up_to_row
                    && head.raw_record_id.is_some_and(|record| {
                        record > elsewhere.after_record && !elsewhere.except.contains(&record)
                    })
            })
        })
        .map(|(key, _)| key)
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
