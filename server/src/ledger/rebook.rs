//! Re-booking: moving every current line of one channel label into another bucket when the org's
//! mapping of that label changes, so history reads as if the mapping had always been so.
//!
//! Each moved line is corrected like any other (a reversal of the current row, then a copy in the
//! new bucket, marked mapped) in the caller's transaction, with the rollups moved in the same
//! transaction. The copy's content hash is the one a normaliser gives the line under the new
//! mapping, so a later re-sync or re-import of its source finds it current and posts nothing.

use std::collections::BTreeMap;

use entities::ledger_entry;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select, Set};

use super::content::content_hash_in;
use super::current::{current_rows, rows_by_id, Current, CHUNK};
use super::dictionary::{self, Dictionary};
use super::packed_key::entry_key;
use super::post::{reversal, written_at};
use super::{Channel, FeeBucket};
use crate::error::Result;

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
    let now = written_at();
    // A label no line of the org carries is in no row to move.
    let Some(label_id) = dictionary::id_of(txn, Dictionary::Labels, org_id, label).await? else {
        return Ok(done);
    };
    let ids = candidates(txn, org_id, channel, label_id, bucket).await?;
    for chunk in ids.chunks(CHUNK) {
        // Rows written below are in `bucket` and mapped, and not among `ids`: none comes twice.
        let found = rows_by_id(txn, org_id, chunk).await?;
        let candidates: Vec<&ledger_entry::Model> =
            chunk.iter().filter_map(|id| found.get(id)).collect();
        let keys = candidates
            .iter()
            .map(|row| entry_key(row, label))
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
            let row = *candidate;
            rows.push(reversal(row, last_seq + 1, now));
            let mut moved: ledger_entry::ActiveModel = row.clone().into();
            moved.id = sea_orm::ActiveValue::NotSet;
            moved.seq = Set(last_seq + 2);
            moved.bucket = Set(bucket.code());
            moved.mapped = Set(true);
            moved.content_hash = Set(content_hash_in(row, label, bucket, true)?);
            moved.created_at = Set(now);
            rows.push(moved);
            done.lines += 1;
            *done
                .from
                .entry((
                    FeeBucket::from_code(row.bucket)?.as_str().to_owned(),
                    row.mapped,
                ))
                .or_default() += 1;
            let sum = done.moved.entry(row.currency.clone()).or_default();
            *sum = sum.saturating_add(row.amount_minor);
        }
        super::bulk::insert_models(txn, &rows).await?;
        super::rollup::apply(txn, &rows).await?;
    }
    Ok(done)
}

/// The ids of `org_id`'s lines labelled `label_id` on `channel` that are not reversals and not
/// booked in `bucket` as mapped lines, oldest first (some are older rows of corrected keys;
/// the caller moves only current ones).
async fn candidates(
    txn: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    label_id: i64,
    bucket: FeeBucket,
) -> Result<Vec<i64>> {
    let lines = || -> Select<ledger_entry::Entity> {
        ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::Id)
            .filter(ledger_entry::Column::OrgId.eq(org_id))
            .filter(ledger_entry::Column::Channel.eq(channel.code()))
            .filter(ledger_entry::Column::LabelId.eq(label_id))
            .filter(ledger_entry::Column::ReversalOf.is_null())
    };
    // Unmapped lines, through the partial `ix_ledger_entry_org_unmapped`.
    let mut ids: Vec<i64> = lines()
        .filter(Expr::cust(super::UNMAPPED))
        .into_tuple()
        .all(txn)
        .await?;
    // Mapped lines booked elsewhere (under an earlier mapping, or a statement's own table): no
    // index holds mapped lines by label, so this reads the org's lines once — a mapping change
    // is an admin's rare act, the index entry it would need is on every line.
    ids.extend(
        lines()
            .filter(ledger_entry::Column::Mapped.eq(true))
            .filter(ledger_entry::Column::Bucket.ne(bucket.code()))
            .into_tuple::<i64>()
            .all(txn)
            .await?,
    );
    ids.sort_unstable();
    Ok(ids)
}
