//! End-to-end: a real HTTP client against a running sandbox, signing like a connector.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use sha2::Sha256;

/// Minimal TikTok Shop client: signs per reference §1.3.
struct Client {
    http: reqwest::Client,
    base: String,
    app_key: String,
    secret: String,
    token: String,
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn sign(secret: &str, path: &str, params: &[(String, String)], body: &str) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut s = format!("{secret}{path}");
    for (k, v) in sorted {
        s.push_str(k);
        s.push_str(v);
    }
    s.push_str(body);
    s.push_str(secret);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(s.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl Client {
    fn url(&self, path: &str, query: &[(&str, &str)], body: &str, tamper: bool) -> String {
        let mut params: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        params.push(("app_key".to_owned(), self.app_key.clone()));
        params.push((
            "timestamp".to_owned(),
            chrono::Utc::now().timestamp().to_string(),
        ));
        let mut signature = sign(&self.secret, path, &params, body);
        if tamper {
            signature = signature.to_uppercase();
        }
        params.push(("sign".to_owned(), signature));
        let q: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("{}{path}?{}", self.base, q.join("&"))
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        self.send(method, path, query, body, false).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: &str,
        tamper: bool,
    ) -> (u16, Value) {
        let url = self.url(path, query, body, tamper);
        let mut req = self
            .http
            .request(method, url)
            .header("x-tts-access-token", &self.token)
            .header("content-type", "application/json");
        if !body.is_empty() {
            req = req.body(body.to_owned());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, query, "").await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (200, Some(0)),
            "{path}: {body}"
        );
        body["data"].clone()
    }
}

async fn get_json(http: &reqwest::Client, url: String) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_connector_can_sync_a_shop_and_meets_every_fault() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = sandbox.base_url();
    let config = sandbox.config().clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // OAuth: authorize redirects with a code; the code is single-use.
    let res = http
        .get(format!("{base}/oauth/authorize?app_key={}&state=xyz&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", config.app_key))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://app.example/cb?code=") && location.ends_with("&state=xyz")
    );
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let token_url = |code: &str| {
        format!(
            "{base}/api/v2/token/get?app_key={}&app_secret={}&auth_code={code}&grant_type=authorized_code",
            config.app_key, config.app_secret
        )
    };
    let token = get_json(&http, token_url(&code)).await;
    assert_eq!(token["code"], 0, "{token}");
    let data = &token["data"];
    let now = chrono::Utc::now().timestamp();
    assert!(
        data["access_token_expire_in"].as_i64().unwrap() > now + 6 * 86_400,
        "absolute expiry"
    );
    assert_eq!(data["user_type"], 0);
    let reused = get_json(&http, token_url(&code)).await;
    assert_ne!(reused["code"], 0, "auth codes are single-use");
    let refresh_token = data["refresh_token"].as_str().unwrap().to_owned();
    let mut client = Client {
        http: http.clone(),
        base: base.clone(),
        app_key: config.app_key.clone(),
        secret: config.app_secret.clone(),
        token: data["access_token"].as_str().unwrap().to_owned(),
    };

    // Shops (no shop_cipher on /authorization).
    let shops = client.get("/authorization/202309/shops", &[]).await;
    let world = sandbox.world();
    assert_eq!(shops["shops"].as_array().unwrap().len(), 2);
    assert_eq!(shops["shops"][0]["cipher"], world.shops()[0].cipher);
    let cipher = world.shops()[0].cipher.clone();

    // Statements, paged.
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let data = client
            .get(
                "/finance/202309/statements",
                &[
                    ("shop_cipher", &cipher),
                    ("sort_field", "statement_time"),
                    ("page_size", "40"),
                    ("page_token", &page_token),
                ],
            )
            .await;
        for s in data["statements"].as_array().unwrap() {
            ids.push(s["id"].as_str().unwrap().to_owned());
        }
        page_token = data["next_page_token"].as_str().unwrap().to_owned();
        if page_token.is_empty() {
            break;
        }
    }
    let truth = world.statements(&world.shops()[0].id);
    assert_eq!(ids, truth.iter().map(|s| s.id.clone()).collect::<Vec<_>>());

    // One statement's 202501 transactions add up to its total.
    let statement = &truth[20];
    let path = format!(
        "/finance/202501/statements/{}/statement_transactions",
        statement.id
    );
    let mut total = Decimal::ZERO;
    let mut order_id = None;
    let mut page_token = String::new();
    loop {
        let data = client
            .get(
                &path,
                &[
                    ("shop_cipher", &cipher),
                    ("sort_field", "order_create_time"),
                    ("page_token", &page_token),
                ],
            )
            .await;
        for t in data["transactions"].as_array().unwrap() {
            total += dec(&t["settlement_amount"]);
            if t["type"] == "ORDER" && order_id.is_none() {
                order_id = Some(t["order_id"].as_str().unwrap().to_owned());
            }
        }
        page_token = data["next_page_token"].as_str().unwrap().to_owned();
        if page_token.is_empty() {
            break;
        }
    }
    assert_eq!(total, statement.total_settlement_amount);

    // By order: SKU rows add up to the order's settlement.
    let order_id = order_id.unwrap();
    let data = client
        .get(
            &format!("/finance/202501/orders/{order_id}/statement_transactions"),
            &[("shop_cipher", &cipher)],
        )
        .await;
    let skus: Decimal = data["sku_transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| dec(&s["settlement_amount"]))
        .sum();
    assert_eq!(skus, dec(&data["settlement_amount"]));

    // A wrong (uppercase) signature.
    let (status, body) = client
        .send(
            reqwest::Method::GET,
            "/authorization/202309/shops",
            &[],
            "",
            true,
        )
        .await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(106001)));

    // Missing sort_field.
    let (_, body) = client
        .call(
            reqwest::Method::GET,
            "/finance/202309/statements",
            &[("shop_cipher", &cipher)],
            "",
        )
        .await;
    assert_eq!(body["code"], 36009004);
    assert_eq!(body["message"], "param sort_field is missing");

    // Signed PUT with a body.
    let hook = json!({"event_type": "ORDER_STATUS_CHANGE", "address": "https://app.example/hook"})
        .to_string();
    let (status, body) = client
        .call(
            reqwest::Method::PUT,
            "/event/202309/webhooks",
            &[("shop_cipher", &cipher)],
            &hook,
        )
        .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");

    // Throttling, then success; every attempt is counted.
    let before = sandbox.faults().requests();
    sandbox.faults().throttle_next(2);
    for _ in 0..2 {
        let (status, body) = client
            .call(reqwest::Method::GET, "/authorization/202309/shops", &[], "")
            .await;
        assert_eq!((status, body["code"].as_i64()), (429, Some(36009002)));
        assert!(body["data"].is_null() && body["request_id"].is_string());
    }
    client.get("/authorization/202309/shops", &[]).await;
    assert_eq!(sandbox.faults().requests() - before, 3);

    // Server errors alternate HTTP 500 and HTTP 200 + 36009003.
    sandbox.faults().fail_next(2);
    let (status, _) = client
        .call(reqwest::Method::GET, "/authorization/202309/shops", &[], "")
        .await;
    assert_eq!(status, 500);
    let (status, body) = client
        .call(reqwest::Method::GET, "/authorization/202309/shops", &[], "")
        .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(36009003)));

    // Expired access token: 105002; refreshing gives a working token.
    sandbox.faults().expire_access_tokens();
    let (status, body) = client
        .call(reqwest::Method::GET, "/authorization/202309/shops", &[], "")
        .await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(105002)));
    let refresh_url = format!(
        "{base}/api/v2/token/refresh?app_key={}&app_secret={}&refresh_token={refresh_token}&grant_type=refresh_token",
        config.app_key, config.app_secret
    );
    let refreshed = get_json(&http, refresh_url.clone()).await;
    assert_eq!(refreshed["code"], 0, "{refreshed}");
    client.token = refreshed["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    client.get("/authorization/202309/shops", &[]).await;

    // Revoked grant: the shop API and refresh both refuse.
    sandbox.faults().revoke_grant();
    let (_, body) = client
        .call(reqwest::Method::GET, "/authorization/202309/shops", &[], "")
        .await;
    assert_eq!(body["code"], 36004005);
    let refused = get_json(&http, refresh_url).await;
    assert_eq!(refused["code"], 36004001);
    sandbox.faults().reset();
    client.get("/authorization/202309/shops", &[]).await;

    sandbox.shutdown().await;
}

