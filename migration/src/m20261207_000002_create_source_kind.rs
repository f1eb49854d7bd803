//! A narrower ledger row (issue 15): `ledger_entry.source_kind`, a string such as
//! `tiktok.finance.202501.statement_transactions` repeated on every line (~42 bytes), becomes
//! `source_kind_id`, an id into `source_kind (id, org_id, name)` — each org's kinds, stored
//! once (a handful per org). Its unique key `uq_source_kind_org_name (org_id, name)` serves the
//! posting's lookup of its lines' kinds; rows are read back by primary key.
//!
//! Existing rows are converted in the migration's transaction: every distinct (org, kind) of the
//! ledger becomes a dictionary row, every line takes its id, then the text column is dropped.
//! PostgreSQL also gets the foreign key `fk_ledger_entry_source_kind`; SQLite cannot add a
//! foreign key to an existing table, and there only the ledger module writes the ids. Down
//! writes the names back and drops the dictionary.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, TransactionTrait};

use crate::util::{add_column, drop_column, id, index, pk, set_not_null, with_org};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const TABLE: &str = "ledger_entry";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One transaction for all of it: on SQLite a failure leaves no table behind either.
        let txn = manager.get_connection().begin().await?;
        let backend = txn.get_database_backend();
        let mut dictionary = pk("source_kind");
        with_org(&mut dictionary, "source_kind");
        dictionary.col(ColumnDef::new(id("name")).text().not_null());
        txn.execute(backend.build(&dictionary)).await?;
        txn.execute(backend.build(&index(
            "uq_source_kind_org_name",
            "source_kind",
            &["org_id", "name"],
            true,
        )))
        .await?;
        txn.execute_unprepared(
            "INSERT INTO source_kind (org_id, name) \
             SELECT DISTINCT org_id, source_kind FROM ledger_entry ORDER BY org_id, source_kind",
        )
        .await?;
        add_column(
            &txn,
            TABLE,
            "source_kind_id",
            ("BIGINT NOT NULL DEFAULT 0", "BIGINT"),
        )
        .await?;
        txn.execute_unprepared(
            "UPDATE ledger_entry SET source_kind_id = (SELECT s.id FROM source_kind s \
             WHERE s.org_id = ledger_entry.org_id AND s.name = ledger_entry.source_kind)",
        )
        .await?;
        set_not_null(&txn, TABLE, "source_kind_id").await?;
        if backend == DatabaseBackend::Postgres {
            txn.execute_unprepared(
                "ALTER TABLE ledger_entry ADD CONSTRAINT fk_ledger_entry_source_kind \
                 FOREIGN KEY (source_kind_id) REFERENCES source_kind (id) ON DELETE RESTRICT",
            )
            .await?;
        }
        drop_column(&txn, TABLE, "source_kind").await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        add_column(
            &txn,
            TABLE,
            "source_kind",
            ("VARCHAR(64) NOT NULL DEFAULT ''", "VARCHAR(64)"),
        )
        .await?;
        txn.execute_unprepared(
            "UPDATE ledger_entry SET source_kind = \
             (SELECT s.name FROM source_kind s WHERE s.id = ledger_entry.source_kind_id)",
        )
        .await?;
        set_not_null(&txn, TABLE, "source_kind").await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(
                "ALTER TABLE ledger_entry DROP CONSTRAINT fk_ledger_entry_source_kind",
            )
            .await?;
        }
        drop_column(&txn, TABLE, "source_kind_id").await?;
        let drop = Table::drop().table(id("source_kind")).to_owned();
        txn.execute(txn.get_database_backend().build(&drop)).await?;
        txn.commit().await
    }
}
