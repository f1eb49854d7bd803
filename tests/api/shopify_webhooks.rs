//! `POST /webhooks/shopify` end to end with the sandbox's signed deliveries: an order webhook
//! of a connected shop is stored once (a repeated delivery is a replay), a forged signature or a
//! changed body is refused storing nothing, `app/uninstalled` pauses the shop's sync and marks it
//! NEEDS_REAUTH, and an order webhook brings an order not synced yet into the ledger.

use std::time::Duration;

use reqwest::StatusCode;
use sandbox::{Sandbox, ShopifyOrderInfo, ShopifyStoreSpec, ShopifyWebhook};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::shopify::{connect_shopify, count_rows, shopify_sandbox, shops, spawn_shopify};

const SHOP: &str = "hook-goods.myshopify.com";
const VERSION: &str = "2026-10";

async fn connected() -> (Sandbox, TestApp) {
    let sandbox = shopify_sandbox(vec![ShopifyStoreSpec::us("hook-goods")]).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", SHOP).await;
    (sandbox, app)
}

/// A Shopify Payments order of the store that is its own (not mirrored, not a test, not
/// cancelled): its lines are the shop's to post.
fn own_order(sandbox: &Sandbox) -> ShopifyOrderInfo {
    sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .rev()
        .find(|o| {
            o.mirrored_from.is_none() && !o.test && !o.cancelled && o.gateway == "shopify_payments"
        })
        .expect("the store has an own Shopify Payments order")
}

/// POSTs `webhook` (its headers, `body` instead of its own): the status and the JSON answer.
async fn post(app: &TestApp, webhook: &ShopifyWebhook, body: &str) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(app.url("/webhooks/shopify"))
        .header("Content-Type", "application/json");
    for (name, value) in &webhook.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.body(body.to_owned()).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The ledger lines of Shopify order `legacy_id` that `org` sees.
