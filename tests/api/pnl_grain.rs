//! The pivot reads whole periods (weeks from `ledger_week`, months from `ledger_month`)
//! and keeps days apart only where FX or a cost change needs them. These tests hold it to the
//! day-by-day answer: for ranges that start and end inside months, across cost changes on and
//! between month boundaries, costs in other currencies, a cost that starts mid-range and daily
//! FX with gaps, every figure equals the sum of the same report grouped by DAY.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use pnl::connectors::{catalog, SkuRef};
use pnl::ledger::{post, Channel, EntryStatus, FeeBucket, NewLine, PostRequest};
use pnl::money::{Currency, Money};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const QUERY: &str = r#"query($from: Date!, $to: Date!, $by: [Dimension!]!) {
  pnl(range: {from: $from, to: $to}, groupBy: $by) {
    fxFallbacks missingCosts
    rows { key { channel shop sku product period } netSales { amount } grossSales { amount }
      cogs { amount } cogsComplete channelFees { amount } unitsSold unitsReturned orders } } }"#;

/// Four months of daily sales in two shops and currencies, with costs that change: two products
/// on the same day, two products in the same week, and one product twice in a week.
async fn seasons(app: &TestApp) {
    let org = app.org_id("acme").await;
    let db = app.db.conn();
    let shop = |id: &'static str, currency: &'static str| async move {
        catalog::ensure_shop(db, org, Channel::TikTokShop, id, id, Some(currency))
            .await
            .unwrap()
            .id
    };
    let (us, uk) = (shop("us", "USD").await, shop("uk", "GBP").await);
    let listing = |shop: i64, id: &'static str, seller: &'static str| async move {
        let sku = SkuRef {
            channel_sku_id: id.to_owned(),
            seller_sku: Some(seller.to_owned()),
            channel_product_id: None,
            name: None,
        };
        catalog::ensure_listing(db, org, shop, &sku).await.unwrap()
    };
    let tee = listing(us, "1", "TEE").await;
    let cap = listing(us, "2", "CAP").await;
    let hat = listing(us, "4", "HAT").await;
    let mug = listing(uk, "3", "MUG").await;
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut lines = Vec::new();
    for d in 0..120_i64 {
        let day = start + Duration::days(d);
        let at = Utc.from_utc_datetime(&day.and_hms_opt(15, 0, 0).unwrap());
        let mut add = |key: String,
                       shop: i64,
                       listing: (i64, Option<i64>),
                       bucket: FeeBucket,
                       minor: i64,
                       currency: &str,
                       quantity: i32| {
            lines.push(NewLine {
                entry_key: key,
                shop_id: Some(shop),
                channel: Channel::TikTokShop,
                order_id: Some(format!("o{d}")),
                order_line: None,
                listing_id: Some(listing.0),
                product_id: listing.1,
                channel_product_id: None,
                creator_id: None,
                bucket,
                label: bucket.to_string(),
                mapped: true,
                amount: Money::from_minor(minor, Currency::parse(currency).unwrap()),
                quantity,
                occurred_at: at,
                status: if d % 4 == 0 {
                    EntryStatus::Estimated
                } else {
                    EntryStatus::Settled
                },
                payout_id: None,
                source_kind: "test".to_owned(),
                source_id: "seasons".to_owned(),
            });
        };
        let units = i32::try_from(d % 3 + 1).unwrap();
        add(
            format!("{d}:tee"),
            us,
            tee,
            FeeBucket::ProductSales,
            1999 * i64::from(units),
            "USD",
            units,
        );
        add(
            format!("{d}:tee:fee"),
            us,
            tee,
            FeeBucket::PlatformCommission,
            -(137 + d),
            "USD",
            0,
        );
        add(
            format!("{d}:hat"),
            us,
            hat,
            FeeBucket::ProductSales,
            1500 * i64::from(units),
            "USD",
            units,
        );
        if d % 2 == 0 {
            add(
                format!("{d}:cap"),
                us,
                cap,
                FeeBucket::ProductSales,
                1250,
                "USD",
                1,
            );
        }
        add(
            format!("{d}:mug"),
            uk,
            mug,
            FeeBucket::ProductSales,
            899 + d,
            "GBP",
            1,
        );
        add(
            format!("{d}:mug:fee"),
            uk,
            mug,
            FeeBucket::PlatformCommission,
            -71,
            "GBP",
            0,
        );
        if d % 7 == 3 {
            add(
                format!("{d}:mug:refund"),
                uk,
                mug,
                FeeBucket::Refunds,
                -899,
                "GBP",
                -1,
            );
        }
    }
    post(
        &app.db,
        org,
        PostRequest {
            lines,
            ..PostRequest::default()
        },
    )
    .await
    .unwrap();

    let token = app.token("acme", "costs:write admin");
    let costs = "sku,effective_from,currency,unit_cost\n\
        TEE,2026-01-01,USD,6.00\nTEE,2026-02-01,USD,6.50\nTEE,2026-03-17,USD,7.25\n\
        TEE,2026-03-19,USD,7.40\nHAT,2026-01-01,USD,4.00\nHAT,2026-02-01,USD,4.40\n\
        HAT,2026-03-20,USD,4.90\nMUG,2026-01-01,GBP,2.00\nCAP,2026-01-10,EUR,3.10\n";
    app.gql_ok(
        &token,
        "mutation($c: String!) { importProductCosts(csv: $c) { rows } }",
        json!({ "c": costs }),
    )
    .await;
    let mut rates = String::from("day,base,quote,rate\n");
    for d in 0..120_i64 {
        let day = start + Duration::days(d);
        if d % 6 != 5 {
            rates.push_str(&format!(
                "{day},GBP,USD,{}\n",
                Decimal::new(12_500 + d * 7, 4)
            ));
        }
        if d % 10 == 0 {
            rates.push_str(&format!("{day},EUR,USD,{}\n", Decimal::new(10_800 + d, 4)));
        }
    }
    app.gql_ok(
        &token,
        "mutation($c: String!) { importFxRates(csv: $c) { rows } }",
        json!({ "c": rates }),
    )
    .await;
    // Untied ad spend would be allocated per period, which differs by design between a month
    // and its days; these tests compare everything else.
    app.gql_ok(
        &token,
        r#"mutation { updateOrgSettings(input: {adAllocation: NONE}) { adAllocation } }"#,
        json!({}),
    )
    .await;
}

