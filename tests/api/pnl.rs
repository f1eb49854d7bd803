//! The P&L pivot against a small brand computed by hand: two shops in two currencies, a refund,
//! a creator's commission, an untied ad spend, and a unit cost that changes mid-period.

use chrono::{TimeZone, Utc};
use pnl::connectors::{catalog, SkuRef};
use pnl::ledger::{post, Channel, EntryStatus, FeeBucket, NewLine, PostRequest};
use pnl::money::{Currency, Money};
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub struct Brand {
    pub us: i64,
    pub uk: i64,
    pub tee: (i64, Option<i64>),
    pub mug: (i64, Option<i64>),
    pub mia: i64,
}

pub fn line(
    key: &str,
    shop: i64,
    listing: Option<(i64, Option<i64>)>,
    bucket: FeeBucket,
    (amount, currency): (&str, &str),
    quantity: i32,
    day: u32,
) -> NewLine {
    NewLine {
        entry_key: key.to_owned(),
        shop_id: Some(shop),
        channel: Channel::TikTokShop,
        order_id: Some(key.split(':').next().unwrap().to_owned()),
        order_line: None,
        listing_id: listing.map(|l| l.0),
        product_id: listing.and_then(|l| l.1),
        channel_product_id: None,
        creator_id: None,
        bucket,
        label: format!("{bucket}"),
        mapped: true,
        amount: Money::parse(amount, Currency::parse(currency).unwrap()).unwrap(),
        quantity,
        occurred_at: Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap(),
        status: EntryStatus::Settled,
        payout_id: None,
        source_kind: "test".to_owned(),
        source_id: "brand".to_owned(),
    }
}

pub async fn brand(app: &TestApp) -> Brand {
    let org = app.org_id("acme").await;
    let db = app.db.conn();
    let us = catalog::ensure_shop(db, org, Channel::TikTokShop, "us", "US Shop", Some("USD"))
        .await
        .unwrap()
        .id;
    let uk = catalog::ensure_shop(db, org, Channel::TikTokShop, "uk", "UK Shop", Some("GBP"))
        .await
        .unwrap()
        .id;
    let sku = |id: &str, seller: &str| SkuRef {
        channel_sku_id: id.to_owned(),
        seller_sku: Some(seller.to_owned()),
        channel_product_id: None,
        name: None,
    };
    let tee = catalog::ensure_listing(db, org, us, &sku("111", "SKU-TEE"))
        .await
        .unwrap();
    let mug = catalog::ensure_listing(db, org, uk, &sku("222", "SKU-MUG"))
        .await
        .unwrap();
    let mia = catalog::ensure_creator(db, org, Channel::TikTokShop, "mia")
        .await
        .unwrap();
    let b = Brand {
        us,
        uk,
        tee,
        mug,
        mia,
    };
    let lines = vec![
        line(
            "A:sale",
            b.us,
            Some(b.tee),
            FeeBucket::ProductSales,
            ("40.00", "USD"),
            2,
            10,
        ),
        line(
            "A:disc",
            b.us,
            Some(b.tee),
            FeeBucket::SellerDiscounts,
            ("-4.00", "USD"),
            0,
            10,
        ),
        line(
            "A:comm",
            b.us,
            Some(b.tee),
            FeeBucket::PlatformCommission,
            ("-2.88", "USD"),
            0,
            10,
        ),
        line(
            "C:sale",
            b.us,
            Some(b.tee),
            FeeBucket::ProductSales,
            ("20.00", "USD"),
            1,
            16,
        ),
        line(
            "B:sale",
            b.uk,
            Some(b.mug),
            FeeBucket::ProductSales,
            ("10.00", "GBP"),
            1,
            20,
        ),
        line(
            "B:comm",
            b.uk,
            Some(b.mug),
            FeeBucket::PlatformCommission,
            ("-0.90", "GBP"),
            0,
            20,
        ),
        line(
            "B:refund",
            b.uk,
            Some(b.mug),
            FeeBucket::Refunds,
            ("-10.00", "GBP"),
            -1,
            25,
        ),
        line(
            "ads:jan15",
            b.us,
            None,
            FeeBucket::Advertising,
            ("-5.00", "USD"),
            0,
            15,
        ),
    ];
    // Order A was driven by the creator mia: all its lines carry her.
    let commission = line(
        "A:aff",
        b.us,
        Some(b.tee),
        FeeBucket::AffiliateCommission,
        ("-3.60", "USD"),
        0,
        10,
    );
    let lines = lines
        .into_iter()
        .chain([commission])
        .map(|mut l| {
            if l.entry_key.starts_with("A:") {
                l.creator_id = Some(b.mia);
            }
            l
        })
        .collect();
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
    let token = app.token("acme", "costs:write");
    let costs = "sku,effective_from,currency,unit_cost\nSKU-TEE,2026-01-01,USD,6.00\nSKU-TEE,2026-01-15,USD,7.00\nSKU-MUG,2026-01-01,GBP,2.00\n";
    app.gql_ok(
        &token,
        "mutation($c: String!) { importProductCosts(csv: $c) { rows } }",
        json!({ "c": costs }),
    )
    .await;
    app.gql_ok(&token, r#"mutation { setFxRate(day: "2026-01-01", base: "GBP", quote: "USD", rate: "1.25") { rate } }"#, json!({})).await;
    b
}

const PNL: &str = r#"query($by: [Dimension!]!) { pnl(range: {from: "2026-01-01", to: "2026-01-31"}, groupBy: $by) {
  currency fxFallbacks missingCosts
  rows { key { sku channel period } ...row }
  total { ...row } } }
