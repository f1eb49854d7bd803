//! Orgs (tenants). An org is named by the `org` claim of a verified token; the first request of a
//! new org creates its row, so a brand never needs a separate sign-up step.

use chrono::Utc;
use entities::org;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{Error, Result};

/// A resolved org: its database id and its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgRef {
    /// Primary key, used in every tenant-scoped query.
    pub id: i64,
    /// The key tokens carry.
    pub key: String,
}

/// Checks an org key: 1–64 characters of ASCII letters, digits, `-`, `_` and `.`.
///
/// # Errors
/// A key outside that alphabet or length.
pub fn validate_key(key: &str) -> Result<()> {
    let valid = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "invalid org key {key:?}: use 1-64 letters, digits, '-', '_' or '.'"
        )))
    }
}

/// Finds the org `key`, creating it with default settings when it does not exist yet.
///
/// # Errors
/// An invalid key, or a database failure.
pub async fn ensure(db: &impl ConnectionTrait, key: &str) -> Result<OrgRef> {
    if let Some(found) = find(db, key).await? {
        return Ok(found);
    }
    validate_key(key)?;
    let row = org::ActiveModel {
        key: Set(key.to_owned()),
        name: Set(key.to_owned()),
        currency: Set("USD".to_owned()),
        time_zone: Set("UTC".to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    // Two first requests may race; the unique key makes the loser a no-op.
    let _ = org::Entity::insert(row)
        .on_conflict(OnConflict::column(org::Column::Key).do_nothing().to_owned())
        .do_nothing()
        .exec(db)
        .await?;
    find(db, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("org {key} vanished after insert").into())
}

/// Finds the org `key`.
///
/// # Errors
/// Database failures.
pub async fn find(db: &impl ConnectionTrait, key: &str) -> Result<Option<OrgRef>> {
    Ok(org::Entity::find()
        .filter(org::Column::Key.eq(key))
        .one(db)
        .await?
        .map(|row| OrgRef {
            id: row.id,
            key: row.key,
        }))
}
