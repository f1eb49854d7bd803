//! The in-process side of the sync engine: this worker's identity, the bell that wakes its loop,
//! and on a SQLite file its liveness lock and the release of dead workers' leases (the rule is
//! explained in the module docs of [`super`]). Claims and runs live in `claim` and `jobs`.

use std::path::PathBuf;

use anyhow::Context;
use tokio::sync::Notify;

use super::claim::release;
use super::liveness;
use crate::db::Db;
use crate::error::Result;

/// In-process side of the engine: who this worker is and a bell to ring when a job is due now.
#[derive(Debug)]
pub struct SyncEngine {
    worker_id: String,
    /// Rung when a job is due now; the worker loop waits on it.
    pub(super) wake: Notify,
    /// On a SQLite file: the directory of the worker lock files, and this worker's lock (held
    /// for the engine's life; see the module docs).
    liveness: Option<(PathBuf, liveness::WorkerLock)>,
}

impl Default for SyncEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncEngine {
    /// A new engine with a unique worker id (host, pid and a random nonce) and no liveness
    /// lock: its leases can only expire. Processes use [`SyncEngine::start`].
    pub fn new() -> Self {
        let host: String = std::env::var("HOSTNAME")
            .unwrap_or_else(|_| "pnl".to_owned())
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            worker_id: format!(
                "{host}-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ),
            wake: Notify::new(),
            liveness: None,
        }
    }

    /// The engine of a process that opened `db` at `database_url`. On a SQLite file it takes
    /// this worker's liveness lock and releases the leases of the workers that died (a lock
    /// that cannot be taken is logged, and leases are then left to expire).
    ///
    /// # Errors
    /// Database failures while releasing.
    pub async fn start(db: &Db, database_url: &str) -> anyhow::Result<Self> {
        let mut engine = Self::new();
        // In memory (`sqlite::memory:`, `mode=memory`) no other process can reach the database.
        let file =
            crate::db::sqlite_file(database_url).filter(|_| !database_url.contains("mode=memory"));
        let Some(file) = file else {
            return Ok(engine);
        };
        // Canonical: two processes that reach the file by different paths share one directory.
        let file = std::fs::canonicalize(&file).unwrap_or(file);
        let dir = liveness::dir_of(&file);
        match liveness::WorkerLock::acquire(&dir, &engine.worker_id) {
            Ok(lock) => engine.liveness = Some((dir, lock)),
            Err(error) => {
                tracing::warn!(%error, dir = %dir.display(), "cannot lock this sync worker's file; leases of dead workers will wait for expiry");
            }
        }
        let freed = engine
            .release_dead(db)
            .await
            .context("cannot release the sync leases of dead workers")?;
        if freed > 0 {
            tracing::info!(
                jobs = freed,
                "resuming sync jobs interrupted by a process that died"
            );
        }
        Ok(engine)
    }

    /// Releases the leases held by workers of this SQLite file that died; how many jobs were
    /// freed (none on PostgreSQL, where leases expire instead).
    ///
    /// # Errors
    /// Database failures.
    pub async fn release_dead(&self, db: &Db) -> Result<u64> {
        let Some((dir, _)) = &self.liveness else {
            return Ok(0);
        };
        let mut freed = 0;
        for worker in liveness::dead_workers(dir) {
            let jobs = release(db, &worker.id).await?;
            if jobs > 0 {
                tracing::warn!(
                    worker = worker.id,
                    jobs,
                    "released the sync leases of a worker that died"
                );
            }
            freed += jobs;
            worker.bury();
        }
        Ok(freed)
    }

    /// This worker's id (stored in `locked_by`).
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Wakes the worker loop of this process.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}