fragment row on PnlRow { netSales { amount } grossSales { amount } unitsSold unitsReturned orders cogs { amount } cogsComplete
  channelFees { amount } creatorCosts { amount } adCosts { amount } contributionProfit { amount } margin settledShare }"#;

fn amounts(row: &Value) -> Value {
    json!({
        "net": row["netSales"]["amount"], "gross": row["grossSales"]["amount"], "cogs": row["cogs"]["amount"],
        "fees": row["channelFees"]["amount"], "creator": row["creatorCosts"]["amount"], "ads": row["adCosts"]["amount"],
        "profit": row["contributionProfit"]["amount"], "margin": row["margin"],
    })
}

async fn pnl(app: &TestApp, token: &str, by: &[&str]) -> Value {
    app.gql_ok(token, PNL, json!({ "by": by })).await["pnl"].clone()
}

#[tokio::test]
async fn profit_by_sku_matches_the_hand_computed_brand() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read");
    let report = pnl(&app, &token, &["SKU"]).await;
    assert_eq!(report["currency"], "USD");
    let rows = report["rows"].as_array().unwrap();
    let by_sku = |sku: &str| {
        rows.iter()
            .find(|r| r["key"]["sku"] == sku)
            .unwrap_or_else(|| panic!("{sku} in {rows:?}"))
            .clone()
    };

    // The untied ad spend (-5.00) goes to the SKUs with net sales in the period: all of it to
    // the tee (the mug's net sales are zero after its refund).
    let tee = by_sku("SKU-TEE");
    assert_eq!(
        amounts(&tee),
        json!({ "net": "56.00", "gross": "60.00", "cogs": "-19.00", "fees": "-2.88", "creator": "-3.60", "ads": "-5.00", "profit": "25.52", "margin": "0.4557" })
    );
    assert_eq!(
        (
            tee["unitsSold"].as_i64(),
            tee["orders"].as_i64(),
            tee["cogsComplete"].as_bool()
        ),
        (Some(3), Some(2), Some(true))
    );
    // 2 units at 6.00 before the change on the 15th, 1 unit at 7.00 after it.

    let mug = by_sku("SKU-MUG");
    assert_eq!(
        amounts(&mug),
        json!({ "net": "0.00", "gross": "12.50", "cogs": "0.00", "fees": "-1.12", "creator": "0.00", "ads": "0.00", "profit": "-1.12", "margin": null })
    );
    assert_eq!(
        (mug["unitsSold"].as_i64(), mug["unitsReturned"].as_i64()),
        (Some(1), Some(1))
    );

    assert!(
        rows.iter().all(|r| r["key"]["sku"] != "(no SKU)"),
        "allocated: no untied row left"
    );

    let total = &report["total"];
    assert_eq!(
        amounts(total),
        json!({ "net": "56.00", "gross": "72.50", "cogs": "-19.00", "fees": "-4.00", "creator": "-3.60", "ads": "-5.00", "profit": "24.40", "margin": "0.4357" })
    );
    assert_eq!(total["settledShare"], "1.0000");
    assert_eq!(report["missingCosts"], json!([]));
    assert_eq!(
        report["fxFallbacks"],
        json!([
            "GBP→USD 2026-01-20 used the rate of 2026-01-01",
            "GBP→USD 2026-01-25 used the rate of 2026-01-01"
        ])
    );
}

