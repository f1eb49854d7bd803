//! What a user changes from the dashboard: an admin maps an unmapped fee label and sees its
//! lines move out of OTHER; a SKU without a unit cost gets one from the products page.

use pnl::import::{import_file, ImportOptions};
use serde_json::json;

use super::pages::sign_in;
use super::Browser;
use crate::helpers::{fixture, TestApp};

async fn import(app: &TestApp, name: &str) {
    let org = app.org_id("acme").await;
    import_file(&app.db, org, &fixture(name), &ImportOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_admin_maps_an_unmapped_fee_and_its_lines_move_out_of_other() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    import(&app, "tiktok/statement_transactions_202501.json").await;
    let token = app.token("acme", "pnl:read admin");
    sign_in(&browser, &app, &token, ("2025-11-01", "2025-11-30")).await;
    browser
        .find("nav a[href='#/connections']")
        .await
        .click()
        .await
        .unwrap();
    browser
        .find("tr.unmapped-fee[data-label=mystery_service_fee_amount] button.map")
        .await;
    browser
        .run(
            "const row = document.querySelector('tr.unmapped-fee[data-label=mystery_service_fee_amount]'); \
             row.querySelector('select').value = 'PROGRAM_FEES'; row.querySelector('button.map').click();",
            vec![],
        )
        .await;
    browser
        .until(
            "the label leaves the unmapped list",
            "return !document.querySelector('tr.unmapped-fee') && document.body.innerText.includes('Every fee label is mapped.')",
        )
        .await;

    // The line itself moved: OTHER keeps it and its reversal (append-only: they cancel), and
    // PROGRAM_FEES holds it now.
    let lines = r#"query($b: [FeeBucket!]) { pnlLines(range: {from: "2025-11-01", to: "2025-11-30"}, buckets: $b) { edges { node { label amount { amount } } } } }"#;
    let total = |data: &serde_json::Value| -> rust_decimal::Decimal {
        data["pnlLines"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["label"] == "mystery_service_fee_amount")
            .map(|e| {
                e["node"]["amount"]["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum()
    };
    let other = app.gql_ok(&token, lines, json!({ "b": ["OTHER"] })).await;
    assert!(total(&other).is_zero(), "{other}");
    let fees = app
        .gql_ok(&token, lines, json!({ "b": ["PROGRAM_FEES"] }))
        .await;
    assert_eq!(total(&fees), "-0.50".parse().unwrap(), "{fees}");
    browser.screenshot("connections-mapped").await;
    browser.close().await;
}

#[tokio::test]
async fn a_sku_without_a_cost_is_flagged_and_gets_one_from_the_products_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    import(&app, "tiktok/orders_202309.json").await;
    let token = app.token("acme", "pnl:read costs:write");
    sign_in(&browser, &app, &token, ("2025-11-01", "2025-11-30")).await;
    browser
        .find("nav a[href='#/products']")
        .await
        .click()
        .await
        .unwrap();
    let flag = "tr[data-sku=SKU-TEE-BLK-M] button.flag";
    browser.find(flag).await.click().await.unwrap();
    browser
        .run(
            "const f = document.querySelector('dialog form.cost-form'); \
             f.unitCost.value = '4.20'; f.effectiveFrom.value = '2025-11-01'; f.requestSubmit();",
            vec![],
        )
        .await;
    browser
        .until(
            "the flag goes once the cost is saved",
            &format!("return document.querySelector('tr[data-sku=SKU-TEE-BLK-M]') !== null && !document.querySelector('{flag}')"),
        )
        .await;
    let costs = app
        .gql_ok(&token, r#"{ productCosts(sku: "SKU-TEE-BLK-M") { unitCost { amount currency } effectiveFrom } }"#, json!({}))
        .await;
    assert_eq!(
        costs["productCosts"],
        json!([{ "unitCost": { "amount": "4.20", "currency": "USD" }, "effectiveFrom": "2025-11-01" }])
    );
    browser.close().await;
}
