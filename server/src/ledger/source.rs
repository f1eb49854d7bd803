//! Each org's dictionary of source kinds (`source_kind`, migration
//! `m20261207_000002_create_source_kind`): a ledger row carries the id of its kind, the name is
//! stored once. Only this module turns names into ids and back.

use std::collections::{BTreeSet, HashMap};

use entities::source_kind;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::Result;

/// The ids of `names` in `org_id`'s dictionary, adding the names it lacks.
///
/// # Errors
/// Database failures.
pub(super) async fn ids<'a>(
    db: &impl ConnectionTrait,
    org_id: i64,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, i64>> {
    let names: BTreeSet<&str> = names.into_iter().collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let mut known = lookup(db, org_id, &names).await?;
    let missing: Vec<source_kind::ActiveModel> = names
        .iter()
        .filter(|name| !known.contains_key(**name))
        .map(|name| source_kind::ActiveModel {
            org_id: Set(org_id),
            name: Set((*name).to_owned()),
            ..Default::default()
        })
        .collect();
    if !missing.is_empty() {
        // Another posting may add the same name meanwhile: its row is the one to use.
        source_kind::Entity::insert_many(missing)
            .on_conflict(
                OnConflict::columns([source_kind::Column::OrgId, source_kind::Column::Name])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(db)
            .await?;
        known = lookup(db, org_id, &names).await?;
    }
    Ok(known)
}

async fn lookup(
    db: &impl ConnectionTrait,
    org_id: i64,
    names: &BTreeSet<&str>,
) -> Result<HashMap<String, i64>> {
    Ok(source_kind::Entity::find()
        .filter(source_kind::Column::OrgId.eq(org_id))
        .filter(source_kind::Column::Name.is_in(names.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|kind| (kind.name, kind.id))
        .collect())
}

/// The names of the kinds `ids` (of `org_id`).
///
/// # Errors
/// Database failures.
pub(super) async fn names(
    db: &impl ConnectionTrait,
    org_id: i64,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let ids: BTreeSet<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(source_kind::Entity::find()
        .filter(source_kind::Column::OrgId.eq(org_id))
        .filter(source_kind::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|kind| (kind.id, kind.name))
        .collect())
}
