//! `syncProgress` over WebSocket (graphql-transport-ws): a frontend watches a backfill from
//! start to finish; another org's token gets NOT_FOUND and no events.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::TestApp;
use crate::sync_engine::{connect_over_http, drain, spawn_for, start_sandbox};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket to `/graphql/ws` speaking graphql-transport-ws, not yet initialised.
pub async fn connect(app: &TestApp) -> Socket {
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// [`connect`], then `connection_init` with `token`, acknowledged.
pub async fn open(app: &TestApp, token: &str) -> Socket {
    let mut socket = connect(app).await;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let ack = next(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(30), socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

pub const SUBSCRIBE: &str = "subscription($id: ID!) { syncProgress(shopId: $id) { name syncStatus { state progress { step done total } } } }";

#[tokio::test]
async fn a_frontend_watches_the_backfill_through_sync_progress() {
    let sandbox = start_sandbox(30).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let token = app.token("acme", "pnl:read");
    let shop = app.gql_ok(&token, "{ shops { id } }", json!({})).await["shops"][0]["id"].clone();

    let mut socket = open(&app, &token).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "id": shop } } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let first = next(&mut socket).await;
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(
        first["payload"]["data"]["syncProgress"]["syncStatus"]["state"],
        "IDLE"
    );

    let state = app.state.clone();
    let worker = tokio::spawn(async move { while pnl::sync::run_one(&state).await.unwrap() {} });
    let mut seen_steps = Vec::new();
    loop {
        let event = next(&mut socket).await;
        assert_eq!(event["type"], "next", "{event}");
        let status = &event["payload"]["data"]["syncProgress"]["syncStatus"];
        if let Some(step) = status["progress"]["step"].as_str() {
            if seen_steps.last().map(String::as_str) != Some(step) {
                seen_steps.push(step.to_owned());
            }
        }
        if status["state"] == "IDLE" && status["progress"]["step"] == "done" {
            break;
        }
    }
    worker.await.unwrap();
    assert!(
        seen_steps.iter().any(|s| s == "statement transactions"),
        "{seen_steps:?}"
    );
    socket.close(None).await.unwrap();
    drain(&app).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn another_orgs_token_cannot_watch_a_shop() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let owner = app.token("acme", "pnl:read");
    let shop = app.gql_ok(&owner, "{ shops { id } }", json!({})).await["shops"][0]["id"].clone();

    let mut socket = open(&app, &app.token("globex", "pnl:read")).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "id": shop } } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let event = next(&mut socket).await;
    assert!(
        event["payload"]["data"].is_null(),
        "no data for another org: {event}"
    );
    assert_eq!(
        event["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{event}"
    );
    sandbox.shutdown().await;
}