#[tokio::test]
async fn gmv_max_cost_matches_the_statement_deduction() {
    let sandbox = Sandbox::start(SandboxConfig {
        days: 10,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let base = sandbox.base_url();
    let config = sandbox.config().clone();
    let http = reqwest::Client::new();
    let body = json!({"app_id": config.ads_app_id, "secret": config.ads_secret, "auth_code": sandbox.issue_ads_auth_code()});
    let token: Value = http
        .post(format!("{base}/open_api/v1.3/oauth2/access_token/"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["code"], 0, "{token}");
    let access = token["data"]["access_token"].as_str().unwrap().to_owned();
    let shop = sandbox.world().shops()[0].clone();
    let day = sandbox.world().last_day();
    let url = format!(
        "{base}/open_api/v1.3/gmv_max/report/get/?advertiser_id={}&store_ids={}&dimensions={}&metrics={}&start_date={day}&end_date={day}&page=1&page_size=1000",
        shop.advertiser_id,
        encode(&format!("[\"{}\"]", shop.id)),
        encode(r#"["campaign_id","stat_time_day","item_group_id"]"#),
        encode(r#"["cost","gross_revenue","orders"]"#),
    );
    let report: Value = http
        .get(&url)
        .header("Access-Token", &access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["code"], 0, "{report}");
    let cost: Decimal = report["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| dec(&r["metrics"]["cost"]))
        .sum();
    assert_eq!(cost, sandbox.world().gmv_max_cost(&shop.id, day));

    // Missing token and bad list parameters.
    let missing: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(missing["code"], 40104);
    let bad = url.replace("dimensions=", "dimensions=campaign_id&x=");
    let bad: Value = http
        .get(&bad)
        .header("Access-Token", &access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bad["code"], 40006);
    sandbox.faults().throttle_next(1);
    let throttled: Value = http
        .get(&url)
        .header("Access-Token", &access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(throttled["code"], 40100);
    sandbox.shutdown().await;
}
