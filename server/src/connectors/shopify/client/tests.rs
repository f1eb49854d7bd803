//! The client against a `sandbox::Sandbox` on a random port.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use futures::StreamExt;
use sandbox::{Sandbox, SandboxConfig, ShopifySandboxConfig, ShopifyStoreSpec};

use super::*;
use crate::config::Secret;
use crate::connectors::seam::ConnectorError;
use crate::connectors::shopify::config::DEFAULT_SCOPES;

const SHOP: &str = "client.myshopify.com";

async fn start(maximum_available: u32, restore_rate: u32) -> Sandbox {
    Sandbox::start(SandboxConfig {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        days: 20,
        orders_per_day: 2,
        shopify: ShopifySandboxConfig {
            stores: vec![ShopifyStoreSpec::us("client")],
            history_days: 15,
            maximum_available,
            restore_rate,
            ..ShopifySandboxConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn app(sandbox: &Sandbox) -> ShopifyAppConfig {
    ShopifyAppConfig {
        api_key: "sandbox_shopify_key".to_owned(),
        api_secret: Secret::new("sandbox_shopify_secret"),
        shop_url: format!("{}/shopify/{{shop}}", sandbox.base_url()),
        ..ShopifyAppConfig::default()
    }
}

fn quick() -> Backoff {
    Backoff {
        attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

fn client(sandbox: &Sandbox) -> ShopifyClient {
    let token = sandbox.shopify_access_token(SHOP).unwrap();
    ShopifyClient::new(&app(sandbox), reqwest::Client::new(), SHOP, token).with_backoff(quick())
}

async fn all_order_ids(client: &ShopifyClient) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = client
            .query(
                queries::ORDERS,
                json!({"first": queries::ORDERS_PAGE_SIZE, "after": after}),
            )
            .await
            .unwrap();
        assert!(
            page.body.contains("\"extensions\""),
            "the body is kept verbatim"
        );
        assert!(page.cost.is_some());
        let orders = &page.data["orders"];
        ids.extend(
            orders["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        if !orders["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return ids;
        }
        after = orders["pageInfo"]["endCursor"].clone();
    }
}

fn truth_ids(sandbox: &Sandbox) -> Vec<String> {
    let mut ids: Vec<String> = sandbox
        .shopify()
        .orders(SHOP)
        .into_iter()
        .map(|o| o.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn operation_names_are_read_from_documents() {
    assert_eq!(operation_name(queries::ORDERS), "PnlOrders");
    assert_eq!(operation_name(queries::BULK_RUN), "PnlBulkRun");
    assert_eq!(operation_name("{ shop { id } }"), "anonymous");
}

#[tokio::test]
async fn a_query_pages_through_every_order() {
    let sandbox = start(2000, 100_000).await;
    let mut ids = all_order_ids(&client(&sandbox)).await;
    ids.sort();
    assert!(ids.len() > 20);
    assert_eq!(ids, truth_ids(&sandbox));
}

#[tokio::test]
async fn the_bucket_is_waited_for_before_calls_and_throttled_answers_are_retried() {
    // A bucket barely bigger than one page: each page must wait for the points it needs.
    let sandbox = start(950, 2000).await;
    let client = client(&sandbox);
    let mut ids = all_order_ids(&client).await;
    ids.sort();
    assert_eq!(ids, truth_ids(&sandbox));
    let stats = sandbox.shopify().operation_stats("PnlOrders");
    assert_eq!(stats.throttled, 0, "no call met an empty bucket: {stats:?}");
    assert!(stats.requests > 5);
    let (waits, _) = client.throttle().waits();
    assert!(waits > 0, "the client waited before calls");
    // Injected THROTTLED answers (HTTP 200) are retried, not errors.
    sandbox.faults().shopify().throttle_next(2);
    let page = client.query(queries::SHOP, json!({})).await.unwrap();
    assert_eq!(page.data["shop"]["myshopifyDomain"], SHOP);
    assert_eq!(sandbox.shopify().operation_stats("PnlShop").throttled, 2);
    // Past the attempts: Throttled, a RateLimited connector error.
    sandbox.faults().shopify().throttle_next(10);
    let error = client.query(queries::SHOP, json!({})).await.unwrap_err();
    assert!(
        matches!(error, ShopifyError::Throttled { attempts: 5, .. }),
        "{error}"
    );
    assert!(matches!(
        ConnectorError::from(error),
        ConnectorError::RateLimited { .. }
    ));
    sandbox.faults().shopify().reset();
    // Server errors are retried too.
    sandbox.faults().shopify().fail_next(2);
    assert!(client.query(queries::SHOP, json!({})).await.is_ok());
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let sandbox = start(2000, 100_000).await;
    let client = client(&sandbox);
    sandbox.faults().shopify().throttle_next_429(1, 1);
    let started = Instant::now();
    client.query(queries::SHOP, json!({})).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_revoked_token_needs_reauthorisation_and_is_never_shown() {
    let sandbox = start(2000, 100_000).await;
    let token = sandbox.shopify_access_token(SHOP).unwrap();
    let client = ShopifyClient::new(&app(&sandbox), reqwest::Client::new(), SHOP, token.clone())
        .with_backoff(quick());
    sandbox.faults().shopify().revoke_tokens(SHOP);
    let error = client.query(queries::SHOP, json!({})).await.unwrap_err();
    assert!(error.needs_reauthorization(), "{error}");
    let text = error.to_string();
    assert!(text.contains("Invalid API key or access token"), "{text}");
    assert!(!text.contains(&token) && !format!("{error:?}").contains(&token));
    assert!(!format!("{client:?}").contains(&token));
    assert!(matches!(
        ConnectorError::from(error),
        ConnectorError::Reauthorize(_)
    ));
}

#[tokio::test]
async fn refused_queries_name_the_operation_and_shopify_s_words() {
    let sandbox = start(2000, 100_000).await;
    let client = client(&sandbox);
    let error = client
        .query(queries::ORDERS, json!({"first": 50}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ShopifyError::MaxCostExceeded { max: 1000, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("PnlOrders"));
    let error = client
        .query("query PnlOdd { shop { colour } }", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Shopify refused PnlOdd: Field 'colour' doesn't exist on type 'Shop'"
    );
}

#[tokio::test]
async fn a_bulk_export_runs_polls_and_streams_every_order() {
    let sandbox = start(2000, 100_000).await;
    let client = client(&sandbox);
    let inner = queries::BULK_ORDERS.replace("{filter}", "updated_at:>='2026-01-01T00:00:00Z'");
    let id = client.run_bulk(&inner).await.unwrap();
    let second = client.run_bulk(&inner).await.unwrap_err();
    assert!(
        second.to_string().contains("already in progress"),
        "{second}"
    );
    let progress = AtomicU64::new(0);
    let url = client
        .wait_bulk(&id, Duration::from_millis(10), &|n| {
            progress.fetch_add(1 + n, Ordering::SeqCst);
        })
        .await
        .unwrap()
        .unwrap();
    assert!(progress.load(Ordering::SeqCst) > 0);
    let lines: Vec<String> = client
        .download_lines(&url)
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    let mut ids: Vec<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("__parentId").is_none())
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, truth_ids(&sandbox));
    // A tampered URL: refused, and the error shows no part of the URL.
    let forged = format!("{url}0");
    let error = client.download_lines(&forged).await.err().unwrap();
    let text = error.to_string();
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(
        !text.contains("X-Goog")
            && !text.contains("shopify-bulk")
            && !text.contains(&sandbox.base_url()),
        "{text}"
    );
}

#[tokio::test]
async fn a_failed_bulk_operation_is_an_error_naming_its_code() {
    let sandbox = start(2000, 100_000).await;
    let client = client(&sandbox);
    sandbox.faults().shopify().fail_bulk(SHOP);
    let id = client
        .run_bulk(&queries::BULK_ORDERS.replace("{filter}", ""))
        .await
        .unwrap();
    let error = client
        .wait_bulk(&id, Duration::from_millis(5), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ShopifyError::BulkFailed { .. }));
    assert!(
        error.to_string().contains("FAILED") && error.to_string().contains("INTERNAL_SERVER_ERROR"),
        "{error}"
    );
}

#[tokio::test]
async fn lines_arrive_before_the_download_ends() {
    // A host that sends 2,000 lines, then holds the rest of the body until told to go on.
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let go = std::sync::Arc::new(std::sync::Mutex::new(Some(go_rx)));
    let first: String = (0..2000)
        .map(|i| format!("{{\"id\":\"gid://shopify/Order/{i}\"}}\n"))
        .collect();
    let app = axum::Router::new().route(
        "/big.jsonl",
        axum::routing::get(move || {
            let rx = go.lock().unwrap().take();
            let first = first.clone();
            async move {
                let head = futures::stream::once(async move {
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(first))
                });
                let tail = futures::stream::once(async move {
                    if let Some(rx) = rx {
                        let _ = rx.await;
                    }
                    Ok::<_, std::io::Error>(axum::body::Bytes::from("{\"id\":\"last\"}"))
                });
                axum::body::Body::from_stream(head.chain(tail))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let stream = download_lines(
        &reqwest::Client::new(),
        &format!("http://{addr}/big.jsonl?X-Goog-Signature=secret"),
    )
    .await
    .unwrap();
    let mut stream = Box::pin(stream);
    for i in 0..2000 {
        let line = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("a line before the body ended");
        assert_eq!(
            line.unwrap().unwrap(),
            format!("{{\"id\":\"gid://shopify/Order/{i}\"}}")
        );
    }
    go_tx.send(()).unwrap();
    assert_eq!(
        stream.next().await.unwrap().unwrap(),
        "{\"id\":\"last\"}",
        "the last line has no newline"
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn an_install_code_is_exchanged_once_and_never_shown() {
    let sandbox = start(2000, 100_000).await;
    let app = app(&sandbox);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .get(format!("{}/admin/oauth/authorize", app.shop_base(SHOP)))
        .query(&[
            ("client_id", "sandbox_shopify_key"),
            ("scope", DEFAULT_SCOPES),
            ("redirect_uri", "https://pnl.example/cb"),
            ("state", "n1"),
        ])
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (token, scope) = exchange_code(&app, &http, SHOP, &code).await.unwrap();
    assert_eq!(scope, DEFAULT_SCOPES);
    let client = ShopifyClient::new(&app, http.clone(), SHOP, token);
    assert!(client.query(queries::SHOP, json!({})).await.is_ok());
    let error = exchange_code(&app, &http, SHOP, &code).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("HTTP 400"), "{text}");
    assert!(
        !text.contains(&code) && !text.contains("sandbox_shopify_secret"),
        "{text}"
    );
}