async fn order_lines(app: &TestApp, org: &str, legacy_id: &str) -> Vec<Value> {
    let data = app
        .gql_ok(
            &app.token(org, "pnl:read"),
            "query($order: String!) { ledgerEntries(first: 500, filter: {channel: SHOPIFY, orderId: $order}) { nodes { bucket label status amount { amount currency } } } }",
            json!({ "order": legacy_id }),
        )
        .await;
    data["ledgerEntries"]["nodes"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_order_webhook_is_stored_once_and_a_repeated_delivery_is_a_replay() {
    // Arrange
    let (sandbox, app) = connected().await;
    let order = own_order(&sandbox);
    let webhook = sandbox
        .shopify()
        .webhook(SHOP, "orders/create", Some(&order.id), VERSION)
        .unwrap();
    let before = count_rows(&app, "raw_record").await;

    // Act
    let status = webhook.send(&app.url("/webhooks/shopify")).await.unwrap();
    let stored = count_rows(&app, "raw_record").await;
    let (again, answer) = post(&app, &webhook, &webhook.body).await;

    // Assert
    assert_eq!(status, 200);
    assert_eq!(stored, before + 1, "the delivery is stored once");
    assert_eq!(again, StatusCode::OK, "{answer}");
    assert_eq!(answer["replayed"], 1, "{answer}");
    assert_eq!(answer["stored"], 0, "{answer}");
    // Let the re-read spawned by the first delivery finish before counting again.
    wait_for_lines(&app, &order.legacy_id).await;
    let raw_webhooks = webhook_records(&app).await;
    assert_eq!(raw_webhooks, 1, "the replay stored a second delivery");
}

/// Raw records of Shopify webhook deliveries.
async fn webhook_records(app: &TestApp) -> usize {
    use sea_orm::EntityTrait;
    entities::raw_record::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
        .iter()
        .filter(|r| r.source_kind.starts_with("shopify.webhook."))
        .count()
}

/// Polls (up to 10 s) until order `legacy_id` has ledger lines; returns them.
async fn wait_for_lines(app: &TestApp, legacy_id: &str) -> Vec<Value> {
    for _ in 0..100 {
        let lines = order_lines(app, "acme", legacy_id).await;
        if !lines.is_empty() {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {legacy_id} never reached the ledger");
}

#[tokio::test]
async fn a_forged_signature_or_a_changed_body_is_refused_and_stores_nothing() {
    // Arrange
    let (sandbox, app) = connected().await;
    let order = own_order(&sandbox);
    let webhook = sandbox
        .shopify()
        .webhook(SHOP, "orders/create", Some(&order.id), VERSION)
        .unwrap();
    let mut forged = webhook.clone();
    for (name, value) in &mut forged.headers {
        if name.eq_ignore_ascii_case("X-Shopify-Hmac-Sha256") {
            *value = "AAAA".to_owned() + &value[4..];
        }
    }
    let changed_body = webhook.body.replacen("\"id\":", "\"id\":1", 1);
    assert_ne!(changed_body, webhook.body);
    let uninstall = sandbox
        .shopify()
        .webhook(SHOP, "app/uninstalled", None, VERSION)
        .unwrap();
    let mut unsigned = uninstall.clone();
    unsigned
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("X-Shopify-Hmac-Sha256"));
    let before = count_rows(&app, "raw_record").await;

    // Act + Assert
    for (what, hook, body) in [
        ("a forged signature", &forged, forged.body.as_str()),
        ("a changed body", &webhook, changed_body.as_str()),
        ("no signature", &unsigned, unsigned.body.as_str()),
    ] {
        let (status, answer) = post(&app, hook, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert!(
            !answer.to_string().contains("sandbox_shopify_secret"),
            "{answer}"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count_rows(&app, "raw_record").await, before, "stored");
    assert!(order_lines(&app, "acme", &order.legacy_id).await.is_empty());
    let listed = shops(&app, &app.token("acme", "pnl:read")).await;
    assert_eq!(
        listed[0]["status"], "ACTIVE",
        "an unsigned uninstall was obeyed"
    );
}

#[tokio::test]
async fn app_uninstalled_marks_the_shop_needs_reauth_and_pauses_its_sync() {
    // Arrange
    let (sandbox, app) = connected().await;
    let webhook = sandbox
        .shopify()
        .webhook(SHOP, "app/uninstalled", None, VERSION)
        .unwrap();

    // Act
    let status = webhook.send(&app.url("/webhooks/shopify")).await.unwrap();

    // Assert
    assert_eq!(status, 200);
    let data = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ shops { externalId status statusMessage syncStatus { state lastError } } }",
            json!({}),
        )
        .await;
    let shop = &data["shops"][0];
    assert_eq!(shop["externalId"], SHOP, "{data}");
    assert_eq!(shop["status"], "NEEDS_REAUTH", "{data}");
    assert_eq!(shop["syncStatus"]["state"], "PAUSED", "{data}");
    assert!(
        shop["statusMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("uninstalled"),
        "{data}"
    );
    // A paused job is not run.
    assert_eq!(crate::sync_engine::drain(&app).await, 0);
    assert_eq!(app.ledger_rows().await, 0);
}

#[tokio::test]
async fn an_order_webhook_brings_an_order_not_yet_synced_into_the_ledger() {
    // Arrange: connected, the backfill not run.
    let (sandbox, app) = connected().await;
    assert_eq!(app.ledger_rows().await, 0);
    let order = own_order(&sandbox);
    let other = sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .find(|o| o.legacy_id != order.legacy_id && o.mirrored_from.is_none() && !o.test)
        .unwrap();

    // Act
    let webhook = sandbox
        .shopify()
        .webhook(SHOP, "orders/create", Some(&order.legacy_id), VERSION)
        .unwrap();
    let status = webhook.send(&app.url("/webhooks/shopify")).await.unwrap();

    // Assert: that order's lines, and only that order's.
    assert_eq!(status, 200);
    let lines = wait_for_lines(&app, &order.legacy_id).await;
    assert!(
        lines.iter().any(|l| l["bucket"] == "PRODUCT_SALES"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|l| l["amount"]["currency"] == "USD"),
        "{lines:#?}"
    );
    assert!(order_lines(&app, "acme", &other.legacy_id).await.is_empty());
    // Another org sees none of it.
    assert!(order_lines(&app, "beta", &order.legacy_id).await.is_empty());
}

#[tokio::test]
async fn a_mirrored_orders_webhook_posts_nothing_and_a_later_sync_posts_the_webhooks_order_once() {
    // Arrange: a small store, connected, its backfill not run.
    let sandbox = crate::shopify::small_shopify_sandbox(&["hook-goods"]).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", SHOP).await;
    let orders = sandbox.shopify().orders(SHOP);
    let mirrored = orders
        .iter()
        .find(|o| o.mirrored_from.is_some())
        .expect("the store mirrors a TikTok order");
    let own = own_order(&sandbox);

    // Act: a webhook for each; then the scheduled sync.
    for order in [mirrored, &own] {
        let webhook = sandbox
            .shopify()
            .webhook(SHOP, "orders/updated", Some(&order.id), VERSION)
            .unwrap();
        assert_eq!(
            webhook.send(&app.url("/webhooks/shopify")).await.unwrap(),
            200
        );
    }
    let before = wait_for_lines(&app, &own.legacy_id).await;
    let total = |lines: &[Value]| -> rust_decimal::Decimal {
        lines
            .iter()
            .map(|l| {
                l["amount"]["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum()
    };
    crate::sync_engine::drain(&app).await;

    // Assert: the mirrored order is counted by its own channel, not here; the webhook's order
    // is in the ledger once (the sync may settle it, never add it again).
    assert!(
        order_lines(&app, "acme", &mirrored.legacy_id)
            .await
            .is_empty(),
        "a mirrored order was counted"
    );
    let data = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ mirroredOrders(limit: 1000) { orderId rule } }",
            json!({}),
        )
        .await;
    let listed = data["mirroredOrders"].as_array().unwrap();
    assert!(
        listed.iter().any(|m| m["orderId"]
            .as_str()
            .is_some_and(|id| id.ends_with(&mirrored.legacy_id))),
        "{data}"
    );
    let after = order_lines(&app, "acme", &own.legacy_id).await;
    // Whatever settled it, the order's sales are there once: not the webhook's plus the sync's.
    let sales = |lines: &[Value]| -> rust_decimal::Decimal {
        total(
            &lines
                .iter()
                .filter(|l| l["bucket"] == "PRODUCT_SALES")
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(sales(&after), sales(&before), "{before:#?}\n{after:#?}");
}

#[tokio::test]
async fn a_refund_webhook_re_reads_its_order_with_the_refund() {
    // Arrange: connected, not synced; an own order with a refund.
    let (sandbox, app) = connected().await;
    let order = sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .find(|o| {
            o.mirrored_from.is_none()
                && !o.test
                && !o.cancelled
                && o.gateway == "shopify_payments"
                && !o.refunded.is_zero()
        })
        .expect("the store has a refunded own order");
    let webhook = sandbox
        .shopify()
        .webhook(SHOP, "refunds/create", Some(&order.legacy_id), VERSION)
        .unwrap();

    // Act
    let status = webhook.send(&app.url("/webhooks/shopify")).await.unwrap();

    // Assert: the order's sale and its refund, the refund summing to what was refunded.
    assert_eq!(status, 200);
    let lines = wait_for_lines(&app, &order.legacy_id).await;
    assert!(
        lines.iter().any(|l| l["bucket"] == "PRODUCT_SALES"),
        "{lines:#?}"
    );
    let refunded: rust_decimal::Decimal = lines
        .iter()
        .filter(|l| {
            l["label"]
                .as_str()
                .unwrap_or_default()
                .starts_with("refund")
        })
        .map(|l| {
            l["amount"]["amount"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(-refunded, order.refunded, "{lines:#?}");
}
