//! Schema migrations of the pnl database.
//!
//! One definition serves SQLite and PostgreSQL: every table is built with the sea-query builder,
//! every index and constraint is named (the error mapping in the server relies on the names),
//! and money is always `BIGINT` minor units beside a `CHAR(3)` currency, never `DECIMAL`/`REAL`.
//! Applied migrations are never edited; a change is a new migration.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime; spelling it `<'_>` in the
// impls does not match the trait, so the 2018-idiom lint is off for this crate.
#![allow(elided_lifetimes_in_paths)]

pub use m20261201_000001_add_listing_link::normalized_sku;
pub use m20261206_000001_create_report_version::report_version_bump;
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_tenancy;
mod m20261122_000002_create_catalogue;
mod m20261122_000003_create_ledger;
mod m20261122_000004_create_settings;
mod m20261122_000005_create_attribution;
mod m20261122_000006_create_ad_account;
mod m20261122_000007_add_ledger_day;
mod m20261122_000008_add_org_settings_creator_fee;
mod m20261122_000009_create_ledger_day;
mod m20261122_000010_create_period_sums;
mod m20261122_000011_drop_raw_record_index;
mod m20261122_000012_create_issued_token;
mod m20261122_000013_create_oauth_state;
mod m20261130_000001_add_ledger_channel_product;
mod m20261201_000001_add_listing_link;
mod m20261202_000001_create_mirrored_order;
mod m20261203_000001_create_statement_mapping;
mod m20261204_000001_create_mapping_change;
mod m20261204_000002_create_replay_run;
mod m20261205_000001_compress_raw_record;
mod m20261205_000002_org_leading_keys;
mod m20261206_000001_create_report_version;
mod m20261207_000001_hash_ledger_keys;
mod m20261207_000002_create_source_kind;
mod m20261208_000001_version_completeness_sources;
mod m20261209_000001_pack_entry_keys;
mod m20261209_000002_partial_unmapped_index;
mod m20261210_000001_code_ledger_vocabularies;
mod m20261210_000002_ledger_times_as_seconds;
mod m20261211_000001_ledger_labels_as_ids;
mod m20261211_000002_ledger_day_as_number;
mod m20261212_000001_version_sync_jobs;
mod util;
pub mod vocabulary;

/// Rebuilds `ledger_day` from `ledger_entry` for one org, or for every org: the one definition
/// of what postings maintain, shared by the migration and the server's rebuild.
pub fn ledger_day_rebuild(org_id: Option<i64>, postgres: bool) -> String {
    ledger_day_rebuild_from(org_id, Stored::Codes { postgres })
}

/// How `ledger_entry` holds its channel, bucket, status and day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// As their text, the day as a date (before `m20261210_000001_code_ledger_vocabularies`).
    Text,
    /// As codes of [`vocabulary`], the day as its number
    /// (`m20261211_000002_ledger_day_as_number`; SQL for the date differs by database).
    Codes {
        /// On PostgreSQL.
        postgres: bool,
    },
}

/// SQL for the date whose day number (days since 1970-01-01) is the integer expression `day`.
pub fn day_date_sql(postgres: bool, day: &str) -> String {
    if postgres {
        format!("(DATE '1970-01-01' + {day})")
    } else {
        format!("date({day} * 86400, 'unixepoch')")
    }
}

/// [`ledger_day_rebuild`] over a ledger stored as `stored` (the sums tables hold the text).
pub(crate) fn ledger_day_rebuild_from(org_id: Option<i64>, stored: Stored) -> String {
    use vocabulary::{text_sql, BUCKETS, CHANNELS, STATUSES};
    let only = org_id
        .map(|id| format!(" AND org_id = {id}"))
        .unwrap_or_default();
    let (day, channel, bucket, status, sales) = match stored {
        Stored::Text => (
            "day".to_owned(),
            "channel".to_owned(),
            "bucket".to_owned(),
            "status".to_owned(),
            "'PRODUCT_SALES'".to_owned(),
        ),
        Stored::Codes { postgres } => (
            day_date_sql(postgres, "day"),
            text_sql(CHANNELS, "channel"),
            text_sql(BUCKETS, "bucket"),
            text_sql(STATUSES, "status"),
            vocabulary::code(BUCKETS, "PRODUCT_SALES")
                .unwrap_or_default()
                .to_string(),
        ),
    };
    format!(
        "INSERT INTO ledger_day (org_id, day, channel, shop_id, listing_id, product_id, creator_id, bucket, status, currency, amount_minor, quantity, sale_lines) \
         SELECT org_id, {day}, {channel}, COALESCE(shop_id, 0), COALESCE(listing_id, 0), COALESCE(product_id, 0), COALESCE(creator_id, 0), {bucket}, {status}, currency, \
           SUM(amount_minor), SUM(quantity), \
           SUM(CASE WHEN bucket = {sales} AND quantity <> 0 THEN (CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END) ELSE 0 END) \
         FROM ledger_entry WHERE day IS NOT NULL{only} \
         GROUP BY org_id, day, channel, COALESCE(shop_id, 0), COALESCE(listing_id, 0), COALESCE(product_id, 0), COALESCE(creator_id, 0), bucket, status, currency"
    )
}

