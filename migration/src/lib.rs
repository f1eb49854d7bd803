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
mod util;

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
