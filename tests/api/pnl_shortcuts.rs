//! P&L shortcuts on the hand-computed brand of `pnl.rs`: KPIs and the ad allocation rule,
//! blended margin and margin alerts, org settings, profit per creator.

use chrono::{TimeZone, Utc};
use pnl::connectors::{catalog, SkuRef};
use pnl::ledger::Channel;
use serde_json::json;

use crate::helpers::TestApp;
use crate::pnl::brand;

const KPIS: &str = r#"{ profitBySku(range: {from: "2026-01-01", to: "2026-01-31"}) { adAllocation
  rows { key { sku } gmv { amount } aov { amount } refundRate roas tacos adCosts { amount } } } }"#;

#[tokio::test]
async fn kpis_and_the_ad_allocation_rule() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read admin");
    let data = app.gql_ok(&token, KPIS, json!({})).await["profitBySku"].clone();
    assert!(data["adAllocation"]
        .as_str()
        .unwrap()
        .contains("share of net sales"));
    let tee = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"]["sku"] == "SKU-TEE")
        .unwrap()
        .clone();
    assert_eq!(
        tee,
        json!({ "key": { "sku": "SKU-TEE" }, "gmv": { "amount": "60.00" }, "aov": { "amount": "28.00" }, "refundRate": "0.0000", "roas": "11.2000", "tacos": "0.0893", "adCosts": { "amount": "-5.00" } })
    );

    // With allocation off, untied spend keeps its own row.
    app.gql_ok(
        &token,
        "mutation { updateOrgSettings(input: {adAllocation: NONE}) { adAllocation } }",
        json!({}),
    )
    .await;
    let data = app.gql_ok(&token, KPIS, json!({})).await["profitBySku"].clone();
    assert!(data["adAllocation"].as_str().unwrap().contains("NONE"));
    let untied = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"]["sku"] == "(no SKU)")
        .unwrap()
        .clone();
    assert_eq!(untied["adCosts"]["amount"], "-5.00");
}

