//! `kill -9` during `pnl demo`'s backfill, then a restart on the same data directory and
//! database: the backfill resumes within 30 s of the restart and the ledger ends as a clean
//! run's (the same current line for every entry key, the same sums per bucket and product, the
//! rollups equal to the lines, every payout MATCHED, no entry key twice).
//!
//! Kill moments are random within a clean run's duration, from a seed that is printed
//! (`PNL_CRASH_SEED=… cargo test --test crash` replays it). A few kills run in the normal suite;
//! many in `cargo test --release -p pnl --test crash -- --ignored crash`. With
//! `PNL_TEST_DATABASE_URL` the demo runs on a fresh PostgreSQL database, where a dead worker's
//! job waits for its lease (20 s) instead of being freed at start-up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "crash/ledger.rs"]
mod ledger;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ledger::{differences, ledger, Ledger};
use pnl::db::Db;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Statement};

/// The demo under test: small enough that a debug build backfills it in seconds.
const DAYS: u32 = 12;
const ORDERS_PER_DAY: u32 = 6;
/// What a restart must stay within before its backfill runs again.
const RESUME_WITHIN: Duration = Duration::from_secs(30);

/// A fresh database in `dir`: SQLite, or a new PostgreSQL database (see [`drop_database`]) when
/// `PNL_TEST_DATABASE_URL` is set.
async fn fresh_database(dir: &Path) -> (String, Option<(String, String)>) {
    let Ok(base) = std::env::var("PNL_TEST_DATABASE_URL") else {
        let file = dir.join("pnl.db");
        return (format!("sqlite://{}?mode=rwc", file.display()), None);
    };
    let name = format!("pnl_t_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&base).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (prefix, query) = base.split_once('?').unwrap_or((&base, ""));
    let server = &prefix[..prefix.rfind('/').unwrap()];
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    (format!("{server}/{name}{query}"), Some((base, name)))
}

async fn drop_database(pg: Option<(String, String)>) {
    if let Some((base, name)) = pg {
        let admin = sea_orm::Database::connect(&base).await.unwrap();
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

/// One `pnl demo` process; its stdout is collected as it comes, its log goes to a file in the
/// data directory.
struct Demo {
    child: Child,
    printed: Arc<Mutex<Vec<String>>>,
}

impl Demo {
    fn start(dir: &Path, database_url: &str, run: usize) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_pnl"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PNL_") {
                command.env_remove(key);
            }
        }
        let log = std::fs::File::create(dir.join(format!("run-{run}.log"))).unwrap();
        let mut child = command
            .arg("--data-dir")
            .arg(dir)
            .args(["--database-url", database_url])
            .arg("demo")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--days", &DAYS.to_string()])
            .args(["--orders-per-day", &ORDERS_PER_DAY.to_string()])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let printed = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&printed);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self { child, printed }
    }

    /// Whether it has connected the shops (it prints "Ctrl-C stops it" last).
    fn connected(&self) -> bool {
        self.printed
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("Ctrl-C stops it"))
    }

    /// SIGKILL: no destructor, no shutdown, no released lease.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (id, state, locked_by, last_success_at set, due now) of every job; none before migrations.
async fn jobs(db: &Db) -> Vec<(i64, String, Option<String>, bool, bool)> {
    let sql =
        "SELECT id, state, locked_by, last_success_at, next_run_at FROM sync_state ORDER BY id";
    let Ok(rows) = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
    else {
        return Vec::new();
    };
    let now = chrono::Utc::now();
    rows.iter()
        .map(|r| {
            let success: Option<chrono::DateTime<chrono::Utc>> =
                r.try_get("", "last_success_at").unwrap();
            let next: Option<chrono::DateTime<chrono::Utc>> = r.try_get("", "next_run_at").unwrap();
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "state").unwrap(),
                r.try_get("", "locked_by").unwrap(),
                success.is_some(),
                next.is_none_or(|n| n <= now),
            )
        })
        .collect()
}

/// Every job of both TikTok shops, both ad accounts, the Amazon seller and the Shopify store
/// synced, none held, none due.
fn all_idle(jobs: &[(i64, String, Option<String>, bool, bool)]) -> bool {
    jobs.len() == 6
        && jobs.iter().all(|(_, state, held, synced, due)| {
            state == "IDLE" && held.is_none() && *synced && !due
        })
}

