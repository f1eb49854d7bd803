//! Database connection: SQLite (embedded default) or PostgreSQL from one URL, migrations, and the
//! write gate that keeps SQLite's single writer from failing concurrent transactions.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    DbErr, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::owner_only;

/// The `n`th (1-based) bind parameter of hand-written SQL: `$n` on PostgreSQL, `?` on SQLite.
pub fn placeholder(backend: DatabaseBackend, n: usize) -> String {
    if backend == DatabaseBackend::Postgres {
        format!("${n}")
    } else {
        "?".to_owned()
    }
}

/// A pooled connection plus, on SQLite, the process-wide writer gate.
///
/// SQLite allows one writer at a time; a deferred transaction that reads and then writes while
/// another commits fails with `SQLITE_BUSY` instead of waiting. Every write transaction therefore
/// goes through [`Db::begin_write`], which serialises writers in-process on SQLite and is free on
/// PostgreSQL.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    writer: Option<Arc<Mutex<()>>>,
    /// Ledger rows written since the planner's statistics were refreshed, and how many rows
    /// had been written then (PostgreSQL; see [`Db::wrote`]).
    analyzed: Arc<std::sync::Mutex<(u64, u64)>>,
}

/// Rows SQLite's worker thread may read ahead of the task consuming them (sqlx's default is 50).
/// Every row crosses from that thread to the task; with a short buffer the two threads take
/// turns every few rows (posting's key lookups read a row per line). A replay of the bench
/// brand took ~7 % less time with 1,024.
const ROW_BUFFER: usize = 1024;

/// Statistics are refreshed after this many rows, or a fifth of what was written before,
/// whichever is more.
const ANALYZE_AFTER: u64 = 5_000;

