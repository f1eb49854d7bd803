//! An org's own statement mappings: saved as TOML (checked with [`StatementMapping::parse`]
//! first), listed beside the built-ins, found by name for uploads and `pnl import --org`.
//! Every query names the org: one org can neither use, list, overwrite nor delete another's.

use chrono::{DateTime, Utc};
use entities::statement_mapping;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::builtin;
use super::mapping::{Checked, StatementMapping};
use crate::error::{Error, Result};
use crate::ledger::Channel;

/// A mapping as listed: a built-in or one of the org's own.
#[derive(Clone, Debug)]
pub struct MappingInfo {
    /// The name uploads and `pnl import --mapping` take.
    pub name: String,
    /// Shipped with pnl (cannot be overwritten or deleted).
    pub builtin: bool,
    /// The channel its lines are booked to.
    pub channel: Channel,
    /// The channel's display name.
    pub display: String,
    /// What it reads (the mapping's `description`), or why it no longer parses.
    pub description: Option<String>,
    /// When the org last saved it (none for a built-in).
    pub updated_at: Option<DateTime<Utc>>,
}

impl MappingInfo {
    fn new(name: &str, checked: &Checked, updated_at: Option<DateTime<Utc>>) -> Self {
        Self {
            name: name.to_owned(),
            builtin: updated_at.is_none(),
            channel: checked.channel,
            display: checked.display.clone(),
            description: checked.mapping.description.clone(),
            updated_at,
        }
    }
}

/// Checks a name for an org's mapping: `[a-z0-9-]{1,64}`, and not a built-in's.
///
/// # Errors
/// BAD_USER_INPUT naming the name and the rule it breaks.
pub fn check_name(name: &str) -> Result<()> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(Error::bad_input(format!(
            "name {name:?}: a mapping's name is 1 to 64 characters of a-z, 0-9 and -"
        )));
    }
    if builtin::ALL.iter().any(|b| b.name == name) {
        return Err(Error::bad_input(format!(
            "name {name:?}: the name of a built-in mapping; choose another"
        )));
    }
    Ok(())
}

/// Saves `toml` as the org's mapping `name`, replacing an earlier one of that name.
///
/// # Errors
/// BAD_USER_INPUT for a bad name or a mapping that does not parse (the parser's words), or a
/// database failure.
pub async fn save(
    db: &impl ConnectionTrait,
    org_id: i64,
    name: &str,
    toml: &str,
) -> Result<MappingInfo> {
    check_name(name)?;
    let checked = StatementMapping::parse(toml, name)?;
    let now = Utc::now();
    let row = statement_mapping::ActiveModel {
        org_id: Set(org_id),
        name: Set(name.to_owned()),
        toml: Set(toml.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    statement_mapping::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                statement_mapping::Column::OrgId,
                statement_mapping::Column::Name,
            ])
            .update_columns([
                statement_mapping::Column::Toml,
                statement_mapping::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(MappingInfo::new(name, &checked, Some(now)))
}

/// Deletes the org's mapping `name`.
///
/// # Errors
/// BAD_USER_INPUT for a built-in's name, NOT_FOUND when the org has no mapping of that name,
/// or a database failure.
pub async fn delete(db: &impl ConnectionTrait, org_id: i64, name: &str) -> Result<()> {
    if builtin::ALL.iter().any(|b| b.name == name) {
        return Err(Error::bad_input(format!(
            "mapping {name}: a built-in mapping cannot be deleted"
        )));
    }
    let deleted = statement_mapping::Entity::delete_many()
        .filter(statement_mapping::Column::OrgId.eq(org_id))
        .filter(statement_mapping::Column::Name.eq(name))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(not_found(name));
    }
    Ok(())
}

/// The built-ins, then the org's own mappings by name. A saved mapping this version no longer
/// parses is listed with the parse error as its description (channel OTHER), not hidden.
///
/// # Errors
/// A database failure.
pub async fn list(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<MappingInfo>> {
    let mut out = Vec::new();
    for b in builtin::ALL {
        let checked = StatementMapping::parse(b.toml, b.name)?;
        out.push(MappingInfo::new(b.name, &checked, None));
    }
    let rows = statement_mapping::Entity::find()
        .filter(statement_mapping::Column::OrgId.eq(org_id))
        .order_by_asc(statement_mapping::Column::Name)
        .all(db)
        .await?;
    for row in rows {
        out.push(match StatementMapping::parse(&row.toml, &row.name) {
            Ok(checked) => MappingInfo::new(&row.name, &checked, Some(row.updated_at)),
            Err(error) => MappingInfo {
                name: row.name.clone(),
                builtin: false,
                channel: Channel::Other,
                display: row.name,
                description: Some(format!("does not parse: {error}")),
                updated_at: Some(row.updated_at),
            },
        });
    }
    Ok(out)
}

/// The mapping `name` for the org: a built-in, else one the org saved.
///
/// # Errors
/// NOT_FOUND when neither has that name (another org's mapping is not found either);
/// BAD_USER_INPUT when the saved mapping no longer parses; a database failure.
pub async fn find(db: &impl ConnectionTrait, org_id: i64, name: &str) -> Result<Checked> {
    if let Some(found) = builtin::find(name) {
        return found;
    }
    let row = statement_mapping::Entity::find()
        .filter(statement_mapping::Column::OrgId.eq(org_id))
        .filter(statement_mapping::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or_else(|| not_found(name))?;
    StatementMapping::parse(&row.toml, &row.name)
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        entity: "statement mapping",
        id: name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn a_name_is_lowercase_letters_digits_and_dashes_and_no_builtins() {
        for good in ["etsy-de", "a", "ebay-2026", &"x".repeat(64)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Etsy",
            "etsy de",
            "etsy_de",
            "etsy.toml",
            "../x",
            &"x".repeat(65),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let error = check_name("walmart-recon").unwrap_err().to_string();
        assert!(error.contains("built-in"), "{error}");
    }
}