type Figures = BTreeMap<String, (Vec<Decimal>, bool)>;

/// Rows keyed by their key without `period` unless `keep_period`, figures summed.
fn figures(report: &Value, keep_period: bool) -> Figures {
    let mut out: Figures = BTreeMap::new();
    for row in report["rows"].as_array().unwrap() {
        let mut key = row["key"].clone();
        if !keep_period {
            key["period"] = Value::Null;
        }
        let money =
            |field: &str| Decimal::from_str(row[field]["amount"].as_str().unwrap()).unwrap();
        let count = |field: &str| Decimal::from(row[field].as_i64().unwrap());
        let values = vec![
            money("netSales"),
            money("grossSales"),
            money("cogs"),
            money("channelFees"),
            count("unitsSold"),
            count("unitsReturned"),
            count("orders"),
        ];
        let entry = out
            .entry(key.to_string())
            .or_insert_with(|| (vec![Decimal::ZERO; values.len()], true));
        for (sum, value) in entry.0.iter_mut().zip(values) {
            *sum += value;
        }
        entry.1 &= row["cogsComplete"].as_bool().unwrap();
    }
    out
}

fn set(report: &Value, field: &str) -> BTreeSet<String> {
    report[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn run(app: &TestApp, token: &str, (from, to): (&str, &str), by: &[&str]) -> Value {
    app.gql_ok(token, QUERY, json!({ "from": from, "to": to, "by": by }))
        .await["pnl"]
        .clone()
}

#[tokio::test]
async fn whole_periods_add_up_to_their_days() {
    let app = TestApp::spawn().await;
    seasons(&app).await;
    let token = app.token("acme", "pnl:read");
    let ranges = [
        ("2026-01-01", "2026-04-30"),
        ("2026-01-15", "2026-04-10"),
        ("2026-02-01", "2026-03-31"),
        ("2026-03-05", "2026-03-25"),
        ("2026-01-20", "2026-02-28"),
        ("2026-01-05", "2026-03-29"),
        ("2026-01-07", "2026-03-18"),
    ];
    let groupings: [&[&str]; 7] = [
        &[],
        &["SKU"],
        &["MONTH", "SKU"],
        &["WEEK"],
        &["CHANNEL", "SHOP", "BUCKET"],
        &["MONTH", "PRODUCT"],
        &["WEEK", "SKU", "CHANNEL"],
    ];
    for (from, to) in ranges {
        for by in groupings {
            let whole = run(&app, &token, (from, to), by).await;
            let mut with_days = by.to_vec();
            with_days.push("DAY");
            let days = run(&app, &token, (from, to), &with_days).await;
            let has_period = by.iter().any(|d| matches!(*d, "MONTH" | "WEEK"));
            assert_eq!(
                figures(&whole, has_period),
                figures(&days, has_period),
                "{from}..{to} by {by:?}"
            );
            assert!(
                !whole["rows"].as_array().unwrap().is_empty(),
                "{from}..{to} by {by:?}"
            );
            assert_eq!(
                set(&whole, "fxFallbacks"),
                set(&days, "fxFallbacks"),
                "{from}..{to} by {by:?}"
            );
            assert_eq!(
                set(&whole, "missingCosts"),
                set(&days, "missingCosts"),
                "{from}..{to} by {by:?}"
            );
        }
    }
}
