//! Bulk operations, the OAuth install, webhooks and determinism, through real HTTP.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::queries;
use super::{config, Client, SHOP};
use crate::shopify::sign::{body_hmac, query_hmac};
use crate::Sandbox;

#[tokio::test]
async fn bulk_operations_run_poll_and_stream_every_order_as_jsonl() {
    let sandbox = Sandbox::start(config(100_000)).await.unwrap();
    let client = Client::new(&sandbox, SHOP);
    let inner = queries::BULK_ORDERS.replace("{filter}", "updated_at:>='2026-01-01T00:00:00Z'");
    let body = client.ok(queries::BULK_RUN, json!({"query": inner})).await;
    let op = &body["data"]["bulkOperationRunQuery"]["bulkOperation"];
    assert_eq!(op["status"], "CREATED");
    let id = op["id"].as_str().unwrap().to_owned();
    let again = client.ok(queries::BULK_RUN, json!({"query": inner})).await;
    assert!(
        again["data"]["bulkOperationRunQuery"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already in progress")
    );
    let mut url = None;
    for _ in 0..5 {
        let poll = client.ok(queries::BULK_POLL, json!({"id": id})).await;
        let node = &poll["data"]["node"];
        if node["status"] == "COMPLETED" {
            url = node["url"].as_str().map(str::to_owned);
            break;
        }
        assert_eq!(node["status"], "RUNNING");
    }
    let url = url.expect("completed with a url");
    assert!(url.contains("X-Goog-Signature="));
    let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let orders: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("__parentId").is_none())
        .collect();
    assert_eq!(orders.len(), sandbox.shopify().orders(SHOP).len());
    let children: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("__parentId").is_some())
        .collect();
    assert!(children
        .iter()
        .any(|l| l["id"].as_str().unwrap().contains("/LineItem/")));
    assert!(orders[0]["transactions"].is_array() && orders[0].get("lineItems").is_none());
    let forged = format!("{url}0");
    assert_eq!(reqwest::get(&forged).await.unwrap().status().as_u16(), 403);
    // A failing store's operation ends FAILED with its code.
    sandbox.faults().shopify().fail_bulk(SHOP);
    let body = client.ok(queries::BULK_RUN, json!({"query": inner})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut last = Value::Null;
    for _ in 0..3 {
        last = client.ok(queries::BULK_POLL, json!({"id": id})).await["data"]["node"].clone();
    }
    assert_eq!(last["status"], "FAILED");
    assert_eq!(last["errorCode"], "INTERNAL_SERVER_ERROR");
    assert!(last["url"].is_null());
}

#[tokio::test]
async fn oauth_install_signs_the_callback_and_exchanges_the_code_once() {
    let sandbox = Sandbox::start(config(100)).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("{}/shopify/{SHOP}/admin/oauth", sandbox.base_url());
    let response = http
        .get(format!("{base}/authorize?client_id=sandbox_shopify_key&scope=read_orders,read_products&redirect_uri=https://pnl.example/connect/shopify/callback&state=nonce123"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let url = reqwest::Url::parse(&location).unwrap();
    assert!(location.starts_with("https://pnl.example/connect/shopify/callback?"));
    let params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("state"), "nonce123");
    assert_eq!(get("shop"), SHOP);
    assert_eq!(get("hmac"), query_hmac("sandbox_shopify_secret", &params));
    assert_ne!(get("hmac"), query_hmac("another_secret", &params));
    let code = get("code");
    let wrong = http
        .post(format!("{base}/access_token"))
        .json(&json!({"client_id": "sandbox_shopify_key", "client_secret": "nope", "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 400);
    let ok: Value = http
        .post(format!("{base}/access_token"))
        .form(&[
            ("client_id", "sandbox_shopify_key"),
            ("client_secret", "sandbox_shopify_secret"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = ok["access_token"].as_str().unwrap();
    assert!(token.starts_with("shpat_"));
    assert_eq!(ok["scope"], "read_orders,read_products");
    let reused = http.post(format!("{base}/access_token"))
        .json(&json!({"client_id": "sandbox_shopify_key", "client_secret": "sandbox_shopify_secret", "code": code}))
        .send().await.unwrap();
    assert_eq!(reused.status().as_u16(), 400, "a code works once");
    let graphql = http
        .post(format!(
            "{}/shopify/{SHOP}/admin/api/2026-10/graphql.json",
            sandbox.base_url()
        ))
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": queries::SHOP}))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql.status().as_u16(), 200);
}

#[tokio::test]
async fn webhooks_carry_shopify_headers_and_a_body_signature_and_can_be_sent_twice() {
    let sandbox = Sandbox::start(config(100)).await.unwrap();
    let order = sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .find(|o| o.refunded > Decimal::ZERO)
        .unwrap();
    let hook = sandbox
        .shopify()
        .webhook(SHOP, "refunds/create", Some(&order.id), "2026-10")
        .unwrap();
    assert_eq!(
        hook.header("X-Shopify-Hmac-Sha256"),
        Some(body_hmac("sandbox_shopify_secret", hook.body.as_bytes()).as_str())
    );
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(body["order_id"].to_string(), order.legacy_id);
    for name in [
        "X-Shopify-Topic",
        "X-Shopify-Shop-Domain",
        "X-Shopify-Webhook-Id",
        "X-Shopify-API-Version",
        "X-Shopify-Triggered-At",
        "X-Shopify-Event-Id",
    ] {
        assert!(hook.header(name).is_some(), "{name}");
    }
    let created = sandbox
        .shopify()
        .webhook(SHOP, "orders/create", Some(&order.legacy_id), "2026-10")
        .unwrap();
    let body: Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(body["admin_graphql_api_id"], json!(order.id));
    assert_ne!(
        created.header("X-Shopify-Webhook-Id"),
        hook.header("X-Shopify-Webhook-Id")
    );
    // Sent twice: the same id both times (a receiver must de-duplicate).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen_in = std::sync::Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let seen = std::sync::Arc::clone(&seen_in);
            async move {
                let id = headers["x-shopify-webhook-id"].to_str().unwrap().to_owned();
                seen.lock().unwrap().push(id);
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!("http://{addr}/hook");
    assert_eq!(created.send(&url).await.unwrap(), 200);
    assert_eq!(created.send(&url).await.unwrap(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1]);
    assert!(sandbox
        .shopify()
        .webhook(SHOP, "app/uninstalled", None, "2026-10")
        .is_some());
}

#[tokio::test]
async fn the_same_seed_gives_the_same_stores() {
    let a = Sandbox::start(config(100_000)).await.unwrap();
    let b = Sandbox::start(config(100_000)).await.unwrap();
    assert_eq!(a.shopify().orders(SHOP), b.shopify().orders(SHOP));
    assert_eq!(
        a.shopify().payouts("euro.myshopify.com"),
        b.shopify().payouts("euro.myshopify.com")
    );
    let (ca, cb) = (Client::new(&a, SHOP), Client::new(&b, SHOP));
    let pa = ca.ok(queries::ORDERS, json!({"first": 3})).await;
    let pb = cb.ok(queries::ORDERS, json!({"first": 3})).await;
    assert_eq!(pa["data"], pb["data"]);
    let euro = a.shopify().orders("euro.myshopify.com");
    assert!(euro.iter().all(|o| o.mirrored_from.is_none()));
}
