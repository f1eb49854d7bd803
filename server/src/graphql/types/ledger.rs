//! Ledger rows, fee mappings and unmapped labels as the API shows them.

use super::scalars::DateTime;
use async_graphql::{InputObject, SimpleObject, ID};

use super::money::MoneyObject;
use crate::ledger::mapping::{Change, Override, UnmappedLabel};
use crate::ledger::query::{Entry, EntryFilter};
use crate::ledger::{Channel, EntryStatus, FeeBucket};
use crate::money::{Currency, Money};

/// One ledger row: one money component of one channel line. Rows are never edited: a
/// correction appears as a reversal (`reversalOf` set, amount negated) followed by a new row.
#[derive(Clone, Debug, SimpleObject)]
pub struct LedgerEntry {
    /// Row id.
    pub id: ID,
    /// Stable key from channel identifiers (statement, transaction, component).
    pub entry_key: String,
    /// Position in the key's history (1 = first posting).
    pub seq: i32,
    /// The row this one reverses.
    pub reversal_of: Option<ID>,
    /// Sales channel.
    pub channel: Channel,
    /// The channel's order id.
    pub order_id: Option<String>,
    /// Fee bucket.
    pub bucket: FeeBucket,
    /// The channel's own field or fee label.
    pub label: String,
    /// False when the label matched no mapping and was booked to OTHER.
    pub mapped: bool,
    /// Signed amount; positive is money to the seller.
    pub amount: MoneyObject,
    /// Units sold (sale lines) or returned (refund lines).
    pub quantity: i32,
    /// When the money event happened (UTC).
    pub occurred_at: DateTime,
    /// ESTIMATED or SETTLED.
    pub status: EntryStatus,
    /// What produced the row (API endpoint or file format).
    pub source_kind: String,
    /// The source's id.
    pub source_id: String,
    /// The raw record the row was derived from.
    pub raw_record_id: Option<ID>,
    /// When the row was written.
    pub created_at: DateTime,
}

impl From<Entry> for LedgerEntry {
    fn from(entry: Entry) -> Self {
        Self {
            id: ID(entry.id.to_string()),
            entry_key: entry.entry_key,
            seq: entry.seq,
            reversal_of: entry.reversal_of.map(|id| ID(id.to_string())),
            channel: entry.channel,
            order_id: entry.order_id,
            bucket: entry.bucket,
            label: entry.label,
            mapped: entry.mapped,
            amount: entry.amount.into(),
            quantity: entry.quantity,
            occurred_at: entry.occurred_at.into(),
            status: entry.status,
            source_kind: entry.source_kind,
            source_id: entry.source_id,
            raw_record_id: entry.raw_record_id.map(|id| ID(id.to_string())),
            created_at: entry.created_at.into(),
        }
    }
}

/// Which ledger rows to list.
#[derive(Clone, Debug, Default, InputObject)]
pub struct LedgerEntryFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this bucket.
    pub bucket: Option<FeeBucket>,
    /// Only rows of this order.
    pub order_id: Option<String>,
    /// The full history of one entry key.
    pub entry_key: Option<String>,
    /// Occurred at or after (inclusive).
    pub from: Option<DateTime>,
    /// Occurred before (exclusive).
    pub to: Option<DateTime>,
}

impl From<LedgerEntryFilter> for EntryFilter {
    fn from(filter: LedgerEntryFilter) -> Self {
        Self {
            channel: filter.channel,
            bucket: filter.bucket,
            order_id: filter.order_id,
            entry_key: filter.entry_key,
            from: filter.from.map(|at| at.0),
            to: filter.to.map(|at| at.0),
        }
    }
}

/// A per-org rule booking a channel label into a bucket (overrides the built-in table).
#[derive(Clone, Debug, SimpleObject)]
pub struct FeeMapping {
    /// Channel.
    pub channel: Channel,
    /// The channel's label.
    pub label: String,
    /// The bucket it is booked into.
    pub bucket: FeeBucket,
    /// What `setFeeMapping` just did: the change recorded and the existing lines it re-booked.
    /// Null when the rule is listed (`feeMappings`; see `mappingChanges` for the history).
    pub change: Option<MappingChange>,
}

impl From<Override> for FeeMapping {
    fn from(rule: Override) -> Self {
        Self {
            channel: rule.channel,
            label: rule.label,
            bucket: rule.bucket,
            change: None,
        }
    }
}

/// One change of a label's bucket, and the existing lines it re-booked: each moved line was
/// reversed in its old bucket and posted again in the new one, in the change's transaction.
#[derive(Clone, Debug, SimpleObject)]
pub struct MappingChange {
    /// Its id.
    pub id: ID,
    /// Channel.
    pub channel: Channel,
    /// The channel's label.
    pub label: String,
    /// Where the label was booked before (OTHER when it matched no mapping).
    pub from_bucket: FeeBucket,
    /// False when the label matched no mapping before the change.
    pub from_mapped: bool,
    /// Where it is booked since.
    pub to_bucket: FeeBucket,
    /// The subject of the token that made the change.
    pub changed_by: String,
    /// When (UTC).
    pub changed_at: DateTime,
    /// Existing lines re-booked into `toBucket`.
    pub lines_moved: i64,
    /// Their net amount per currency (what left the old buckets and entered `toBucket`).
    pub moved: Vec<MoneyObject>,
}

impl TryFrom<Change> for MappingChange {
    type Error = crate::error::Error;

    fn try_from(change: Change) -> Result<Self, Self::Error> {
        let moved = change
            .moved
            .iter()
            .map(|(currency, minor)| {
                Ok(Money::from_minor(*minor, Currency::parse(currency)?).into())
            })
            .collect::<Result<_, Self::Error>>()?;
        Ok(Self {
            id: ID(change.id.to_string()),
            channel: change.channel,
            label: change.label,
            from_bucket: change.from_bucket,
            from_mapped: change.from_mapped,
            to_bucket: change.to_bucket,
            changed_by: change.changed_by,
            changed_at: change.changed_at.into(),
            lines_moved: change.lines_moved,
            moved,
        })
    }
}

/// Input of `setFeeMapping`.
#[derive(Clone, Debug, InputObject)]
pub struct SetFeeMappingInput {
    /// Channel.
    pub channel: Channel,
    /// The channel's label, exactly as it appears in its data.
    pub label: String,
    /// Where to book it.
    pub bucket: FeeBucket,
}

/// A channel label that matched no mapping: its amounts sit in OTHER until it is mapped.
#[derive(Clone, Debug, SimpleObject)]
pub struct UnmappedFee {
    /// Channel.
    pub channel: Channel,
    /// The unknown label.
    pub label: String,
    /// Current ledger rows under it.
    pub entries: i64,
    /// Their sum.
    pub total: MoneyObject,
}

impl TryFrom<UnmappedLabel> for UnmappedFee {
    type Error = crate::error::Error;

    fn try_from(row: UnmappedLabel) -> Result<Self, Self::Error> {
        Ok(Self {
            channel: row.channel,
            label: row.label,
            entries: row.entries,
            total: Money::from_minor(row.total_minor, Currency::parse(&row.currency)?).into(),
        })
    }
}
