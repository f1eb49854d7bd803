//! A mapping change: the org's override of one label, the re-booking of every existing line of
//! that label into the new bucket, and the record of both, in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entities::mapping_change;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::{set_override, FeeMapper, Mapping, Override};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::rebook::rebook;
use crate::ledger::{Channel, FeeBucket};

/// One recorded mapping change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its id.
    pub id: i64,
    /// The channel.
    pub channel: Channel,
    /// The channel's label.
    pub label: String,
    /// Where the label was booked before (OTHER when it matched no mapping).
    pub from_bucket: FeeBucket,
    /// False when the label matched no mapping before.
    pub from_mapped: bool,
    /// Where it is booked now.
    pub to_bucket: FeeBucket,
    /// The token subject that made the change.
    pub changed_by: String,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Existing lines re-booked into `to_bucket`.
    pub lines_moved: i64,
    /// Their net amount per currency, in minor units.
    pub moved: BTreeMap<String, i64>,
}

/// Sets the override of `label` for `org_id` and re-books every existing line of it, recording
/// the change as made by `who`; all in one transaction (nothing changes when any part fails).
///
/// # Errors
/// An empty label, or a database failure.
pub async fn change_override(
    db: &Db,
    org_id: i64,
    who: &str,
    channel: Channel,
    label: &str,
    bucket: FeeBucket,
) -> Result<(Override, Change)> {
    let txn = db.begin_write().await?;
    let mapper = FeeMapper::load(&*txn, org_id).await?;
    let rule = set_override(&*txn, org_id, channel, label, bucket).await?;
    let moved = rebook(&*txn, org_id, channel, &rule.label, bucket).await?;
    // "Before" is where the lines were (a statement's own table may have booked them), else
    // what the org's and the channel's tables said.
    let before = match moved.main_source() {
        Some((bucket, mapped)) => Mapping { bucket, mapped },
        None => mapper.resolve(channel, &rule.label),
    };
    let now = Utc::now();
    let row = mapping_change::ActiveModel {
        org_id: Set(org_id),
        channel: Set(channel.as_str().to_owned()),
        label: Set(rule.label.clone()),
        from_bucket: Set(before.bucket.as_str().to_owned()),
        from_mapped: Set(before.mapped),
        to_bucket: Set(bucket.as_str().to_owned()),
        changed_by: Set(who.to_owned()),
        lines_moved: Set(i64::try_from(moved.lines).unwrap_or(i64::MAX)),
        moved: Set(Some(encode(&moved.moved))),
        created_at: Set(now),
        ..Default::default()
    };
    let id = mapping_change::Entity::insert(row)
        .exec(&*txn)
        .await?
        .last_insert_id;
    txn.commit().await?;
    db.wrote(2 * moved.lines + 1).await;
    let change = Change {
        id,
        channel,
        label: rule.label.clone(),
        from_bucket: before.bucket,
        from_mapped: before.mapped,
        to_bucket: bucket,
        changed_by: who.to_owned(),
        changed_at: now,
        lines_moved: i64::try_from(moved.lines).unwrap_or(i64::MAX),
        moved: moved.moved,
    };
    Ok((rule, change))
}

/// The newest `limit` mapping changes of `org_id`, newest first.
///
/// # Errors
/// Database failures, or a stored row naming an unknown channel or bucket.
pub async fn list_changes(db: &Db, org_id: i64, limit: u64) -> Result<Vec<Change>> {
    mapping_change::Entity::find()
        .filter(mapping_change::Column::OrgId.eq(org_id))
        .order_by_desc(mapping_change::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(decode)
        .collect()
}

/// `CUR:minor` pairs joined by `;` (currency codes hold neither character).
fn encode(moved: &BTreeMap<String, i64>) -> String {
    moved
        .iter()
        .map(|(currency, minor)| format!("{currency}:{minor}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn decode(row: mapping_change::Model) -> Result<Change> {
    let mut moved = BTreeMap::new();
    for pair in row.moved.as_deref().unwrap_or_default().split(';') {
        if pair.is_empty() {
            continue;
        }
        let parsed = pair
            .split_once(':')
            .and_then(|(currency, minor)| Some((currency.to_owned(), minor.parse().ok()?)));
        let Some((currency, minor)) = parsed else {
            return Err(Error::from(anyhow::anyhow!(
                "mapping change {} stores an unreadable amount {pair:?}",
                row.id
            )));
        };
        moved.insert(currency, minor);
    }
    Ok(Change {
        id: row.id,
        channel: row.channel.parse()?,
        label: row.label,
        from_bucket: row.from_bucket.parse()?,
        from_mapped: row.from_mapped,
        to_bucket: row.to_bucket.parse()?,
        changed_by: row.changed_by,
        changed_at: row.created_at,
        lines_moved: row.lines_moved,
        moved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_amounts_read_back_as_written() {
        let moved = BTreeMap::from([("GBP".to_owned(), 30), ("USD".to_owned(), -1250)]);
        assert_eq!(encode(&moved), "GBP:30;USD:-1250");
        let row = mapping_change::Model {
            id: 1,
            org_id: 1,
            channel: "AMAZON".to_owned(),
            label: "Brand New Fee".to_owned(),
            from_bucket: "OTHER".to_owned(),
            from_mapped: false,
            to_bucket: "PROGRAM_FEES".to_owned(),
            changed_by: "pnl-cli".to_owned(),
            lines_moved: 2,
            moved: Some(encode(&moved)),
            created_at: Utc::now(),
        };
        assert_eq!(decode(row).unwrap().moved, moved);
    }
}