#[tokio::test]
async fn channels_months_and_a_reporting_currency() {
    let app = TestApp::spawn().await;
    let b = brand(&app).await;
    let token = app.token("acme", "pnl:read");
    let report = pnl(&app, &token, &["CHANNEL", "MONTH"]).await;
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["key"],
        json!({ "sku": null, "channel": "TIKTOK_SHOP", "period": "2026-01" })
    );
    assert_eq!(amounts(&rows[0])["profit"], "24.40");

    // The UK shop alone, reported in GBP: 10.00 sold and refunded, 0.90 commission.
    let query = r#"query($shop: ID!) { pnl(range: {from: "2026-01-01", to: "2026-01-31"}, groupBy: [], filter: {shopId: $shop}, currency: "GBP") {
      currency total { netSales { amount } channelFees { amount } contributionProfit { amount } margin } } }"#;
    let data = app
        .gql_ok(&token, query, json!({ "shop": b.uk.to_string() }))
        .await;
    assert_eq!(data["pnl"]["currency"], "GBP");
    assert_eq!(
        data["pnl"]["total"],
        json!({ "netSales": { "amount": "0.00" }, "channelFees": { "amount": "-0.90" }, "contributionProfit": { "amount": "-0.90" }, "margin": null })
    );
    let _ = (b.us, b.tee, b.mug, b.mia);
}

#[tokio::test]
async fn a_missing_rate_or_cost_is_said_not_zeroed() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let shop = catalog::ensure_shop(
        app.db.conn(),
        org,
        Channel::TikTokShop,
        "jp",
        "JP",
        Some("JPY"),
    )
    .await
    .unwrap()
    .id;
    let listing = catalog::ensure_listing(
        app.db.conn(),
        org,
        shop,
        &SkuRef {
            channel_sku_id: "9".to_owned(),
            seller_sku: Some("SKU-X".to_owned()),
            channel_product_id: None,
            name: None,
        },
    )
    .await
    .unwrap();
    // A later listing sold earlier: the missing rate is named at the earliest day that lacks
    // one, whatever order the groups come in.
    let later = catalog::ensure_listing(
        app.db.conn(),
        org,
        shop,
        &SkuRef {
            channel_sku_id: "8".to_owned(),
            seller_sku: Some("SKU-Y".to_owned()),
            channel_product_id: None,
            name: None,
        },
    )
    .await
    .unwrap();
    let lines = vec![
        line(
            "J:sale",
            shop,
            Some(listing),
            FeeBucket::ProductSales,
            ("1200", "JPY"),
            1,
            5,
        ),
        line(
            "K:sale",
            shop,
            Some(later),
            FeeBucket::ProductSales,
            ("800", "JPY"),
            1,
            3,
        ),
    ];
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
    let token = app.token("acme", "pnl:read");
    let (_, body) = app.gql(Some(&token), PNL, json!({ "by": ["SKU"] })).await;
    assert_eq!(crate::helpers::error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["message"],
        "no FX rate from JPY to USD on or before 2026-01-03: add one with setFxRate"
    );

    let query = r#"{ pnl(range: {from: "2026-01-01", to: "2026-01-31"}, groupBy: [SKU], currency: "JPY") { missingCosts rows { cogsComplete cogs { amount } } } }"#;
    let data = app.gql_ok(&token, query, json!({})).await;
    assert_eq!(data["pnl"]["missingCosts"], json!(["SKU-X", "SKU-Y"]));
    assert_eq!(
        data["pnl"]["rows"][0],
        json!({ "cogsComplete": false, "cogs": { "amount": "0" } })
    );
}

#[tokio::test]
async fn another_org_sees_an_empty_pnl() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("globex", "pnl:read");
    let report = pnl(&app, &token, &["SKU"]).await;
    assert_eq!(report["rows"], json!([]));
    assert_eq!(amounts(&report["total"])["profit"], "0.00");
    let bad = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(
            Some(&bad),
            r#"{ pnl(range: {from: "2026-02-01", to: "2026-01-01"}, groupBy: []) { currency } }"#,
            json!({}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is before from"),
        "{body}"
    );
}
