//! `pnl import` of saved Shopify answers, taken from the sandbox over HTTP with the connector's
//! own documents (`queries.rs`): orders, Payments balance transactions and payouts post lines
//! once and every paid payout the file fully holds reconciles with zero residual; the bulk JSONL
//! of the same orders posts the same money; a re-import posts nothing; a garbled amount or a
//! truncated answer is refused naming the file and position and stores nothing; an answer with
//! only `errors` is refused naming them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pnl::connectors::shopify::queries::{self, with_fragments};
use pnl::import::{import_file, ImportOptions};
use sandbox::{Sandbox, ShopifyStoreSpec};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::shopify::{shopify_sandbox_config, shops};

const SHOP: &str = "file-goods.myshopify.com";

/// A small store whose cost limits let one page hold every object (the files are one answer
/// each, as a merchant would save them).
async fn store() -> Sandbox {
    let mut spec = ShopifyStoreSpec::us("file-goods");
    spec.orders_per_day = 3;
    let mut config = shopify_sandbox_config(vec![spec]);
    config.shopify.history_days = 20;
    config.shopify.max_query_cost = 1_000_000;
    config.shopify.maximum_available = 1_000_000;
    config.shopify.restore_rate = 1_000_000;
    config.shopify.bulk_polls = 1;
    Sandbox::start(config).await.unwrap()
}

