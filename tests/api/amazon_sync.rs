//! The Amazon connector end to end against the SP-API sandbox over real HTTP: the seller
//! consents through `/connect/amazon`, the `amazon.finances` job backfills 90 days through the
//! sync engine (event groups, their events, settlement reports), every closed group reconciles
//! to zero, an open one is OPEN, a dropped line is exactly its residual, a throttling sandbox is
//! used at ≥ 90 % of its rate, a revoked refresh token marks the shop NEEDS_REAUTH, a second
//! sync posts nothing, and another org sees none of it.

use std::time::Duration;

use pnl::config::{Config, Secret};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sandbox::{AmazonQuotas, AmazonSellerSpec, Quota, Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::helpers::{Browser, TestApp, TestDb};
use crate::sync_engine::{config_for, drain};

const US: &str = "A3SANDB0XUS001";

pub async fn amazon_sandbox(quotas: Option<Quota>) -> Sandbox {
    let mut config = SandboxConfig {
        days: 20,
        orders_per_day: 2,
        ..SandboxConfig::default()
    };
    config.amazon.orders_per_day = 4;
    if let Some(quota) = quotas {
        config.amazon.quotas = AmazonQuotas::all(quota);
    }
    Sandbox::start(config).await.unwrap()
}

/// The test configuration with the TikTok apps and the Amazon app pointed at `sandbox`.
pub fn amazon_config_for(db: &TestDb, sandbox: &Sandbox) -> Config {
    let mut config = config_for(db, sandbox);
    let url = sandbox.base_url();
    let amazon = sandbox.amazon().config();
    config.channels.amazon.lwa_client_id = amazon.lwa_client_id.clone();
    config.channels.amazon.lwa_client_secret = Secret::new(amazon.lwa_client_secret.clone());
    config.channels.amazon.application_id = amazon.application_id.clone();
    config.channels.amazon.lwa_url = url.clone();
    config.channels.amazon.seller_central_url = url.clone();
    config.channels.amazon.api_url = url;
    config.sync.backfill_days = 91;
    config
}

pub async fn spawn_amazon(sandbox: &Sandbox) -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = amazon_config_for(&db, sandbox);
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    TestApp::spawn_with(db, config).await
}