/// The key columns every sums table (`ledger_day`, `ledger_week`, `ledger_month`) shares beside
/// its period column.
pub const SUMS_KEY: [&str; 9] = [
    "org_id",
    "channel",
    "shop_id",
    "listing_id",
    "product_id",
    "creator_id",
    "bucket",
    "status",
    "currency",
];

/// A period `ledger_day` is summed into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// ISO week, Monday first: `ledger_week.week` is its Monday.
    Week,
    /// Calendar month: `ledger_month.month` is its first day.
    Month,
}

impl Period {
    /// The sums table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Week => "ledger_week",
            Self::Month => "ledger_month",
        }
    }

    /// Its period column.
    pub fn column(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// SQL for the first day of the period holding the date expression `day`.
    pub fn start_sql(self, day: &str, postgres: bool) -> String {
        match (self, postgres) {
            (Self::Week, true) => format!("CAST(date_trunc('week', {day}) AS DATE)"),
            (Self::Week, false) => format!(
                "date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"
            ),
            (Self::Month, true) => format!("CAST(date_trunc('month', {day}) AS DATE)"),
            (Self::Month, false) => format!("date({day}, 'start of month')"),
        }
    }
}

/// Rebuilds `period`'s table from `ledger_day` (which must be current) for one org, or for every
/// org. `postgres` picks the backend's date functions.
pub fn period_rebuild(period: Period, org_id: Option<i64>, postgres: bool) -> String {
    let only = org_id
        .map(|id| format!(" WHERE org_id = {id}"))
        .unwrap_or_default();
    let start = period.start_sql("day", postgres);
    let key = SUMS_KEY.join(", ");
    format!(
        "INSERT INTO {table} ({column}, {key}, amount_minor, quantity, sale_lines) \
         SELECT {start}, {key}, SUM(amount_minor), SUM(quantity), SUM(sale_lines) \
         FROM ledger_day{only} GROUP BY {start}, {key}",
        table = period.table(),
        column = period.column(),
    )
}

/// The ordered list of every migration of the pnl schema.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_tenancy::Migration),
            Box::new(m20261122_000002_create_catalogue::Migration),
            Box::new(m20261122_000003_create_ledger::Migration),
            Box::new(m20261122_000004_create_settings::Migration),
            Box::new(m20261122_000005_create_attribution::Migration),
            Box::new(m20261122_000006_create_ad_account::Migration),
            Box::new(m20261122_000007_add_ledger_day::Migration),
            Box::new(m20261122_000008_add_org_settings_creator_fee::Migration),
            Box::new(m20261122_000009_create_ledger_day::Migration),
            Box::new(m20261122_000010_create_period_sums::Migration),
            Box::new(m20261122_000011_drop_raw_record_index::Migration),
            Box::new(m20261122_000012_create_issued_token::Migration),
            Box::new(m20261122_000013_create_oauth_state::Migration),
            Box::new(m20261130_000001_add_ledger_channel_product::Migration),
            Box::new(m20261201_000001_add_listing_link::Migration),
            Box::new(m20261202_000001_create_mirrored_order::Migration),
            Box::new(m20261203_000001_create_statement_mapping::Migration),
            Box::new(m20261204_000001_create_mapping_change::Migration),
            Box::new(m20261204_000002_create_replay_run::Migration),
            Box::new(m20261205_000001_compress_raw_record::Migration),
            Box::new(m20261205_000002_org_leading_keys::Migration),
            Box::new(m20261206_000001_create_report_version::Migration),
            Box::new(m20261207_000001_hash_ledger_keys::Migration),
            Box::new(m20261207_000002_create_source_kind::Migration),
            Box::new(m20261208_000001_version_completeness_sources::Migration),
            Box::new(m20261209_000001_pack_entry_keys::Migration),
            Box::new(m20261209_000002_partial_unmapped_index::Migration),
            Box::new(m20261210_000001_code_ledger_vocabularies::Migration),
            Box::new(m20261210_000002_ledger_times_as_seconds::Migration),
            Box::new(m20261211_000001_ledger_labels_as_ids::Migration),
            Box::new(m20261211_000002_ledger_day_as_number::Migration),
            Box::new(m20261212_000001_version_sync_jobs::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Database;

    use super::*;

    #[tokio::test]
    async fn migrations_run_up_down_up_on_sqlite() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        Migrator::down(&db, None).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let applied = Migrator::get_applied_migrations(&db).await.unwrap();
        assert_eq!(applied.len(), Migrator::migrations().len());
    }
}