/// A write transaction; holds the writer gate until committed or dropped (rolled back).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits and releases the gate.
    ///
    /// # Errors
    /// The database's commit error.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a SQLite file and its directory
    /// when missing.
    ///
    /// # Errors
    /// An unsupported scheme, or a database that cannot be reached.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            if let Some(path) = sqlite_file(url).filter(|_| !url.contains("mode=memory")) {
                private_file(&path)?;
            }
            options
                .max_connections(4)
                .min_connections(1)
                .map_sqlx_sqlite_opts(|opts| {
                    opts.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(30))
                        .foreign_keys(true)
                        .create_if_missing(true)
                        .row_buffer_size(ROW_BUFFER)
                });
        } else if !url.starts_with("postgres:") && !url.starts_with("postgresql:") {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://…");
        } else {
            // No parallel plans: pnl's reads are an org's sums (a few thousand rows at most) or
            // a few keyed lines, and a blended margin's statement took 43–53 ms with two
            // workers and 18–24 ms without on a 2-core machine (EXPLAIN ANALYZE in the README);
            // under load the workers would also take the cores other requests need.
            options.max_connections(16).map_sqlx_postgres_opts(|opts| {
                opts.options([("max_parallel_workers_per_gather", "0")])
            });
        }
        let conn = sea_orm::Database::connect(options)
            .await
            .context("cannot connect to the database")?;
        Ok(Self {
            conn,
            writer: sqlite.then(|| Arc::new(Mutex::new(()))),
            analyzed: Arc::default(),
        })
    }

    /// Wraps an existing connection (tests).
    pub fn from_connection(conn: DatabaseConnection) -> Self {
        let writer = (conn.get_database_backend() == DatabaseBackend::Sqlite)
            .then(|| Arc::new(Mutex::new(())));
        Self {
            conn,
            writer,
            analyzed: Arc::default(),
        }
    }

    /// The pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which SQL dialect is behind the pool.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Starts a write transaction (see the type's docs for why writers are gated on SQLite).
    ///
    /// # Errors
    /// When a transaction cannot be started.
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let gate = match &self.writer {
            Some(writer) => Some(Arc::clone(writer).lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        if gate.is_some() {
            // Take SQLite's write lock now, as `BEGIN IMMEDIATE` would: a deferred transaction
            // that reads first and then writes fails with SQLITE_BUSY_SNAPSHOT when a write
            // from outside the gate (a progress update, another process) commits in between.
            // A write statement locks even when it changes no row.
            txn.execute_unprepared("UPDATE org SET id = id WHERE 0 = 1")
                .await?;
        }
        Ok(WriteTxn { txn, _gate: gate })
    }

    /// Notes `rows` ledger rows written. On PostgreSQL, once enough have been written since the
    /// last time (5,000, or a fifth of all written before, whichever is more) it refreshes the
    /// planner's statistics of the ledger tables: a ledger that grows from nothing under a
    /// server whose autovacuum is off or lagging is otherwise planned as if still empty, and
    /// the posting's key lookups turn into full scans. SQLite plans from its indexes alone.
    pub async fn wrote(&self, rows: usize) {
        if self.backend() != DatabaseBackend::Postgres || rows == 0 {
            return;
        }
        let due = {
            let mut analyzed = self
                .analyzed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (since, before) = &mut *analyzed;
            *since += rows as u64;
            let due = *since >= ANALYZE_AFTER.max(*before / 5);
            if due {
                *before += *since;
                *since = 0;
            }
            due
        };
        if due {
            let analyze = "ANALYZE ledger_entry, ledger_day, ledger_week, ledger_month, raw_record";
            if let Err(error) = self.conn.execute_unprepared(analyze).await {
                tracing::warn!(%error, "refreshing the ledger's planner statistics failed");
            }
        }
    }

    /// Applies every pending migration, all or none: a process killed while migrating leaves
    /// the schema as it was. sea-orm-migration wraps them in a transaction on PostgreSQL only;
    /// on SQLite a migration killed after its `ALTER TABLE` but before its record was written
    /// failed every later start ("duplicate column name"), so here they share one transaction
    /// too (SQLite's DDL is transactional).
    ///
    /// # Errors
    /// A migration that fails.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let result = if self.backend() == DatabaseBackend::Sqlite {
            // Not `begin_write`: its lock statement needs the tables this may create.
            async {
                let txn = self.conn.begin().await?;
                Migrator::up(&txn, None).await?;
                txn.commit().await
            }
            .await
        } else {
            Migrator::up(&self.conn, None).await
        };
        result.context("database migration failed")
    }

    /// Fails with one sentence naming the database and the fix when it cannot be written
    /// (read-only file, directory or server, full disk): a probe table is created in a
    /// transaction that is rolled back, so nothing is left behind.
    ///
    /// # Errors
    /// The database cannot be written, said in words with where it is.
    pub async fn check_writable(&self, url: &str) -> anyhow::Result<()> {
        let probe = async {
            let txn = self.conn.begin().await?;
            txn.execute_unprepared("CREATE TABLE pnl_write_probe (probe INTEGER)")
                .await?;
            txn.rollback().await
        };
        let Err(error) = probe.await else {
            return Ok(());
        };
        let place = match sqlite_file(url) {
            Some(path) => path.display().to_string(),
            None => crate::config::redact_url(url),
        };
        let why = match Trouble::of(&error) {
            Some(Trouble::ReadOnly) => {
                "it is read-only (the file or its directory, `mode=ro` in the URL, or a read-only \
                 server): give pnl write access to it, or point --database-url at a writable \
                 database"
            }
            Some(Trouble::Full) => "its disk is full: free space there and start pnl again",
            Some(Trouble::Unreachable | Trouble::Busy) => {
                "it did not answer or another process holds it: check that it is up and not \
                 locked, then start pnl again"
            }
            None => "the database refused a write (the log has the driver's message)",
        };
        tracing::debug!(%error, "write probe failed");
        anyhow::bail!("cannot write the database {place}: {why}")
    }

    /// Answers whether the database responds (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// Closes the pool (graceful shutdown).
    pub async fn close(self) {
        if let Err(error) = self.conn.close().await {
            tracing::warn!(%error, "closing the database pool failed");
        }
    }
}

/// Creates the SQLite file `path` and its directory owner-only (see [`crate::owner_only`])
/// before SQLite opens it: SQLite gives the `-wal` and `-shm` files it creates the database's
/// mode. An existing database and its journals lose any group and other access.
fn private_file(path: &std::path::Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        owner_only::create_dir(dir)
            .with_context(|| format!("cannot create database directory {}", dir.display()))?;
    }
    owner_only::create_file(path)
        .with_context(|| format!("cannot create the database {}", path.display()))?;
    for journal in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(journal);
        let journal = std::path::PathBuf::from(name);
        owner_only::restrict(&journal)
            .with_context(|| format!("cannot make {} owner-only", journal.display()))?;
    }
    Ok(())
}

/// The file path of a `sqlite://PATH?…` URL, if it names a file (not memory, not PostgreSQL).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// What kind of trouble a database error is, when it is one a person or a retry can mend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// The server could not be reached or dropped the connection (restarting, network):
    /// retried with backoff.
    Unreachable,
    /// Another writer holds the database (SQLite busy or locked): retried with backoff.
    Busy,
    /// The disk is full: a person must free space.
    Full,
    /// The database cannot be written (read-only file or server): a person must fix access.
    ReadOnly,
}

