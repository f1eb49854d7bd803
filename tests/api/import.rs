//! `pnl import` of saved TikTok responses: same normalisers, same idempotency, reconciled
//! payouts, nothing stored from a bad file, nothing visible to another org.

use std::path::Path;

use pnl::import::{import_file, import_text, ImportOptions};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::{error_code, fixture, TestApp};

const PAYOUT: &str = r#"query($id: String!) { payout(channel: TIKTOK_SHOP, externalId: $id) {
  kind externalId status channelStatus reported { amount currency } ledger { amount currency } residual { amount }
  breakdown { bucket amount { amount } } } }"#;

fn file(name: &str) -> std::path::PathBuf {
    fixture(&format!("tiktok/{name}"))
}

async fn import(app: &TestApp, org: i64, name: &str) -> pnl::connectors::ingest::IngestReport {
    import_file(&app.db, org, &file(name), &ImportOptions::default())
        .await
        .unwrap()
        .ingest
}

/// The current total of an order's lines by status, summed over every row (reversals cancel).
async fn order_total(app: &TestApp, token: &str, order: &str, status: &str) -> Decimal {
    let query = r"query($order: String!) { ledgerEntries(filter: {orderId: $order}, first: 200) { edges { node { status amount { amount } } } } }";
    let data = app.gql_ok(token, query, json!({ "order": order })).await;
    data["ledgerEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["status"] == status)
        .map(|e| {
            e["node"]["amount"]["amount"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap()
        })
        .sum()
}

#[tokio::test]
async fn an_imported_statement_reconciles_to_its_total() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let report = import(&app, org, "statement_transactions_202501.json").await;
    assert_eq!(
        (
            report.rows,
            report.posted,
            report.duplicates,
            report.payouts
        ),
        (4, 16, 0, 1)
    );
    assert_eq!(
        report.unmapped.iter().collect::<Vec<_>>(),
        ["mystery_service_fee_amount"]
    );

    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(&token, PAYOUT, json!({ "id": "7300000000000000101" }))
        .await;
    let payout = &data["payout"];
    assert_eq!(payout["kind"], "STATEMENT");
    assert_eq!(payout["status"], "MATCHED");
    assert_eq!(
        payout["reported"],
        json!({ "amount": "11.09", "currency": "USD" })
    );
    assert_eq!(payout["ledger"]["amount"], "11.09");
    assert_eq!(payout["residual"]["amount"], "0.00");
    let advertising = payout["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "ADVERTISING")
        .unwrap();
    assert_eq!(advertising["amount"]["amount"], "-12.34");

    let data = app
        .gql_ok(
            &token,
            "{ unmappedFees { label entries total { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["unmappedFees"],
        json!([{ "label": "mystery_service_fee_amount", "entries": 1, "total": { "amount": "-0.50" } }])
    );
}

#[tokio::test]
async fn importing_the_same_file_twice_posts_nothing_new() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import(&app, org, "statement_transactions_202501.json").await;
    let again = import(&app, org, "statement_transactions_202501.json").await;
    assert_eq!((again.posted, again.duplicates, again.retired), (0, 16, 0));
}

#[tokio::test]
async fn sku_level_transactions_replace_order_level_lines_without_changing_the_total() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import(&app, org, "statement_transactions_202501.json").await;
    let by_order = import(&app, org, "order_transactions_202501.json").await;
    assert_eq!(by_order.retired, 9, "the order's nine order-level lines");
    assert_eq!(
        by_order.posted, 14,
        "nine lines of one SKU, five of the other"
    );
    // The other way round, order-level lines of an order already known by SKU are not posted.
    let statement_again = import(&app, org, "statement_transactions_202501.json").await;
    assert_eq!((statement_again.posted, statement_again.superseded), (0, 9));

    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(&token, PAYOUT, json!({ "id": "7300000000000000101" }))
        .await;
    assert_eq!(
        (
            data["payout"]["status"].as_str(),
            data["payout"]["ledger"]["amount"].as_str()
        ),
        (Some("MATCHED"), Some("11.09"))
    );
    assert_eq!(
        order_total(&app, &token, "576000000000000001", "SETTLED").await,
        Decimal::new(3608, 2)
    );
}

#[tokio::test]
async fn settlement_replaces_estimates_and_the_difference_stays_visible() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let token = app.token("acme", "pnl:read");
    import(&app, org, "orders_202309.json").await;
    assert_eq!(
        order_total(&app, &token, "576000000000000009", "ESTIMATED").await,
        Decimal::new(2500, 2)
    );
    import(&app, org, "unsettled_202507.json").await;
    assert_eq!(
        order_total(&app, &token, "576000000000000009", "ESTIMATED").await,
        Decimal::new(2227, 2),
        "unsettled estimates (with fees) replace the order's sale estimate"
    );

    // The order settles in a statement: its estimates are reversed, settled lines posted.
    let mut statement: Value = serde_json::from_str(
        &std::fs::read_to_string(file("statement_transactions_202501.json")).unwrap(),
    )
    .unwrap();
    statement["data"]["transactions"][0]["order_id"] = json!("576000000000000009");
    import_text(
        &app.db,
        org,
        "settled.json",
        &statement.to_string(),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        order_total(&app, &token, "576000000000000009", "ESTIMATED").await,
        Decimal::ZERO
    );
    assert_eq!(
        order_total(&app, &token, "576000000000000009", "SETTLED").await,
        Decimal::new(3608, 2)
    );
    // A late re-read of the unsettled file does not bring the estimate back.
    let late = import(&app, org, "unsettled_202507.json").await;
    assert_eq!((late.posted, late.superseded), (0, 3));
}

