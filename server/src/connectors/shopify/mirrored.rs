//! The stored side of mirrored orders: the org's list of order source names that mark a
//! Shopify order as a copy of a marketplace's order (a `channel_setting`), the orders found
//! that way (`mirrored_order`, with the rule that matched), and the check of an order's
//! external ids against orders another connected channel already owns in the ledger.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use entities::{ledger_entry, mirrored_order};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::mirror::{MirrorMatch, MirrorRules};
use super::CHANNEL;
use crate::connectors::settings;
use crate::error::{Error, Result};
use crate::ledger::{packed_key, Channel};

/// The `channel_setting` key of the source names.
const SOURCE_NAMES: &str = "mirror_source_names";

/// At most this many source names, each at most 100 characters.
const MAX_NAMES: usize = 100;

/// The mirror rules of an org's Shopify settings: its stored source names, or the defaults.
///
/// # Errors
/// A stored value that is not a list of names.
pub fn rules_from(settings: &HashMap<String, String>) -> Result<MirrorRules> {
    match settings.get(SOURCE_NAMES) {
        None => Ok(MirrorRules::default()),
        Some(value) => {
            let source_names: Vec<String> = serde_json::from_str(value).map_err(|e| {
                Error::Internal(anyhow::anyhow!("stored {SOURCE_NAMES} is not a list: {e}"))
            })?;
            Ok(MirrorRules { source_names })
        }
    }
}

/// The org's mirror rules: its stored source names, or the defaults.
///
/// # Errors
/// Database failures, or a stored value that is not a list of names.
pub async fn rules(db: &impl ConnectionTrait, org_id: i64) -> Result<MirrorRules> {
    rules_from(&settings::load(db, org_id, CHANNEL).await?)
}

/// Stores the org's source names (trimmed, duplicates and empty names dropped) and returns them.
///
/// # Errors
/// BAD_USER_INPUT for too many or too long names; database failures.
pub async fn set_source_names(
    db: &impl ConnectionTrait,
    org_id: i64,
    names: &[String],
) -> Result<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim();
        if name.chars().count() > 100 || name.contains('\0') {
            return Err(Error::bad_input(format!(
                "names: {name:?} is longer than 100 characters or holds a NUL"
            )));
        }
        if !name.is_empty() && !clean.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            clean.push(name.to_owned());
        }
    }
    if clean.len() > MAX_NAMES {
        return Err(Error::bad_input(format!(
            "names: {} names given; at most {MAX_NAMES}",
            clean.len()
        )));
    }
    let value = serde_json::to_string(&clean).map_err(|e| Error::Internal(e.into()))?;
    settings::store(db, org_id, CHANNEL, SOURCE_NAMES, value).await?;
    Ok(clean)
}

/// The first of `ids` that an order of another channel of the org carries in the ledger, with
/// that channel.
///
/// # Errors
/// Database failures.
pub async fn owned_elsewhere(
    db: &impl ConnectionTrait,
    org_id: i64,
    ids: &[String],
) -> Result<Option<(String, String)>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let hit: Option<(Option<String>, i16)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::OrderId)
        .column(ledger_entry::Column::Channel)
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::Channel.ne(CHANNEL.code()))
        .filter(ledger_entry::Column::OrderId.is_in(ids.iter().cloned()))
        .into_tuple()
        .one(db)
        .await?;
    let Some((Some(order), channel)) = hit else {
        return Ok(None);
    };
    Ok(Some((
        order,
        Channel::from_code(channel)?.as_str().to_owned(),
    )))
}

/// One mirrored order found by a sync.
#[derive(Clone, Debug)]
pub struct Found<'a> {
    /// The Shopify order's legacy id.
    pub order_id: &'a str,
    /// Its name (`#1001`).
    pub order_name: &'a str,
    /// When it was placed.
    pub ordered_at: DateTime<Utc>,
    /// The rule that matched and its value.
    pub matched: MirrorMatch,
    /// The channel owning the order, when known.
    pub owner_channel: Option<String>,
}

/// Records `found` for `shop_id` (once per order; a later match updates the rule).
///
/// # Errors
/// Database failures.
pub async fn record(
    db: &impl ConnectionTrait,
    org_id: i64,
    shop_id: i64,
    found: &Found<'_>,
) -> Result<()> {
    mirrored_order::Entity::insert(mirrored_order::ActiveModel {
        org_id: Set(org_id),
        shop_id: Set(shop_id),
        order_id: Set(found.order_id.to_owned()),
        order_name: Set(found.order_name.chars().take(128).collect()),
        rule: Set(found.matched.rule.as_str().to_owned()),
        matched: Set(found.matched.value.chars().take(255).collect()),
        owner_channel: Set(found.owner_channel.clone()),
        ordered_at: Set(found.ordered_at),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            mirrored_order::Column::OrgId,
            mirrored_order::Column::ShopId,
            mirrored_order::Column::OrderId,
        ])
        .update_columns([
            mirrored_order::Column::Rule,
            mirrored_order::Column::Matched,
            mirrored_order::Column::OwnerChannel,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Reverses the estimates `shop_id` posted for `order_id` before it was recognised as mirrored
/// (its owner's order synced after it); returns how many. Settled Shopify Payments lines stay:
/// they are money that did move through the shop's payouts.
///
/// # Errors
/// Database failures.
pub async fn retire_estimates(
    db: &crate::db::Db,
    org_id: i64,
    shop_id: i64,
    order_id: &str,
) -> Result<usize> {
    // Deduplicated here (the packed key's first two segments are never packed, so the prefix
    // is comparable in SQL); `ix_ledger_entry_org_order` finds the order's rows.
    let unpacked = packed_key::unpacked_sql(db.conn().get_database_backend());
    let keys: Vec<String> = ledger_entry::Entity::find()
        .select_only()
        .column_as(Expr::cust(unpacked.as_str()), "entry_key")
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        .filter(ledger_entry::Column::ShopId.eq(shop_id))
        .filter(ledger_entry::Column::OrderId.eq(order_id))
        .filter(ledger_entry::Column::PackedKey.starts_with("shopify:est:"))
        .into_tuple::<String>()
        .all(db.conn())
        .await?
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if keys.is_empty() {
        return Ok(0);
    }
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let live = crate::ledger::live_keys(db.conn(), org_id, &refs).await?;
    if live.is_empty() {
        return Ok(0);
    }
    let outcome = crate::ledger::post(
        db,
        org_id,
        crate::ledger::PostRequest {
            raw: None,
            lines: Vec::new(),
            retire: live.into_iter().collect(),
        },
    )
    .await?;
    Ok(outcome.retired)
}

/// The org's mirrored orders, newest first, at most `limit`.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &impl ConnectionTrait,
    org_id: i64,
    limit: u64,
) -> Result<Vec<mirrored_order::Model>> {
    Ok(mirrored_order::Entity::find()
        .filter(mirrored_order::Column::OrgId.eq(org_id))
        .order_by_desc(mirrored_order::Column::OrderedAt)
        .order_by_desc(mirrored_order::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
