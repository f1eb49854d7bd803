//! The report cache (`server/src/pnl/cache.rs`) on the hand-computed brand of `pnl.rs`: a
//! repeated report is served from memory, and every change to what a report reads (a posting,
//! a unit cost, an FX rate, the org's settings, a listing link, and names changed by plain SQL
//! behind the server's back) is in the next answer, which is exactly what an uncached report
//! gives; so are each shop's latest day, the shops and ad accounts (status included) and the
//! sync jobs, which every answer's completeness reads.

use chrono::NaiveDate;
use pnl::ledger::{post, FeeBucket, PostRequest};
use pnl::money::Currency;
use pnl::pnl::{Dimension, PnlFilter, PnlReport, PnlRequest, ReportCache};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;
use crate::pnl::{brand, line, Brand};

const PROFIT_BY_SKU: &str = r#"{ profitBySku(range: {from: "2026-01-01", to: "2026-01-31"}) {
  rows { key { sku } netSales { amount } cogs { amount } contributionProfit { amount } } } }"#;

#[tokio::test]
async fn a_repeated_report_is_served_from_memory_and_an_edit_is_seen_at_once() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read costs:write");
    let first = app.gql_ok(&token, PROFIT_BY_SKU, json!({})).await;
    let before = app.state.reports.stats();
    let second = app.gql_ok(&token, PROFIT_BY_SKU, json!({})).await;
    assert_eq!(first, second);
    let after = app.state.reports.stats();
    assert_eq!(
        (after.hits - before.hits, after.misses - before.misses),
        (1, 0)
    );

    // A new unit cost from the API is in the very next answer.
    app.gql_ok(
        &token,
        "mutation($c: String!) { importProductCosts(csv: $c) { rows } }",
        json!({ "c": "sku,effective_from,currency,unit_cost\nSKU-TEE,2026-01-01,USD,9.00\n" }),
    )
    .await;
    let third = app.gql_ok(&token, PROFIT_BY_SKU, json!({})).await;
    assert_ne!(third, second, "the new cost changes COGS");
    assert_eq!(app.state.reports.stats().misses, after.misses + 1);
}

fn request() -> PnlRequest {
    PnlRequest {
        from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        group_by: vec![Dimension::Shop, Dimension::Sku, Dimension::Creator],
        filter: PnlFilter::default(),
        currency: Some(Currency::parse("USD").unwrap()),
        time_zone: None,
    }
}

/// The app's cached answer, checked against the uncached one.
async fn cached_is_exact(app: &TestApp, org: i64) -> String {
    let db = app.db.conn();
    let cached = app.state.reports.report(db, org, &request()).await.unwrap();
    let fresh: PnlReport = ReportCache::new(0)
        .report(db, org, &request())
        .await
        .unwrap();
    let (cached, fresh) = (format!("{cached:?}"), format!("{fresh:?}"));
    assert_eq!(cached, fresh, "the cache answers what the ledger says now");
    // So does each shop's latest day, which every answer's completeness reads.
    let days = app.state.reports.last_days(db, org).await.unwrap();
    let fresh_days = ReportCache::new(0).last_days(db, org).await.unwrap();
    assert_eq!(days, fresh_days);
    let version = app.state.reports.version(db, org).await.unwrap();
    assert!(version.is_some(), "the org has a version");
    let sources = app
        .state
        .reports
        .sources_at(db, org, version)
        .await
        .unwrap();
    let fresh_sources = ReportCache::new(0).sources_at(db, org, None).await.unwrap();
    assert_eq!(sources, fresh_sources);
    let jobs = app.state.reports.jobs_at(db, org, version).await.unwrap();
    let fresh_jobs = ReportCache::new(0).jobs_at(db, org, None).await.unwrap();
    assert_eq!(jobs, fresh_jobs);
    format!("{cached} {days:?} {sources:?} {jobs:?}")
}

/// `org`'s (report version, jobs' version).
async fn versions(app: &TestApp, org: i64) -> (i64, i64) {
    let row = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_string(
            app.db.conn().get_database_backend(),
            format!(
                "SELECT v.version, COALESCE((SELECT j.version FROM sync_jobs_version j \
                 WHERE j.org_id = v.org_id), 0) AS jobs_version FROM report_version v \
                 WHERE v.org_id = {org}"
            ),
        ))
        .await
        .unwrap()
        .expect("the org has a version row");
    (
        row.try_get("", "version").unwrap(),
        row.try_get("", "jobs_version").unwrap(),
    )
}

async fn sql(app: &TestApp, statement: &str) {
    app.db.conn().execute_unprepared(statement).await.unwrap();
}

