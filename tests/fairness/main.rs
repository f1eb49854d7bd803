//! Fair sharing between orgs, in a test binary of its own so no other test shares the cores:
//! while one org runs the heaviest request the limits allow, over and over from three clients,
//! another org's `me` and one-month `profitBySku` stay quick. What holds them apart: the
//! heavy org runs at most `graphql.org_concurrency` reports at a time (its other reports wait
//! their turn), so the other org still finds database connections and cores free.

#![allow(unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

// Only some helpers are used here.
#[allow(dead_code, unused_imports)]
#[path = "../api/helpers.rs"]
mod helpers;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use pnl::connectors::{catalog, SkuRef};
use pnl::ledger::{post, Channel, EntryStatus, FeeBucket, NewLine, PostRequest};
use pnl::money::{Currency, Money};
use serde_json::json;

use helpers::TestApp;

/// A year of daily sales of `skus` SKUs in one shop of `org`, three lines per sale.
async fn load_brand(app: &TestApp, org: &str, skus: usize, days: u64) {
    let org_id = app.org_id(org).await;
    let db = app.db.conn();
    let shop = catalog::ensure_shop(db, org_id, Channel::TikTokShop, "us", "US", Some("USD"))
        .await
        .unwrap()
        .id;
    let mut listings = Vec::new();
    for n in 0..skus {
        let sku = SkuRef {
            channel_sku_id: format!("{n}"),
            seller_sku: Some(format!("SKU-{n:03}")),
            channel_product_id: None,
            name: None,
        };
        listings.push(
            catalog::ensure_listing(db, org_id, shop, &sku)
                .await
                .unwrap(),
        );
    }
    let usd = Currency::parse("USD").unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for day in 0..days {
        let date = start.checked_add_days(Days::new(day)).unwrap();
        let at = Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap());
        let mut lines = Vec::new();
        for (n, listing) in listings.iter().enumerate() {
            for (component, bucket, cents) in [
                ("sale", FeeBucket::ProductSales, 2_500 + n as i64),
                ("comm", FeeBucket::PlatformCommission, -200),
                ("fee", FeeBucket::TransactionFees, -75),
            ] {
                lines.push(NewLine {
                    entry_key: format!("{org}:{day}:{n}:{component}"),
                    shop_id: Some(shop),
                    channel: Channel::TikTokShop,
                    order_id: Some(format!("{day}-{n}")),
                    order_line: None,
                    listing_id: Some(listing.0),
                    product_id: listing.1,
                    channel_product_id: None,
                    creator_id: None,
                    bucket,
                    label: format!("{bucket}"),
                    mapped: true,
                    amount: Money::from_minor(cents, usd),
                    quantity: i32::from(component == "sale"),
                    occurred_at: at,
                    status: EntryStatus::Settled,
                    payout_id: None,
                    source_kind: "test".to_owned(),
                    source_id: format!("{org}-{day}"),
                });
            }
        }
        let request = PostRequest {
            lines,
            ..PostRequest::default()
        };
        post(&app.db, org_id, request).await.unwrap();
    }
}

/// Three clients sending `query` as `token` until `stop`, on a thread and runtime of their own:
/// reading their answers (2 MB each) then competes with the server for the cores the way a
/// client in another process does (the kernel shares them), instead of running on the server's
/// own two workers between its requests. Returns how many answers they read.
fn heavy_clients(
    url: String,
    token: String,
    query: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let body = json!({ "query": query });
            let clients = (0..3).map(|_| async {
                let mut runs = 0;
                while !stop.load(Ordering::Relaxed) {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), reqwest::StatusCode::OK);
                    let answer: serde_json::Value = response.json().await.unwrap();
                    assert!(answer.get("errors").is_none(), "the heavy request failed");
                    runs += 1;
                }
                runs
            });
            futures::future::join_all(clients).await.into_iter().sum()
        })
    })
}

fn percentile(samples: &mut [Duration], share: f64) -> Duration {
    samples.sort();
    let at = ((samples.len() - 1) as f64 * share).round() as usize;
    samples[at]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_orgs_queries_stay_quick_while_one_org_runs_its_heaviest_request() {
    let app = Arc::new(TestApp::spawn().await);
    load_brand(&app, "heavy", 25, 365).await;
    load_brand(&app, "light", 5, 31).await;
    let heavy = app.token("heavy", "pnl:read");
    let light = app.token("light", "pnl:read");

    // Three year-long reports by SKU and day: the most the complexity limit admits.
    let report = r#"pnl(range: {from: "2026-01-01", to: "2026-12-31"}, groupBy: [SKU, DAY]) { rows { netSales { amount } contributionProfit { amount } } }"#;
    let heaviest = format!("{{ a: {report} b: {report} c: {report} }}");
    app.gql_ok(&heavy, &heaviest, json!({})).await;

    let month = r#"{ profitBySku(range: {from: "2026-01-01", to: "2026-01-31"}) { rows { key { sku } margin } } }"#;
    let measure = |app: Arc<TestApp>, token: String| async move {
        let (mut me, mut report) = (Vec::new(), Vec::new());
        for _ in 0..20 {
            let started = Instant::now();
            app.gql_ok(&token, "{ me { org } }", json!({})).await;
            me.push(started.elapsed());
            let started = Instant::now();
            app.gql_ok(&token, month, json!({})).await;
            report.push(started.elapsed());
        }
        (me, report)
    };
    let (mut idle_me, mut idle_report) = measure(Arc::clone(&app), light.clone()).await;

    let stop = Arc::new(AtomicBool::new(false));
    let load = heavy_clients(app.url("/graphql"), heavy, heaviest, Arc::clone(&stop));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (mut me, mut report) = measure(Arc::clone(&app), light.clone()).await;
    stop.store(true, Ordering::Relaxed);
    let heavy_runs = tokio::task::spawn_blocking(move || load.join().unwrap())
        .await
        .unwrap();

    // The tail is read at p90 of 20 samples: one sample may wait for a worker while a heavy
    // year-by-day answer (27,000 rows) is serialised, outside the org's gate. (When the heavy
    // clients parsed their answers on the server's own two workers, the test's JSON parsing held
    // both for 0.5 s at times in CI; they run on a thread of their own since.)
    let (me_p50, me_max) = (percentile(&mut me, 0.5), percentile(&mut me, 0.9));
    let (report_p50, report_max) = (percentile(&mut report, 0.5), percentile(&mut report, 0.9));
    eprintln!(
        "fairness: idle me p50 {:?}, month profitBySku p50 {:?}; under load ({heavy_runs} heavy \
         requests): me p50 {me_p50:?} p90 {me_max:?}, month profitBySku p50 {report_p50:?} p90 \
         {report_max:?}",
        percentile(&mut idle_me, 0.5),
        percentile(&mut idle_report, 0.5),
    );
    assert!(heavy_runs > 0, "the heavy org's requests ran meanwhile");
    assert!(
        me_p50 < Duration::from_millis(100) && me_max < Duration::from_millis(500),
        "me: p50 {me_p50:?}, p90 {me_max:?}"
    );
    assert!(
        report_p50 < Duration::from_millis(400) && report_max < Duration::from_millis(1_500),
        "month profitBySku: p50 {report_p50:?}, p90 {report_max:?}"
    );
}
