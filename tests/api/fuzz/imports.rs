//! `pnl import` end to end on a real database (SQLite, or PostgreSQL with
//! `PNL_TEST_DATABASE_URL`) that already holds every valid fixture: a broken file is refused
//! with nothing written, in any table; a file that imports changes nothing the second time.

use pnl::connectors::tiktok::import::Format;
use pnl::import::{import_file, import_text, ImportOptions, ImportReport};
use pnl::money::Currency;
use proptest::prelude::*;
use proptest::sample::Index;

use super::mutate::{check, long_cases, tiktok_case, Case};
use super::seeds::TIKTOK_SEEDS;
use super::{refused_as_bad_input, Harness, Snapshot};
use crate::helpers::TestApp;

/// The options a user can pass, and the org the file goes to.
#[derive(Clone, Debug)]
struct Run {
    format: Option<Format>,
    currency: Option<&'static str>,
    shop: Option<&'static str>,
    time_zone: Option<&'static str>,
    /// Into a new org (no shop yet) rather than the one holding the fixtures.
    fresh_org: bool,
}

fn run_options() -> impl Strategy<Value = Run> {
    (
        prop_oneof![3 => Just(None), 1 => any::<Index>().prop_map(|i| Some(*i.get(Format::ALL)))],
        prop::sample::select(vec![None, Some("USD"), Some("JPY"), Some("KWD")]),
        prop::sample::select(vec![None, Some("imported"), Some("7494726673780148744")]),
        prop::sample::select(vec![
            None,
            Some("Pacific/Kiritimati"),
            Some("America/Los_Angeles"),
        ]),
        any::<bool>(),
    )
        .prop_map(|(format, currency, shop, time_zone, fresh_org)| Run {
            format,
            currency,
            shop,
            time_zone,
            fresh_org,
        })
}

impl Run {
    fn options(&self) -> ImportOptions {
        ImportOptions {
            shop: self.shop.map(ToOwned::to_owned),
            format: self.format.map(|f| f.name().to_owned()),
            currency: self.currency.map(|code| Currency::parse(code).unwrap()),
            advertiser: None,
            time_zone: self.time_zone.and_then(|zone| zone.parse().ok()),
        }
    }
}

/// A server whose org `acme` holds every valid seed, imported the way a user would.
async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let options = ImportOptions {
        currency: Some(Currency::parse("USD").unwrap()),
        ..ImportOptions::default()
    };
    for seed in TIKTOK_SEEDS.iter() {
        import_text(&app.db, org, seed.name, seed.text, &options)
            .await
            .unwrap_or_else(|error| panic!("seed {} imports: {error}", seed.name));
    }
    app
}

async fn import(
    app: &TestApp,
    org: i64,
    case: &Case,
    options: &ImportOptions,
) -> pnl::error::Result<ImportReport> {
    match case.text() {
        Some(text) => import_text(&app.db, org, "fuzz.json", text, options).await,
        // Not UTF-8: only a file can hold it.
        None => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.json");
            std::fs::write(&path, &case.bytes).unwrap();
            import_file(&app.db, org, &path, options).await
        }
    }
}

/// The property for one input: refused as bad input with nothing written, or imported and then
/// unchanged by the same import again.
async fn all_or_nothing(
    app: &TestApp,
    org: i64,
    case: &Case,
    options: &ImportOptions,
    tally: impl FnOnce(&pnl::error::Result<ImportReport>),
) -> Result<(), TestCaseError> {
    let before = Snapshot::take(&app.db).await.unwrap();
    let first = import(app, org, case, options).await;
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
        Ok(report) => {
            let again = import(app, org, case, options)
                .await
                .map_err(|e| TestCaseError::fail(format!("imported once, then refused: {e}")))?;
            let repeated = Snapshot::take(&app.db).await.unwrap();
            prop_assert!(
                after.content() == repeated.content(),
                "the same file again changed the database ({:?} then {:?}):{}",
                report.ingest,
                again.ingest,
                after.diff(&repeated)
            );
            prop_assert_eq!(
                (again.ingest.posted, again.ingest.retired),
                (0, 0),
                "nothing is posted twice"
            );
        }
    }
    Ok(())
}

