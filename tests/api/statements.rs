//! Statement files through mappings: the Walmart recon report with the built-in mapping
//! reconciles with zero residual and is booked once however often it is imported; an
//! Etsy-style cp1252 file with a mapping file shows up in `channelComparison` beside Amazon and
//! lists its unknown label in `unmappedFees`; a bad amount or a missing column stores nothing;
//! another org sees none of it.

use pnl::import::{import_file, ImportOptions};
use pnl::statements::{import_statement, resolve_mapping, StatementOptions};
use serde_json::json;

use crate::helpers::{fixture, TestApp};

const PAYOUT: &str = r#"query($channel: Channel!, $id: String!) { payout(channel: $channel, externalId: $id) {
  status residual { amount } reported { amount currency } ledger { amount } } }"#;

const WALMART_ID: &str = "walmart-recon:2026-10-01..2026-10-14";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("statements/{name}"))).unwrap()
}

#[tokio::test]
async fn a_walmart_recon_report_imports_with_the_builtin_mapping_and_reconciles_once() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let mapping = resolve_mapping("walmart-recon").unwrap();
    let bytes = read("walmart_recon.csv");
    let options = StatementOptions::default();

    // Without --mapping, `pnl import` names the mapping to use and stores nothing.
    let error = import_file(
        &app.db,
        org,
        &fixture("statements/walmart_recon.csv"),
        &ImportOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("--mapping walmart-recon"), "{error}");
    assert_eq!(app.ledger_rows().await, 0);

    let report = import_statement(
        &app.db,
        org,
        "walmart_recon.csv",
        &bytes,
        &mapping,
        &options,
    )
    .await
    .unwrap();
    assert_eq!(report.ingest.posted, 15, "{report:?}");
    assert_eq!(report.residual.unwrap().amount().to_string(), "0.00");
    assert_eq!(report.payout, WALMART_ID);
    let again = import_statement(&app.db, org, "copy.csv", &bytes, &mapping, &options)
        .await
        .unwrap();
    assert_eq!(
        (again.ingest.posted, again.ingest.duplicates),
        (0, 15),
        "{again:?}"
    );

    // An overlapping file (the same rows and one more) posts only the new row.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let extra = text
        .lines()
        .last()
        .unwrap()
        .replace("TK-5005", "TK-5006")
        .replace("12.00", "3.00");
    let overlap = format!("{text}{extra}\r\n").replace(",43.65,", ",46.65,");
    let more = import_statement(
        &app.db,
        org,
        "more.csv",
        overlap.as_bytes(),
        &mapping,
        &options,
    )
    .await
    .unwrap();
    assert_eq!(more.ingest.posted, 1, "{more:?}");
    assert_eq!(
        more.residual.unwrap().amount().to_string(),
        "0.00",
        "{more:?}"
    );

    let token = app.token("acme", "pnl:read");
    let payout = app
        .gql_ok(
            &token,
            PAYOUT,
            json!({"channel": "WALMART", "id": WALMART_ID}),
        )
        .await;
    assert_eq!(payout["payout"]["status"], "MATCHED", "{payout}");
    assert_eq!(payout["payout"]["residual"]["amount"], "0.00");
    assert_eq!(payout["payout"]["reported"]["amount"], "46.65");
    let shops = app
        .gql_ok(&token, "{ shops { name channel currency } }", json!({}))
        .await;
    assert_eq!(
        shops["shops"],
        json!([{"name": "Walmart (imported)", "channel": "WALMART", "currency": "USD"}])
    );

    let other = app.token("globex", "pnl:read");
    let (_, body) = app
        .gql(
            Some(&other),
            PAYOUT,
            json!({"channel": "WALMART", "id": WALMART_ID}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn an_etsy_style_statement_appears_in_channel_comparison_beside_amazon() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import_file(
        &app.db,
        org,
        &fixture("amazon/settlement_de_cp1252.txt"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let mapping = resolve_mapping(fixture("statements/etsy_de.toml").to_str().unwrap()).unwrap();
    let report = import_statement(
        &app.db,
        org,
        "etsy_de_2026-10.csv",
        &read("etsy_de_2026-10.csv"),
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        report.residual.unwrap().amount().to_string(),
        "0.00",
        "{report:?}"
    );
    assert_eq!(
        report.ingest.unmapped.iter().collect::<Vec<_>>(),
        ["Etsy Ads"]
    );

    let token = app.token("acme", "pnl:read");
    let compare = r#"query { channelComparison(range: {from: "2026-08-01", to: "2026-10-31"}, currency: "EUR") { rows { key { channel } netSales { amount currency } } } }"#;
    let rows = app.gql_ok(&token, compare, json!({})).await["channelComparison"]["rows"].clone();
    let channels: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["key"]["channel"].as_str().unwrap())
        .collect();
    assert!(channels.contains(&"AMAZON"), "{rows}");
    let etsy = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["key"]["channel"] == "OTHER")
        .unwrap_or_else(|| panic!("no OTHER row: {rows}"));
    assert_eq!(
        etsy["netSales"],
        json!({"amount": "1249.00", "currency": "EUR"})
    );

    let unmapped = app
        .gql_ok(&token, "{ unmappedFees { channel label } }", json!({}))
        .await;
    assert!(
        unmapped["unmappedFees"]
            .as_array()
            .unwrap()
            .contains(&json!({"channel": "OTHER", "label": "Etsy Ads"})),
        "{unmapped}"
    );
}

#[tokio::test]
async fn a_bad_amount_or_a_missing_column_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let mapping = resolve_mapping("walmart-recon").unwrap();
    let text = String::from_utf8(read("walmart_recon.csv"))
        .unwrap()
        .replacen(",-2.18,", ",-2.1x,", 1);
    let error = import_statement(
        &app.db,
        org,
        "bad.csv",
        text.as_bytes(),
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("bad.csv") && error.contains("row 9, column \"Amount\": \"-2.1x\""),
        "{error}"
    );
    assert_eq!(app.ledger_rows().await, 0);

    let lacking = text.replace("Partner Item Id", "Seller Item Id");
    let error = import_statement(
        &app.db,
        org,
        "lacking.csv",
        lacking.as_bytes(),
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("\"Partner Item Id\" (rows.sku)"), "{error}");
    assert_eq!(app.ledger_rows().await, 0);

    // skip_bad_rows posts the rest, lists the row, and the residual shows the missing money.
    let options = StatementOptions {
        skip_bad_rows: true,
        ..StatementOptions::default()
    };
    let report = import_statement(&app.db, org, "bad.csv", text.as_bytes(), &mapping, &options)
        .await
        .unwrap();
    assert_eq!(report.ingest.posted, 14);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.residual.unwrap().amount().to_string(), "-2.18");
}

