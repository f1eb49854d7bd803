//! Amazon's raw records read again (`pnl replay`): event-group pages give the payouts, a
//! group's event pages its lines (read with the group as the newest stored group list
//! describes it, as the sync read them), settlement reports read as the saved files they are.

use std::collections::HashMap;
use std::sync::Arc;

use entities::raw_record;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::connector::Amazon;
use super::finances;
use super::model::FinancialEventGroup;
use super::sync::{EVENTS_KIND, GROUPS_KIND};
use crate::connectors::seam::{replay_as_file, FileContext, Replayed};
use crate::connectors::{split_pages, Normalized};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::raw;

/// What `record` says today.
///
/// # Errors
/// A record whose pages are not stored as a sync stores them, an events record whose group no
/// stored group list describes, or a database failure.
pub(super) async fn replay(
    db: &Db,
    record: &raw_record::Model,
    ctx: &FileContext<'_>,
) -> Result<Replayed> {
    let kind = record.source_kind.as_str();
    if kind != GROUPS_KIND && kind != EVENTS_KIND {
        return replay_as_file(&Amazon, record, ctx);
    }
    let payload = raw::payload(record)?;
    let pages = split_pages(&payload).ok_or_else(|| {
        Error::bad_input(format!(
            "raw record {} ({kind}) is not a list of response pages",
            record.id
        ))
    })?;
    if kind == GROUPS_KIND {
        let mut out = Normalized::default();
        for page in pages {
            out.extend(finances::normalize_groups(page.as_bytes()));
        }
        return Ok(Replayed::Lines(out));
    }
    let group = stored_group(db, record, ctx).await?;
    let bodies: Vec<&[u8]> = pages.iter().map(|page| page.as_bytes()).collect();
    Ok(Replayed::Lines(finances::normalize_events(
        &group, &bodies, ctx.mapper,
    )))
}

/// Each event group of a shop, as the newest stored group list that lists it describes it.
type Groups = HashMap<String, FinancialEventGroup>;

/// The group of an events record (its source id), from the newest stored group list of its
/// shop that lists it. The shop's lists are read once per replay run (the context's memo): a shop
/// synced for a long time stores one list per sync window, and each events record reading them
/// all again made a replay quadratic in its history.
async fn stored_group(
    db: &Db,
    record: &raw_record::Model,
    ctx: &FileContext<'_>,
) -> Result<FinancialEventGroup> {
    let key = format!(
        "amazon.groups:{}:{}",
        record.org_id,
        record.shop_id.unwrap_or_default()
    );
    let groups = match ctx.memo.and_then(|memo| memo.get::<Groups>(&key)) {
        Some(groups) => groups,
        None => {
            let groups = Arc::new(stored_groups(db, record).await?);
            if let Some(memo) = ctx.memo {
                memo.put(key, Arc::clone(&groups));
            }
            groups
        }
    };
    groups.get(&record.source_id).cloned().ok_or_else(|| {
        Error::bad_input(format!(
            "its event group {} is in no stored listFinancialEventGroups answer",
            record.source_id
        ))
    })
}

/// Every group the stored group lists of `record`'s shop describe, each as the newest list
/// that lists it describes it.
async fn stored_groups(db: &Db, record: &raw_record::Model) -> Result<Groups> {
    let lists = raw_record::Entity::find()
        .filter(raw_record::Column::OrgId.eq(record.org_id))
        .filter(raw_record::Column::ShopId.eq(record.shop_id))
        .filter(raw_record::Column::SourceKind.eq(GROUPS_KIND))
        .order_by_desc(raw_record::Column::Id)
        .all(db.conn())
        .await?;
    let mut groups = Groups::new();
    for list in &lists {
        let payload = raw::payload(list)?;
        for page in split_pages(&payload).into_iter().flatten() {
            for group in finances::groups_in(page.as_bytes()) {
                groups
                    .entry(group.financial_event_group_id.clone())
                    .or_insert(group);
            }
        }
    }
    Ok(groups)
}
