//! Schema migrations of the pnl database.
//!
//! One definition serves SQLite and PostgreSQL: every table is built with the sea-query builder,
//! every index and constraint is named (the error mapping in the server relies on the names),
//! and money is always `BIGINT` minor units beside a `CHAR(3)` currency, never `DECIMAL`/`REAL`.
//! Applied migrations are never edited; a change is a new migration.

// `MigrationTrait` is declared with an elided `SchemaManager` lifetime; spelling it `<'_>` in the
// impls does not match the trait, so the 2018-idiom lint is off for this crate.
#![allow(elided_lifetimes_in_paths)]

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
mod util;

/// Rebuilds `ledger_day` from `ledger_entry` for one org, or for every org: the one definition
/// of what postings maintain, shared by the migration and the server's rebuild.
pub fn ledger_day_rebuild(org_id: Option<i64>) -> String {
    let only = org_id
        .map(|id| format!(" AND org_id = {id}"))
        .unwrap_or_default();
    format!(
        "INSERT INTO ledger_day (org_id, day, channel, shop_id, listing_id, product_id, creator_id, bucket, status, currency, amount_minor, quantity, sale_lines) \
         SELECT org_id, day, channel, COALESCE(shop_id, 0), COALESCE(listing_id, 0), COALESCE(product_id, 0), COALESCE(creator_id, 0), bucket, status, currency, \
           SUM(amount_minor), SUM(quantity), \
           SUM(CASE WHEN bucket = 'PRODUCT_SALES' AND quantity <> 0 THEN (CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END) ELSE 0 END) \
         FROM ledger_entry WHERE day IS NOT NULL{only} \
         GROUP BY org_id, day, channel, COALESCE(shop_id, 0), COALESCE(listing_id, 0), COALESCE(product_id, 0), COALESCE(creator_id, 0), bucket, status, currency"
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
