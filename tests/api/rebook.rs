//! A mapping change re-books history: `setFeeMapping` moves every existing line of the label into
//! the new bucket (a reversal and a new line each), keeps the payout's total and the rollups
//! exact, records the change for `mappingChanges`, and a re-import of the same source afterwards
//! posts nothing. Another org's lines and changes are untouched and unseen.

use pnl::ledger::{post, NewLine, PostRequest};
use pnl::statements::{import_statement, resolve_mapping, StatementOptions};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{fixture, unmapped_line, TestApp};

const WALMART_ID: &str = "walmart-recon:2026-10-01..2026-10-14";
const LABEL: &str = "Adjustment / Fee/Reimbursement";
const SET: &str = r#"mutation($label: String!, $bucket: FeeBucket!) {
  setFeeMapping(input: {channel: WALMART, label: $label, bucket: $bucket}) {
    label bucket
    change { fromBucket fromMapped toBucket linesMoved moved { amount currency } changedBy }
  } }"#;
const PAYOUT: &str = r#"query($id: String!) { payout(channel: WALMART, externalId: $id) {
  residual { amount } ledger { amount } breakdown { bucket amount { amount } } } }"#;

async fn import_walmart(app: &TestApp, org: i64) -> pnl::statements::StatementReport {
    let bytes = std::fs::read(fixture("statements/walmart_recon.csv")).unwrap();
    let mapping = resolve_mapping("walmart-recon").unwrap();
    import_statement(
        &app.db,
        org,
        "walmart_recon.csv",
        &bytes,
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap()
}

fn bucket_amount(payout: &Value, bucket: &str) -> Option<Value> {
    payout["payout"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["bucket"] == bucket)
        .map(|row| row["amount"]["amount"].clone())
}

/// The org's day sums as kept by postings, then as rebuilt from the rows: they must agree.
pub(crate) async fn rollups_are_exact(app: &TestApp, org: i64) {
    let snapshot = || async {
        let mut rows: Vec<_> = entities::ledger_day::Entity::find()
            .filter(entities::ledger_day::Column::OrgId.eq(org))
            .filter(entities::ledger_day::Column::AmountMinor.ne(0))
            .all(app.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let key = (r.day, r.channel, r.shop_id, r.listing_id, r.product_id);
                let rest = (r.creator_id, r.bucket, r.status, r.currency);
                (key, rest, r.amount_minor, r.quantity)
            })
            .collect();
        rows.sort();
        rows
    };
    let kept = snapshot().await;
    pnl::ledger::rollup::rebuild(app.db.conn(), org)
        .await
        .unwrap();
    assert_eq!(kept, snapshot().await);
}

#[tokio::test]
async fn a_mapping_change_re_books_every_line_of_the_label_once() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let admin = app.token("acme", "admin pnl:read");
    import_walmart(&app, org).await;
    let before = app.gql_ok(&admin, PAYOUT, json!({"id": WALMART_ID})).await;
    assert_eq!(bucket_amount(&before, "ADJUSTMENTS"), Some(json!("-13.00")));
    let rows_before = app.ledger_rows().await;

    let set = app
        .gql_ok(
            &admin,
            SET,
            json!({"label": LABEL, "bucket": "SHIPPING_COSTS"}),
        )
        .await;
    let change = &set["setFeeMapping"]["change"];
    assert_eq!(change["fromBucket"], "ADJUSTMENTS", "{set}");
    assert_eq!(change["fromMapped"], true);
    assert_eq!(change["toBucket"], "SHIPPING_COSTS");
    // Walmart's shipping label fee (-25.00) and a lost-inventory reimbursement (+12.00).
    assert_eq!(change["linesMoved"], 2, "{set}");
    assert_eq!(
        change["moved"],
        json!([{"amount": "-13.00", "currency": "USD"}])
    );
    assert_eq!(change["changedBy"], "tester");
    // One reversal and one new line per moved line; nothing else written.
    assert_eq!(app.ledger_rows().await, rows_before + 4);

    let after = app.gql_ok(&admin, PAYOUT, json!({"id": WALMART_ID})).await;
    // The reversals net the old bucket to zero.
    assert_eq!(
        bucket_amount(&after, "ADJUSTMENTS"),
        Some(json!("0.00")),
        "{after}"
    );
    assert_eq!(
        bucket_amount(&after, "SHIPPING_COSTS"),
        Some(json!("-13.00"))
    );
    assert_eq!(after["payout"]["ledger"], before["payout"]["ledger"]);
    assert_eq!(after["payout"]["residual"], json!({"amount": "0.00"}));
    rollups_are_exact(&app, org).await;

    // The re-booked line hashes as the normaliser now books it: re-importing posts nothing.
    let again = import_walmart(&app, org).await;
    assert_eq!(
        (again.ingest.posted, again.ingest.corrected),
        (0, 0),
        "{again:?}"
    );
    assert_eq!(app.ledger_rows().await, rows_before + 4);

    // The same mapping again moves nothing but is still recorded; the history is newest first.
    let same = app
        .gql_ok(
            &admin,
            SET,
            json!({"label": LABEL, "bucket": "SHIPPING_COSTS"}),
        )
        .await;
    assert_eq!(same["setFeeMapping"]["change"]["linesMoved"], 0);
    assert_eq!(same["setFeeMapping"]["change"]["moved"], json!([]));
    let history = app
        .gql_ok(
            &admin,
            "{ mappingChanges { label fromBucket toBucket linesMoved changedAt } }",
            json!({}),
        )
        .await;
    let changes = history["mappingChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{history}");
    assert_eq!(changes[0]["fromBucket"], "SHIPPING_COSTS");
    assert_eq!(changes[1]["fromBucket"], "ADJUSTMENTS");
    assert_eq!(changes[1]["linesMoved"], 2);
    let (_, bad) = app
        .gql(
            Some(&admin),
            "{ mappingChanges(first: 0) { id } }",
            json!({}),
        )
        .await;
    assert!(
        bad.to_string()
            .contains("first must be between 1 and 500, got 0"),
        "{bad}"
    );
}