#[tokio::test]
async fn the_202309_flat_statement_reconciles_to_its_total() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let report = import(&app, org, "statement_transactions_202309.json").await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(&token, PAYOUT, json!({ "id": "7300000000000000101" }))
        .await;
    assert_eq!(
        (
            data["payout"]["status"].as_str(),
            data["payout"]["ledger"]["amount"].as_str()
        ),
        (Some("MATCHED"), Some("25.89"))
    );
}

#[tokio::test]
async fn affiliate_ads_and_order_files_import() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let options = ImportOptions {
        currency: Some(pnl::money::Currency::parse("USD").unwrap()),
        advertiser: Some("7000".to_owned()),
        ..ImportOptions::default()
    };
    for name in [
        "orders_202309.json",
        "affiliate_orders_202410.json",
        "statement_transactions_202501.json",
        "order_transactions_202501.json",
        "ads_integrated_report.json",
        "ads_gmv_max_report.json",
    ] {
        let report = import_file(&app.db, org, &file(name), &options)
            .await
            .unwrap();
        assert!(
            report.ingest.failures.is_empty(),
            "{name}: {:?}",
            report.ingest.failures
        );
    }
    let token = app.token("acme", "pnl:read");
    // Card spend of the campaign that is GMV Max is replaced by the allocation pair.
    let query = r"{ ledgerEntries(filter: {bucket: ADVERTISING}, first: 100) { edges { node { label amount { amount } } } } }";
    let data = app.gql_ok(&token, query, json!({})).await;
    let total: Decimal = data["ledgerEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["node"]["amount"]["amount"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(
        total,
        Decimal::new(-3784, 2),
        "statement GMV charge -12.34 + card spend -25.50; GMV Max pairs net to zero"
    );
}

#[tokio::test]
async fn a_garbled_or_unknown_file_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "garbled.json",
            r#"{"code":0,"data":{"id":"1","transactions":[{"id":"#,
            "not JSON",
        ),
        (
            "unknown.json",
            r#"{"code":0,"message":"ok","data":{"widgets":[]}}"#,
            "unknown shape",
        ),
        (
            "error.json",
            r#"{"code":36009004,"message":"invalid timestamp","request_id":"x","data":null}"#,
            "error response",
        ),
        (
            "bad.json",
            r#"{"data":{"id":"1","currency":"USD","transactions":[{"type":"ORDER"}]}}"#,
            "not a valid tiktok-statement-transactions-202501 payload",
        ),
    ];
    for (name, text, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let error = import_file(&app.db, org, Path::new(&path), &ImportOptions::default())
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains(message) && error.to_string().contains(name),
            "{name}: {error}"
        );
    }
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(
            &token,
            "{ ledgerEntries { edges { node { id } } } payouts { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "ledgerEntries": { "edges": [] }, "payouts": { "edges": [] } })
    );
}

#[tokio::test]
async fn another_orgs_token_sees_none_of_the_import() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import(&app, org, "statement_transactions_202501.json").await;
    let other = app.token("globex", "pnl:read admin");
    let (_, body) = app
        .gql(Some(&other), PAYOUT, json!({ "id": "7300000000000000101" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let data = app.gql_ok(&other, "{ payouts { edges { node { id } } } unmappedFees { label } ledgerEntries { edges { node { id } } } }", json!({})).await;
    assert_eq!(
        data,
        json!({ "payouts": { "edges": [] }, "unmappedFees": [], "ledgerEntries": { "edges": [] } })
    );
}

#[tokio::test]
async fn payouts_list_statements_with_the_payment_that_paid_them() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let statements = json!({ "code": 0, "message": "Success", "request_id": "r", "data": { "next_page_token": "", "statements": [
        { "id": "7300000000000000101", "statement_time": 1762128000, "currency": "USD", "settlement_amount": "11.09", "payment_id": "7400000000000000001", "payment_status": "PAID" },
        { "id": "7300000000000000102", "statement_time": 1762214400, "currency": "USD", "settlement_amount": "0.00", "payment_id": "7400000000000000001", "payment_status": "PAID" } ] } });
    let payments = json!({ "code": 0, "message": "Success", "request_id": "r", "data": { "next_page_token": "", "payments": [
        { "id": "7400000000000000001", "status": "PAID", "create_time": 1762300000, "paid_time": 1762310000, "amount": { "currency": "USD", "value": "11.09" } } ] } });
    for (name, value) in [("statements.json", statements), ("payments.json", payments)] {
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        import_file(&app.db, org, &path, &ImportOptions::default())
            .await
            .unwrap();
    }
    import(&app, org, "statement_transactions_202501.json").await;

    let token = app.token("acme", "pnl:read");
    let query = r"query($after: String) { payouts(first: 2, after: $after) { pageInfo { hasNextPage endCursor }
      edges { node { kind externalId status paidBy reported { amount } ledger { amount } } } } }";
    let page = app.gql_ok(&token, query, json!({ "after": null })).await;
    let edges = page["payouts"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert!(page["payouts"]["pageInfo"]["hasNextPage"]
        .as_bool()
        .unwrap());
    let rest = app
        .gql_ok(
            &token,
            query,
            json!({ "after": page["payouts"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let mut nodes: Vec<Value> = edges
        .iter()
        .chain(rest["payouts"]["edges"].as_array().unwrap())
        .map(|e| e["node"].clone())
        .collect();
    nodes.sort_by_key(|n| n["externalId"].as_str().unwrap().to_owned());
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0]["paidBy"], "7400000000000000001");
    assert_eq!(nodes[0]["status"], "MATCHED");
    assert_eq!(nodes[2]["kind"], "PAYMENT");
    assert_eq!(
        (
            nodes[2]["status"].as_str(),
            nodes[2]["ledger"]["amount"].as_str()
        ),
        (Some("MATCHED"), Some("11.09")),
        "a payment's ledger is its statements'"
    );
}