impl Trouble {
    /// The trouble `error` is, if it is one of these (none: a bug or bad data).
    pub fn of(error: &DbErr) -> Option<Self> {
        use sea_orm::{RuntimeErr, SqlxError};
        let sqlx = match error {
            DbErr::ConnectionAcquire(_) => return Some(Self::Unreachable),
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
            DbErr::Conn(_) => return Some(Self::Unreachable),
            _ => return None,
        };
        match sqlx {
            SqlxError::Io(_)
            | SqlxError::PoolTimedOut
            | SqlxError::PoolClosed
            | SqlxError::WorkerCrashed
            | SqlxError::Tls(_) => Some(Self::Unreachable),
            SqlxError::Database(database) => {
                let code = database.code().unwrap_or_default();
                match code.as_ref() {
                    // PostgreSQL SQLSTATE: admin shutdown, crash shutdown, cannot connect now,
                    // connection exceptions (08…).
                    "57P01" | "57P02" | "57P03" => Some(Self::Unreachable),
                    c if c.starts_with("08") => Some(Self::Unreachable),
                    "53100" => Some(Self::Full),
                    "25006" => Some(Self::ReadOnly),
                    // SQLite primary result codes (extended codes keep them in the low byte).
                    c => match c.parse::<i64>().map(|code| code & 0xff) {
                        Ok(5 | 6) => Some(Self::Busy),
                        Ok(13) => Some(Self::Full),
                        Ok(8) => Some(Self::ReadOnly),
                        _ => None,
                    },
                }
            }
            _ => None,
        }
    }

    /// Whether waiting can mend it.
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Unreachable | Self::Busy)
    }

    /// What happened, in words a person can act on (no driver text).
    pub fn in_words(self) -> &'static str {
        match self {
            Self::Unreachable => {
                "the database could not be reached (it may be restarting); the sync retried and \
                 will run again"
            }
            Self::Busy => "the database was busy with another writer; the sync will run again",
            Self::Full => {
                "the database's disk is full: free space where the database lives, then the sync \
                 runs again"
            }
            Self::ReadOnly => {
                "the database cannot be written (read-only file or server): give pnl write access \
                 to it, then the sync runs again"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_file("sqlite://data/pnl.db?mode=rwc"),
            Some("data/pnl.db".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }

    async fn sqlite(path: &std::path::Path, mode: &str) -> Db {
        Db::connect(&format!("sqlite://{}?mode={mode}", path.display()))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_read_only_database_is_read_only_trouble_and_said_once_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pnl.db");
        let writable = sqlite(&path, "rwc").await;
        writable.check_writable("sqlite::memory:").await.unwrap();
        writable.close().await;
        let url = format!("sqlite://{}?mode=ro", path.display());
        let read_only = Db::connect(&url).await.unwrap();
        let error = read_only
            .conn()
            .execute_unprepared("CREATE TABLE t (x INTEGER)")
            .await
            .unwrap_err();
        assert_eq!(Trouble::of(&error), Some(Trouble::ReadOnly));
        let refusal = read_only
            .check_writable(&url)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refusal.starts_with(&format!(
                "cannot write the database {}: it is read-only",
                path.display()
            )),
            "{refusal}"
        );
        assert_eq!(
            refusal.matches("read-only").count(),
            2,
            "said once: {refusal}"
        );
    }

    #[tokio::test]
    async fn a_database_held_by_another_writer_is_busy_trouble() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pnl.db");
        let holder = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        holder
            .execute_unprepared("CREATE TABLE t (x INTEGER)")
            .await
            .unwrap();
        let mut options = ConnectOptions::new(format!("sqlite://{}", path.display()));
        options.max_connections(1);
        let other = sea_orm::Database::connect(options).await.unwrap();
        other
            .execute_unprepared("PRAGMA busy_timeout = 0")
            .await
            .unwrap();
        let txn = holder.begin().await.unwrap();
        txn.execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let error = other
            .execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .unwrap_err();
        assert_eq!(Trouble::of(&error), Some(Trouble::Busy), "{error}");
        txn.rollback().await.unwrap();
        assert!(Trouble::Busy.is_transient() && !Trouble::ReadOnly.is_transient());
        assert_eq!(
            Trouble::of(&DbErr::Custom("a bug".to_owned())),
            None,
            "not every error is trouble"
        );
    }
}
