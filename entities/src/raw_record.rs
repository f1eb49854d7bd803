//! A channel payload exactly as received (stored zstd-compressed), with its hash and source id.
//! Only `pnl::ledger::raw` compresses and decompresses `payload_zstd`; every reader goes through it.

use sea_orm::entity::prelude::*;

/// One row of `raw_record`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "raw_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: Option<i64>,
    pub channel: String,
    pub source_kind: String,
    pub source_id: String,
    /// Hex SHA-256 of the original payload (the bytes before compression).
    pub sha256: String,
    /// The payload as one zstd frame; decompressed, it is the original bytes (UTF-8 text).
    #[sea_orm(column_type = "Blob")]
    pub payload_zstd: Vec<u8>,
    pub received_at: DateTimeUtc,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
