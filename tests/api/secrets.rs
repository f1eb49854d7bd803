//! Secrets never leave the process: when a channel's token endpoint fails, what the API shows
//! (the GraphQL error of `connectTiktokShop`, the OAuth callbacks' answers, `lastError` and
//! `statusMessage`) names the channel, the endpoint and what went wrong, and holds no app
//! secret, token, authorisation code or URL with a query string.

use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sandbox::{DownHost, Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp, TestDb};
use crate::sync_engine::{config_for, drain};

const APP_SECRET: &str = "app-secret-5d0c1e7b9a";
const ADS_SECRET: &str = "ads-secret-8b2f4c6d1e";
const ADS_TOKEN_PATH: &str = "/open_api/v1.3/oauth2/access_token/";
const ADS_ACCESS_TOKEN: &str = "ads-access-token-3e9a7c5b1f";
const CONNECT: &str =
    "mutation($input: ConnectTiktokShopInput!) { connectTiktokShop(input: $input) { id } }";

/// The sandbox seller, a server whose TikTok Shop auth host and Marketing API host are down
/// (the Marketing API still grants a token), and the down host.
struct Rig {
    sandbox: Sandbox,
    down: DownHost,
    app: TestApp,
}

async fn rig() -> Rig {
    let sandbox = Sandbox::start(SandboxConfig {
        days: 2,
        orders_per_day: 1,
        app_secret: APP_SECRET.to_owned(),
        ads_secret: ADS_SECRET.to_owned(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let granted = json!({
        "code": 0,
        "message": "OK",
        "request_id": "ads-token-request",
        "data": { "access_token": ADS_ACCESS_TOKEN, "advertiser_ids": ["7100000000000000001"] },
    });
    let down = DownHost::start(&[(ADS_TOKEN_PATH, granted.to_string())])
        .await
        .unwrap();
    let db = TestDb::fresh().await;
    let mut config = config_for(&db, &sandbox);
    config.channels.tiktok.auth_base = down.base_url();
    config.channels.tiktok_ads.api_base = down.base_url();
    // Bind first to learn the port, so OAuth redirects come back to this server.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    let app = TestApp::spawn_with(db, config).await;
    Rig { sandbox, down, app }
}

/// The first `http://` or `https://` URL in `text` that carries a query string.
fn url_with_query(text: &str) -> Option<&str> {
    text.match_indices("http").find_map(|(at, _)| {
        let rest = &text[at..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            return None;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '<' | '>' | '\\'))
            .unwrap_or(rest.len());
        rest[..end].contains('?').then_some(&rest[..end])
    })
}

/// Asserts that `text` (what `what` showed) holds none of `secrets` and no URL with a query.
fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!secret.is_empty(), "an empty secret proves nothing");
        assert!(
            !text.contains(secret),
            "{what} shows the secret {secret:?}: {text}"
        );
    }
    if let Some(url) = url_with_query(text) {
        panic!("{what} shows the URL {url}: {text}");
    }
}

/// Sends `request` without following redirects; returns its `Location` and the cookies it sets
/// (as a `Cookie` header value: the callback must come from the browser that started).
async fn location(request: reqwest::RequestBuilder) -> (String, String) {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next())
        .collect();
    (
        response.headers()["location"].to_str().unwrap().to_owned(),
        cookies.join("; "),
    )
}