async fn post_lines(app: &TestApp, org: i64, lines: Vec<NewLine>) {
    post(
        &app.db,
        org,
        PostRequest {
            raw: None,
            lines,
            retire: vec![],
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_unmapped_label_leaves_other_and_only_current_lines_move() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let other = app.org_id("other-brand").await;
    post_lines(
        &app,
        org,
        vec![unmapped_line("a:1", -100), unmapped_line("a:2", -250)],
    )
    .await;
    // `a:2` corrected: its first row is history and must not move again.
    post_lines(&app, org, vec![unmapped_line("a:2", -300)]).await;
    post_lines(&app, other, vec![unmapped_line("b:1", -999)]).await;
    let admin = app.token("acme", "admin pnl:read");
    let set = app
        .gql_ok(
            &admin,
            r#"mutation { setFeeMapping(input: {channel: TIKTOK_SHOP, label: "brand_new_fee_amount", bucket: PROGRAM_FEES}) {
              change { fromBucket fromMapped linesMoved moved { amount } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        set["setFeeMapping"]["change"],
        json!({"fromBucket": "OTHER", "fromMapped": false, "linesMoved": 2, "moved": [{"amount": "-4.00"}]})
    );
    let data = app
        .gql_ok(
            &admin,
            r#"{ unmappedFees { label } ledgerEntries(filter: {entryKey: "a:2"}) { edges { node { seq bucket mapped amount { amount } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["unmappedFees"], json!([]));
    let history: Vec<Value> = data["ledgerEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"].clone())
        .collect();
    assert_eq!(
        history,
        vec![
            json!({"seq": 1, "bucket": "OTHER", "mapped": false, "amount": {"amount": "-2.50"}}),
            json!({"seq": 2, "bucket": "OTHER", "mapped": false, "amount": {"amount": "2.50"}}),
            json!({"seq": 3, "bucket": "OTHER", "mapped": false, "amount": {"amount": "-3.00"}}),
            json!({"seq": 4, "bucket": "OTHER", "mapped": false, "amount": {"amount": "3.00"}}),
            json!({"seq": 5, "bucket": "PROGRAM_FEES", "mapped": true, "amount": {"amount": "-3.00"}}),
        ]
    );
    rollups_are_exact(&app, org).await;

    // The other org: its line still unmapped in OTHER, and org acme's change is not its history.
    let token = app.token("other-brand", "admin pnl:read");
    let theirs = app
        .gql_ok(
            &token,
            "{ unmappedFees { label entries } mappingChanges { id } feeMappings { label } }",
            json!({}),
        )
        .await;
    assert_eq!(
        theirs,
        json!({"unmappedFees": [{"label": "brand_new_fee_amount", "entries": 1}], "mappingChanges": [], "feeMappings": []})
    );
    // A reader may list the history but not change a mapping.
    let reader = app.token("acme", "pnl:read");
    let (_, denied) = app
        .gql(
            Some(&reader),
            r#"mutation { setFeeMapping(input: {channel: TIKTOK_SHOP, label: "x", bucket: OTHER}) { label } }"#,
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&denied), "FORBIDDEN", "{denied}");
}
