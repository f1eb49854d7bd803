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
use sea_orm_migration::sea_orm::TransactionTrait;

use crate::util::{into_dictionary, out_of_dictionary, Dictionary};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const KINDS: Dictionary = Dictionary {
    table: "source_kind",
    column: "source_kind",
    text_type: "VARCHAR(64)",
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One transaction for all of it: on SQLite a failure leaves no table behind either.
        let txn = manager.get_connection().begin().await?;
        into_dictionary(&txn, &KINDS).await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        out_of_dictionary(&txn, &KINDS).await?;
        txn.commit().await
    }
}
