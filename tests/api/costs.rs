//! Unit costs and FX rates: what a brand maintains for COGS and conversion.

use chrono::NaiveDate;
use pnl::costs::fx::rate_on;
use pnl::import::{import_file, ImportOptions};
use pnl::money::Currency;
use rust_decimal::Decimal;
use serde_json::json;

use crate::helpers::{error_code, fixture, TestApp};

const SET_COST: &str = r"mutation($input: SetProductCostInput!) { setProductCost(input: $input) { sku effectiveFrom unitCost { amount currency } freight { amount } } }";

fn cost(sku: &str, amount: &str, components: &serde_json::Value) -> serde_json::Value {
    json!({ "input": { "sku": sku, "unitCost": amount, "currency": "USD", "effectiveFrom": "2026-01-01", "components": components } })
}

#[tokio::test]
async fn unit_costs_are_set_listed_and_checked() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write pnl:read");
    let data = app
        .gql_ok(
            &token,
            SET_COST,
            cost(
                "SKU-TEE-BLK-M",
                "6.40",
                &json!({ "product": "5.00", "freight": "1.10", "packaging": "0.30" }),
            ),
        )
        .await;
    assert_eq!(
        data["setProductCost"]["unitCost"],
        json!({ "amount": "6.40", "currency": "USD" })
    );
    assert_eq!(data["setProductCost"]["freight"]["amount"], "1.10");

    let (_, body) = app
        .gql(
            Some(&token),
            SET_COST,
            cost("SKU-TEE-BLK-M", "6.40", &json!({ "product": "5.00" })),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("components add up to 5.00 USD but unitCost is 6.40 USD"),
        "{body}"
    );
    let (_, body) = app
        .gql(
            Some(&token),
            SET_COST,
            cost("SKU-TEE-BLK-M", "6.405", &json!(null)),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("more decimals than USD allows"),
        "{body}"
    );

    let later = json!({ "input": { "sku": "SKU-TEE-BLK-M", "unitCost": "7.00", "currency": "USD", "effectiveFrom": "2026-03-01" } });
    app.gql_ok(&token, SET_COST, later).await;
    let data = app
        .gql_ok(
            &token,
            r#"{ productCosts(sku: "SKU-TEE-BLK-M") { effectiveFrom unitCost { amount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["productCosts"],
        json!([
            { "effectiveFrom": "2026-01-01", "unitCost": { "amount": "6.40" } },
            { "effectiveFrom": "2026-03-01", "unitCost": { "amount": "7.00" } },
        ])
    );

    let reader = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(Some(&reader), SET_COST, cost("X", "1.00", &json!(null)))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn a_cost_csv_is_all_or_nothing_and_names_every_bad_cell() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write pnl:read");
    let import = "mutation($csv: String!) { importProductCosts(csv: $csv) { rows } }";
    let bad = "sku,effective_from,currency,unit_cost,freight\nSKU-A,2026-01-01,USD,4.00,\nSKU-B,01/02/2026,USD,3.00,\nSKU-C,2026-01-01,XXX,3.00,\nSKU-D,2026-01-01,USD,abc,\n";
    let (_, body) = app.gql(Some(&token), import, json!({ "csv": bad })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let message = body["errors"][0]["message"].as_str().unwrap();
    for expected in [
        "row 3, column effective_from, value \"01/02/2026\"",
        "row 4, column currency, value \"XXX\"",
        "row 5, column unit_cost, value \"abc\"",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
    let data = app
        .gql_ok(&token, "{ productCosts { sku } }", json!({}))
        .await;
    assert_eq!(
        data["productCosts"],
        json!([]),
        "nothing stored from a bad file"
    );

    let good = "sku,effective_from,currency,unit_cost,product,freight\nSKU-A,2026-01-01,USD,4.00,3.50,0.50\nSKU-B,2026-01-01,JPY,300,,\n";
    let data = app.gql_ok(&token, import, json!({ "csv": good })).await;
    assert_eq!(data["importProductCosts"]["rows"], 2);
    let (_, body) = app
        .gql(
            Some(&token),
            import,
            json!({ "csv": "sku,unit_cost\nA,1\n" }),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing column(s) effective_from, currency"),
        "{body}"
    );
}

#[tokio::test]
async fn products_without_a_cost_are_listed() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    import_file(
        &app.db,
        org,
        &fixture("tiktok/orders_202309.json"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let token = app.token("acme", "costs:write pnl:read");
    let data = app
        .gql_ok(&token, "{ productsWithoutCost }", json!({}))
        .await;
    assert_eq!(
        data["productsWithoutCost"],
        json!(["SKU-MUG-12", "SKU-TEE-BLK-M"])
    );
    app.gql_ok(
        &token,
        SET_COST,
        cost("SKU-TEE-BLK-M", "6.40", &json!(null)),
    )
    .await;
    let data = app
        .gql_ok(&token, "{ productsWithoutCost }", json!({}))
        .await;
    assert_eq!(data["productsWithoutCost"], json!(["SKU-MUG-12"]));
}

#[tokio::test]
async fn fx_rates_apply_on_their_day_or_the_latest_earlier_one() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write pnl:read");
    app.gql_ok(&token, r#"mutation { setFxRate(day: "2026-01-02", base: "GBP", quote: "USD", rate: "1.2715") { rate } }"#, json!({})).await;
    let data = app
        .gql_ok(&token, "mutation($csv: String!) { importFxRates(csv: $csv) { rows } }", json!({ "csv": "day,base,quote,rate\n2026-01-05,GBP,USD,1.2801\n2026-01-05,USD,JPY,157.3\n" }))
        .await;
    assert_eq!(data["importFxRates"]["rows"], 2);
    let (_, body) = app.gql(Some(&token), r#"mutation { setFxRate(day: "2026-01-02", base: "GBP", quote: "USD", rate: "-1") { rate } }"#, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rate must be positive"),
        "{body}"
    );

    let org = app.org_id("acme").await;
    let (gbp, usd, jpy) = (
        Currency::parse("GBP").unwrap(),
        Currency::parse("USD").unwrap(),
        Currency::parse("JPY").unwrap(),
    );
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let on = rate_on(app.db.conn(), org, gbp, usd, day(4)).await.unwrap();
    assert_eq!(
        (on.rate, on.day),
        (Decimal::new(12715, 4), day(2)),
        "the latest earlier rate, and which day it is"
    );
    let on = rate_on(app.db.conn(), org, gbp, usd, day(5)).await.unwrap();
    assert_eq!(on.rate, Decimal::new(12801, 4));
    let inverse = rate_on(app.db.conn(), org, jpy, usd, day(6)).await.unwrap();
    assert_eq!(
        inverse.rate.round_dp(8),
        (Decimal::ONE / Decimal::new(1573, 1)).round_dp(8)
    );
    let error = rate_on(app.db.conn(), org, gbp, usd, day(1))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no FX rate from GBP to USD on or before 2026-01-01: add one with setFxRate"
    );
}

#[tokio::test]
async fn another_org_sees_none_of_the_costs_or_rates() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write pnl:read");
    app.gql_ok(
        &token,
        SET_COST,
        cost("SKU-TEE-BLK-M", "6.40", &json!(null)),
    )
    .await;
    app.gql_ok(&token, r#"mutation { setFxRate(day: "2026-01-02", base: "GBP", quote: "USD", rate: "1.27") { rate } }"#, json!({})).await;
    let other = app.token("globex", "costs:write pnl:read");
    let data = app
        .gql_ok(
            &other,
            "{ productCosts { sku } fxRates { rate } productsWithoutCost }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "productCosts": [], "fxRates": [], "productsWithoutCost": [] })
    );
    app.gql_ok(
        &other,
        SET_COST,
        cost("SKU-TEE-BLK-M", "9.99", &json!(null)),
    )
    .await;
    let data = app
        .gql_ok(
            &token,
            "{ productCosts { unitCost { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["productCosts"],
        json!([{ "unitCost": { "amount": "6.40" } }])
    );
}
