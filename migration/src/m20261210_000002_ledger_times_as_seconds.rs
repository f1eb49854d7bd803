//! A narrower ledger on SQLite (issue 15): `ledger_entry.occurred_at` and `created_at` as whole
//! Unix seconds (`INTEGER`, 4–6 bytes) instead of RFC 3339 text (25 characters each, the row's
//! largest columns after its key). The server writes and compares them as seconds there
//! (`pnl::ledger::time_value`); sqlx reads an integer as the same UTC time, so the entities do
//! not change. PostgreSQL keeps `TIMESTAMPTZ` (8 bytes either way): nothing to do there.
//!
//! The columns' declared type must change too (a column declared as text would turn the integer
//! back into text), so SQLite adds integer columns, fills them in one pass, drops the text ones
//! and takes their names. A time SQLite cannot read refuses the migration, naming the row, and
//! nothing is converted; down writes the text back as the server wrote it
//! (`2026-01-02T03:04:05+00:00`). Sub-second parts, which the server no longer writes
//! (`created_at` since `m20261209`, `occurred_at` now), are dropped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::util::{refuse_first, run_all, sqlite_replace_columns};

/// The converted columns.
const COLUMNS: [&str; 2] = ["occurred_at", "created_at"];

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        for column in COLUMNS {
            check(db, column).await?;
        }
        rebuild(manager, "INTEGER NOT NULL DEFAULT 0", |column| {
            format!("CAST(strftime('%s', {column}) AS INTEGER)")
        })
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        rebuild(
            manager,
            "timestamp_with_timezone_text NOT NULL DEFAULT ''",
            |column| format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}, 'unixepoch')"),
        )
        .await
    }
}

/// Replaces each of [`COLUMNS`] by a column of type `kind` holding `value(column)`.
async fn rebuild(
    manager: &SchemaManager<'_>,
    kind: &str,
    value: impl Fn(&str) -> String,
) -> Result<(), DbErr> {
    let columns: Vec<(&str, String, String)> = COLUMNS
        .iter()
        .map(|column| (*column, kind.to_owned(), value(column)))
        .collect();
    run_all(manager, sqlite_replace_columns(&columns)).await
}

/// Refuses the conversion if a row's `column` is not a time SQLite reads.
async fn check(db: &impl ConnectionTrait, column: &str) -> Result<(), DbErr> {
    refuse_first(
        db,
        format!(
            "SELECT id, CAST({column} AS TEXT) AS value FROM ledger_entry \
             WHERE strftime('%s', {column}) IS NULL ORDER BY id LIMIT 1"
        ),
        column,
        "not a time SQLite can read",
    )
    .await
}
