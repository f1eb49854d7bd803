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

/// The org with id `id`.
///
/// # Errors
/// NOT_FOUND, or database failures.
pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<OrgRef> {
    org::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|row| OrgRef {
            id: row.id,
            key: row.key,
        })
        .ok_or_else(|| Error::NotFound {
            entity: "org",
            id: id.to_string(),
        })
}

/// How ad spend not tied to a SKU is treated in SKU and product P&L rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum AdAllocation {
    /// Spread over the period's SKUs by their share of net sales (the default).
    NetSales,
    /// Kept on its own row, untied.
    None,
}

impl AdAllocation {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NetSales => "NET_SALES",
            Self::None => "NONE",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "NONE" {
            Self::None
        } else {
            Self::NetSales
        }
    }
}

/// An org's reporting settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Reporting currency.
    pub currency: crate::money::Currency,
    /// IANA time zone of the org's days.
    pub time_zone: String,
    /// Untied ad spend rule.
    pub ad_allocation: AdAllocation,
}

/// The settings of `org_id`.
///
/// # Errors
/// NOT_FOUND, or database failures.
pub async fn settings(db: &impl ConnectionTrait, org_id: i64) -> Result<Settings> {
    let row = org::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "org",
            id: org_id.to_string(),
        })?;
    Ok(Settings {
        currency: crate::money::Currency::parse(&row.currency)?,
        time_zone: row.time_zone,
        ad_allocation: AdAllocation::parse(&row.ad_allocation),
    })
}

/// Changes the settings given; a new time zone re-dates the org's ledger rows (their `day`),
/// so days, weeks and months follow it.
///
/// # Errors
/// An unknown time zone, or database failures.
pub async fn update_settings(
    db: &crate::db::Db,
    org_id: i64,
    currency: Option<crate::money::Currency>,
    time_zone: Option<&str>,
    ad_allocation: Option<AdAllocation>,
) -> Result<Settings> {
    let zone: Option<chrono_tz::Tz> = time_zone
        .map(|zone| {
            zone.parse().map_err(|_| {
                Error::bad_input(format!(
                    "timeZone: unknown time zone {zone:?} (use an IANA name such as Europe/London)"
                ))
            })
        })
        .transpose()?;
    let txn = db.begin_write().await?;
    let row = org::Entity::find_by_id(org_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "org",
            id: org_id.to_string(),
        })?;
    let mut active: org::ActiveModel = row.clone().into();
    if let Some(currency) = currency {
        active.currency = Set(currency.as_str().to_owned());
    }
    if let Some(rule) = ad_allocation {
        active.ad_allocation = Set(rule.as_str().to_owned());
    }
    if let Some(zone) = zone.filter(|zone| zone.name() != row.time_zone) {
        active.time_zone = Set(zone.name().to_owned());
        redate(&*txn, org_id, zone).await?;
        crate::ledger::rollup::rebuild(&*txn, org_id).await?;
    }
    sea_orm::ActiveModelTrait::update(active, &*txn).await?;
    txn.commit().await?;
    settings(db.conn(), org_id).await
}

/// Recomputes `day` of every ledger row of `org_id` in `zone`.
async fn redate(db: &impl ConnectionTrait, org_id: i64, zone: chrono_tz::Tz) -> Result<()> {
    use sea_orm::{DatabaseBackend, Statement};

    use crate::ledger::time::day_number;
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        let sql =
            // `day` is the day's number (`crate::ledger::time::day_number`).
            "UPDATE ledger_entry SET day = (occurred_at AT TIME ZONE $1)::date - DATE '1970-01-01' \
             WHERE org_id = $2";
        db.execute(Statement::from_sql_and_values(
            backend,
            sql,
            [zone.name().into(), org_id.into()],
        ))
        .await?;
        return Ok(());
    }
    // SQLite has no time zone database: re-date per quarter hour that has rows (every zone's
    // offset is a whole number of quarter hours), computing each slot's local day in Rust.
    let slots = db
        .query_all(Statement::from_sql_and_values(
            backend,
            // `occurred_at` is whole Unix seconds on SQLite (`crate::ledger::time`).
            "SELECT DISTINCT occurred_at / 900 AS slot FROM ledger_entry WHERE org_id = ?",
            [org_id.into()],
        ))
        .await?;
    for slot in slots {
        let slot: i64 = slot.try_get("", "slot")?;
        let start = chrono::DateTime::from_timestamp(slot * 900, 0)
            .ok_or_else(|| anyhow::anyhow!("slot {slot} out of range"))?;
        let end = start + chrono::Duration::minutes(15);
        let day = start.with_timezone(&zone).date_naive();
        // The old day of these rows, in any zone (-12 h to +14 h), is within a day of their UTC
        // date: the bounds let `ix_ledger_entry_org_day` find them.
        let utc = start.date_naive();
        let first = utc.checked_sub_days(chrono::Days::new(1)).unwrap_or(utc);
        let last = utc.checked_add_days(chrono::Days::new(1)).unwrap_or(utc);
        db.execute(Statement::from_sql_and_values(
            backend,
            "UPDATE ledger_entry SET day = ? WHERE org_id = ? AND day >= ? AND day <= ? \
             AND occurred_at >= ? AND occurred_at < ?",
            [
                day_number(day).into(),
                org_id.into(),
                day_number(first).into(),
                day_number(last).into(),
                crate::ledger::time::bound(backend, start),
                crate::ledger::time::bound(backend, end),
            ],
        ))
        .await?;
    }
    Ok(())
}
