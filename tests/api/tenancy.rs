//! A token of org A can neither read nor change anything of org B.

use pnl::ledger::raw::{Raw, RawInput};
use pnl::ledger::{post, Channel, EntryStatus, FeeBucket, NewLine, PostRequest};
use pnl::money::{Currency, Money};
use serde_json::json;

use crate::helpers::TestApp;

async fn seed_org_b(app: &TestApp) {
    let org = app.org_id("org-b").await;
    let line = NewLine {
        entry_key: "b:1".to_owned(),
        shop_id: None,
        channel: Channel::TikTokShop,
        order_id: Some("b-order".to_owned()),
        order_line: None,
        listing_id: None,
        product_id: None,
        channel_product_id: None,
        creator_id: None,
        bucket: FeeBucket::Other,
        label: "b_secret_fee".to_owned(),
        mapped: false,
        amount: Money::parse("-9.99", Currency::parse("GBP").unwrap()).unwrap(),
        quantity: 0,
        occurred_at: chrono::Utc::now(),
        status: EntryStatus::Settled,
        payout_id: None,
        source_kind: "test".to_owned(),
        source_id: "b".to_owned(),
    };
    let raw = RawInput {
        channel: Channel::TikTokShop,
        shop_id: None,
        source_kind: "test".to_owned(),
        source_id: "b".to_owned(),
        payload: "{}".to_owned(),
    };
    post(
        &app.db,
        org,
        PostRequest {
            raw: Some(Raw::New(raw)),
            lines: vec![line],
            retire: vec![],
        },
    )
    .await
    .unwrap();
    let token_b = app.token("org-b", "admin");
    app.gql_ok(
        &token_b,
        r#"mutation { setFeeMapping(input: {channel: TIKTOK_SHOP, label: "b_label", bucket: STORAGE}) { label } }"#,
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn org_a_sees_none_of_org_bs_ledger_mappings_or_unmapped_fees() {
    let app = TestApp::spawn().await;
    seed_org_b(&app).await;
    let token_a = app.token("org-a", "admin");
    let data = app
        .gql_ok(
            &token_a,
            "{ me { org } ledgerEntries { edges { node { id } } } feeMappings { label } unmappedFees { label } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "me": { "org": "org-a" }, "ledgerEntries": { "edges": [] }, "feeMappings": [], "unmappedFees": [] })
    );
    // Filtering by org B's own identifiers finds nothing either.
    let data = app
        .gql_ok(&token_a, r#"{ ledgerEntries(filter: {orderId: "b-order", entryKey: "b:1"}) { edges { node { id } } } }"#, json!({}))
        .await;
    assert_eq!(data["ledgerEntries"]["edges"], json!([]));
}

#[tokio::test]
async fn org_as_mapping_change_does_not_touch_org_b() {
    let app = TestApp::spawn().await;
    seed_org_b(&app).await;
    let token_a = app.token("org-a", "admin");
    app.gql_ok(
        &token_a,
        r#"mutation { setFeeMapping(input: {channel: TIKTOK_SHOP, label: "b_label", bucket: PENALTIES}) { bucket } }"#,
        json!({}),
    )
    .await;
    let token_b = app.token("org-b", "pnl:read");
    let data = app
        .gql_ok(&token_b, "{ feeMappings { label bucket } }", json!({}))
        .await;
    assert_eq!(
        data["feeMappings"],
        json!([{ "label": "b_label", "bucket": "STORAGE" }])
    );
}
