//! Which raw records a replay reads, and in which order.
//!
//! A source (records sharing `source_kind` and `source_id`) can hold several versions: a
//! restated statement is a new record, and re-importing an older file makes the older version
//! current again. So the version replayed is the one the ledger last posted from (the record of
//! the source's newest ledger row), else the newest record; and sources are replayed in the
//! order those records arrived, the order a sync posts them in (statements before the orders
//! they settle, event groups before their settlement report).
//!
//! A run fixes two watermarks when it starts (the highest raw record and ledger row ids) and
//! reads only below them, so a killed run, resumed, computes exactly the same list and skips
//! the sources it finished by count.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveTime};
use entities::{ledger_entry, raw_record};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::Scope;
use crate::error::Result;

/// One source to replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Source {
    /// The version read.
    pub(super) record_id: i64,
    /// Every version's record id (ascending).
    pub(super) versions: Vec<i64>,
    /// The newest ledger row posted from any version (below the watermark), if any.
    pub(super) last_posting: Option<i64>,
}

/// Where a run's view of the database ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Watermarks {
    /// The highest raw record id when the run started.
    pub(super) raw: i64,
    /// The highest ledger row id when the run started.
    pub(super) ledger: i64,
}

/// The current watermarks of `org_id`.
///
/// # Errors
/// Database failures.
pub(super) async fn watermarks(db: &impl ConnectionTrait, org_id: i64) -> Result<Watermarks> {
    let raw: Option<i64> = raw_record::Entity::find()
        .select_only()
        .column_as(Expr::col(raw_record::Column::Id).max(), "id")
        .filter(raw_record::Column::OrgId.eq(org_id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let ledger: Option<i64> = ledger_entry::Entity::find()
        .select_only()
        .column_as(Expr::col(ledger_entry::Column::Id).max(), "id")
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(Watermarks {
        raw: raw.unwrap_or(0),
        ledger: ledger.unwrap_or(0),
    })
}

/// The sources of `scope` below `marks`, in replay order. With `since`, a source is in the
/// scope when a version arrived on or after that day (UTC) or when any of its versions has a
/// ledger line dated on or after it (a statement received before the day can carry money of
/// days after it).
///
/// # Errors
/// Database failures.
pub(super) async fn sources(
    db: &impl ConnectionTrait,
    scope: Scope,
    marks: Watermarks,
) -> Result<Vec<Source>> {
    let mut records = raw_record::Entity::find()
        .select_only()
        .column(raw_record::Column::Id)
        .column(raw_record::Column::SourceKind)
        .column(raw_record::Column::SourceId)
        .column(raw_record::Column::ReceivedAt)
        .filter(raw_record::Column::OrgId.eq(scope.org_id))
        .filter(raw_record::Column::Id.lte(marks.raw));
    if let Some(channel) = scope.channel {
        records = records.filter(raw_record::Column::Channel.eq(channel.as_str()));
    }
    let records: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>)> =
        records.into_tuple().all(db).await?;
    let postings = last_postings(db, scope.org_id, marks.ledger).await?;
    let with_lines = match scope.since {
        Some(since) => Some(records_with_lines_since(db, scope.org_id, since, marks.ledger).await?),
        None => None,
    };
    let start = scope
        .since
        .map(|since| since.and_time(NaiveTime::MIN).and_utc());

    let mut by_source: BTreeMap<(String, String), (Vec<i64>, bool)> = BTreeMap::new();
    for (id, kind, source_id, received) in records {
        let in_scope = match (start, &with_lines) {
            (Some(start), Some(with_lines)) => received >= start || with_lines.contains(&id),
            _ => true,
        };
        let entry = by_source.entry((kind, source_id)).or_default();
        entry.0.push(id);
        entry.1 |= in_scope;
    }
    let mut sources: Vec<Source> = by_source
        .into_values()
        .filter(|(_, in_scope)| *in_scope)
        .map(|(mut versions, _)| {
            versions.sort_unstable();
            let posted = versions
                .iter()
                .filter_map(|id| postings.get(id).map(|row| (*row, *id)))
                .max();
            let newest = versions.last().copied().unwrap_or_default();
            Source {
                record_id: posted.map_or(newest, |(_, id)| id),
                last_posting: posted.map(|(row, _)| row),
                versions,
            }
        })
        .collect();
    sources.sort_by_key(|source| source.record_id);
    Ok(sources)
}

/// For every raw record of the org, its newest ledger row (at or below `ledger_mark`).
async fn last_postings(
    db: &impl ConnectionTrait,
    org_id: i64,
    ledger_mark: i64,
) -> Result<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, Option<i64>)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::RawRecordId)
        .column_as(Expr::col(ledger_entry::Column::Id).max(), "last")
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::Id.lte(ledger_mark))
        .filter(ledger_entry::Column::RawRecordId.is_not_null())
        .group_by(ledger_entry::Column::RawRecordId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(record, last)| Some((record?, last?)))
        .collect())
}

/// The raw records of the org's ledger lines dated `since` or later.
async fn records_with_lines_since(
    db: &impl ConnectionTrait,
    org_id: i64,
    since: NaiveDate,
    ledger_mark: i64,
) -> Result<HashSet<i64>> {
    let ids: Vec<Option<i64>> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::RawRecordId)
        .distinct()
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::Day.gte(crate::ledger::time::day_number(since)))
        .filter(ledger_entry::Column::Id.lte(ledger_mark))
        .filter(ledger_entry::Column::RawRecordId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}