fn query_param(url: &str, name: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

#[tokio::test]
async fn a_failed_refresh_in_connect_tiktok_shop_names_the_endpoint_and_hides_the_tokens() {
    let Rig {
        sandbox: _sandbox,
        down,
        app,
    } = rig().await;
    let token = app.token("acme", "connectors:write");
    let now = chrono::Utc::now().timestamp();
    let (access, refresh) = ("access-token-6a1f0c9e2d", "refresh-token-0b7e3d5a4c");
    let (status, body) = app
        .gql(
            Some(&token),
            CONNECT,
            // An access token about to expire: connecting refreshes it first.
            json!({ "input": {
                "accessToken": access,
                "refreshToken": refresh,
                "accessTokenExpiresAt": now + 10,
                "refreshTokenExpiresAt": now + 86_400,
            } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        down.requests()
            .contains(&"GET /api/v2/token/refresh".to_owned()),
        "the refresh reached the token endpoint: {:?}",
        down.requests()
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert_clean(
        "connectTiktokShop's error",
        &body.to_string(),
        &[APP_SECRET, access, refresh],
    );
    assert!(
        message.contains("TikTok Shop") && message.contains("/api/v2/token/refresh"),
        "the error names the channel and the endpoint: {message}"
    );
}

#[tokio::test]
async fn failed_oauth_callbacks_name_the_endpoint_and_hide_the_code_and_the_secrets() {
    let Rig {
        sandbox: _sandbox,
        down,
        app,
    } = rig().await;
    let token = app.token("acme", "connectors:write");
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let cases = [
        (
            "/connect/tiktok",
            "code",
            "/api/v2/token/get",
            "TikTok Shop",
        ),
        (
            "/connect/tiktok-ads",
            "auth_code",
            "/open_api/v1.3/oauth2/advertiser/get/",
            "TikTok for Business",
        ),
    ];
    for (start, code_param, endpoint, channel) in cases {
        let (authorize, cookie) = location(client.get(app.url(start)).bearer_auth(&token)).await;
        let (callback, _) = location(client.get(&authorize)).await;
        let code = query_param(&callback, code_param);
        let response = client
            .get(&callback)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{start}: {body}");
        assert!(
            down.requests().iter().any(|r| r.ends_with(endpoint)),
            "{start}: the call reached {endpoint}: {:?}",
            down.requests()
        );
        assert_clean(
            &format!("the callback of {start}"),
            &body,
            &[APP_SECRET, ADS_SECRET, ADS_ACCESS_TOKEN, &code],
        );
        assert!(
            body.contains(channel) && body.contains(endpoint),
            "{start}: the answer names {channel} and {endpoint}: {body}"
        );
    }
}

#[tokio::test]
async fn last_error_after_a_failed_refresh_names_the_endpoint_and_hides_the_tokens() {
    let Rig {
        sandbox,
        app,
        down: _down,
    } = rig().await;
    // The seller's tokens, from the sandbox's own auth host (the server's is down).
    let code = sandbox.issue_auth_code();
    let issued: Value = reqwest::Client::new()
        .get(format!("{}/api/v2/token/get", sandbox.base_url()))
        .query(&[
            ("app_key", sandbox.config().app_key.as_str()),
            ("app_secret", APP_SECRET),
            ("auth_code", &code),
            ("grant_type", "authorized_code"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = &issued["data"];
    let (access, refresh) = (
        data["access_token"].as_str().unwrap(),
        data["refresh_token"].as_str().unwrap(),
    );
    let writer = app.token("acme", "connectors:write");
    app.gql_ok(
        &writer,
        CONNECT,
        json!({ "input": {
            "accessToken": access,
            "refreshToken": refresh,
            "accessTokenExpiresAt": data["access_token_expire_in"],
            "refreshTokenExpiresAt": data["refresh_token_expire_in"],
        } }),
    )
    .await;

    // TikTok expires the access token; the sync's refresh meets the down auth host.
    sandbox.faults().expire_access_tokens();
    tokio::time::timeout(Duration::from_secs(60), drain(&app))
        .await
        .unwrap();
    let reader = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(
            &reader,
            "{ shops { statusMessage syncStatus { state lastError } } }",
            json!({}),
        )
        .await;
    let shops = data["shops"].as_array().unwrap();
    assert!(!shops.is_empty());
    for shop in shops {
        let last_error = shop["syncStatus"]["lastError"]
            .as_str()
            .unwrap_or_else(|| panic!("the failed sync is reported: {shop}"));
        assert_clean(
            "shops { statusMessage syncStatus }",
            &shop.to_string(),
            &[APP_SECRET, access, refresh],
        );
        assert!(
            last_error.contains("TikTok Shop") && last_error.contains("/api/v2/token/refresh"),
            "lastError names the channel and the endpoint: {last_error}"
        );
    }
}
