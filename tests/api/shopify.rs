//! Shared helpers for the Shopify end-to-end tests: a sandbox with Shopify stores, a server
//! whose `[shopify]` app points at it (with its real address as public URL, so the install
//! callback comes back to it), and the install round trip through a browser.

use pnl::config::{Config, Secret};
use reqwest::StatusCode;
use sandbox::{Sandbox, SandboxConfig, ShopifyStoreSpec};
use serde_json::{json, Value};

use crate::helpers::{Browser, TestApp, TestDb};
use crate::sync_engine::config_for;

/// The sandbox configuration the Shopify tests start from: a small TikTok world (the stores
/// mirror some of its orders) and `stores` with 30 days of history.
pub fn shopify_sandbox_config(stores: Vec<ShopifyStoreSpec>) -> SandboxConfig {
    let mut config = SandboxConfig {
        days: 20,
        orders_per_day: 2,
        ..SandboxConfig::default()
    };
    config.shopify.stores = stores;
    config
}

/// A sandbox with `stores` (see [`shopify_sandbox_config`]).
pub async fn shopify_sandbox(stores: Vec<ShopifyStoreSpec>) -> Sandbox {
    Sandbox::start(shopify_sandbox_config(stores))
        .await
        .unwrap()
}

/// A sandbox with a small store per name (2 orders a day over 10 days, a quarter of them
/// mirrored from TikTok): a whole sync of one takes seconds under the realistic cost bucket,
/// where the default store (8 a day over 30 days) takes minutes.
pub async fn small_shopify_sandbox(names: &[&str]) -> Sandbox {
    let stores = names
        .iter()
        .map(|name| ShopifyStoreSpec {
            orders_per_day: 2,
            mirrored_per_mille: 250,
            ..ShopifyStoreSpec::us(name)
        })
        .collect();
    let mut config = shopify_sandbox_config(stores);
    config.shopify.history_days = 10;
    Sandbox::start(config).await.unwrap()
}

/// The test configuration with the TikTok apps and the Shopify app pointed at `sandbox`
/// (`shopify.shop_url = "{sandbox}/shopify/{shop}"`), the backfill covering its history.
pub fn shopify_config_for(db: &TestDb, sandbox: &Sandbox) -> Config {
    let mut config = config_for(db, sandbox);
    let shopify = sandbox.shopify().config();
    config.channels.shopify.api_key = shopify.api_key.clone();
    config.channels.shopify.api_secret = Secret::new(shopify.api_secret.clone());
    config.channels.shopify.shop_url = format!("{}/shopify/{{shop}}", sandbox.base_url());
    config.sync.backfill_days = config
        .sync
        .backfill_days
        .max(shopify.history_days.saturating_add(2));
    config
}

/// A server for `sandbox` on a fresh database; its public URL is its real address.
pub async fn spawn_shopify(sandbox: &Sandbox) -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = shopify_config_for(&db, sandbox);
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    TestApp::spawn_with(db, config).await
}

/// Installs the app on the sandbox store `domain` for `org` through `/connect/shopify` in a
/// browser (with a `connectors:write` token), asserting the page says so.
pub async fn connect_shopify(app: &TestApp, org: &str, domain: &str) {
    let token = app.token(org, "connectors:write pnl:read");
    let (status, body) = Browser::default()
        .open(
            &app.url(&format!("/connect/shopify?shop={domain}")),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Connected 1 Shopify shop(s)"), "{body}");
    assert!(body.contains(domain), "{body}");
}

/// The shops `token` sees: `{ id channel externalId currency status name }` of each.
pub async fn shops(app: &TestApp, token: &str) -> Vec<Value> {
    let data = app
        .gql_ok(
            token,
            "{ shops { id channel externalId currency status name } }",
            json!({}),
        )
        .await;
    data["shops"].as_array().unwrap().clone()
}

/// Rows of `table` (every org).
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_string(
            app.db.backend(),
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// The `shopify.shop` sync jobs of every org.
pub async fn shop_jobs(app: &TestApp) -> Vec<entities::sync_state::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entities::sync_state::Entity::find()
        .filter(entities::sync_state::Column::Stream.eq("shopify.shop"))
        .all(app.db.conn())
        .await
        .unwrap()
}

/// Starts the install of `domain` in `browser` with `token` and follows it to the sandbox's
/// approval, stopping at the callback the sandbox redirects to: that URL, not yet opened.
pub async fn callback_url(
    app: &TestApp,
    browser: &mut Browser,
    token: &str,
    domain: &str,
) -> String {
    let (status, authorize, body) = browser
        .get(
            &app.url(&format!("/connect/shopify?shop={domain}")),
            Some(token),
        )
        .await;
    assert!(status.is_redirection(), "{status} {body}");
    let authorize = authorize.unwrap();
    let (status, callback, body) = browser.get(&authorize, None).await;
    assert!(status.is_redirection(), "{status} {body}");
    let callback = callback.unwrap();
    assert!(
        callback.starts_with(&app.url("/connect/shopify/callback?")),
        "{callback}"
    );
    callback
}

/// The query parameters of `url`, in order.
pub fn query_of(url: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The callback URL of `app` carrying `params`, with `hmac` signed as Shopify signs it: hex
/// HMAC-SHA256 under `secret` of the sorted `k=v` pairs (`hmac` left out) joined by `&`.
pub fn signed_callback(app: &TestApp, secret: &str, params: &[(String, String)]) -> String {
    use hmac::{Hmac, Mac};
    let mut pairs: Vec<String> = params
        .iter()
        .filter(|(k, _)| k != "hmac")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(pairs.join("&").as_bytes());
    let hmac = hex::encode(mac.finalize().into_bytes());
    let mut query: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "hmac")
        .cloned()
        .collect();
    query.push(("hmac".to_owned(), hmac));
    reqwest::Url::parse_with_params(&app.url("/connect/shopify/callback"), &query)
        .unwrap()
        .to_string()
}