#[tokio::test]
async fn a_statement_without_a_total_books_its_lines_to_a_payout_that_reports_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let toml = std::fs::read_to_string(fixture("statements/etsy_de.toml"))
        .unwrap()
        .replace("total = \"Netto\"\n", "")
        .replace(
            "summary_row = { column = \"Typ\", equals = \"Saldo\" }\n",
            "",
        )
        .replace(
            "key = \"Transaktions-ID\"",
            "key = \"Transaktions-ID\"\nskip = [{ column = \"Typ\", equals = \"Saldo\" }]",
        );
    let mapping = pnl::statements::StatementMapping::parse(&toml, "etsy-de").unwrap();
    let report = import_statement(
        &app.db,
        org,
        "etsy_de_2026-10.csv",
        &read("etsy_de_2026-10.csv"),
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((report.reported, report.residual), (None, None));
    assert_eq!(report.ledger.amount().to_string(), "1161.14");
    let token = app.token("acme", "pnl:read");
    let payout = app
        .gql_ok(
            &token,
            PAYOUT,
            json!({"channel": "OTHER", "id": "etsy-de:etsy_de_2026-10"}),
        )
        .await;
    assert_eq!(payout["payout"]["reported"], json!(null), "{payout}");
    assert_eq!(payout["payout"]["ledger"]["amount"], "1161.14", "{payout}");
}

#[tokio::test]
async fn an_org_fee_mapping_wins_over_the_statement_mappings_table() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let admin = app.token("acme", "admin pnl:read");
    app.gql_ok(
        &admin,
        r#"mutation { setFeeMapping(input: {channel: WALMART, label: "Adjustment / Fee/Reimbursement", bucket: SHIPPING_COSTS}) { bucket } }"#,
        json!({}),
    )
    .await;
    let mapping = resolve_mapping("walmart-recon").unwrap();
    import_statement(
        &app.db,
        org,
        "walmart_recon.csv",
        &read("walmart_recon.csv"),
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap();
    let query = r#"query($id: String!) { payout(channel: WALMART, externalId: $id) { breakdown { bucket amount { amount } } } }"#;
    let payout = app.gql_ok(&admin, query, json!({"id": WALMART_ID})).await;
    let breakdown = payout["payout"]["breakdown"].as_array().unwrap();
    let amount = |bucket: &str| {
        breakdown
            .iter()
            .find(|row| row["bucket"] == bucket)
            .map(|row| row["amount"]["amount"].clone())
    };
    assert_eq!(amount("SHIPPING_COSTS"), Some(json!("-13.00")), "{payout}");
    assert_eq!(amount("ADJUSTMENTS"), None, "{payout}");
    assert_eq!(amount("PRODUCT_SALES"), Some(json!("74.47")), "{payout}");
}
