//! Re-booking: moving every current line of one channel label into another bucket when the org's
//! mapping of that label changes, so history reads as if the mapping had always been so.
//!
//! Each moved line is corrected like any other (a reversal of the current row, then a copy in the
//! new bucket, marked mapped) in the caller's transaction, with the rollups moved in the same
//! transaction. The copy's content hash is the one a normaliser gives the line under the new
//! mapping, so a later re-sync or re-import of its source finds it current and posts nothing.

use std::collections::BTreeMap;

use chrono::Utc;
use entities::ledger_entry;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::content::content_hash_in;
use super::current::{current_rows, Current};
use super::packed_key::entry_key;
use super::post::reversal;
use super::{Channel, FeeBucket};
use crate::error::Result;

/// Current rows examined per round trip.
const CHUNK: u64 = 500;

/// What a re-booking moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rebooked {
    /// Lines moved into the new bucket.
    pub(crate) lines: usize,
    /// Their net amount per currency, in minor units.
    pub(crate) moved: BTreeMap<String, i64>,
    /// How many moved lines each (bucket, mapped) held before.
    pub(crate) from: BTreeMap<(String, bool), usize>,
}

impl Rebooked {
    /// Where most of the moved lines were booked (and whether mapped), if any moved.
    pub(crate) fn main_source(&self) -> Option<(FeeBucket, bool)> {
        let ((bucket, mapped), _) = self.from.iter().max_by_key(|(_, count)| **count)?;
        Some((bucket.parse().ok()?, *mapped))
    }
}

/// Moves every current line of `org_id` labelled `label` on `channel` that is not booked in
/// `bucket` as a mapped line into `bucket`.
///
/// # Errors
/// Database failures; the caller's transaction then writes nothing.
pub(crate) async fn rebook(
    txn: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    label: &str,
    bucket: FeeBucket,
) -> Result<Rebooked> {
    let mut done = Rebooked::default();
    let now = Utc::now();
    let mut after = 0_i64;
    loop {
        // Rows written below have higher ids but are in `bucket` and mapped, so they never come
        // back. `mapped IN (false, true)` lets `ix_ledger_entry_org_unmapped` (org, mapped,
        // channel, label) serve the lookup on both databases.
        let candidates = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::Mapped.is_in([false, true]))
            .filter(ledger_entry::Column::Channel.eq(channel.as_str()))
            .filter(ledger_entry::Column::Label.eq(label))
            .filter(ledger_entry::Column::ReversalOf.is_null())
            .filter(ledger_entry::Column::Id.gt(after))
            .filter(
                ledger_entry::Column::Bucket
                    .ne(bucket.as_str())
                    .or(ledger_entry::Column::Mapped.eq(false)),
            )
            .order_by_asc(ledger_entry::Column::Id)
            .limit(CHUNK)
            .all(txn)
            .await?;
        let Some(last) = candidates.last() else {
            break;
        };
        after = last.id;
        let keys = candidates
            .iter()
            .map(entry_key)
            .collect::<Result<Vec<_>>>()?;
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let current = current_rows(txn, org_id, &keys).await?;
        let mut rows = Vec::new();
        for (candidate, key) in candidates.iter().zip(&keys) {
            // Only the key's current row moves; an older row of a corrected key stays history.
            let Some(Current {
                live: Some(live),
                last_seq,
            }) = current.get(*key)
            else {
                continue;
            };
            if live.id != candidate.id {
                continue;
            }
            let row = candidate;
            rows.push(reversal(row, last_seq + 1, now));
            let mut moved: ledger_entry::ActiveModel = row.clone().into();
            moved.id = sea_orm::ActiveValue::NotSet;
            moved.seq = Set(last_seq + 2);
            moved.bucket = Set(bucket.as_str().to_owned());
            moved.mapped = Set(true);
            moved.content_hash = Set(content_hash_in(row, bucket, true));
            moved.created_at = Set(now);
            rows.push(moved);
            done.lines += 1;
            *done
                .from
                .entry((row.bucket.clone(), row.mapped))
                .or_default() += 1;
            let sum = done.moved.entry(row.currency.clone()).or_default();
            *sum = sum.saturating_add(row.amount_minor);
        }
        super::bulk::insert_models(txn, &rows).await?;
        super::rollup::apply(txn, &rows).await?;
    }
    Ok(done)
}
