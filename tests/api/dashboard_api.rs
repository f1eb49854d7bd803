//! What the dashboard asks the API for that no other query answered: `kpis` (a range's
//! headline figures next to the previous equal range), over real HTTP, and its tenancy.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::pnl::brand;

const KPIS: &str = r#"query($from: Date!, $to: Date!) { kpis(range: {from: $from, to: $to}, currency: "USD") {
  currency previousFrom previousTo
  current { netSales { amount } contributionProfit { amount } margin adCosts { amount } roas tacos refundRate }
  previous { netSales { amount } }
  changes { kpi isMoney current previous change } } }"#;

const TOTAL: &str = r#"query($from: Date!, $to: Date!) { pnl(range: {from: $from, to: $to}, groupBy: [], currency: "USD") {
  total { netSales { amount } contributionProfit { amount } margin adCosts { amount } roas tacos refundRate } } }"#;

fn dec(value: &Value) -> Decimal {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn kpis_are_the_totals_of_the_range_and_of_the_equal_range_before_with_their_changes() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read");

    let vars = json!({ "from": "2026-01-16", "to": "2026-01-31" });
    let kpis = app.gql_ok(&token, KPIS, vars.clone()).await["kpis"].clone();

    assert_eq!(kpis["currency"], "USD");
    // 16 days → the 16 days before.
    assert_eq!(kpis["previousFrom"], "2025-12-31");
    assert_eq!(kpis["previousTo"], "2026-01-15");
    let now = app.gql_ok(&token, TOTAL, vars).await["pnl"]["total"].clone();
    assert_eq!(
        kpis["current"], now,
        "current is the plain P&L total of the range"
    );
    let before = app
        .gql_ok(
            &token,
            TOTAL,
            json!({ "from": "2025-12-31", "to": "2026-01-15" }),
        )
        .await["pnl"]["total"]
        .clone();
    assert_eq!(kpis["previous"]["netSales"], before["netSales"]);

    let changes = kpis["changes"].as_array().unwrap();
    let names: Vec<&str> = changes.iter().map(|c| c["kpi"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "NET_SALES",
            "CONTRIBUTION_PROFIT",
            "MARGIN",
            "AD_SPEND",
            "ROAS",
            "TACOS",
            "REFUND_RATE"
        ]
    );
    let net = &changes[0];
    assert_eq!(net["isMoney"], true);
    assert_eq!(net["current"], now["netSales"]["amount"]);
    assert_eq!(net["previous"], before["netSales"]["amount"]);
    let (current, previous) = (dec(&net["current"]), dec(&net["previous"]));
    let expected = ((current - previous) / previous.abs()).round_dp(4);
    assert_eq!(dec(&net["change"]), expected, "{net}");
    // Ad spend is shown positive; ratios change by difference.
    assert_eq!(dec(&changes[3]["current"]), -dec(&now["adCosts"]["amount"]));
    let margin = &changes[2];
    assert_eq!(margin["isMoney"], false);
    assert_eq!(margin["current"], now["margin"]);
    if let (Some(a), Some(b)) = (margin["current"].as_str(), margin["previous"].as_str()) {
        let (a, b): (Decimal, Decimal) = (a.parse().unwrap(), b.parse().unwrap());
        assert_eq!(dec(&margin["change"]), a - b);
    }
}

#[tokio::test]
async fn kpis_refuse_a_backwards_range_in_words() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(
            Some(&token),
            KPIS,
            json!({ "from": "2026-02-01", "to": "2026-01-01" }),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&body), "BAD_USER_INPUT");
    assert!(body.to_string().contains("before from"), "{body}");
}

#[tokio::test]
async fn another_orgs_token_sees_only_its_own_kpis() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let other = app.token("other-brand", "pnl:read");
    let vars = json!({ "from": "2026-01-01", "to": "2026-01-31" });
    let kpis = app.gql_ok(&other, KPIS, vars.clone()).await["kpis"].clone();
    assert_eq!(kpis["current"]["netSales"]["amount"], "0.00");
    assert_eq!(kpis["previous"]["netSales"]["amount"], "0.00");
    // While acme's token sees acme's sales.
    let acme = app.token("acme", "pnl:read");
    let kpis = app.gql_ok(&acme, KPIS, vars).await["kpis"].clone();
    assert_ne!(kpis["current"]["netSales"]["amount"], "0.00");
}

#[tokio::test]
async fn kpis_need_a_token_with_pnl_read() {
    let app = TestApp::spawn().await;
    let vars = json!({ "from": "2026-01-01", "to": "2026-01-31" });
    let (_, body) = app.gql(None, KPIS, vars).await;
    assert_eq!(crate::helpers::error_code(&body), "UNAUTHENTICATED");
}

const LINES: &str = r#"query($range: DateRangeInput!, $filter: PnlFilterInput, $buckets: [FeeBucket!]) {
  pnlLines(range: $range, filter: $filter, buckets: $buckets, first: 500) { edges { node { id bucket amount { amount currency } rawRecordId } } } }"#;