fn property(cases: u32, per_db: u32) {
    let harness = Harness::new(per_db, seeded);
    let fresh = std::cell::Cell::new(0_u32);
    check(cases, (tiktok_case(), run_options()), |(case, run)| {
        harness.run(async |app: &TestApp| {
            let org = if run.fresh_org {
                fresh.set(fresh.get() + 1);
                app.org_id(&format!("fresh-{}", fresh.get())).await
            } else {
                app.org_id("acme").await
            };
            all_or_nothing(app, org, &case, &run.options(), |r| harness.tally(r)).await
        })
    });
}

#[test]
fn a_broken_import_writes_nothing_and_a_good_one_is_idempotent() {
    property(120, 1_000);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_imports_write_all_or_nothing_long() {
    property(long_cases(5_000), 250);
}

/// Found by this fuzz: the shop was created before, and outside, the posting's transaction, so
/// a file refused while posting left a new org with a shop.
#[tokio::test]
async fn a_file_refused_while_posting_leaves_no_shop_behind() {
    let app = TestApp::spawn().await;
    let org = app.org_id("fresh").await;
    let text = r#"{"code":0,"data":{"statement_id":"1","statement_time":1762128000,"currency":"USD","statement_transactions":[{"id":"2","type":"ORDER","order_id":"3","order_create_time":1761955200,"pit_amount":"576000000000000009"}]}}"#;
    let before = Snapshot::take(&app.db).await.unwrap();
    let error = import_text(&app.db, org, "big.json", text, &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("out of range"), "{error}");
    let after = Snapshot::take(&app.db).await.unwrap();
    assert!(before == after, "wrote:{}", before.diff(&after));
}

/// Found by this fuzz on PostgreSQL: values SQLite stores but PostgreSQL refuses (a NUL
/// character, timestamps before 4713 BC, a status or rate longer than its column) ended the
/// import with an INTERNAL error; they are bad input on both backends.
const REFUSED_BY_POSTGRES: &[(&str, &str)] = &[
    (
        "a NUL in an id",
        r#"{"data":{"id":"7300\u0000","create_time":1762128000,"currency":"USD","total_settlement_amount":"1.00","transactions":[]}}"#,
    ),
    (
        "an order created in 7538 BC",
        r#"{"data":{"statement_id":"1","statement_time":1762128000,"currency":"USD","statement_transactions":[{"id":"2","type":"ORDER","order_id":"3","order_create_time":-300000000000,"gross_sales_amount":"1.00","settlement_amount":"1.00"}]}}"#,
    ),
    (
        "a statement in the year 80000",
        r#"{"data":{"statement_id":"1","statement_time":2462128000000,"currency":"USD","settlement_amount":"1.00","statement_transactions":[{"id":"2","type":"ORDER","order_id":"3","gross_sales_amount":"1.00","settlement_amount":"1.00"}]}}"#,
    ),
    (
        "a payment status of 40 characters",
        r#"{"data":{"statements":[{"id":"1","statement_time":1762128000,"currency":"USD","settlement_amount":"1.00","payment_status":"PAIDPAIDPAIDPAIDPAIDPAIDPAIDPAIDPAIDPAID"}]}}"#,
    ),
    (
        "an affiliate content type of 40 characters and a 24-digit commission rate",
        r#"{"data":{"orders":[{"id":"1","create_time":1761955200,"skus":[{"sku_id":"2","content_type":"VIDEOVIDEOVIDEOVIDEOVIDEOVIDEOVIDEOVIDEO","commission_rate":"999999999999999999999999"}]}]}}"#,
    ),
    (
        "an ad report day in the year 99999",
        r#"{"data":{"list":[{"dimensions":{"campaign_id":"1","stat_time_day":"+99999-01-01 00:00:00"},"metrics":{"spend":"1.00","currency":"USD"}}]}}"#,
    ),
];

#[tokio::test]
async fn values_postgresql_refuses_are_bad_input_on_both_backends() {
    let app = TestApp::spawn().await;
    let options = ImportOptions {
        currency: Some(Currency::parse("USD").unwrap()),
        ..ImportOptions::default()
    };
    let mut failures = Vec::new();
    for (index, (name, text)) in REFUSED_BY_POSTGRES.iter().enumerate() {
        let org = app.org_id(&format!("org-{index}")).await;
        let case = Case {
            seed: name,
            edit: super::mutate::Edit::None,
            bytes: text.as_bytes().to_vec(),
        };
        if let Err(failure) = all_or_nothing(&app, org, &case, &options, |_| {}).await {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
