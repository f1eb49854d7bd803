//! `pnl import` of Amazon settlement reports (V2 flat file): detected from the header with no
//! flag, booked once however often it is imported, refused whole (nothing stored) when
//! truncated or garbled with a message naming the row and column, and compared with TikTok in
//! `channelComparison` at the day's FX rate; another org sees none of it.

use std::path::PathBuf;

use pnl::import::{import_file, ImportOptions};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::{fixture, TestApp};

const PAYOUT: &str = r#"query($id: String!) { payout(channel: AMAZON, externalId: $id) {
  status residual { amount } reported { amount currency } } }"#;

fn written(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_settlement_file_is_detected_booked_once_and_reconciled() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let path = fixture("amazon/settlement_us.txt");
    let report = import_file(&app.db, org, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.format.name, "amazon-settlement-v2");
    assert!(report.ingest.posted > 10, "{:?}", report.ingest);
    let again = import_file(&app.db, org, &path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(again.ingest.posted, 0, "{:?}", again.ingest);

    let token = app.token("acme", "pnl:read");
    let payout = app
        .gql_ok(&token, PAYOUT, json!({"id": "12345678901"}))
        .await;
    assert_eq!(payout["payout"]["status"], "MATCHED", "{payout}");
    assert_eq!(payout["payout"]["residual"]["amount"], "0.00");
    assert_eq!(payout["payout"]["reported"]["amount"], "790.97");
    let shops = app
        .gql_ok(&token, "{ shops { name channel currency } }", json!({}))
        .await;
    assert_eq!(
        shops["shops"],
        json!([{"name": "Amazon (imported)", "channel": "AMAZON", "currency": "USD"}])
    );

    // Another org's token sees none of it.
    let other = app.token("globex", "pnl:read");
    let (_, body) = app
        .gql(Some(&other), PAYOUT, json!({"id": "12345678901"}))
        .await;
    assert_eq!(crate::helpers::error_code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn truncated_or_garbled_files_are_refused_naming_the_row_and_store_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(fixture("amazon/settlement_de_cp1252.txt")).unwrap();

    // An amount nobody can read, on the file's fifth line.
    let text = encoding_rs::WINDOWS_1252.decode(&good).0.into_owned();
    let garbled_text = text.replacen("-179,85", "-17x,85", 1);
    assert_ne!(garbled_text, text);
    let garbled = written(
        &dir,
        "garbled.txt",
        &encoding_rs::WINDOWS_1252.encode(&garbled_text).0,
    );
    let error = import_file(&app.db, org, &garbled, &ImportOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("garbled.txt"), "{error}");
    assert!(error.contains("row 5"), "{error}");
    assert!(error.contains("amount"), "{error}");
    assert!(error.contains("-17x,85"), "{error}");

    // Cut in the middle of a row.
    let cut = good.len() * 2 / 3;
    let truncated = written(&dir, "truncated.txt", &good[..cut]);
    let error = import_file(&app.db, org, &truncated, &ImportOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("truncated.txt"), "{error}");
    assert!(error.contains("row"), "{error}");

    assert_eq!(app.ledger_rows().await, 0, "nothing stored");
    let shops = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ shops { id } }",
            json!({}),
        )
        .await;
    assert_eq!(shops["shops"], json!([]));
}

fn net_sales(report: &Value, channel: &str) -> (Decimal, String) {
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"]["channel"] == channel)
        .unwrap_or_else(|| panic!("no {channel} row in {report}"));
    (
        row["netSales"]["amount"].as_str().unwrap().parse().unwrap(),
        row["netSales"]["currency"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn channel_comparison_puts_tiktok_in_usd_beside_amazon_in_eur_at_the_days_rate() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import_file(
        &app.db,
        org,
        &fixture("tiktok/statement_transactions_202501.json"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    import_file(
        &app.db,
        org,
        &fixture("amazon/settlement_de_cp1252.txt"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let admin = app.token("acme", "costs:write pnl:read");
    app.gql_ok(
        &admin,
        r#"mutation { setFxRate(day: "2026-08-31", base: "EUR", quote: "USD", rate: "1.10") { rate } }"#,
        json!({}),
    )
    .await;

    let range = json!({"from": "2025-10-01", "to": "2026-09-30"});
    let compare = "query($range: DateRangeInput!) { channelComparison(range: $range, currency: \"USD\") { rows { key { channel } netSales { amount currency } } fxFallbacks } }";
    let report =
        app.gql_ok(&admin, compare, json!({"range": range})).await["channelComparison"].clone();
    let (amazon_usd, currency) = net_sales(&report, "AMAZON");
    assert_eq!(currency, "USD");
    let (tiktok_usd, _) = net_sales(&report, "TIKTOK_SHOP");
    assert!(tiktok_usd > Decimal::ZERO, "{report}");
    assert!(
        !report["fxFallbacks"].as_array().unwrap().is_empty(),
        "the 2026-08-31 rate served September: {report}"
    );

    // The same Amazon lines in their own currency, converted by hand at 1.10.
    let own = "query($range: DateRangeInput!) { pnl(range: $range, groupBy: [CHANNEL], currency: \"EUR\", filter: {channel: AMAZON}) { rows { key { channel } netSales { amount currency } } } }";
    let eur = app.gql_ok(&admin, own, json!({"range": range})).await["pnl"].clone();
    let (amazon_eur, currency) = net_sales(&eur, "AMAZON");
    assert_eq!(currency, "EUR");
    assert!(amazon_eur > Decimal::ZERO);
    let expected = (amazon_eur * Decimal::new(110, 2)).round_dp(2);
    assert!(
        (amazon_usd - expected).abs() <= Decimal::new(2, 2),
        "{amazon_usd} vs {expected}"
    );

    // Another org's token sees no channel at all.
    let other = app.token("globex", "pnl:read");
    let theirs = app.gql_ok(&other, compare, json!({"range": range})).await;
    assert_eq!(theirs["channelComparison"]["rows"], json!([]), "{theirs}");
}
