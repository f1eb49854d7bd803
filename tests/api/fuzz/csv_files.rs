//! The unit-cost and FX-rate CSV imports on a real database that already holds a valid file of
//! each: a broken file is refused with nothing written (all or nothing), a file that imports
//! changes nothing the second time, and what it stored can be read back.

use pnl::costs::csv_input::{import_costs, import_rates};
use proptest::prelude::*;

use super::csv_edit::{csv_case, COSTS_CSV, RATES_CSV};
use super::mutate::{check, long_cases};
use super::{refused_as_bad_input, Harness, Snapshot};
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

/// The property for one file: refused as bad input with nothing written, or imported and then
/// unchanged by the same import again.
async fn all_or_nothing(
    app: &TestApp,
    kind: Kind,
    text: &str,
    tally: impl FnOnce(&pnl::error::Result<usize>),
) -> Result<(), TestCaseError> {
    let org = app.org_id("acme").await;
    let before = Snapshot::take(&app.db).await.unwrap();
    let first = import(app, org, kind, text).await;
    tally(&first);
    let after = Snapshot::take(&app.db)
        .await
        .map_err(|e| TestCaseError::fail(format!("stored rows cannot be read: {e}")))?;
    match first {
        Err(error) => {
            prop_assert!(
                before == after,
                "failed ({error}) but wrote:{}",
                before.diff(&after)
            );
            refused_as_bad_input(&error)?;
        }
        Ok(rows) => {
            let again = import(app, org, kind, text)
                .await
                .map_err(|e| TestCaseError::fail(format!("imported once, then refused: {e}")))?;
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
}

fn property(kind: Kind, cases: u32, per_db: u32) {
    let seed = match kind {
        Kind::Costs => COSTS_CSV,
        Kind::Rates => RATES_CSV,
    };
    let harness = Harness::new(per_db, seeded);
    check(cases, csv_case(seed), |case| {
        // The CLI and the GraphQL upload both read the file as text.
        let text = String::from_utf8_lossy(&case.bytes);
        harness
            .run(async |app: &TestApp| all_or_nothing(app, kind, &text, |r| harness.tally(r)).await)
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

/// Files whose every cell parses but which the database cannot take as they are.
const EDGES: &[(Kind, &str, &str)] = &[
    (
        Kind::Costs,
        "a NUL in a SKU",
        "sku,effective_from,currency,unit_cost\nSKU\u{0}1,2026-01-01,USD,1.00\n",
    ),
    (
        Kind::Costs,
        "a unit cost past i64 minor units, after a good row",
        "sku,effective_from,currency,unit_cost\nA,2026-01-01,USD,1.00\nB,2026-01-01,USD,92233720368547758.08\n",
    ),
    (
        Kind::Costs,
        "a cost from the year 10000",
        "sku,effective_from,currency,unit_cost\nA,+10000-01-01,USD,1.00\n",
    ),
    (
        Kind::Rates,
        "a rate on a day in the year 10000",
        "day,base,quote,rate\n+10000-01-01,GBP,USD,1.27\n",
    ),
    (
        Kind::Rates,
        "a rate with 28 decimals",
        "day,base,quote,rate\n2026-01-01,GBP,USD,0.0000000000000000000000000001\n",
    ),
];

#[tokio::test]
async fn edge_files_are_imported_or_refused_as_bad_input_with_nothing_written() {
    let app = seeded().await;
    let mut failures = Vec::new();
    for (kind, name, text) in EDGES {
        if let Err(failure) = all_or_nothing(&app, *kind, text, |_| {}).await {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
