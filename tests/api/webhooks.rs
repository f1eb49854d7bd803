//! `POST /webhooks/tiktok`: a forged signature is refused with nothing stored; the published
//! example is accepted; a replay changes nothing; an order event re-reads the order; a
//! deauthorisation marks the shop.

use std::time::Duration;

use hmac::{Hmac, Mac};
use pnl::config::Secret;
use pnl::connectors::catalog;
use pnl::ledger::Channel;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{error_code, test_config, TestApp, TestDb};
use crate::sync_engine::{connect_over_http, spawn_for, start_sandbox};

const BODY: &str = r#"{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}"#;
const SIGNATURE: &str = "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27";

fn sign(key: &str, secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{key}{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn post(app: &TestApp, body: &str, signature: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/webhooks/tiktok"))
        .header("Authorization", signature)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn raw_records(app: &TestApp) -> u64 {
    entities::raw_record::Entity::find()
        .count(app.db.conn())
        .await
        .unwrap()
}

async fn app_with_published_keys() -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.channels.tiktok.app_key = "fake_app_key".to_owned();
    config.channels.tiktok.app_secret = Secret::new("fake_app_secret");
    let app = TestApp::spawn_with(db, config).await;
    let org = app.org_id("acme").await;
    catalog::ensure_shop(
        app.db.conn(),
        org,
        Channel::TikTokShop,
        "7494726673780148744",
        "Shop",
        Some("USD"),
    )
    .await
    .unwrap();
    app
}

#[tokio::test]
async fn a_forged_signature_is_refused_and_nothing_is_stored() {
    let app = app_with_published_keys().await;
    for signature in [
        "",
        "0000",
        &SIGNATURE.to_uppercase()[..10],
        &sign("fake_app_key", "wrong_secret", BODY),
    ] {
        let (status, body) = post(&app, BODY, signature).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{signature}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    // The right signature over a different body is forged too.
    let (status, _) = post(
        &app,
        &BODY.replace("AWAITING_SHIPMENT", "CANCELLED"),
        SIGNATURE,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw_records(&app).await, 0);
}

#[tokio::test]
async fn the_published_example_is_accepted_and_a_replay_changes_nothing() {
    let app = app_with_published_keys().await;
    let (status, body) = post(&app, BODY, SIGNATURE).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["stored"].as_i64(), body["replayed"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(raw_records(&app).await, 1);
    let (status, body) = post(&app, BODY, SIGNATURE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["stored"].as_i64(), body["replayed"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(raw_records(&app).await, 1);
}

#[tokio::test]
async fn an_order_event_re_reads_the_order_and_a_deauthorisation_marks_the_shop() {
    let sandbox = start_sandbox(20).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let shop = entities::shop::Entity::find()
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    // An order the ledger does not know yet (nothing has been synced).
    let (client, _) = pnl::connectors::tiktok::credentials::shop_client(&app.state, &shop).unwrap();
    let body = json!({ "create_time_ge": 0, "create_time_lt": chrono::Utc::now().timestamp() });
    let page = client
        .page(
            reqwest::Method::POST,
            "/order/202309/orders/search",
            &[("page_size", "50".to_owned())],
            Some(&body),
            None,
        )
        .await
        .unwrap();
    // An order with money (not a sample, not unpaid or cancelled), so its re-read posts lines:
    // which orders the sandbox's newest are depends on the day the test runs.
    let order = page.data["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|order| {
            order["is_sample_order"] != true
                && !matches!(order["status"].as_str(), Some("UNPAID" | "CANCELLED"))
        })
        .expect("an order with money among the newest 50")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (key, secret) = (
        sandbox.config().app_key.clone(),
        sandbox.config().app_secret.clone(),
    );
    let event = json!({ "type": 1, "shop_id": shop.external_id, "timestamp": 1, "tts_notification_id": "n-1", "data": { "order_id": order, "order_status": "COMPLETED" } }).to_string();
    let (status, _) = post(&app, &event, &sign(&key, &secret, &event)).await;
    assert_eq!(status, StatusCode::OK);

    let token = app.token("acme", "pnl:read");
    let query = r"query($o: String!) { ledgerEntries(filter: {orderId: $o}) { edges { node { status } } } }";
    let mut found = 0;
    for _ in 0..100 {
        let data = app.gql_ok(&token, query, json!({ "o": order })).await;
        found = data["ledgerEntries"]["edges"].as_array().unwrap().len();
        if found > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found > 0, "the webhook re-read order {order}");

    let event = json!({ "type": 6, "shop_id": shop.external_id, "timestamp": 2, "tts_notification_id": "n-2", "data": { "message": "seller revoked" } }).to_string();
    let (status, _) = post(&app, &event, &sign(&key, &secret, &event)).await;
    assert_eq!(status, StatusCode::OK);
    let data = app
        .gql_ok(
            &token,
            "{ shops { externalId status statusMessage syncStatus { state } } }",
            json!({}),
        )
        .await;
    let marked = data["shops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["externalId"] == shop.external_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            marked["status"].as_str(),
            marked["syncStatus"]["state"].as_str()
        ),
        (Some("DEAUTHORIZED"), Some("PAUSED"))
    );
    sandbox.shutdown().await;
}