#[tokio::test]
async fn blended_margin_by_week_with_its_change_and_margin_alerts() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read");
    let query = r#"{ blendedMargin(range: {from: "2026-01-01", to: "2026-01-31"}, granularity: WEEK) { periods { period marginChange row { margin contributionProfit { amount } } } } }"#;
    let weeks = app.gql_ok(&token, query, json!({})).await["blendedMargin"]["periods"].clone();
    assert_eq!(
        weeks,
        json!([
            { "period": "2026-W02", "marginChange": null, "row": { "margin": "0.4867", "contributionProfit": { "amount": "17.52" } } },
            { "period": "2026-W03", "marginChange": "-0.0867", "row": { "margin": "0.4000", "contributionProfit": { "amount": "8.00" } } },
            { "period": "2026-W04", "marginChange": null, "row": { "margin": null, "contributionProfit": { "amount": "-1.12" } } },
        ])
    );

    let query = r#"{ marginAlerts(threshold: "0.50", range: {from: "2026-01-01", to: "2026-01-31"}) { alerts { sku margin previousMargin bucketMovedMost bucketChange } } }"#;
    let alerts = app.gql_ok(&token, query, json!({})).await["marginAlerts"]["alerts"].clone();
    assert_eq!(
        alerts,
        json!([{ "sku": "SKU-TEE", "margin": "0.4557", "previousMargin": null, "bucketMovedMost": "ADVERTISING", "bucketChange": "-0.0893" }])
    );
    let query = r#"{ blendedMargin(range: {from: "2026-01-01", to: "2026-01-31"}, granularity: SKU) { periods { period } } }"#;
    let (_, body) = app.gql(Some(&token), query, json!({})).await;
    assert_eq!(crate::helpers::error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_new_org_time_zone_re_dates_the_days() {
    let app = TestApp::spawn().await;
    brand(&app).await;
    let admin = app.token("acme", "admin");
    let data = app
        .gql_ok(
            &admin,
            "{ orgSettings { currency timeZone adAllocation } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["orgSettings"],
        json!({ "currency": "USD", "timeZone": "UTC", "adAllocation": "NET_SALES" })
    );
    app.gql_ok(
        &admin,
        r#"mutation { updateOrgSettings(input: {timeZone: "Pacific/Kiritimati"}) { timeZone } }"#,
        json!({}),
    )
    .await;
    // 12:00 UTC is 02:00 the next day at UTC+14.
    let query = r#"{ blendedMargin(range: {from: "2026-01-01", to: "2026-01-31"}, granularity: DAY) { periods { period } } }"#;
    let days = app.gql_ok(&admin, query, json!({})).await["blendedMargin"]["periods"].clone();
    assert_eq!(days[0]["period"], "2026-01-11");
    let (_, body) = app
        .gql(
            Some(&admin),
            r#"mutation { updateOrgSettings(input: {timeZone: "Mars/Olympus"}) { timeZone } }"#,
            json!({}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown time zone"),
        "{body}"
    );
    let (_, body) = app.gql(Some(&admin), r#"{ pnl(range: {from: "2026-01-01", to: "2026-01-31"}, groupBy: [], timeZone: "UTC") { currency } }"#, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Pacific/Kiritimati"),
        "{body}"
    );

    // Another org's settings are its own; a reader cannot change them.
    let other = app.token("globex", "admin");
    let data = app
        .gql_ok(&other, "{ orgSettings { timeZone } }", json!({}))
        .await;
    assert_eq!(data["orgSettings"]["timeZone"], "UTC");
    let reader = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(
            Some(&reader),
            r#"mutation { updateOrgSettings(input: {currency: "EUR"}) { currency } }"#,
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn profit_by_creator_counts_samples_and_flat_fees() {
    let app = TestApp::spawn().await;
    let b = brand(&app).await;
    let org = app.org_id("acme").await;
    // A free sample of the tee sent to mia on the 12th (cost 6.00 then).
    let sample = pnl::connectors::Attribution {
        order_id: "S1".to_owned(),
        sku: Some(SkuRef {
            channel_sku_id: "111".to_owned(),
            seller_sku: None,
            channel_product_id: None,
            name: None,
        }),
        creator: Some("mia".to_owned()),
        content_type: None,
        commission_rate: None,
        shop_ads_commission_rate: None,
        estimated_commission: None,
        actual_commission: None,
        quantity: 1,
        is_sample: true,
        occurred_at: Some(Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap()),
    };
    catalog::upsert_attribution(app.db.conn(), org, b.us, Channel::TikTokShop, &sample)
        .await
        .unwrap();
    let token = app.token("acme", "costs:write pnl:read");
    let fee = r#"mutation { setCreatorFee(input: {creator: "mia", periodStart: "2026-01-01", periodEnd: "2026-01-31", amount: "31.00", currency: "USD"}) }"#;
    app.gql_ok(&token, fee, json!({})).await;
    let query = r#"{ profitByCreator(range: {from: "2026-01-01", to: "2026-01-31"}) { creators { creator commission { amount } samples { amount } sampleUnits flatFees { amount } profit { amount } roi row { netSales { amount } contributionProfit { amount } } } } }"#;
    let data = app.gql_ok(&token, query, json!({})).await;
    assert_eq!(
        data["profitByCreator"]["creators"],
        json!([{
            "creator": "mia", "commission": { "amount": "-3.60" }, "samples": { "amount": "-6.00" }, "sampleUnits": 1,
            "flatFees": { "amount": "-31.00" }, "profit": { "amount": "-19.48" }, "roi": "-0.4798",
            "row": { "netSales": { "amount": "36.00" }, "contributionProfit": { "amount": "17.52" } },
        }])
    );
    // Half the fee's period in range: half the fee.
    let query = r#"{ profitByCreator(range: {from: "2026-01-01", to: "2026-01-16"}) { creators { flatFees { amount } } } }"#;
    let data = app.gql_ok(&token, query, json!({})).await;
    assert_eq!(
        data["profitByCreator"]["creators"][0]["flatFees"]["amount"],
        "-16.00"
    );
    // Another org sees no creators.
    let other = app.token("globex", "pnl:read");
    let data = app
        .gql_ok(
            &other,
            r#"{ profitByCreator(range: {from: "2026-01-01", to: "2026-01-31"}) { creators { creator } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["profitByCreator"]["creators"], json!([]));
}
