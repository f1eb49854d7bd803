//! Tenancy of Shopify data: another org's token sees none of a connected shop, its ledger lines,
//! its payouts or its mirrored orders, and its own mirror source names are its own;
//! `setShopifyMirrorSourceNames` needs `admin`.

use serde_json::json;

use crate::helpers::error_code;
use crate::shopify::{connect_shopify, shops, small_shopify_sandbox, spawn_shopify};
use crate::sync_engine::drain;

const SHOP: &str = "tenant-goods.myshopify.com";
const SEEN: &str =
    "{ ledgerEntries(first: 500, filter: {channel: SHOPIFY}) { nodes { id orderId } } \
                    payouts(first: 500, filter: {channel: SHOPIFY}) { nodes { externalId } } \
                    mirroredOrders(limit: 1000) { shopId orderId rule matched } }";
const NAMES: &str = "{ shopifyMirrorSourceNames }";
const SET_NAMES: &str =
    "mutation($names: [String!]!) { setShopifyMirrorSourceNames(names: $names) }";

#[tokio::test]
async fn another_org_sees_none_of_a_shopify_shop_and_keeps_its_own_mirror_settings() {
    // Arrange: acme's shop synced (its store mirrors some TikTok orders).
    let sandbox = small_shopify_sandbox(&["tenant-goods"]).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", SHOP).await;
    drain(&app).await;
    let acme = app.token("acme", "pnl:read");
    let beta = app.token("beta", "pnl:read");
    let mirrored_in_store = sandbox
        .shopify()
        .orders(SHOP)
        .iter()
        .filter(|o| o.mirrored_from.is_some())
        .count();
    assert!(mirrored_in_store > 0, "the store mirrors TikTok orders");

    // Act
    let mine = app.gql_ok(&acme, SEEN, json!({})).await;
    let theirs = app.gql_ok(&beta, SEEN, json!({})).await;

    // Assert: acme sees its data, beta none of it.
    assert!(!mine["ledgerEntries"]["nodes"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(
        !mine["payouts"]["nodes"].as_array().unwrap().is_empty(),
        "{:?} {mine}",
        crate::shopify::shop_jobs(&app).await
    );
    let mirrored = mine["mirroredOrders"].as_array().unwrap();
    assert!(!mirrored.is_empty(), "{mine}");
    assert!(shops(&app, &beta).await.is_empty());
    assert_eq!(
        theirs,
        json!({"ledgerEntries": {"nodes": []}, "payouts": {"nodes": []}, "mirroredOrders": []})
    );
    let payout = mine["payouts"]["nodes"][0]["externalId"].clone();
    let (_, body) = app
        .gql(
            Some(&beta),
            "query($id: String!) { payout(channel: SHOPIFY, externalId: $id) { externalId } }",
            json!({ "id": payout }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let order = mirrored[0]["orderId"].as_str().unwrap();
    let (_, body) = app
        .gql(
            Some(&beta),
            "query($order: String!) { ledgerEntries(filter: {orderId: $order}) { nodes { id } } }",
            json!({ "order": order }),
        )
        .await;
    assert_eq!(body["data"]["ledgerEntries"]["nodes"], json!([]), "{body}");
}

#[tokio::test]
async fn mirror_source_names_are_each_orgs_own_and_need_admin_to_change() {
    // Arrange
    let sandbox = small_shopify_sandbox(&["tenant-goods"]).await;
    let app = spawn_shopify(&sandbox).await;
    let acme_admin = app.token("acme", "admin");
    let beta_admin = app.token("beta", "admin");
    let defaults =
        app.gql_ok(&acme_admin, NAMES, json!({})).await["shopifyMirrorSourceNames"].clone();
    assert!(
        !defaults.as_array().unwrap().is_empty(),
        "sensible defaults: {defaults}"
    );

    // Act: beta changes its own list; acme's writers without admin try to change acme's.
    let set = app
        .gql_ok(
            &beta_admin,
            SET_NAMES,
            json!({ "names": ["beta-marketplace"] }),
        )
        .await;
    for scopes in ["pnl:read", "connectors:write", "pnl:read connectors:write"] {
        let (_, body) = app
            .gql(
                Some(&app.token("acme", scopes)),
                SET_NAMES,
                json!({ "names": ["hijacked"] }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{scopes}: {body}");
    }

    // Assert
    assert_eq!(
        set["setShopifyMirrorSourceNames"],
        json!(["beta-marketplace"])
    );
    let beta_names = app.gql_ok(&beta_admin, NAMES, json!({})).await;
    assert_eq!(
        beta_names["shopifyMirrorSourceNames"],
        json!(["beta-marketplace"])
    );
    let acme_names = app
        .gql_ok(&app.token("acme", "pnl:read"), NAMES, json!({}))
        .await;
    assert_eq!(acme_names["shopifyMirrorSourceNames"], defaults);

    // acme's admin changes acme's list; beta's stays.
    app.gql_ok(&acme_admin, SET_NAMES, json!({ "names": ["acme-mirror"] }))
        .await;
    let beta_names = app.gql_ok(&beta_admin, NAMES, json!({})).await;
    assert_eq!(
        beta_names["shopifyMirrorSourceNames"],
        json!(["beta-marketplace"])
    );
}
