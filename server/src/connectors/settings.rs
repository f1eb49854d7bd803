//! An org's settings of one channel (`channel_setting`: key → text value), read and written by
//! the channel's connector; shared code only loads them for it (e.g. into a file import's
//! [`super::seam::FileContext`]).

use std::collections::HashMap;

use chrono::Utc;
use entities::channel_setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::Result;
use crate::ledger::Channel;

/// Every setting of `channel` for `org_id`.
///
/// # Errors
/// Database failures.
pub async fn load(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
) -> Result<HashMap<String, String>> {
    Ok(channel_setting::Entity::find()
        .filter(channel_setting::Column::OrgId.eq(org_id))
        .filter(channel_setting::Column::Channel.eq(channel.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.key, row.value))
        .collect())
}

/// Stores `value` as `org_id`'s setting `key` of `channel`.
///
/// # Errors
/// Database failures.
pub async fn store(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    key: &str,
    value: String,
) -> Result<()> {
    channel_setting::Entity::insert(channel_setting::ActiveModel {
        org_id: Set(org_id),
        channel: Set(channel.as_str().to_owned()),
        key: Set(key.to_owned()),
        value: Set(value),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            channel_setting::Column::OrgId,
            channel_setting::Column::Channel,
            channel_setting::Column::Key,
        ])
        .update_columns([
            channel_setting::Column::Value,
            channel_setting::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
