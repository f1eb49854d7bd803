//! A narrower ledger (issue 15): `ledger_entry.channel`, `bucket` and `status` hold a `SMALLINT`
//! code of [`crate::vocabulary`] instead of their text (`PLATFORM_COMMISSION`, `SETTLED`, …):
//! ~32 bytes of text per line become three small integers (one byte each on SQLite, two on
//! PostgreSQL). The sums tables (`ledger_day`, `_week`, `_month`) and the API keep the text.
//!
//! A row holding a text that is not in the vocabulary refuses the migration, naming the row, its
//! column and the text, and nothing is converted; down gives the text back (and refuses a code it
//! does not know the same way). PostgreSQL changes each column's type in one rewrite; SQLite adds
//! the coded columns, fills them in one pass, drops the text ones and takes their names (the
//! partial index over `channel` is dropped and created again around it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::m20261209_000002_partial_unmapped_index::{
    CREATE as CREATE_UNMAPPED, DROP as DROP_UNMAPPED,
};
use crate::util::{refuse_first, run_all, sqlite_replace_columns};
use crate::vocabulary::{code_sql, text_sql, Vocabulary, BUCKETS, CHANNELS, STATUSES};

/// The coded columns: name, vocabulary, and the text type they had.
const COLUMNS: [(&str, Vocabulary, &str); 3] = [
    ("channel", CHANNELS, "VARCHAR(32)"),
    ("bucket", BUCKETS, "VARCHAR(32)"),
    ("status", STATUSES, "VARCHAR(16)"),
];

/// Which way a conversion goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Text to codes.
    Up,
    /// Codes to text.
    Down,
}

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        convert(manager, Direction::Up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        convert(manager, Direction::Down).await
    }
}

/// `column`'s value converted the `direction` way (NULL where the vocabulary lacks it).
fn converted(direction: Direction, column: &str, vocabulary: Vocabulary) -> String {
    match direction {
        Direction::Up => code_sql(vocabulary, column),
        Direction::Down => text_sql(vocabulary, column),
    }
}

async fn convert(manager: &SchemaManager<'_>, direction: Direction) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for (column, vocabulary, _) in COLUMNS {
        check(db, direction, column, vocabulary).await?;
    }
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            // One rewrite of the table; its indexes are rebuilt with it.
            let changes: Vec<String> = COLUMNS
                .iter()
                .map(|(column, vocabulary, text_type)| {
                    let kind = match direction {
                        Direction::Up => "SMALLINT",
                        Direction::Down => text_type,
                    };
                    format!(
                        "ALTER COLUMN {column} TYPE {kind} USING {}",
                        converted(direction, column, vocabulary)
                    )
                })
                .collect();
            vec![format!("ALTER TABLE ledger_entry {}", changes.join(", "))]
        }
        _ => {
            let columns: Vec<(&str, String, String)> = COLUMNS
                .iter()
                .map(|(column, vocabulary, text_type)| {
                    let kind = match direction {
                        Direction::Up => "SMALLINT NOT NULL DEFAULT 0".to_owned(),
                        Direction::Down => format!("{text_type} NOT NULL DEFAULT ''"),
                    };
                    (*column, kind, converted(direction, column, vocabulary))
                })
                .collect();
            // The partial index covers `channel`: dropped and created again around the change.
            let mut statements = vec![DROP_UNMAPPED.to_owned()];
            statements.extend(sqlite_replace_columns(&columns));
            statements.push(CREATE_UNMAPPED.to_owned());
            statements
        }
    };
    run_all(manager, statements).await
}

/// Refuses the conversion if a row holds a value of `column` that `vocabulary` lacks.
async fn check(
    db: &impl ConnectionTrait,
    direction: Direction,
    column: &str,
    vocabulary: Vocabulary,
) -> Result<(), DbErr> {
    let what = match direction {
        Direction::Up => "not a text this version knows",
        Direction::Down => "not a code this version knows",
    };
    refuse_first(
        db,
        format!(
            "SELECT id, CAST({column} AS TEXT) AS value FROM ledger_entry \
             WHERE {} IS NULL ORDER BY id LIMIT 1",
            converted(direction, column, vocabulary)
        ),
        column,
        what,
    )
    .await
}
