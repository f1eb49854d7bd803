//! Where a channel's field or fee label is booked: a built-in table per channel, overridable per
//! org (`fee_mapping`). A label found nowhere goes to OTHER with `mapped = false`, so it can be
//! listed and mapped instead of vanishing.

use std::collections::HashMap;

use chrono::Utc;
use entities::{fee_mapping, ledger_entry};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Channel, FeeBucket};
use crate::error::Result;

mod change;
mod defaults;

pub use change::{change_override, list_changes, Change};

/// The outcome of looking a label up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The bucket to book into.
    pub bucket: FeeBucket,
    /// False when the label was unknown and fell through to OTHER.
    pub mapped: bool,
}

/// The label → bucket table in force for one org: its overrides over the built-in defaults.
#[derive(Clone, Debug, Default)]
pub struct FeeMapper {
    overrides: HashMap<(Channel, String), FeeBucket>,
}

impl FeeMapper {
    /// A mapper with the built-in table only.
    pub fn defaults() -> Self {
        Self::default()
    }

    /// The mapper of `org_id`: built-in table plus the org's overrides.
    ///
    /// # Errors
    /// Database failures, or a stored row naming an unknown channel or bucket.
    pub async fn load(db: &impl ConnectionTrait, org_id: i64) -> Result<Self> {
        let mut overrides = HashMap::new();
        for row in fee_mapping::Entity::find()
            .filter(fee_mapping::Column::OrgId.eq(org_id))
            .all(db)
            .await?
        {
            overrides.insert((row.channel.parse()?, row.label), row.bucket.parse()?);
        }
        Ok(Self { overrides })
    }

    /// Where `label` of `channel` is booked when the source brings its own table (a statement
    /// mapping's labels): the org's override first, then `table`'s bucket, then the channel's
    /// built-in table; a label found nowhere goes to OTHER unmapped.
    pub fn resolve_with(&self, channel: Channel, label: &str, table: Option<FeeBucket>) -> Mapping {
        if let Some(bucket) = self.overrides.get(&(channel, label.to_owned())) {
            return Mapping {
                bucket: *bucket,
                mapped: true,
            };
        }
        match table {
            Some(bucket) => Mapping {
                bucket,
                mapped: true,
            },
            None => self.resolve(channel, label),
        }
    }

    /// Where `label` of `channel` is booked.
    pub fn resolve(&self, channel: Channel, label: &str) -> Mapping {
        if let Some(bucket) = self.overrides.get(&(channel, label.to_owned())) {
            return Mapping {
                bucket: *bucket,
                mapped: true,
            };
        }
        match defaults::lookup(channel, label) {
            Some(bucket) => Mapping {
                bucket,
                mapped: true,
            },
            None => Mapping {
                bucket: FeeBucket::Other,
                mapped: false,
            },
        }
    }
}

/// One org override, as listed by the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The channel.
    pub channel: Channel,
    /// The channel's label.
    pub label: String,
    /// The bucket it is booked into.
    pub bucket: FeeBucket,
}

/// Sets (or replaces) the override of `label` for `org_id`, and nothing else: [`change_override`]
/// also re-books the lines already posted.
///
/// # Errors
/// An empty label, or a database failure.
pub async fn set_override(
    db: &impl ConnectionTrait,
    org_id: i64,
    channel: Channel,
    label: &str,
    bucket: FeeBucket,
) -> Result<Override> {
    let label = label.trim();
    if label.is_empty() {
        return Err(crate::error::Error::bad_input("label must not be empty"));
    }
    let now = Utc::now();
    let row = fee_mapping::ActiveModel {
        org_id: Set(org_id),
        channel: Set(channel.as_str().to_owned()),
        label: Set(label.to_owned()),
        bucket: Set(bucket.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fee_mapping::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                fee_mapping::Column::OrgId,
                fee_mapping::Column::Channel,
                fee_mapping::Column::Label,
            ])
            .update_columns([fee_mapping::Column::Bucket, fee_mapping::Column::UpdatedAt])
            .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(Override {
        channel,
        label: label.to_owned(),
        bucket,
    })
}

