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

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pnl::connectors::PayoutKind;
use pnl::db::Db;
use pnl::payout::{list, PayoutFilter, ReconcileStatus};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

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

/// Every job of both shops and both ad accounts synced, none held, none due.
fn all_idle(jobs: &[(i64, String, Option<String>, bool, bool)]) -> bool {
    jobs.len() == 4
        && jobs.iter().all(|(_, state, held, synced, due)| {
            state == "IDLE" && held.is_none() && *synced && !due
        })
}

/// What must come out the same from any run: current lines per entry key, sums per bucket and
/// product, and the number of statements (each of them MATCHED).
#[derive(Debug, PartialEq)]
struct Ledger {
    current: BTreeMap<String, String>,
    sums: BTreeMap<String, i64>,
    statements: usize,
}

async fn rows(db: &Db, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
}

/// Reads the ledger of the demo's org and checks what must hold within one run.
async fn ledger(db: &Db) -> Ledger {
    let int = if db.backend() == DatabaseBackend::Postgres {
        "BIGINT"
    } else {
        "INTEGER"
    };
    // Current: neither a reversal nor reversed. Described by what it means, with the channel's
    // ids for shop, listing, creator and payout: row ids depend on which job ran first.
    let lines = rows(
        db,
        "SELECT e.entry_key, e.amount_minor, e.currency, e.bucket, e.label, e.mapped, e.status, \
                e.quantity, e.occurred_at, e.order_id, e.order_line, COALESCE(p.sku, '') AS sku, \
                COALESCE(s.external_id, '') AS shop, COALESCE(l.channel_sku_id, '') AS listing, \
                COALESCE(c.handle, '') AS creator, COALESCE(y.external_id, '') AS payout \
         FROM ledger_entry e \
              LEFT JOIN product p ON p.id = e.product_id LEFT JOIN shop s ON s.id = e.shop_id \
              LEFT JOIN listing l ON l.id = e.listing_id \
              LEFT JOIN creator c ON c.id = e.creator_id LEFT JOIN payout y ON y.id = e.payout_id \
         WHERE e.reversal_of IS NULL \
           AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reversal_of = e.id)",
    )
    .await;
    let mut current = BTreeMap::new();
    for row in &lines {
        let text = |column: &str| row.try_get::<String>("", column).unwrap();
        let key = text("entry_key");
        let value = format!(
            "{} {} {} {} mapped={} {} qty={} at={} order={:?}/{:?} sku={} shop={} listing={} \
             creator={} payout={}",
            row.try_get::<i64>("", "amount_minor").unwrap(),
            text("currency"),
            text("bucket"),
            text("label"),
            row.try_get::<bool>("", "mapped").unwrap(),
            text("status"),
            row.try_get::<i32>("", "quantity").unwrap(),
            row.try_get::<chrono::DateTime<chrono::Utc>>("", "occurred_at")
                .unwrap()
                .timestamp(),
            row.try_get::<Option<String>>("", "order_id").unwrap(),
            row.try_get::<Option<String>>("", "order_line").unwrap(),
            text("sku"),
            text("shop"),
            text("listing"),
            text("creator"),
            text("payout"),
        );
        let before = current.insert(key.clone(), value);
        assert!(before.is_none(), "entry key {key} has two current lines");
    }
    let doubled = rows(
        db,
        "SELECT entry_key FROM ledger_entry GROUP BY entry_key, seq HAVING COUNT(*) > 1",
    )
    .await;
    assert!(
        doubled.is_empty(),
        "{} entry keys posted twice",
        doubled.len()
    );

    let mut sums = BTreeMap::new();
    let sql = format!(
        "SELECT e.bucket, COALESCE(p.sku, '') AS sku, e.currency, \
                CAST(SUM(e.amount_minor) AS {int}) AS total \
         FROM ledger_entry e LEFT JOIN product p ON p.id = e.product_id \
         GROUP BY e.bucket, COALESCE(p.sku, ''), e.currency"
    );
    for row in rows(db, &sql).await {
        let key = format!(
            "{} {} {}",
            row.try_get::<String>("", "bucket").unwrap(),
            row.try_get::<String>("", "sku").unwrap(),
            row.try_get::<String>("", "currency").unwrap()
        );
        sums.insert(key, row.try_get::<i64>("", "total").unwrap());
    }
    // The monthly rollup is written with the lines, so it cannot lag them after a kill.
    let by_bucket = |table: &str| {
        format!(
            "SELECT bucket, currency, CAST(SUM(amount_minor) AS {int}) AS total FROM {table} \
             {} GROUP BY bucket, currency ORDER BY bucket, currency",
            if table == "ledger_entry" {
                "WHERE day IS NOT NULL"
            } else {
                ""
            }
        )
    };
    let totals = |rows: Vec<sea_orm::QueryResult>| -> Vec<(String, String, i64)> {
        rows.iter()
            .map(|r| {
                (
                    r.try_get("", "bucket").unwrap(),
                    r.try_get("", "currency").unwrap(),
                    r.try_get("", "total").unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        totals(rows(db, &by_bucket("ledger_month")).await),
        totals(rows(db, &by_bucket("ledger_entry")).await),
        "the monthly rollup differs from the lines"
    );

    let org = pnl::org::find(db.conn(), "demo").await.unwrap().unwrap();
    let (payouts, _) = list(db.conn(), org.id, &PayoutFilter::default(), None, 100_000)
        .await
        .unwrap();
    for payout in &payouts {
        assert_eq!(
            payout.status,
            ReconcileStatus::Matched,
            "payout {} ledger {} reported {:?}",
            payout.external_id,
            payout.ledger,
            payout.reported
        );
    }
    let statements = payouts
        .iter()
        .filter(|p| p.kind == PayoutKind::Statement)
        .count();
    Ledger {
        current,
        sums,
        statements,
    }
}

/// At most ten differences between two ledgers, in words.
fn differences(clean: &Ledger, other: &Ledger) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in &clean.current {
        match other.current.get(key) {
            None => out.push(format!("missing line {key}: {value}")),
            Some(v) if v != value => out.push(format!("line {key}: {value} became {v}")),
            Some(_) => {}
        }
    }
    for key in other
        .current
        .keys()
        .filter(|k| !clean.current.contains_key(*k))
    {
        out.push(format!("extra line {key}"));
    }
    for (key, total) in &clean.sums {
        if other.sums.get(key) != Some(total) {
            out.push(format!(
                "sum {key}: {total} became {:?}",
                other.sums.get(key)
            ));
        }
    }
    if clean.statements != other.statements {
        out.push(format!(
            "{} statements became {}",
            clean.statements, other.statements
        ));
    }
    out.truncate(10);
    out
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