/// Imports the saved TikTok statement (one payout, raw records, an unmapped fee) into `org`.
async fn statement(app: &TestApp, org: &str) {
    let org = app.org_id(org).await;
    let file = crate::helpers::fixture("tiktok/statement_transactions_202501.json");
    pnl::import::import_file(&app.db, org, &file, &pnl::import::ImportOptions::default())
        .await
        .unwrap();
}

fn sum(lines: &Value) -> Decimal {
    lines["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| dec(&e["node"]["amount"]["amount"]))
        .sum()
}

#[tokio::test]
async fn the_lines_behind_a_figure_add_up_to_it_and_each_opens_its_raw_record() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    statement(&app, "acme").await;
    let token = app.token("acme", "pnl:read");
    let net_sales = json!([
        "PRODUCT_SALES",
        "SELLER_DISCOUNTS",
        "SHIPPING_INCOME",
        "REFUNDS"
    ]);

    // A SKU's net sales (one currency, so no conversion): the lines add up to the figure.
    let range = json!({ "from": "2026-01-01", "to": "2026-01-31" });
    let vars = json!({ "range": range, "filter": { "sku": "SKU-TEE" }, "buckets": net_sales });
    let lines = app.gql_ok(&token, LINES, vars).await["pnlLines"].clone();
    let pnl = app
        .gql_ok(
            &token,
            r#"{ pnl(range: {from: "2026-01-01", to: "2026-01-31"}, groupBy: [], filter: {sku: "SKU-TEE"}) { total { netSales { amount } } } }"#,
            json!({}),
        )
        .await;
    assert!(!lines["edges"].as_array().unwrap().is_empty());
    assert_eq!(sum(&lines), dec(&pnl["pnl"]["total"]["netSales"]["amount"]));

    // The statement's lines come from raw records; one opens verbatim.
    let vars =
        json!({ "range": { "from": "2025-11-01", "to": "2025-11-30" }, "buckets": ["OTHER"] });
    let lines = app.gql_ok(&token, LINES, vars).await["pnlLines"].clone();
    let raw_id = lines["edges"][0]["node"]["rawRecordId"].clone();
    assert!(raw_id.is_string(), "{lines}");
    let query = r"query($id: ID!) { rawRecord(id: $id) { id channel sourceKind payload sha256 } }";
    let raw = app.gql_ok(&token, query, json!({ "id": raw_id })).await["rawRecord"].clone();
    assert_eq!(raw["channel"], "TIKTOK_SHOP");
    assert!(
        raw["payload"]
            .as_str()
            .unwrap()
            .contains("mystery_service_fee_amount"),
        "{raw}"
    );
    assert_eq!(raw["sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn a_payouts_lines_add_up_to_its_ledger_total() {
    let app = TestApp::spawn().await;
    statement(&app, "acme").await;
    let token = app.token("acme", "pnl:read");
    let payout = app
        .gql_ok(
            &token,
            "{ payouts { edges { node { id ledger { amount } } } } }",
            json!({}),
        )
        .await["payouts"]["edges"][0]["node"]
        .clone();
    let query = r"query($id: ID!) { payoutLines(payoutId: $id, first: 500) { edges { node { amount { amount } } } } }";
    let lines = app
        .gql_ok(&token, query, json!({ "id": payout["id"] }))
        .await["payoutLines"]
        .clone();
    assert!(lines["edges"].as_array().unwrap().len() > 3, "{lines}");
    assert_eq!(sum(&lines), dec(&payout["ledger"]["amount"]));
}

#[tokio::test]
async fn another_orgs_token_sees_none_of_the_lines_payouts_or_raw_records() {
    let app = TestApp::spawn().await;
    statement(&app, "acme").await;
    let acme = app.token("acme", "pnl:read");
    let vars = json!({ "range": { "from": "2025-11-01", "to": "2025-11-30" } });
    let lines = app.gql_ok(&acme, LINES, vars.clone()).await["pnlLines"].clone();
    let raw_id = lines["edges"][0]["node"]["rawRecordId"].clone();
    let payout_id = app
        .gql_ok(&acme, "{ payouts { edges { node { id } } } }", json!({}))
        .await["payouts"]["edges"][0]["node"]["id"]
        .clone();

    let other = app.token("other-brand", "pnl:read");
    let lines = app.gql_ok(&other, LINES, vars).await["pnlLines"].clone();
    assert_eq!(lines["edges"], json!([]));
    let query = r"query($id: ID!) { payoutLines(payoutId: $id) { edges { node { id } } } }";
    let lines = app.gql_ok(&other, query, json!({ "id": payout_id })).await;
    assert_eq!(lines["payoutLines"]["edges"], json!([]));
    let query = r"query($id: ID!) { rawRecord(id: $id) { payload } }";
    let (_, body) = app.gql(Some(&other), query, json!({ "id": raw_id })).await;
    assert_eq!(crate::helpers::error_code(&body), "NOT_FOUND");
    assert!(!body.to_string().contains("mystery"), "{body}");
}
