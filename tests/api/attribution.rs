//! Ad spend per product converges on its products whatever order the syncs run in: GMV Max
//! spend synced before the shop's first sync (its products unknown then) moves onto the
//! products once the shop's catalogue arrives, by correction, and the per-SKU P&L equals the
//! one of a brand whose shop synced first.

use entities::{ledger_entry, sync_state};
use pnl::connectors::tiktok::{ADS_STREAM, SHOP_STREAM};
use pnl::sync::run_job;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::sync_engine::{connect_over_http, spawn_for, start_sandbox};

/// Runs every job of `stream` kind (`SHOP_STREAM`, or the ads prefix) once, in id order.
async fn run_streams(app: &TestApp, ads: bool) {
    let jobs = sync_state::Entity::find().all(app.db.conn()).await.unwrap();
    for job in jobs.iter().filter(|job| {
        if ads {
            job.stream.starts_with(ADS_STREAM)
        } else {
            job.stream == SHOP_STREAM
        }
    }) {
        let outcome = run_job(&app.state, job).await;
        assert!(
            matches!(outcome, pnl::sync::Outcome::Done { .. }),
            "{}: {outcome:?}",
            job.stream
        );
    }
}

/// Current GMV Max rows without a product.
async fn unattributed(app: &TestApp) -> u64 {
    ledger_entry::Entity::find()
        .filter(crate::helpers::labelled("gmv_max_cost"))
        .filter(ledger_entry::Column::ProductId.is_null())
        .filter(ledger_entry::Column::ReversalOf.is_null())
        .count(app.db.conn())
        .await
        .unwrap()
        - ledger_entry::Entity::find()
            .filter(crate::helpers::labelled("gmv_max_cost"))
            .filter(ledger_entry::Column::ProductId.is_null())
            .filter(ledger_entry::Column::ReversalOf.is_not_null())
            .count(app.db.conn())
            .await
            .unwrap()
}

/// Ad spend per SKU over the sandbox's days.
async fn ads_by_sku(app: &TestApp) -> Value {
    let rate = r#"mutation { setFxRate(day: "2020-01-01", base: "GBP", quote: "USD", rate: "1.25") { rate } }"#;
    app.gql_ok(&app.token("acme", "costs:write"), rate, json!({}))
        .await;
    let today = chrono::Utc::now().date_naive();
    let query = r#"query($from: Date!, $to: Date!) { pnl(range: {from: $from, to: $to}, groupBy: [SKU]) { rows { key { sku } adCosts { amount } } total { adCosts { amount } } } }"#;
    let range =
        json!({ "from": (today - chrono::Days::new(30)).to_string(), "to": today.to_string() });
    app.gql_ok(&app.token("acme", "pnl:read"), query, range)
        .await["pnl"]
        .clone()
}

/// The brand's ad spend per SKU and its GMV Max lines still without a product, after its shop
/// and ads synced in the order given.
async fn brand(ads_first: bool) -> (Value, u64) {
    let sandbox = start_sandbox(6).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    if ads_first {
        run_streams(&app, true).await;
        let before = unattributed(&app).await;
        run_streams(&app, false).await;
        assert!(
            unattributed(&app).await < before,
            "the shop's catalogue attributed spend synced before it ({before} lines waited)"
        );
    } else {
        run_streams(&app, false).await;
        run_streams(&app, true).await;
    }
    let left = unattributed(&app).await;
    let report = ads_by_sku(&app).await;
    sandbox.shutdown().await;
    (report, left)
}

#[tokio::test]
async fn gmv_max_spend_reaches_its_products_whichever_sync_runs_first() {
    let ads_first = brand(true).await;
    let shop_first = brand(false).await;
    assert!(
        !ads_first.0["rows"].as_array().unwrap().is_empty(),
        "{ads_first:?}"
    );
    // Products the shop never sold in the window stay unknown in both orders alike.
    assert_eq!(ads_first, shop_first);
}