/// POSTs `document` with `variables` to the store's Admin GraphQL endpoint: the raw answer.
async fn ask(sandbox: &Sandbox, document: &str, variables: Value) -> String {
    let token = sandbox.shopify_access_token(SHOP).unwrap();
    let url = format!(
        "{}/shopify/{SHOP}/admin/api/2026-10/graphql.json",
        sandbox.base_url()
    );
    let response = reqwest::Client::new()
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&json!({ "query": with_fragments(document), "variables": variables }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let text = response.text().await.unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert!(value.get("errors").is_none(), "{text}");
    text
}

/// One page holding everything: asserts there is no next page.
async fn whole(sandbox: &Sandbox, document: &str, connection: &str) -> String {
    let text = ask(sandbox, document, json!({ "first": 250 })).await;
    let value: Value = serde_json::from_str(&text).unwrap();
    let page = value.pointer(connection).unwrap();
    assert_eq!(page["pageInfo"]["hasNextPage"], false, "{connection}");
    assert!(
        !page["nodes"].as_array().unwrap().is_empty(),
        "{connection}"
    );
    text
}

/// The bulk export of every order: run, poll, download the JSONL.
async fn bulk_jsonl(sandbox: &Sandbox) -> String {
    let inner = queries::BULK_ORDERS.replace("{filter}", "updated_at:>='2000-01-01T00:00:00Z'");
    let started = ask(sandbox, queries::BULK_RUN, json!({ "query": inner })).await;
    let started: Value = serde_json::from_str(&started).unwrap();
    let id = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();
    for _ in 0..20 {
        let polled = ask(sandbox, queries::BULK_POLL, json!({ "id": id })).await;
        let polled: Value = serde_json::from_str(&polled).unwrap();
        let node = &polled["data"]["node"];
        if node["status"] == "COMPLETED" {
            let url = node["url"].as_str().unwrap();
            return reqwest::get(url).await.unwrap().text().await.unwrap();
        }
        assert!(
            ["CREATED", "RUNNING"].contains(&node["status"].as_str().unwrap_or_default()),
            "{polled}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bulk operation never completed");
}

fn written(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// (current lines, their total in minor units) of `org`: reversals cancel what they reverse.
async fn fingerprint(app: &TestApp, org: &str) -> (i64, i64) {
    use sea_orm::ConnectionTrait;
    let org_id = app.org_id(org).await;
    let row = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_string(
            app.db.backend(),
            format!(
                "SELECT CAST(COALESCE(SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END), 0) AS BIGINT) AS n, \
                 CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS s FROM ledger_entry WHERE org_id = {org_id}"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    (row.try_get("", "n").unwrap(), row.try_get("", "s").unwrap())
}

async fn import(app: &TestApp, org: &str, path: &Path) -> pnl::import::ImportReport {
    import_file(
        &app.db,
        app.org_id(org).await,
        path,
        &ImportOptions::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn saved_answers_post_once_and_every_paid_payout_reconciles() {
    // Arrange: the answers, saved from the sandbox.
    let sandbox = store().await;
    let dir = tempfile::tempdir().unwrap();
    let orders = written(
        &dir,
        "orders.json",
        &whole(&sandbox, queries::ORDERS, "/data/orders").await,
    );
    let balance = written(
        &dir,
        "balance.json",
        &whole(
            &sandbox,
            queries::BALANCE_TRANSACTIONS,
            "/data/shopifyPaymentsAccount/balanceTransactions",
        )
        .await,
    );
    let payouts = written(
        &dir,
        "payouts.json",
        &whole(
            &sandbox,
            queries::PAYOUTS,
            "/data/shopifyPaymentsAccount/payouts",
        )
        .await,
    );
    let bulk = written(&dir, "export.jsonl", &bulk_jsonl(&sandbox).await);
    let app = TestApp::spawn().await;

    // Act + Assert: each file detected and posted; the bulk export of the same orders posts
    // the same money in another org.
    let report = import(&app, "acme", &orders).await;
    assert_eq!(report.format.name, "shopify-orders");
    assert!(report.ingest.posted > 0, "{:?}", report.ingest);
    let estimated = fingerprint(&app, "acme").await;
    let report = import(&app, "bulk", &bulk).await;
    assert_eq!(report.format.name, "shopify-bulk-orders");
    // A bulk export lists refunds without their lines (Shopify's bulk queries take no
    // connection inside a list), so its refunds post whole: the same money, fewer lines.
    assert_eq!(
        fingerprint(&app, "bulk").await.1,
        estimated.1,
        "bulk ≠ pages"
    );
    let again = import(&app, "bulk", &bulk).await;
    assert_eq!(again.ingest.posted, 0, "{:?}", again.ingest);
    // The saved answer of the same orders then completes them into the same lines, not beside.
    import(&app, "bulk", &orders).await;
    assert_eq!(
        fingerprint(&app, "bulk").await,
        estimated,
        "bulk + pages ≠ pages"
    );

    let report = import(&app, "acme", &balance).await;
    assert_eq!(report.format.name, "shopify-balance-transactions");
    assert!(report.ingest.posted > 0, "{:?}", report.ingest);
    let report = import(&app, "acme", &payouts).await;
    assert_eq!(report.format.name, "shopify-payouts");
    assert!(report.ingest.payouts > 0, "{:?}", report.ingest);

    let token = app.token("acme", "pnl:read");
    let listed = shops(&app, &token).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["channel"], "SHOPIFY");
    assert_eq!(listed[0]["currency"], "USD");
    let data = app
        .gql_ok(
            &token,
            "{ payouts(first: 500, filter: {channel: SHOPIFY}) { nodes { externalId status channelStatus residual { amount } reported { amount } } } }",
            json!({}),
        )
        .await;
    let listed = data["payouts"]["nodes"].as_array().unwrap();
    let truth = sandbox.shopify().payouts(SHOP);
    let paid: Vec<_> = truth.iter().filter(|p| p.status == "PAID").collect();
    assert!(!paid.is_empty());
    for payout in paid {
        let row = listed
            .iter()
            .find(|p| p["externalId"] == payout.legacy_id.as_str())
            .unwrap_or_else(|| panic!("no payout {} in {data}", payout.legacy_id));
        assert_eq!(row["status"], "MATCHED", "{row}");
        let residual: rust_decimal::Decimal =
            row["residual"]["amount"].as_str().unwrap().parse().unwrap();
        assert!(residual.is_zero(), "{row}");
        let reported: rust_decimal::Decimal =
            row["reported"]["amount"].as_str().unwrap().parse().unwrap();
        assert_eq!(reported, payout.net, "{row}");
    }

    // A re-import of every file posts nothing.
    let before = app.ledger_rows().await;
    for path in [&orders, &balance, &payouts] {
        let again = import(&app, "acme", path).await;
        assert_eq!(
            again.ingest.posted,
            0,
            "{}: {:?}",
            path.display(),
            again.ingest
        );
        assert_eq!(
            again.ingest.corrected,
            0,
            "{}: {:?}",
            path.display(),
            again.ingest
        );
    }
    assert_eq!(app.ledger_rows().await, before);
}

#[tokio::test]
async fn a_garbled_or_truncated_answer_is_refused_naming_where_and_stores_nothing() {
    // Arrange
    let sandbox = store().await;
    let dir = tempfile::tempdir().unwrap();
    let orders = whole(&sandbox, queries::ORDERS, "/data/orders").await;
    let balance = whole(
        &sandbox,
        queries::BALANCE_TRANSACTIONS,
        "/data/shopifyPaymentsAccount/balanceTransactions",
    )
    .await;
    let app = TestApp::spawn().await;

    // An amount written with a decimal comma, in an order and in a balance transaction.
    for (name, text) in [
        ("orders-comma.json", &orders),
        ("balance-comma.json", &balance),
    ] {
        let start = text.find("\"amount\":\"").unwrap() + "\"amount\":\"".len();
        let end = start + text[start..].find('"').unwrap();
        let garbled = format!("{}1,00{}", &text[..start], &text[end..]);
        let path = written(&dir, name, &garbled);

        // Act
        let error = import_file(
            &app.db,
            app.org_id("acme").await,
            &path,
            &ImportOptions::default(),
        )
        .await
        .unwrap_err()
        .to_string();

        // Assert
        assert!(error.contains(name), "{error}");
        assert!(error.contains("1,00"), "{error}");
        assert!(error.contains("amount"), "{error}");
    }

    // Cut in the middle: the position is named.
    let path = written(&dir, "orders-cut.json", &orders[..orders.len() / 2]);
    let error = import_file(
        &app.db,
        app.org_id("acme").await,
        &path,
        &ImportOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("orders-cut.json"), "{error}");
    assert!(
        error.contains("line") || error.contains("column"),
        "{error}"
    );

    // A bulk export cut in the middle of a line.
    let jsonl = bulk_jsonl(&sandbox).await;
    let path = written(&dir, "export-cut.jsonl", &jsonl[..jsonl.len() / 2]);
    let error = import_file(
        &app.db,
        app.org_id("acme").await,
        &path,
        &ImportOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("export-cut.jsonl"), "{error}");
    assert!(error.contains("line"), "{error}");

    assert_eq!(app.ledger_rows().await, 0, "nothing stored");
    assert!(shops(&app, &app.token("acme", "pnl:read")).await.is_empty());
}

#[tokio::test]
async fn an_answer_with_only_errors_is_refused_naming_them() {
    // Arrange
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = written(
        &dir,
        "denied.json",
        r#"{"errors":[{"message":"Access denied for shopifyPaymentsAccount field. Required access: `read_shopify_payments_payouts` access scope.","locations":[{"line":2,"column":3}],"path":["shopifyPaymentsAccount"],"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes"}}],"extensions":{"cost":{"requestedQueryCost":2,"actualQueryCost":2,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1998,"restoreRate":100.0}}}}"#,
    );

    // Act
    let error = import_file(
        &app.db,
        app.org_id("acme").await,
        &path,
        &ImportOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();

    // Assert
    assert!(error.contains("denied.json"), "{error}");
    assert!(
        error.contains("Access denied for shopifyPaymentsAccount"),
        "{error}"
    );
    assert_eq!(app.ledger_rows().await, 0);
}

#[tokio::test]
async fn an_import_applies_the_orgs_own_mirror_source_names() {
    let sandbox = store().await;
    let mirrored: Vec<String> = sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .filter(|o| o.mirrored_from.is_some())
        .map(|o| o.legacy_id)
        .collect();
    assert!(!mirrored.is_empty(), "the store mirrors TikTok orders");
    let dir = tempfile::tempdir().unwrap();
    let orders = written(
        &dir,
        "orders.json",
        &whole(&sandbox, queries::ORDERS, "/data/orders").await,
    );
    let app = TestApp::spawn().await;
    // acme keeps the defaults (TikTok is a marketplace); globex lists no source names.
    app.gql_ok(
        &app.token("globex", "admin"),
        "mutation { setShopifyMirrorSourceNames(names: []) }",
        json!({}),
    )
    .await;
    import(&app, "acme", &orders).await;
    import(&app, "globex", &orders).await;
    let lines_of = |org: &'static str| {
        let app = &app;
        let mirrored = &mirrored;
        async move {
            use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
            entities::ledger_entry::Entity::find()
                .filter(entities::ledger_entry::Column::OrgId.eq(app.org_id(org).await))
                .filter(entities::ledger_entry::Column::OrderId.is_in(mirrored.clone()))
                .count(app.db.conn())
                .await
                .unwrap()
        }
    };
    assert_eq!(lines_of("acme").await, 0, "mirrors skipped by the defaults");
    assert!(lines_of("globex").await > 0, "no source names: counted");
}
