//! Which sync workers of an embedded (SQLite) database are alive: one lock file per worker.
//!
//! Every worker that may claim jobs on a SQLite file holds, for its whole life, an exclusive
//! advisory lock (`flock`) on `<database>-workers/<worker id>.lock`. The operating system drops that lock when the process
//! ends, however it ends (`kill -9`, a panic, an out-of-memory kill), so a file whose lock another
//! process can take names a dead worker, and the leases it holds are stale. This only works
//! because a SQLite file is opened by processes of one machine (SQLite's own locking needs that
//! too); it must not be used for PostgreSQL, whose replicas run on many machines. Elsewhere than
//! on Unix there is no lock: leases expire as on PostgreSQL.
//!
//! It does not touch the database: [`super::SyncEngine`] releases the leases of the dead workers
//! it is handed.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The directory of the worker lock files of the SQLite file `database`.
pub(crate) fn dir_of(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_owned();
    name.push("-workers");
    database.with_file_name(name)
}

/// Whether `id` can name a lock file (worker ids are made of these; anything else in
/// `locked_by` was not written by a worker of this kind).
pub(crate) fn is_file_safe(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// This worker's held lock. Dropping it is dying, as far as other processes can tell: the file
/// stays, unlocked, until the next scan releases the worker's leases (if any) and removes it.
#[derive(Debug)]
pub(crate) struct WorkerLock {
    _file: File,
}

impl WorkerLock {
    /// Creates and locks the file of `worker_id` in `dir`.
    ///
    /// The file is locked under a temporary name and then renamed, so that a scan never sees
    /// the file of a live worker unlocked.
    pub(crate) fn acquire(dir: &Path, worker_id: &str) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let temp = dir.join(format!(".{worker_id}.tmp"));
        let file = File::create(&temp)?;
        if !try_lock(&file)? {
            return Err(io::Error::other("a fresh worker lock file is locked"));
        }
        fs::rename(&temp, dir.join(format!("{worker_id}.lock")))?;
        Ok(Self { _file: file })
    }
}

/// A dead worker's file, locked by this process until [`DeadWorker::bury`] removes it.
#[derive(Debug)]
pub(crate) struct DeadWorker {
    /// The dead worker's id (`locked_by` of its leases).
    pub(crate) id: String,
    path: PathBuf,
    _file: File,
}

impl DeadWorker {
    /// Removes the file, once the worker's leases are released.
    pub(crate) fn bury(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The workers with a lock file in `dir` that nobody holds. Leftover temporary files (a worker
/// killed while starting, before it could claim anything) are removed on the way.
pub(crate) fn dead_workers(dir: &Path) -> Vec<DeadWorker> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dead = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (id, temporary) = if let Some(id) = name.strip_suffix(".lock") {
            (id.to_owned(), false)
        } else if let Some(id) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) {
            (id.to_owned(), true)
        } else {
            continue;
        };
        if !is_file_safe(&id) {
            continue;
        }
        let path = entry.path();
        // Opened without creating: a file removed since the listing is simply skipped.
        let Ok(file) = File::options().read(true).write(true).open(&path) else {
            continue;
        };
        match try_lock(&file) {
            Ok(true) if temporary => {
                let _ = fs::remove_file(&path);
            }
            Ok(true) => dead.push(DeadWorker {
                id,
                path,
                _file: file,
            }),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "cannot check a sync worker's lock");
            }
        }
    }
    dead
}

/// Takes `file`'s exclusive lock without waiting: false when another open file holds it (in
/// this process too: `flock` locks belong to the open file, not the process).
#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(errno) => Err(errno.into()),
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "sync worker lock files need flock (Unix)",
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_alive_and_a_dropped_one_is_dead() {
        let dir = tempfile::tempdir().unwrap();
        let live = WorkerLock::acquire(dir.path(), "host-1-aaaa").unwrap();
        assert!(dead_workers(dir.path()).is_empty(), "a live worker");

        // A worker that died: its file stays, nobody holds its lock. And one killed while it
        // was taking its lock.
        drop(WorkerLock::acquire(dir.path(), "host-2-bbbb").unwrap());
        let path = dir.path().join("host-2-bbbb.lock");
        File::create(dir.path().join(".host-3-cccc.tmp")).unwrap();

        let dead = dead_workers(dir.path());
        assert_eq!(
            dead.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["host-2-bbbb"]
        );
        // While this process holds the dead file, another scan does not report it twice.
        assert!(dead_workers(dir.path()).is_empty());
        dead.into_iter().for_each(DeadWorker::bury);
        assert!(!path.exists());
        drop(live);
        dead_workers(dir.path())
            .into_iter()
            .for_each(DeadWorker::bury);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the dead worker's, the leftover and the live worker's files are removed"
        );
    }

    #[test]
    fn the_directory_sits_beside_the_database_file() {
        assert_eq!(
            dir_of(Path::new("/data/pnl.db")),
            PathBuf::from("/data/pnl.db-workers")
        );
        assert!(is_file_safe("pnl-42-0f3a"));
        assert!(!is_file_safe("../etc/passwd"));
        assert!(!is_file_safe(".hidden"));
    }
}