#[tokio::test]
async fn every_input_of_a_report_moves_its_version() {
    let app = TestApp::spawn().await;
    let b: Brand = brand(&app).await;
    let org = app.org_id("acme").await;
    let token = app.token("acme", "pnl:read costs:write admin");
    let mut last = cached_is_exact(&app, org).await;
    // Asked again with nothing changed: from memory.
    let hits = app.state.reports.stats().hits;
    assert_eq!(cached_is_exact(&app, org).await, last);
    assert_eq!(app.state.reports.stats().hits, hits + 1);

    // A column no answer reads (a shop's status message) keeps the answer cached.
    sql(
        &app,
        &format!(
            "UPDATE shop SET status_message = 'slow' WHERE id = {}",
            b.us
        ),
    )
    .await;
    let hits = app.state.reports.stats().hits;
    assert_eq!(cached_is_exact(&app, org).await, last);
    assert_eq!(app.state.reports.stats().hits, hits + 1);

    let tee_product = b.tee.1.expect("the tee's listing is linked");
    // Each change, then the answer: different from the last, and exact.
    for change in [
        "posting",
        "unit cost",
        "fx rate",
        "settings",
        "unlink",
        "shop name",
        "creator handle",
        "product sku",
        "shop status",
        "ad account",
        "ad account status",
        "sync job",
        "sync job cursor",
        "sync job failure",
    ] {
        match change {
            "posting" => {
                let mut sale = line(
                    "C:sale",
                    b.us,
                    Some(b.tee),
                    FeeBucket::ProductSales,
                    ("12.00", "USD"),
                    1,
                    28,
                );
                sale.creator_id = Some(b.mia);
                post(
                    &app.db,
                    org,
                    PostRequest {
                        lines: vec![sale],
                        ..PostRequest::default()
                    },
                )
                .await
                .unwrap();
            }
            "unit cost" => {
                app.gql_ok(
                    &token,
                    "mutation($c: String!) { importProductCosts(csv: $c) { rows } }",
                    json!({ "c": "sku,effective_from,currency,unit_cost\nSKU-TEE,2026-01-27,USD,8.00\n" }),
                )
                .await;
            }
            "fx rate" => {
                app.gql_ok(&token, r#"mutation { setFxRate(day: "2026-01-01", base: "GBP", quote: "USD", rate: "1.40") { rate } }"#, json!({})).await;
            }
            "settings" => {
                app.gql_ok(
                    &token,
                    "mutation { updateOrgSettings(input: {adAllocation: NONE}) { adAllocation } }",
                    json!({}),
                )
                .await;
            }
            "unlink" => {
                app.gql_ok(
                    &token,
                    "mutation($id: ID!) { unlinkListing(listingId: $id) { id } }",
                    json!({ "id": b.mug.0.to_string() }),
                )
                .await;
            }
            // Plain SQL behind the server's back: the triggers still see it.
            "shop name" => {
                sql(
                    &app,
                    &format!("UPDATE shop SET name = 'US Store' WHERE id = {}", b.us),
                )
                .await;
            }
            "creator handle" => {
                sql(
                    &app,
                    &format!("UPDATE creator SET handle = 'mia.b' WHERE id = {}", b.mia),
                )
                .await;
            }
            "product sku" => {
                sql(
                    &app,
                    &format!("UPDATE product SET sku = 'SKU-TEE-2' WHERE id = {tee_product}"),
                )
                .await;
            }
            "shop status" => {
                sql(
                    &app,
                    &format!(
                        "UPDATE shop SET status = 'NEEDS_REAUTH' WHERE id = {}",
                        b.us
                    ),
                )
                .await;
            }
            "ad account" => {
                sql(
                    &app,
                    &format!(
                        "INSERT INTO ad_account (org_id, channel, advertiser_id, name, time_zone, \
                         shop_id, status, created_at) VALUES ({org}, 'TIKTOK_SHOP', 'adv-1', \
                         'Ads', 'UTC', {}, 'ACTIVE', '2026-01-01T00:00:00Z')",
                        b.us
                    ),
                )
                .await;
            }
            "ad account status" => {
                sql(&app, "UPDATE ad_account SET status = 'DEAUTHORIZED'").await;
            }
            "sync job" => {
                sql(
                    &app,
                    &format!(
                        "INSERT INTO sync_state (org_id, shop_id, stream, state, updated_at) \
                         VALUES ({org}, {}, 'finance', 'IDLE', '2026-01-01T00:00:00Z')",
                        b.us
                    ),
                )
                .await;
            }
            "sync job cursor" => {
                sql(
                    &app,
                    "UPDATE sync_state SET cursor = '2026-01-20T00:00:00Z'",
                )
                .await;
            }
            "sync job failure" => {
                sql(
                    &app,
                    "UPDATE sync_state SET state = 'FAILED', last_error = 'throttled'",
                )
                .await;
            }
            _ => unreachable!(),
        }
        let now = cached_is_exact(&app, org).await;
        assert_ne!(now, last, "{change} changes the report");
        last = now;
    }

    // A job's progress, schedule and lock are read by no answer: neither version moves, and
    // the answer is the one kept.
    let (hits, before) = (app.state.reports.stats().hits, versions(&app, org).await);
    sql(
        &app,
        "UPDATE sync_state SET progress = '{}', locked_by = 'worker-1', \
         next_run_at = '2026-01-02T00:00:00Z'",
    )
    .await;
    assert_eq!(versions(&app, org).await, before);
    assert_eq!(cached_is_exact(&app, org).await, last);
    assert_eq!(app.state.reports.stats().hits, hits + 1);
    // A job's change moves the jobs' version alone: the report stays cached.
    sql(&app, "UPDATE sync_state SET state = 'IDLE'").await;
    let after = versions(&app, org).await;
    assert_eq!((after.0, after.1 > before.1), (before.0, true));
    assert_ne!(cached_is_exact(&app, org).await, last);
    assert_eq!(app.state.reports.stats().hits, hits + 2);
    sql(&app, "DELETE FROM sync_state").await;
    assert!(
        versions(&app, org).await.1 > after.1,
        "a removed job moves it"
    );

    // Another org asking the same question gets its own answer, not acme's.
    let other = app.org_id("beta").await;
    let theirs = app
        .state
        .reports
        .report(app.db.conn(), other, &request())
        .await
        .unwrap();
    assert!(theirs.rows.is_empty(), "{theirs:?}");
}
