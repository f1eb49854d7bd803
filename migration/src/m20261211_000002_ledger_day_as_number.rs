//! A narrower ledger on SQLite (issue 15): `ledger_entry.day`, the line's date in the org's time
//! zone, was 10 characters of text there (`2026-03-04`), in the row and again in
//! `ix_ledger_entry_org_day`. It is now the day's number — days since 1970-01-01, an `INTEGER`
//! (2 bytes on SQLite until 2059) — on both databases, so the entity reads one type from both
//! (`pnl::ledger::time::day_number`). PostgreSQL's `DATE` was 4 bytes and its `INTEGER` is too:
//! there the change is one `ALTER COLUMN … TYPE` (a table rewrite, the index rebuilt with it).
//! The sums tables (`ledger_day`, `_week`, `_month`) keep their dates; their rebuild turns the
//! number back into a date ([`crate::day_date_sql`]).
//!
//! SQLite adds an integer column, fills it in one pass, drops the text one and takes its name,
//! with the day index dropped and created again around it. A day SQLite cannot read refuses the
//! migration, naming the row, and nothing is converted. Down gives the dates back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{refuse_first, run_all, sqlite_replace_columns};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const DROP_INDEX: &str = "DROP INDEX ix_ledger_entry_org_day";
const CREATE_INDEX: &str = "CREATE INDEX ix_ledger_entry_org_day ON ledger_entry (org_id, day)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            return run_all(
                manager,
                vec!["ALTER TABLE ledger_entry ALTER COLUMN day TYPE INTEGER \
                     USING (day - DATE '1970-01-01')"
                    .to_owned()],
            )
            .await;
        }
        refuse_first(
            manager.get_connection(),
            "SELECT id, CAST(day AS TEXT) AS value FROM ledger_entry \
             WHERE day IS NOT NULL AND julianday(day) IS NULL ORDER BY id LIMIT 1"
                .to_owned(),
            "day",
            "not a date SQLite can read",
        )
        .await?;
        // julianday('1970-01-01') is 2440587.5; a date's is a whole day later per day.
        rebuild(
            manager,
            "CAST(julianday(day) - 2440587.5 AS INTEGER)",
            "INTEGER",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            return run_all(
                manager,
                vec![format!(
                    "ALTER TABLE ledger_entry ALTER COLUMN day TYPE DATE USING {}",
                    crate::day_date_sql(true, "day")
                )],
            )
            .await;
        }
        rebuild(manager, &crate::day_date_sql(false, "day"), "date_text").await
    }
}

/// SQLite: replaces `day` by a column of type `kind` holding `value` (SQL over the old `day`).
async fn rebuild(manager: &SchemaManager<'_>, value: &str, kind: &str) -> Result<(), DbErr> {
    let mut statements = vec![DROP_INDEX.to_owned()];
    statements.extend(sqlite_replace_columns(&[(
        "day",
        kind.to_owned(),
        value.to_owned(),
    )]));
    statements.push(CREATE_INDEX.to_owned());
    run_all(manager, statements).await
}
