//! Subscriptions are bounded: in number per connection and per org, and in time by their token —
//! an expired token or a revoked partner app ends them with an error saying why.

use std::time::Duration;

use futures::SinkExt;
use pnl::connectors::catalog;
use pnl::ledger::Channel;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{test_config, TestApp, TestDb};
use crate::oauth::partner_token;
use crate::subscription::{next, open, Socket, SUBSCRIBE};

async fn shop(app: &TestApp) -> String {
    let org = app.org_id("acme").await;
    catalog::ensure_shop(
        app.db.conn(),
        org,
        Channel::TikTokShop,
        "us",
        "US Shop",
        Some("USD"),
    )
    .await
    .unwrap()
    .id
    .to_string()
}

async fn subscribe(socket: &mut Socket, id: &str, shop: &str) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "id": shop } } });
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next message for subscription `id`, skipping others.
async fn next_for(socket: &mut Socket, id: &str) -> Value {
    loop {
        let message = next(socket).await;
        if message["id"] == id {
            return message;
        }
    }
}

#[tokio::test]
async fn a_connection_holds_at_most_its_share_of_subscriptions() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.graphql.subscriptions_per_connection = 2;
    let app = TestApp::spawn_with(db, config).await;
    let shop = shop(&app).await;
    let mut socket = open(&app, &app.token("acme", "pnl:read")).await;
    for id in ["1", "2"] {
        subscribe(&mut socket, id, &shop).await;
        assert_eq!(next_for(&mut socket, id).await["type"], "next");
    }
    subscribe(&mut socket, "3", &shop).await;
    let refused = next_for(&mut socket, "3").await;
    assert_eq!(
        refused["payload"]["errors"][0]["message"],
        "this connection has 2 subscriptions open, the most allowed: close one first",
        "{refused}"
    );
    // Stopping one frees its place.
    let stop = json!({ "id": "1", "type": "complete" });
    socket
        .send(Message::Text(stop.to_string().into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    subscribe(&mut socket, "4", &shop).await;
    assert_eq!(next_for(&mut socket, "4").await["type"], "next");
}

#[tokio::test]
async fn an_org_holds_at_most_its_share_over_every_connection() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.graphql.subscriptions_per_org = 1;
    let app = TestApp::spawn_with(db, config).await;
    let shop = shop(&app).await;
    let mut first = open(&app, &app.token("acme", "pnl:read")).await;
    subscribe(&mut first, "1", &shop).await;
    assert_eq!(next_for(&mut first, "1").await["type"], "next");
    let mut second = open(&app, &app.token("acme", "pnl:read")).await;
    subscribe(&mut second, "1", &shop).await;
    let refused = next_for(&mut second, "1").await;
    assert!(
        refused["payload"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the org has 1 subscriptions open"),
        "{refused}"
    );
}

#[tokio::test]
async fn an_expiring_token_ends_its_subscription() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let token = app.token_ttl("acme", "pnl:read", Duration::from_secs(3));
    let mut socket = open(&app, &token).await;
    subscribe(&mut socket, "1", &shop).await;
    assert_eq!(next_for(&mut socket, "1").await["type"], "next");
    let ended = tokio::time::timeout(Duration::from_secs(8), next_for(&mut socket, "1"))
        .await
        .expect("the subscription ends when its token expires");
    assert_eq!(
        ended["payload"]["errors"][0]["message"], "the token expired: reconnect with a new token",
        "{ended}"
    );
    assert_eq!(next_for(&mut socket, "1").await["type"], "complete");
}

#[tokio::test]
async fn revoking_a_partner_ends_its_subscriptions() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (token, id) = partner_token(&app, "acme", "pnl:read").await;
    let mut socket = open(&app, &token).await;
    subscribe(&mut socket, "1", &shop).await;
    assert_eq!(next_for(&mut socket, "1").await["type"], "next");
    pnl::auth::partner::revoke(app.db.conn(), &id)
        .await
        .unwrap();
    let ended = tokio::time::timeout(
        pnl::graphql::session::RECHECK + Duration::from_secs(5),
        next_for(&mut socket, "1"),
    )
    .await
    .expect("the subscription ends once the revocation is seen");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
}
