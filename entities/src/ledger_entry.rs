//! One money component of one source line. Append-only: corrections are reversal rows.

use sea_orm::entity::prelude::*;

/// One row of `ledger_entry`.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub shop_id: Option<i64>,
    /// The channel's code (`migration::vocabulary::CHANNELS`; `pnl::ledger::Channel::code`).
    pub channel: i16,
    /// The entry key, packed: the segments that repeat this row's `source_id`, `order_id`,
    /// `order_line` or label as one placeholder character each (`pnl::ledger::packed_key`;
    /// `pnl::ledger::entry_key` reads it back).
    pub packed_key: String,
    /// 8 bytes of the SHA-256 of the entry key's scope (its first three `:`-separated parts),
    /// then 8 of the key's own (`pnl::ledger::key_hash`): what the unique key `(org_id,
    /// key_hash, seq)` indexes.
    pub key_hash: Vec<u8>,
    /// Position of this row among the rows of `entry_key`; the highest is the current state.
    pub seq: i32,
    /// The row this one reverses, when it is a reversal.
    pub reversal_of: Option<i64>,
    /// The first 16 bytes of the SHA-256 of the line's content, to tell a replay from a
    /// correction.
    pub content_hash: Vec<u8>,
    pub order_id: Option<String>,
    pub order_line: Option<String>,
    pub listing_id: Option<i64>,
    pub product_id: Option<i64>,
    pub creator_id: Option<i64>,
    /// The fee bucket's code (`migration::vocabulary::BUCKETS`; `pnl::ledger::FeeBucket::code`).
    pub bucket: i16,
    /// The channel's label: an id of `ledger_label`, the org's dictionary of labels.
    pub label_id: i64,
    /// False when `label` matched no mapping and fell through to OTHER.
    pub mapped: bool,
    pub amount_minor: i64,
    pub currency: String,
    pub quantity: i32,
    /// When the money moved, to the second. On SQLite the column holds whole Unix seconds
    /// (`pnl::ledger::time`; sqlx reads them as this time), on PostgreSQL a `TIMESTAMPTZ`.
    pub occurred_at: DateTimeUtc,
    /// Estimated or settled, as a code (`migration::vocabulary::STATUSES`).
    pub status: i16,
    pub payout_id: Option<i64>,
    /// What kind of source produced it: an id of `source_kind`, the org's dictionary of kinds.
    pub source_kind_id: i64,
    pub source_id: String,
    pub raw_record_id: Option<i64>,
    /// When the row was written, to the second (held like `occurred_at`).
    pub created_at: DateTimeUtc,
    /// `occurred_at` as a day in the org's time zone (set when the row is written), as its
    /// number: days since 1970-01-01 (`pnl::ledger::time::day_number`).
    pub day: Option<i32>,
    /// The channel's product id, for a row tied to a product but to no SKU (ad spend per
    /// product); lets a row posted before its product was known be attributed later.
    pub channel_product_id: Option<String>,
}

/// Joins are written in the queries that need them, so no relation is declared here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
