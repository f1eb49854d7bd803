//! Property-based fuzz of every parser of channel data and files (issue 13): TikTok payloads of
//! every format `pnl import` detects, the pure normalisers, the unit-cost and FX-rate CSV imports,
//! statement files through a mapping, and webhook bodies, fed with broken valid inputs, random JSON and random bytes.
//!
//! Properties: nothing panics; an import that fails leaves every table exactly as it was; an
//! import that succeeds changes nothing when repeated. The normal suite runs a few hundred cases
//! with a fixed seed; the `#[ignore]`d `fuzz_*` tests run long:
//! `cargo test --release --test api -- --ignored fuzz` (`PROPTEST_CASES`, `PROPTEST_RNG_SEED`).

mod csv_edit;
mod csv_files;
mod imports;
mod json_edit;
mod mutate;
mod normalizers;
mod seeds;
mod statements;
mod webhook_bodies;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use pnl::db::Db;
use pnl::error::Error;
use proptest::test_runner::TestCaseError;
use sea_orm::{DbErr, EntityTrait};
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::helpers::TestApp;

/// Every table's rows (as JSON, sorted): two equal snapshots mean nothing was written.
#[derive(Clone, PartialEq, Eq)]
pub struct Snapshot(Vec<(&'static str, Vec<String>)>);

async fn rows<E: EntityTrait>(db: &Db) -> Result<Vec<String>, DbErr> {
    let mut rows: Vec<String> = E::find()
        .into_json()
        .all(db.conn())
        .await?
        .iter()
        .map(ToString::to_string)
        .collect();
    rows.sort_unstable();
    Ok(rows)
}

macro_rules! snapshot_of {
    ($db:expr, $($table:ident),+ $(,)?) => {
        Snapshot(vec![$((stringify!($table), rows::<entities::$table::Entity>($db).await?)),+])
    };
}

impl Snapshot {
    /// Reads every table; a row that cannot be read back is an error (data was stored that the
    /// server cannot use).
    pub async fn take(db: &Db) -> Result<Self, DbErr> {
        Ok(snapshot_of!(
            db,
            ad_account,
            api_client,
            channel_setting,
            creator,
            creator_fee,
            fee_mapping,
            fx_rate,
            ledger_day,
            ledger_entry,
            ledger_month,
            ledger_week,
            listing,
            mapping_change,
            mirrored_order,
            order_attribution,
            org,
            payout,
            product,
            product_cost,
            raw_record,
            replay_run,
            shop,
            statement_mapping,
            sync_state,
        ))
    }

    /// The snapshot without `updated_at` stamps: a repeated import may note that the channel
    /// reported a payout again (payout.updated_at, not shown by the API), and nothing else.
    pub fn content(&self) -> Self {
        let strip = |row: &String| match serde_json::from_str::<Value>(row) {
            Ok(Value::Object(mut fields)) => {
                fields.remove("updated_at");
                Value::Object(fields).to_string()
            }
            _ => row.clone(),
        };
        Self(
            self.0
                .iter()
                .map(|(table, rows)| (*table, rows.iter().map(strip).collect()))
                .collect(),
        )
    }

    /// What changed from `self` to `after`, table by table: the fields of rows that changed
    /// (matched by `id`), and a few rows removed or added.
    pub fn diff(&self, after: &Self) -> String {
        let parse = |row: &String| serde_json::from_str::<Value>(row).unwrap_or_default();
        let cut = |row: &String| row.chars().take(400).collect::<String>();
        let mut out = String::new();
        for ((table, before), (_, now)) in self.0.iter().zip(&after.0) {
            if before == now {
                continue;
            }
            let gone: Vec<Value> = before
                .iter()
                .filter(|r| !now.contains(r))
                .map(parse)
                .collect();
            let new: Vec<Value> = now
                .iter()
                .filter(|r| !before.contains(r))
                .map(parse)
                .collect();
            out.push_str(&format!("\n{table}: {} → {} rows", before.len(), now.len()));
            for old in &gone {
                match new.iter().find(|row| row["id"] == old["id"]) {
                    Some(row) => {
                        let fields = old.as_object().into_iter().flatten();
                        let changed: Vec<String> = fields
                            .filter(|(key, value)| row[key.as_str()] != **value)
                            .map(|(key, value)| format!("{key}: {value} → {}", row[key.as_str()]))
                            .collect();
                        out.push_str(&format!(
                            "\n  changed id {}: {}",
                            old["id"],
                            changed.join(", ")
                        ));
                    }
                    None => out.push_str(&format!("\n  removed {}", cut(&old.to_string()))),
                }
            }
            for row in new
                .iter()
                .filter(|row| !gone.iter().any(|old| old["id"] == row["id"]))
            {
                out.push_str(&format!("\n  added {}", cut(&row.to_string())));
            }
        }
        out
    }
}

/// A server on a fresh database, made again every `per_db` cases so that snapshots stay small
/// in long runs; and a tally of outcomes, printed at the end (`--nocapture`).
pub struct Harness<M> {
    runtime: Runtime,
    make: M,
    per_db: u32,
    app: RefCell<Option<Rc<TestApp>>>,
    used: Cell<u32>,
    outcomes: RefCell<BTreeMap<String, usize>>,
}

impl<M: AsyncFn() -> TestApp> Harness<M> {
    pub fn new(per_db: u32, make: M) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Self {
            runtime,
            make,
            per_db,
            app: RefCell::new(None),
            used: Cell::new(0),
            outcomes: RefCell::default(),
        }
    }

    /// Runs one case on the current server.
    pub fn run<T>(&self, case: impl AsyncFnOnce(&TestApp) -> T) -> T {
        self.runtime.block_on(async {
            if self.used.get() >= self.per_db {
                let old = self.app.borrow_mut().take();
                if let Some(app) = old.and_then(|app| Rc::try_unwrap(app).ok()) {
                    app.stop().await;
                }
                self.used.set(0);
            }
            let current = self.app.borrow().clone();
            let app = match current {
                Some(app) => app,
                None => {
                    let app = Rc::new((self.make)().await);
                    *self.app.borrow_mut() = Some(Rc::clone(&app));
                    app
                }
            };
            self.used.set(self.used.get() + 1);
            case(&app).await
        })
    }

    /// Counts an outcome: `ok`, or the error's code (with the message for anything but bad
    /// input, which should be rare).
    pub fn tally<T>(&self, result: &Result<T, Error>) {
        let key = match result {
            Ok(_) => "ok".to_owned(),
            Err(Error::BadInput(_)) => "BAD_USER_INPUT".to_owned(),
            Err(error) => format!(
                "{}: {}",
                error.code(),
                error.to_string().chars().take(120).collect::<String>()
            ),
        };
        *self.outcomes.borrow_mut().entry(key).or_default() += 1;
    }
}

/// A refused input is refused as bad input: anything else is an INTERNAL error for something
/// the user can fix, and usually a difference between backends (PostgreSQL refusing what SQLite
/// stores).
pub fn refused_as_bad_input(error: &Error) -> Result<(), TestCaseError> {
    match error {
        Error::BadInput(_) => Ok(()),
        other => Err(TestCaseError::fail(format!(
            "refused as {} rather than as bad input: {other}",
            other.code()
        ))),
    }
}

impl<M> Drop for Harness<M> {
    fn drop(&mut self) {
        eprintln!("fuzz outcomes: {:#?}", self.outcomes.borrow());
        if let Some(app) = self.app.get_mut().take() {
            self.runtime.block_on(async move {
                if let Ok(app) = Rc::try_unwrap(app) {
                    app.stop().await;
                }
            });
        }
    }
}