/// Starts a demo on `dir`, waits until it has connected and every job is idle; the time that
/// took from the start.
async fn run_to_the_end(dir: &Path, url: &str, run: usize) -> (Demo, Db, Duration) {
    let started = Instant::now();
    let demo = Demo::start(dir, url, run);
    while !demo.connected() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "run {run} did not connect: {}",
            log_tail(dir, run)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = Db::connect(url).await.unwrap();
    loop {
        let now = jobs(&db).await;
        if all_idle(&now) {
            return (demo, db, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {run} did not finish its backfill: {now:?}\n{}",
            log_tail(dir, run)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn log_tail(dir: &Path, run: usize) -> String {
    let log = std::fs::read_to_string(dir.join(format!("run-{run}.log"))).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// The clean run's ledger and backfill duration.
async fn clean_run() -> (Ledger, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let (demo, db, took) = run_to_the_end(dir.path(), &url, 0).await;
    let clean = ledger(&db).await;
    assert!(clean.statements > 0 && !clean.current.is_empty());
    drop(demo);
    db.close().await;
    drop_database(pg).await;
    (clean, took)
}

/// Kills a demo `kills` times at random moments (up to `span` after each start), restarts it
/// on the same data directory and database, and checks the restart against `clean`. Returns
/// how long the restart took to resume the interrupted jobs.
async fn crash_and_recover(clean: &Ledger, span: Duration, seed: u64, kills: usize) -> Duration {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let mut moments = Vec::new();
    for run in 0..kills {
        let demo = Demo::start(dir.path(), &url, run);
        let at = Duration::from_millis(rng.random_range(0..=span.as_millis() as u64));
        tokio::time::sleep(at).await;
        demo.kill_9();
        moments.push(at);
    }

    // Which jobs the dead processes held, then the restart.
    let db = Db::connect(&url).await.unwrap();
    let held: Vec<(i64, String)> = jobs(&db)
        .await
        .into_iter()
        .filter_map(|(id, _, by, _, _)| by.map(|by| (id, by)))
        .collect();
    let restarted = Instant::now();
    let demo = Demo::start(dir.path(), &url, kills);
    let context =
        format!("seed {seed}: killed at {moments:?} after each start; held at restart {held:?}");
    let mut resumed = None;
    loop {
        let now = jobs(&db).await;
        if resumed.is_none()
            && held.iter().all(|(id, dead)| {
                now.iter().any(|(job, _, by, synced, due)| {
                    // Claimed by the new process, or released and run to the end since.
                    job == id && by.as_ref() != Some(dead) && (by.is_some() || (*synced && !due))
                })
            })
        {
            resumed = Some(restarted.elapsed());
        }
        if demo.connected() && all_idle(&now) {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(90),
            "{context}: the restart did not finish its backfill: {now:?}\n{}",
            log_tail(dir.path(), kills)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let resumed = resumed.unwrap_or_else(|| restarted.elapsed());
    assert!(
        resumed <= RESUME_WITHIN,
        "{context}: the backfill resumed {resumed:?} after the restart"
    );
    let after = ledger(&db).await;
    let diff = differences(clean, &after);
    assert!(
        diff.is_empty(),
        "{context}: the ledger differs from a clean run's:\n{}",
        diff.join("\n")
    );
    drop(demo);
    db.close().await;
    drop_database(pg).await;
    resumed
}

/// `PNL_CRASH_SEED`, or a new seed; printed either way.
fn seed() -> u64 {
    let seed = std::env::var("PNL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    eprintln!("crash test seed {seed} (replay with PNL_CRASH_SEED={seed})");
    seed
}

#[tokio::test]
async fn a_demo_crashed_by_kill_9_during_its_backfill_resumes_and_ends_with_the_clean_ledger() {
    let seed = seed();
    let (clean, took) = clean_run().await;
    // One process killed once, and one killed twice in a row before it could finish.
    for (round, kills) in [1, 2].into_iter().enumerate() {
        let resumed = crash_and_recover(&clean, took, seed.wrapping_add(round as u64), kills).await;
        eprintln!("round {round}: {kills} kill(s), resumed {resumed:?} after the restart");
    }
}

#[tokio::test]
#[ignore = "minutes: many kill points (cargo test --release -p pnl --test crash -- --ignored crash)"]
async fn a_demo_crashed_at_many_random_moments_ends_with_the_clean_ledger_each_time() {
    let seed = seed();
    let (clean, took) = clean_run().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut slowest = Duration::ZERO;
    for round in 0..20u64 {
        let kills = rng.random_range(1..=3);
        let resumed = crash_and_recover(&clean, took, seed.wrapping_add(round), kills).await;
        slowest = slowest.max(resumed);
        eprintln!("round {round}: {kills} kill(s), resumed {resumed:?} after the restart");
    }
    eprintln!("slowest resumption {slowest:?}");
}
