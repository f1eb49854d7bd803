//! What drill-down shows besides ledger lines: the raw channel record a line came from.

use async_graphql::{SimpleObject, ID};

use super::scalars::DateTime;
use crate::ledger::Channel;
use crate::pnl::lines::RawRecord as DomainRecord;

/// A channel payload exactly as it was received (API response item, webhook body or file
/// row): what a ledger line was derived from.
#[derive(Clone, Debug, SimpleObject)]
pub struct RawRecord {
    /// Row id (a ledger line's `rawRecordId`).
    pub id: ID,
    /// Channel.
    pub channel: Channel,
    /// What produced it (API endpoint or file format).
    pub source_kind: String,
    /// The source's id.
    pub source_id: String,
    /// Hex SHA-256 of `payload`: the record is unchanged since it was received.
    pub sha256: String,
    /// The payload, verbatim (usually JSON).
    pub payload: String,
    /// When it was received.
    pub received_at: DateTime,
}

impl From<DomainRecord> for RawRecord {
    fn from(r: DomainRecord) -> Self {
        Self {
            id: ID(r.id.to_string()),
            channel: r.channel,
            source_kind: r.source_kind,
            source_id: r.source_id,
            sha256: r.sha256,
            payload: r.payload,
            received_at: r.received_at.into(),
        }
    }
}
