//! Secrets never reach the logs: the real binary, `pnl serve` at `RUST_LOG=trace`, with TikTok's
//! auth host and the Marketing API host down, goes through a failed token refresh in
//! `connectTiktokShop`, failed OAuth callbacks (TikTok Shop and TikTok for Business) and a sync
//! whose refresh fails; its whole output then holds no app secret, token, authorisation code or
//! URL with a query string.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sandbox::{DownHost, Sandbox, SandboxConfig};
use serde_json::{json, Value};

const APP_SECRET: &str = "app-secret-91c3e5a7b2";
const ADS_SECRET: &str = "ads-secret-47d9f1b3c6";
const ADS_ACCESS_TOKEN: &str = "ads-access-token-d2c8a0e6f4";
const FAKE_ACCESS: &str = "access-token-e4b2d9a1c7";
const FAKE_REFRESH: &str = "refresh-token-7f3a5c1e9b";
const CONNECT: &str =
    "mutation($input: ConnectTiktokShopInput!) { connectTiktokShop(input: $input) { id } }";

/// `pnl serve` on `data_dir`, logging everything into `log`, until dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn token(data_dir: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pnl"))
        .args([
            "token",
            "--org",
            "acme",
            "--scopes",
            "connectors:write pnl:read",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("PNL_JWT_SECRET")
        .env_remove("PNL_CONFIG")
        .env_remove("PNL_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

async fn serve(data_dir: &Path, log: &Path, sandbox: &Sandbox, down: &DownHost) -> Server {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = probe.local_addr().unwrap();
    drop(probe);
    let base = format!("http://{listen}");
    let sandbox_url = sandbox.base_url();
    let out = std::fs::File::create(log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_pnl"))
        .args(["serve", "--listen", &listen.to_string(), "--data-dir"])
        .arg(data_dir)
        .env_remove("PNL_JWT_SECRET")
        .env_remove("PNL_CONFIG")
        .env_remove("PNL_DATABASE_URL")
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .env("PNL_PUBLIC_URL", &base)
        .env("PNL_TIKTOK__APP_KEY", &sandbox.config().app_key)
        .env("PNL_TIKTOK__APP_SECRET", APP_SECRET)
        .env("PNL_TIKTOK__API_BASE", &sandbox_url)
        .env("PNL_TIKTOK__AUTH_BASE", down.base_url())
        .env(
            "PNL_TIKTOK__AUTHORIZE_URL",
            format!("{sandbox_url}/oauth/authorize"),
        )
        .env("PNL_TIKTOK_ADS__APP_ID", &sandbox.config().ads_app_id)
        .env("PNL_TIKTOK_ADS__SECRET", ADS_SECRET)
        .env("PNL_TIKTOK_ADS__API_BASE", down.base_url())
        .env(
            "PNL_TIKTOK_ADS__AUTHORIZE_URL",
            format!("{sandbox_url}/portal/auth"),
        )
        .env("PNL_SYNC__POLL", "1s")
        .env("PNL_SYNC__INTERVAL", "2s")
        .env("PNL_SYNC__BACKFILL_DAYS", "3")
        .current_dir(data_dir)
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, base };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{}/healthz", server.base)).send().await {
            if response.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "pnl serve did not start: {}",
        std::fs::read_to_string(log).unwrap()
    );
}

async fn gql(server: &Server, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
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

/// Runs an OAuth round trip from `start` whose callback fails; returns the code it carried.
async fn failed_callback(server: &Server, token: &str, start: &str, code_param: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let (authorize, cookie) = location(
        client
            .get(format!("{}{start}", server.base))
            .bearer_auth(token),
    )
    .await;
    let (callback, _) = location(client.get(&authorize)).await;
    let code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == code_param)
        .map(|(_, value)| value.into_owned())
        .unwrap();
    let response = client
        .get(&callback)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{start}: {body}");
    code
}

/// The seller's tokens, from the sandbox's own auth host.
async fn issued_tokens(sandbox: &Sandbox) -> Value {
    let issued: Value = reqwest::Client::new()
        .get(format!("{}/api/v2/token/get", sandbox.base_url()))
        .query(&[
            ("app_key", sandbox.config().app_key.as_str()),
            ("app_secret", APP_SECRET),
            ("auth_code", &sandbox.issue_auth_code()),
            ("grant_type", "authorized_code"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["data"].clone()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_level_log_of_failed_token_calls_holds_no_secret() {
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
    let down = DownHost::start(&[("/open_api/v1.3/oauth2/access_token/", granted.to_string())])
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("pnl.log");
    let token = token(data_dir.path());
    let server = serve(data_dir.path(), &log, &sandbox, &down).await;

    // connectTiktokShop with an access token about to expire: the refresh fails.
    let now = chrono::Utc::now().timestamp();
    let body = gql(
        &server,
        &token,
        CONNECT,
        json!({ "input": {
            "accessToken": FAKE_ACCESS,
            "refreshToken": FAKE_REFRESH,
            "accessTokenExpiresAt": now + 10,
            "refreshTokenExpiresAt": now + 86_400,
        } }),
    )
    .await;
    assert!(body["errors"].is_array(), "{body}");

    // Both OAuth callbacks fail.
    let shop_code = failed_callback(&server, &token, "/connect/tiktok", "code").await;
    let ads_code = failed_callback(&server, &token, "/connect/tiktok-ads", "auth_code").await;

    // A connected shop whose access token TikTok then expires: a sync's refresh fails.
    let issued = issued_tokens(&sandbox).await;
    let (access, refresh) = (
        issued["access_token"].as_str().unwrap().to_owned(),
        issued["refresh_token"].as_str().unwrap().to_owned(),
    );
    let body = gql(
        &server,
        &token,
        CONNECT,
        json!({ "input": {
            "accessToken": access,
            "refreshToken": refresh,
            "accessTokenExpiresAt": issued["access_token_expire_in"],
            "refreshTokenExpiresAt": issued["refresh_token_expire_in"],
        } }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    sandbox.faults().expire_access_tokens();
    let mut last_error = Value::Null;
    for _ in 0..600 {
        let body = gql(
            &server,
            &token,
            "{ shops { syncStatus { lastError } } }",
            json!({}),
        )
        .await;
        last_error = body["data"]["shops"][0]["syncStatus"]["lastError"].clone();
        if !last_error.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(last_error.is_string(), "the sync failed: {last_error}");
    let requests = down.requests();
    for endpoint in [
        "GET /api/v2/token/refresh",
        "GET /api/v2/token/get",
        "GET /open_api/v1.3/oauth2/advertiser/get/",
    ] {
        assert!(
            requests.iter().any(|r| r == endpoint),
            "{endpoint} was called: {requests:?}"
        );
    }
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("TRACE") && text.contains("/api/v2/token/refresh"),
        "the log is at trace level and covers the failures: {text}"
    );
    let secrets = [
        APP_SECRET,
        ADS_SECRET,
        ADS_ACCESS_TOKEN,
        FAKE_ACCESS,
        FAKE_REFRESH,
        &access,
        &refresh,
        &shop_code,
        &ads_code,
    ];
    let leaks: Vec<&str> = text
        .lines()
        .filter(|line| {
            secrets.iter().any(|secret| line.contains(secret)) || url_with_query(line).is_some()
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{} log lines show a secret or a URL with a query:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    sandbox.shutdown().await;
}
