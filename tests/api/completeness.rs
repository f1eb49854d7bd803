//! Every P&L answer says what it is built on: while an ad account is paused its spend is missing,
//! and the answer says so (`complete: false`, the account's gap in words) instead of showing a
//! silently better margin; once it syncs again the answer is complete.

use entities::sync_state;
use pnl::connectors::tiktok::ADS_STREAM;
use pnl::sync::{run_one, schedule_now};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::sync_engine::{connect_over_http, drain, spawn_for, start_sandbox};

const ANSWERS: &str = r#"query($from: Date!, $to: Date!) {
  pnl(range: {from: $from, to: $to}, groupBy: [SKU]) { completeness { complete } }
  profitBySku(range: {from: $from, to: $to}) { completeness { complete } }
  channelComparison(range: {from: $from, to: $to}) { completeness { complete } }
  blendedMargin(range: {from: $from, to: $to}, granularity: DAY) { completeness { complete } }
  profitByCreator(range: {from: $from, to: $to}) { completeness { complete } }
  marginAlerts(threshold: "0.5", range: {from: $from, to: $to}) {
    completeness { complete sources { kind name state coveredThrough gap } } }
}"#;

const ACCOUNTS: &str =
    "{ adAccounts { name status statusMessage syncStatus { state lastError lastSuccessAt } } }";

fn every_answer_says(data: &Value, complete: bool) {
    for field in [
        "pnl",
        "profitBySku",
        "channelComparison",
        "blendedMargin",
        "profitByCreator",
        "marginAlerts",
    ] {
        assert_eq!(
            data[field]["completeness"]["complete"], complete,
            "{field}: {data}"
        );
    }
}

#[tokio::test]
async fn an_answer_is_incomplete_while_an_ad_account_is_paused_and_complete_after_it_syncs() {
    let sandbox = start_sandbox(5).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    drain(&app).await;
    let token = app.token("acme", "pnl:read");
    let today = chrono::Utc::now().date_naive();
    let range = json!({ "from": (today - chrono::Days::new(4)).to_string(), "to": (today - chrono::Days::new(1)).to_string() });
    // The UK shop's pounds need a rate into the org's dollars.
    let rate = format!(
        r#"mutation {{ setFxRate(day: "{}", base: "GBP", quote: "USD", rate: "1.25") {{ rate }} }}"#,
        today - chrono::Days::new(60)
    );
    app.gql_ok(&app.token("acme", "costs:write"), &rate, json!({}))
        .await;

    let data = app.gql_ok(&token, ANSWERS, range.clone()).await;
    every_answer_says(&data, true);
    let sources = data["marginAlerts"]["completeness"]["sources"]
        .as_array()
        .unwrap()
        .clone();
    assert!(sources.iter().any(|s| s["kind"] == "SHOP"), "{sources:?}");
    assert!(
        sources.iter().any(|s| s["kind"] == "AD_ACCOUNT"),
        "{sources:?}"
    );
    assert!(sources.iter().all(|s| s["gap"].is_null()), "{sources:?}");

    // The seller's grant is revoked; the ad accounts' next sync pauses them (the shops have not
    // run again, so they still look healthy).
    sandbox.faults().revoke_grant();
    let org = app.org_id("acme").await;
    let ads = sync_state::Entity::find()
        .filter(sync_state::Column::OrgId.eq(org))
        .filter(sync_state::Column::Stream.starts_with(ADS_STREAM))
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(!ads.is_empty());
    for job in &ads {
        schedule_now(app.db.conn(), org, job.shop_id, &job.stream)
            .await
            .unwrap();
    }
    while run_one(&app.state).await.unwrap() {}
    let data = app.gql_ok(&token, ANSWERS, range.clone()).await;
    every_answer_says(&data, false);
    let sources = data["marginAlerts"]["completeness"]["sources"]
        .as_array()
        .unwrap()
        .clone();
    let paused: Vec<&Value> = sources.iter().filter(|s| !s["gap"].is_null()).collect();
    assert!(!paused.is_empty(), "{sources:?}");
    assert!(
        paused.iter().all(|s| s["kind"] == "AD_ACCOUNT"),
        "only the ad accounts are missing: {sources:?}"
    );
    assert!(
        paused
            .iter()
            .all(|s| s["state"] != "IDLE" && s["gap"].as_str().unwrap().contains("synced up to")),
        "{paused:?}"
    );

    // The ad accounts' own status says the same, with the sync's error in words.
    let accounts = app.gql_ok(&token, ACCOUNTS, json!({})).await["adAccounts"].clone();
    for account in accounts.as_array().unwrap() {
        assert_eq!(account["syncStatus"]["state"], "PAUSED", "{account}");
        assert_eq!(account["status"], "NEEDS_REAUTH", "{account}");
        let error = account["syncStatus"]["lastError"].as_str().unwrap();
        assert!(error.contains("re-authorised"), "{error}");
    }

    // The seller connects the ad accounts again; once they have synced, the answer is whole.
    sandbox.faults().reset();
    connect_over_http(&app, "acme").await;
    drain(&app).await;
    let data = app.gql_ok(&token, ANSWERS, range).await;
    every_answer_says(&data, true);
    let accounts = app.gql_ok(&token, ACCOUNTS, json!({})).await["adAccounts"].clone();
    for account in accounts.as_array().unwrap() {
        assert_eq!(account["syncStatus"]["state"], "IDLE", "{account}");
        assert!(
            !account["syncStatus"]["lastSuccessAt"].is_null(),
            "{account}"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn another_orgs_sources_are_not_listed() {
    let sandbox = start_sandbox(2).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    drain(&app).await;
    let other = app.token("globex", "pnl:read");
    let query = r#"{ profitBySku(range: {from: "2026-01-01", to: "2026-01-31"}) { completeness { complete sources { name } } } }"#;
    let data = app.gql_ok(&other, query, json!({})).await;
    assert_eq!(
        data["profitBySku"]["completeness"],
        json!({ "complete": true, "sources": [] })
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn imported_statements_are_a_source_that_covers_its_last_day() {
    let app = crate::helpers::TestApp::spawn().await;
    crate::pnl::brand(&app).await;
    let token = app.token("acme", "pnl:read");
    let query = r#"query($to: Date!) { profitBySku(range: {from: "2026-01-01", to: $to}, currency: "USD") {
        completeness { complete sources { kind name state coveredThrough gap } } } }"#;
    let data = app
        .gql_ok(&token, query, json!({ "to": "2026-01-31" }))
        .await;
    let completeness = &data["profitBySku"]["completeness"];
    assert_eq!(completeness["complete"], false, "{completeness}");
    let sources = completeness["sources"].as_array().unwrap();
    assert!(
        sources
            .iter()
            .all(|s| s["kind"] == "IMPORT" && s["state"] == "IMPORTED"),
        "{sources:?}"
    );
    let us = sources.iter().find(|s| s["name"] == "US Shop").unwrap();
    let last = us["coveredThrough"].as_str().unwrap().to_owned();
    assert_eq!(
        us["gap"],
        format!("imported data reaches {last} only"),
        "{us}"
    );
    // A range that ends where the imports end is complete.
    let ends = sources
        .iter()
        .map(|s| s["coveredThrough"].as_str().unwrap())
        .min()
        .unwrap()
        .to_owned();
    let data = app.gql_ok(&token, query, json!({ "to": ends })).await;
    assert_eq!(
        data["profitBySku"]["completeness"]["complete"], true,
        "{data}"
    );
}
