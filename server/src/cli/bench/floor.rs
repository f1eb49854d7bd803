//! What the brand costs to keep and to derive again, next to what the database itself can do:
//!
//! - the database's size (SQLite: its used pages; PostgreSQL: `pg_database_size`);
//! - a replay of the org's whole ledger from its raw records (`pnl replay`'s path), which on an
//!   unchanged ledger reads every source again and posts nothing;
//! - the floor of the write path: the org's ledger rows copied by one `INSERT … SELECT` into an
//!   empty table of the same definition and indexes, in one transaction — no decoding, no
//!   normaliser, no key lookup, no rollup, no round trip per batch. Ingest can approach that
//!   rate, never pass it.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};

use crate::db::Db;
use crate::replay::{replay, Scope};

/// The copy the floor writes into (dropped afterwards).
const COPY: &str = "bench_floor";

/// A timed run over some lines.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rate {
    pub(super) lines: u64,
    pub(super) wall: Duration,
}

impl Rate {
    pub(super) fn per_second(self) -> f64 {
        self.lines as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }
}

/// Bytes the database holds.
///
/// # Errors
/// Database failures.
pub(super) async fn size(db: &Db) -> anyhow::Result<u64> {
    let conn = db.conn();
    let sql = match db.backend() {
        DatabaseBackend::Postgres => "SELECT pg_database_size(current_database()) AS bytes",
        _ => {
            "SELECT ((SELECT page_count FROM pragma_page_count()) \
              - (SELECT freelist_count FROM pragma_freelist_count())) \
              * (SELECT page_size FROM pragma_page_size()) AS bytes"
        }
    };
    let row = conn
        .query_one(Statement::from_string(db.backend(), sql))
        .await?
        .context("the database's size")?;
    Ok(u64::try_from(row.try_get::<i64>("", "bytes")?)?)
}

/// Replays `org_id`'s whole ledger; the report's lines (unchanged or posted) over its time.
///
/// # Errors
/// Database failures, or a replay that changed the ledger (the benchmark's ledger is what
/// today's normalisers make, so a difference is a bug).
pub(super) async fn replay_all(db: &Db, org_id: i64) -> anyhow::Result<Rate> {
    let scope = Scope {
        org_id,
        channel: None,
        since: None,
    };
    let started = Instant::now();
    let report = replay(db, scope, &mut |_| ControlFlow::Continue(())).await?;
    let wall = started.elapsed();
    anyhow::ensure!(
        report.ingest.posted == 0 && report.failures.is_empty(),
        "the replay of an unchanged ledger posted {} lines and failed {} sources",
        report.ingest.posted,
        report.failures.len()
    );
    Ok(Rate {
        lines: (report.ingest.duplicates + report.ingest.posted) as u64,
        wall,
    })
}

/// Copies `org_id`'s ledger rows into an empty table of `ledger_entry`'s definition, indexes
/// and foreign keys (SQLite: its own DDL; PostgreSQL: `LIKE … INCLUDING ALL` and each of its
/// foreign keys added) in one statement and commits, then drops the copy (untimed).
///
/// # Errors
/// Database failures.
pub(super) async fn floor(db: &Db, org_id: i64) -> anyhow::Result<Rate> {
    let backend = db.backend();
    let txn = db.conn().begin().await?;
    for statement in copy_ddl(&txn, backend).await? {
        txn.execute_unprepared(&statement).await?;
    }
    let insert = Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO {COPY} SELECT * FROM ledger_entry WHERE org_id = {}",
            match backend {
                DatabaseBackend::Postgres => "$1",
                _ => "?",
            }
        ),
        [org_id.into()],
    );
    let started = Instant::now();
    let lines = txn.execute(insert).await?.rows_affected();
    txn.commit().await?;
    // Timed: the copy and its commit; not the clean-up.
    let wall = started.elapsed();
    db.conn()
        .execute_unprepared(&format!("DROP TABLE {COPY}"))
        .await?;
    Ok(Rate { lines, wall })
}

/// The statements that create the empty copy with `ledger_entry`'s indexes.
async fn copy_ddl(
    db: &impl ConnectionTrait,
    backend: DatabaseBackend,
) -> anyhow::Result<Vec<String>> {
    if backend == DatabaseBackend::Postgres {
        // `LIKE` copies no foreign key: each is added as `ledger_entry` declares it (checking
        // them is most of PostgreSQL's cost of a ledger row, see the README).
        let keys = db
            .query_all(Statement::from_string(
                backend,
                "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint \
                 WHERE conrelid = 'ledger_entry'::regclass AND contype = 'f' ORDER BY conname",
            ))
            .await?;
        let mut statements = vec![format!(
            "CREATE TABLE {COPY} (LIKE ledger_entry INCLUDING ALL)"
        )];
        for key in keys {
            let definition: String = key.try_get("", "def")?;
            statements.push(format!("ALTER TABLE {COPY} ADD {definition}"));
        }
        return Ok(statements);
    }
    let rows = db
        .query_all(Statement::from_string(
            backend,
            "SELECT type, name, sql FROM sqlite_master \
             WHERE tbl_name = 'ledger_entry' AND sql IS NOT NULL ORDER BY type DESC",
        ))
        .await?;
    let mut statements = Vec::new();
    for row in rows {
        let kind: String = row.try_get("", "type")?;
        let name: String = row.try_get("", "name")?;
        let sql: String = row.try_get("", "sql")?;
        let copied = if kind == "table" {
            // `CREATE TABLE <name> (…)`, the name quoted or not.
            sql.find('(')
                .map(|at| format!("CREATE TABLE \"{COPY}\" {}", &sql[at..]))
        } else {
            // `CREATE [UNIQUE] INDEX <name> ON <table> (…) [WHERE …]`.
            sql.find(" ON ").and_then(|on| {
                let head = sql[..on].trim_end();
                let head = &head[..head.rfind(' ')?];
                let after = sql[on + 4..].trim_start();
                let columns = after.find('(')?;
                Some(format!(
                    "{head} \"{COPY}_{name}\" ON \"{COPY}\" {}",
                    &after[columns..]
                ))
            })
        };
        statements
            .push(copied.with_context(|| format!("cannot copy the definition of {name}: {sql}"))?);
    }
    Ok(statements)
}
