//! Statement files through a mapping (the built-in `walmart-recon`) on a database that already
//! holds the valid report: a broken file is refused with nothing written, a file that imports
//! (with or without `--skip-bad-rows`) changes nothing the second time, and every replay of
//! what was stored posts nothing.

use std::ops::ControlFlow;

use pnl::statements::{import_statement, resolve_mapping, StatementOptions};
use proptest::prelude::*;

use super::csv_edit::csv_case;
use super::mutate::{check, long_cases};
use super::{refused_as_bad_input, Harness, Snapshot};
use crate::helpers::TestApp;

const WALMART: &str = include_str!("../../fixtures/statements/walmart_recon.csv");

async fn import(app: &TestApp, bytes: &[u8], skip_bad_rows: bool) -> pnl::error::Result<usize> {
    let org = app.org_id("acme").await;
    let mapping = resolve_mapping("walmart-recon")?;
    let options = StatementOptions {
        skip_bad_rows,
        shop: None,
    };
    let report = import_statement(&app.db, org, "recon.csv", bytes, &mapping, &options).await?;
    Ok(report.ingest.rows)
}

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    import(&app, WALMART.as_bytes(), false).await.unwrap();
    app
}

async fn all_or_nothing(
    app: &TestApp,
    bytes: &[u8],
    skip_bad_rows: bool,
    tally: impl FnOnce(&pnl::error::Result<usize>),
) -> Result<(), TestCaseError> {
    let before = Snapshot::take(&app.db).await.unwrap();
    let first = import(app, bytes, skip_bad_rows).await;
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
            let again = import(app, bytes, skip_bad_rows)
                .await
                .map_err(|e| TestCaseError::fail(format!("imported once, then refused: {e}")))?;
            prop_assert_eq!(rows, again);
            let repeated = Snapshot::take(&app.db).await.unwrap();
            prop_assert!(
                after.content() == repeated.content(),
                "the same file again changed the database:{}",
                after.diff(&repeated)
            );
            // What was stored reads back through the mapping as it was booked.
            let org = app.org_id("acme").await;
            let scope = pnl::replay::Scope {
                org_id: org,
                channel: None,
                since: None,
            };
            let replayed = pnl::replay::replay(&app.db, scope, &mut |_| ControlFlow::Continue(()))
                .await
                .map_err(|e| TestCaseError::fail(format!("replay failed: {e}")))?;
            prop_assert!(
                replayed.failures.is_empty(),
                "replay could not read: {:?}",
                replayed.failures
            );
            prop_assert_eq!(replayed.ingest.posted, 0, "replay posted: {:?}", replayed);
        }
    }
    Ok(())
}

fn property(cases: u32, per_db: u32) {
    let harness = Harness::new(per_db, seeded);
    check(
        cases,
        (csv_case(WALMART), any::<bool>()),
        |(case, skip_bad_rows)| {
            harness.run(async |app: &TestApp| {
                all_or_nothing(app, &case.bytes, skip_bad_rows, |r| harness.tally(r)).await
            })
        },
    );
}

#[test]
fn a_broken_statement_writes_nothing_and_a_good_one_is_idempotent() {
    property(60, 1_000);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_statement_files_long() {
    property(long_cases(3_000), 300);
}
