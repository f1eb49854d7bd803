//! Amazon's raw records read again (`pnl replay`): event-group pages give the payouts, a
//! group's event pages its lines (read with the group as the newest stored group list
//! describes it, as the sync read them), settlement reports read as the saved files they are.

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
    let group = stored_group(db, record).await?;
    let bodies: Vec<&[u8]> = pages.iter().map(|page| page.as_bytes()).collect();
    Ok(Replayed::Lines(finances::normalize_events(
        &group, &bodies, ctx.mapper,
    )))
}

/// The group of an events record (its source id), from the newest stored group list of its
/// shop that lists it.
async fn stored_group(db: &Db, record: &raw_record::Model) -> Result<FinancialEventGroup> {
    let lists = raw_record::Entity::find()
        .filter(raw_record::Column::OrgId.eq(record.org_id))
        .filter(raw_record::Column::ShopId.eq(record.shop_id))
        .filter(raw_record::Column::SourceKind.eq(GROUPS_KIND))
        .order_by_desc(raw_record::Column::Id)
        .all(db.conn())
        .await?;
    let lists = lists.iter().map(raw::payload).collect::<Result<Vec<_>>>()?;
    lists
        .iter()
        .filter_map(|list| split_pages(list))
        .flatten()
        .find_map(|page| finances::group_in(page.as_bytes(), &record.source_id))
        .ok_or_else(|| {
            Error::bad_input(format!(
                "its event group {} is in no stored listFinancialEventGroups answer",
                record.source_id
            ))
        })
}
