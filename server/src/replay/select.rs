//! Which raw records a replay reads: the newest record of every source in the scope, in the
//! order they arrived.

use std::collections::{BTreeSet, HashSet};

use chrono::{NaiveDate, NaiveTime};
use entities::{ledger_entry, raw_record};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::Scope;
use crate::error::Result;

/// Ids looked up per query.
const CHUNK: usize = 500;

/// The newest record id of every source of `scope`, ascending. With `since`, a source is in the
/// scope when its newest record arrived on or after that day (UTC) or when any of its
/// records has a ledger line dated on or after it (a statement received before the day can
/// carry money of days after it).
pub(super) async fn sources(db: &impl ConnectionTrait, scope: Scope) -> Result<Vec<i64>> {
    let mut newest = raw_record::Entity::find()
        .select_only()
        .column_as(Expr::col(raw_record::Column::Id).max(), "id")
        .column(raw_record::Column::SourceKind)
        .column(raw_record::Column::SourceId)
        .column_as(Expr::col(raw_record::Column::ReceivedAt).max(), "received")
        .filter(raw_record::Column::OrgId.eq(scope.org_id))
        .group_by(raw_record::Column::SourceKind)
        .group_by(raw_record::Column::SourceId);
    if let Some(channel) = scope.channel {
        newest = newest.filter(raw_record::Column::Channel.eq(channel.as_str()));
    }
    let newest: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>)> =
        newest.into_tuple().all(db).await?;
    let Some(since) = scope.since else {
        return Ok(newest
            .into_iter()
            .map(|row| row.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect());
    };
    let with_lines = sources_with_lines_since(db, scope.org_id, since).await?;
    let start = since.and_time(NaiveTime::MIN).and_utc();
    Ok(newest
        .into_iter()
        .filter(|(_, kind, id, received)| {
            *received >= start || with_lines.contains(&(kind.clone(), id.clone()))
        })
        .map(|row| row.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect())
}

/// The sources (kind, id) of the org's ledger lines dated `since` or later.
async fn sources_with_lines_since(
    db: &impl ConnectionTrait,
    org_id: i64,
    since: NaiveDate,
) -> Result<HashSet<(String, String)>> {
    let ids: Vec<Option<i64>> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::RawRecordId)
        .distinct()
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::Day.gte(since))
        .filter(ledger_entry::Column::RawRecordId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = ids.into_iter().flatten().collect();
    let mut sources = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String)> = raw_record::Entity::find()
            .select_only()
            .column(raw_record::Column::SourceKind)
            .column(raw_record::Column::SourceId)
            .filter(raw_record::Column::OrgId.eq(org_id))
            .filter(raw_record::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        sources.extend(rows);
    }
    Ok(sources)
}