/// The overrides of `org_id`, by channel and label.
///
/// # Errors
/// Database failures.
pub async fn list_overrides(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<Override>> {
    fee_mapping::Entity::find()
        .filter(fee_mapping::Column::OrgId.eq(org_id))
        .order_by_asc(fee_mapping::Column::Channel)
        .order_by_asc(fee_mapping::Column::Label)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Override {
                channel: row.channel.parse()?,
                label: row.label,
                bucket: row.bucket.parse()?,
            })
        })
        .collect()
}

/// A label that matched no mapping, with how often and how much it was booked to OTHER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmappedLabel {
    /// The channel.
    pub channel: Channel,
    /// The unknown label.
    pub label: String,
    /// The currency of `total_minor`.
    pub currency: String,
    /// Number of current ledger rows under it.
    pub entries: i64,
    /// Their sum, in minor units of `currency`.
    pub total_minor: i64,
}

/// Every label of `org_id` that fell through to OTHER, aggregated in SQL (reversals included, so
/// corrected lines cancel out).
///
/// # Errors
/// Database failures.
pub async fn unmapped_labels(db: &impl ConnectionTrait, org_id: i64) -> Result<Vec<UnmappedLabel>> {
    let rows: Vec<(i16, i64, String, i64, i64)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::Channel)
        .column(ledger_entry::Column::LabelId)
        .column(ledger_entry::Column::Currency)
        .column_as(
            Expr::cust("SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END)"),
            "entries",
        )
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(ledger_entry::Column::OrgId.eq(org_id))
        // Through the partial index `ix_ledger_entry_org_unmapped`.
        .filter(Expr::cust(super::UNMAPPED))
        .group_by(ledger_entry::Column::Channel)
        .group_by(ledger_entry::Column::LabelId)
        .group_by(ledger_entry::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    let labels = super::dictionary::names(
        db,
        super::dictionary::Dictionary::Labels,
        org_id,
        rows.iter().map(|row| row.1),
    )
    .await?;
    let mut unmapped = rows
        .into_iter()
        .filter(|row| row.3 != 0)
        .map(|(channel, label_id, currency, entries, total_minor)| {
            Ok(UnmappedLabel {
                channel: Channel::from_code(channel)?,
                label: labels.get(&label_id).cloned().ok_or_else(|| {
                    anyhow::anyhow!("label {label_id} is not in the org's dictionary")
                })?,
                currency,
                entries,
                total_minor,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // By the channel's name, as the API lists channels, then by label.
    unmapped.sort_by(|a, b| {
        (a.channel.as_str(), &a.label, &a.currency).cmp(&(
            b.channel.as_str(),
            &b.label,
            &b.currency,
        ))
    });
    Ok(unmapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_labels_map_and_unknown_labels_fall_to_other() {
        let mapper = FeeMapper::defaults();
        assert_eq!(
            mapper.resolve(Channel::TikTokShop, "platform_commission_amount"),
            Mapping {
                bucket: FeeBucket::PlatformCommission,
                mapped: true
            }
        );
        assert_eq!(
            mapper.resolve(Channel::TikTokShop, "brand_new_fee_amount"),
            Mapping {
                bucket: FeeBucket::Other,
                mapped: false
            }
        );
    }

    #[test]
    fn an_org_override_wins_over_the_default() {
        let mut mapper = FeeMapper::defaults();
        mapper.overrides.insert(
            (Channel::TikTokShop, "brand_new_fee_amount".to_owned()),
            FeeBucket::ProgramFees,
        );
        assert_eq!(
            mapper.resolve(Channel::TikTokShop, "brand_new_fee_amount"),
            Mapping {
                bucket: FeeBucket::ProgramFees,
                mapped: true
            }
        );
    }
}