/// Connects the sandbox's first seller (US) to `org` through `/connect/amazon` in a browser.
pub async fn connect_amazon(app: &TestApp, org: &str) {
    let token = app.token(org, "connectors:write pnl:read");
    let mut browser = Browser::default();
    let (status, body) = browser
        .open(&app.url("/connect/amazon"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Connected 1 Amazon seller account(s)"),
        "{body}"
    );
    assert!(body.contains(&format!("{US}@NA")), "{body}");
}

/// Every payout of `org`'s token: external id → (status, residual, reported currency).
async fn payouts(app: &TestApp, token: &str) -> Vec<Value> {
    let body = app
        .gql_ok(
            token,
            "{ payouts(first: 200, filter: {channel: AMAZON}) { edges { node { externalId kind status channelStatus residual { amount currency } reported { amount currency } ledger { amount } breakdown { bucket amount { amount } } } } } }",
            json!({}),
        )
        .await;
    body["payouts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn find<'a>(payouts: &'a [Value], id: &str) -> &'a Value {
    payouts
        .iter()
        .find(|p| p["externalId"] == id)
        .unwrap_or_else(|| panic!("no payout {id} in {payouts:#?}"))
}

fn decimal(value: &Value) -> Decimal {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_backfill_through_consent_reconciles_every_closed_group_and_posts_once() {
    let sandbox = amazon_sandbox(None).await;
    let app = spawn_amazon(&sandbox).await;
    connect_amazon(&app, "acme").await;
    drain(&app).await;

    let token = app.token("acme", "pnl:read");
    let shops = app
        .gql_ok(
            &token,
            "{ shops { externalId channel currency status } }",
            json!({}),
        )
        .await;
    let shop = &shops["shops"][0];
    assert_eq!(shop["channel"], "AMAZON", "{shops}");
    assert_eq!(shop["currency"], "USD");
    assert_eq!(shop["status"], "ACTIVE");

    let groups = sandbox.amazon().groups(US);
    assert!(groups.len() >= 6, "90 days of 14-day groups");
    let listed = payouts(&app, &token).await;
    for group in &groups {
        let payout = find(&listed, &group.id);
        if group.open {
            assert_eq!(payout["status"], "OPEN", "{payout}");
        } else {
            assert_eq!(
                payout["status"], "MATCHED",
                "{payout}\n{:#?}",
                group.by_label
            );
            assert_eq!(decimal(&payout["residual"]["amount"]), Decimal::ZERO);
            assert_eq!(
                decimal(&payout["reported"]["amount"]),
                group.total,
                "{payout}"
            );
        }
    }
    // The settlement reports (their own ids) were booked to the groups, not beside them.
    assert_eq!(listed.len(), groups.len(), "{listed:#?}");

    // A second sync posts nothing new.
    let before = app.ledger_rows().await;
    app.gql_ok(
        &app.token("acme", "connectors:write"),
        "mutation($id: ID!) { triggerSync(shopId: $id) { id } }",
        json!({"id": shop_id(&app, &token).await}),
    )
    .await;
    drain(&app).await;
    assert_eq!(app.ledger_rows().await, before);

    // Another org sees none of it.
    let other = app.token("globex", "pnl:read admin");
    assert!(payouts(&app, &other).await.is_empty());
    let shops = app.gql_ok(&other, "{ shops { id } }", json!({})).await;
    assert_eq!(shops["shops"], json!([]));
}

async fn shop_id(app: &TestApp, token: &str) -> String {
    let shops = app.gql_ok(token, "{ shops { id } }", json!({})).await;
    shops["shops"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_dropped_line_is_exactly_its_groups_residual() {
    let sandbox = amazon_sandbox(None).await;
    let groups = sandbox.amazon().groups(US);
    let victim = groups.iter().find(|g| !g.open).unwrap();
    let dropped = sandbox.amazon().line_to_drop(&victim.id).unwrap();
    sandbox.faults().amazon().drop_line(&victim.id);
    let app = spawn_amazon(&sandbox).await;
    connect_amazon(&app, "acme").await;
    drain(&app).await;

    let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
    let payout = find(&listed, &victim.id);
    assert_eq!(payout["status"], "MISMATCHED", "{payout}");
    assert_eq!(
        decimal(&payout["residual"]["amount"]),
        dropped.amount,
        "{payout}"
    );
    for group in groups.iter().filter(|g| !g.open && g.id != victim.id) {
        assert_eq!(find(&listed, &group.id)["status"], "MATCHED");
    }
}

#[tokio::test]
async fn a_throttling_amazon_is_used_at_ninety_percent_of_its_rate() {
    let rate = 8.0;
    let sandbox = amazon_sandbox(Some(Quota::new(rate, 3))).await;
    let app = spawn_amazon(&sandbox).await;
    connect_amazon(&app, "acme").await;
    sandbox.amazon().reset_stats();
    drain(&app).await;

    let stats = sandbox.amazon().stats();
    let events = stats["listFinancialEventsByGroupId"];
    let elapsed = events
        .last_ok
        .unwrap()
        .duration_since(events.first_request.unwrap())
        .as_secs_f64();
    // Requests per second between the first and the last: each interval waits for a token.
    let used = (events.ok as f64 - 1.0) / elapsed;
    assert!(events.ok > 20, "{events:?}");
    assert!(
        used >= 0.9 * rate,
        "used {used:.2} of {rate} requests/s ({events:?})"
    );
    // Throttled answers (if any) were survived: every group reconciled.
    let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
    for group in sandbox.amazon().groups(US).iter().filter(|g| !g.open) {
        assert_eq!(find(&listed, &group.id)["status"], "MATCHED");
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_marks_the_shop_needs_reauth() {
    let sandbox = amazon_sandbox(None).await;
    let app = spawn_amazon(&sandbox).await;
    connect_amazon(&app, "acme").await;
    sandbox.faults().amazon().revoke_refresh_tokens(US);
    drain(&app).await;
    let token = app.token("acme", "pnl:read");
    let shops = app
        .gql_ok(&token, "{ shops { status statusMessage } }", json!({}))
        .await;
    let shop = &shops["shops"][0];
    assert_eq!(shop["status"], "NEEDS_REAUTH", "{shops}");
    let message = shop["statusMessage"].as_str().unwrap();
    assert!(message.contains("invalid_grant"), "{message}");
    assert!(!message.contains("Atzr"), "no token in {message}");
}

#[tokio::test]
async fn a_second_seller_in_another_region_is_its_own_shop() {
    let sandbox = amazon_sandbox(None).await;
    let app = spawn_amazon(&sandbox).await;
    let de = AmazonSellerSpec::de();
    let code = sandbox.amazon().issue_auth_code(&de.seller_id).unwrap();
    let org_id = app.org_id("acme").await;
    let shops =
        pnl::connectors::amazon::connect::connect_seller(&app.state, org_id, &de.seller_id, &code)
            .await
            .unwrap();
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0].external_id, format!("{}@EU", de.seller_id));
    assert_eq!(shops[0].currency.as_deref(), Some("EUR"));
    tokio::time::timeout(Duration::from_secs(120), drain(&app))
        .await
        .unwrap();
    let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
    for group in sandbox
        .amazon()
        .groups(&de.seller_id)
        .iter()
        .filter(|g| !g.open)
    {
        let payout = find(&listed, &group.id);
        assert_eq!(payout["status"], "MATCHED", "{payout}");
        assert_eq!(payout["reported"]["currency"], "EUR");
    }
}

#[tokio::test]
async fn a_consent_callback_with_a_state_of_no_round_trip_connects_nothing() {
    let sandbox = amazon_sandbox(None).await;
    let app = spawn_amazon(&sandbox).await;
    let code = sandbox.amazon().issue_auth_code(US).unwrap();
    // A real code, but a state this server never issued (or issued to another browser).
    let mut browser = Browser::default();
    let (status, _, body) = browser
        .get(
            &app.url(&format!(
                "/connect/amazon/callback?spapi_oauth_code={code}&selling_partner_id={US}&state=forged"
            )),
            None,
        )
        .await;
    assert!(status.is_client_error(), "{status}: {body}");
    assert!(!body.contains(&code), "the code is not echoed: {body}");
    // A state started by another org's browser is refused in this one.
    let (status, location, _) = browser
        .get(
            &app.url("/connect/amazon"),
            Some(&app.token("globex", "connectors:write")),
        )
        .await;
    assert!(status.is_redirection(), "{status}");
    let consent = location.unwrap();
    let state = reqwest::Url::parse(&consent)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut stranger = Browser::default();
    let (status, _, body) = stranger
        .get(
            &app.url(&format!(
                "/connect/amazon/callback?spapi_oauth_code={code}&selling_partner_id={US}&state={state}"
            )),
            None,
        )
        .await;
    assert!(status.is_client_error(), "{status}: {body}");
    for org in ["acme", "globex"] {
        let shops = app
            .gql_ok(&app.token(org, "pnl:read"), "{ shops { id } }", json!({}))
            .await;
        assert_eq!(shops["shops"], json!([]), "{org}");
    }
}
