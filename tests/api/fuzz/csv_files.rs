//! The unit-cost and FX-rate CSV imports on a real database that already holds a valid file of
//! each: a broken file is refused with nothing written (all or nothing), a file that imports
//! changes nothing the second time, and what it stored can be read back.

use pnl::costs::csv_input::{import_costs, import_rates};
use proptest::prelude::*;

use super::csv_edit::{csv_case, COSTS_CSV, RATES_CSV};
use super::mutate::{check, long_cases};
use super::{Harness, Snapshot};
use crate::helpers::TestApp;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Costs,
    Rates,
}

async fn import(app: &TestApp, org: i64, kind: Kind, text: &str) -> pnl::error::Result<usize> {
    let report = match kind {
        Kind::Costs => import_costs(&app.db, org, text).await?,
        Kind::Rates => import_rates(&app.db, org, text).await?,
    };
    Ok(report.rows)
}

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import_costs(&app.db, org, COSTS_CSV).await.unwrap();
    import_rates(&app.db, org, RATES_CSV).await.unwrap();
    app
}

fn property(kind: Kind, cases: u32, per_db: u32) {
    let seed = match kind {
        Kind::Costs => COSTS_CSV,
        Kind::Rates => RATES_CSV,
    };
    let harness = Harness::new(per_db, seeded);
    check(cases, csv_case(seed), |case| {
        harness.run(async |app: &TestApp| {
            let org = app.org_id("acme").await;
            // The CLI and the GraphQL upload both read the file as text.
            let text = String::from_utf8_lossy(&case.bytes);
            let before = Snapshot::take(&app.db).await.unwrap();
            let first = import(app, org, kind, &text).await;
            harness.tally(&first);
            let after = Snapshot::take(&app.db)
                .await
                .map_err(|e| TestCaseError::fail(format!("stored rows cannot be read: {e}")))?;
            match first {
                Err(error) => prop_assert!(
                    before == after,
                    "failed ({error}) but wrote:{}",
                    before.diff(&after)
                ),
                Ok(rows) => {
                    let again = import(app, org, kind, &text).await.map_err(|e| {
                        TestCaseError::fail(format!("imported once, then refused: {e}"))
                    })?;
                    prop_assert_eq!(rows, again);
                    let repeated = Snapshot::take(&app.db).await.unwrap();
                    prop_assert!(
                        after.content() == repeated.content(),
                        "the same file again changed the database:{}",
                        after.diff(&repeated)
                    );
                }
            }
            Ok(())
        })
    });
}

#[test]
fn a_broken_unit_cost_file_writes_nothing_and_a_good_one_is_idempotent() {
    property(Kind::Costs, 80, 1_000);
}

#[test]
fn a_broken_fx_rate_file_writes_nothing_and_a_good_one_is_idempotent() {
    property(Kind::Rates, 80, 1_000);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_unit_cost_files_long() {
    property(Kind::Costs, long_cases(5_000), 500);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_fx_rate_files_long() {
    property(Kind::Rates, long_cases(5_000), 500);
}
