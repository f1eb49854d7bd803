//! Installing the Shopify app end to end against the sandbox over real HTTP: the browser round
//! trip with a token, through a one-time ticket (`shopifyAuthorizeUrl`, `authorizeUrl(kind:
//! "shopify")`), and every refusal storing nothing — a foreign or missing shop domain, a forged
//! `hmac`, a signed callback for another shop than the state's, a state from another browser or
//! org — and a revoked token marking the shop NEEDS_REAUTH.

use reqwest::StatusCode;
use sandbox::{Sandbox, ShopifyStoreSpec};
use serde_json::json;

use crate::helpers::{error_code, Browser, TestApp};
use crate::shopify::{
    callback_url, connect_shopify, count_rows, query_of, shop_jobs, shopify_sandbox_config, shops,
    signed_callback, spawn_shopify,
};
use crate::sync_engine::drain;

const ACME: &str = "acme-goods.myshopify.com";
const BETA: &str = "beta-goods.myshopify.com";

async fn two_stores() -> (Sandbox, TestApp) {
    // Small stores: the revoked-token test runs a whole sync.
    let small = |spec: ShopifyStoreSpec| ShopifyStoreSpec {
        orders_per_day: 2,
        ..spec
    };
    let mut config = shopify_sandbox_config(vec![
        small(ShopifyStoreSpec::us("acme-goods")),
        small(ShopifyStoreSpec::eu("beta-goods")),
    ]);
    config.shopify.history_days = 10;
    let sandbox = Sandbox::start(config).await.unwrap();
    let app = spawn_shopify(&sandbox).await;
    (sandbox, app)
}

/// Nothing was connected: no shop, no sync job.
async fn assert_nothing_stored(app: &TestApp) {
    assert_eq!(count_rows(app, "shop").await, 0, "a shop was stored");
    assert!(shop_jobs(app).await.is_empty(), "a sync job was stored");
}

/// Whether any install state was used up.
async fn any_state_consumed(app: &TestApp) -> bool {
    use sea_orm::EntityTrait;
    entities::oauth_state::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
        .iter()
        .any(|row| row.consumed_at.is_some())
}

#[tokio::test]
async fn installing_through_the_browser_connects_the_shop_and_schedules_its_sync() {
    // Arrange
    let (_sandbox, app) = two_stores().await;

    // Act
    connect_shopify(&app, "acme", ACME).await;

    // Assert
    let listed = shops(&app, &app.token("acme", "pnl:read")).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["channel"], "SHOPIFY");
    assert_eq!(listed[0]["externalId"], ACME);
    assert_eq!(listed[0]["currency"], "USD");
    assert_eq!(listed[0]["status"], "ACTIVE");
    let jobs = shop_jobs(&app).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].org_id, app.org_id("acme").await);
    // The token is sealed: the stored credentials do not hold it in clear.
    use sea_orm::EntityTrait;
    let row = entities::shop::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
        .remove(0);
    assert!(
        !row.credentials.unwrap_or_default().contains("shpat_"),
        "the access token is stored in clear"
    );
}

#[tokio::test]
async fn a_ticket_url_installs_in_a_browser_without_a_token() {
    // Arrange
    let (_sandbox, app) = two_stores().await;
    let token = app.token("acme", "connectors:write");

    // Act: the Shopify field, then the generic one, each opened in a fresh browser.
    let data = app
        .gql_ok(
            &token,
            "query($shop: String!) { shopifyAuthorizeUrl(shop: $shop) }",
            json!({ "shop": ACME }),
        )
        .await;
    let ticket = data["shopifyAuthorizeUrl"].as_str().unwrap().to_owned();
    assert!(
        ticket.starts_with(&app.url("/connect/shopify?ticket=")),
        "{ticket}"
    );
    let (status, body) = Browser::default().open(&ticket, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Connected 1 Shopify shop(s)"), "{body}");

    let data = app
        .gql_ok(
            &token,
            "query($account: String) { authorizeUrl(kind: \"shopify\", account: $account) }",
            json!({ "account": BETA }),
        )
        .await;
    let ticket = data["authorizeUrl"].as_str().unwrap().to_owned();
    let (status, body) = Browser::default().open(&ticket, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(BETA), "{body}");

    // Assert: both shops, in their own currencies; a used ticket does not work twice.
    let listed = shops(&app, &app.token("acme", "pnl:read")).await;
    let currency = |domain: &str| {
        listed
            .iter()
            .find(|s| s["externalId"] == domain)
            .unwrap_or_else(|| panic!("no {domain} in {listed:?}"))["currency"]
            .clone()
    };
    assert_eq!(currency(ACME), "USD");
    assert_eq!(currency(BETA), "EUR");
    assert_eq!(shop_jobs(&app).await.len(), 2);
    let (status, body) = Browser::default().open(&ticket, None).await;
    assert!(status.is_client_error(), "{status} {body}");
}

#[tokio::test]
async fn a_foreign_or_missing_shop_domain_is_refused_naming_it_and_stores_nothing() {
    // Arrange
    let (_sandbox, app) = two_stores().await;
    let token = app.token("acme", "connectors:write");

    for shop in ["evil.com", "x.myshopify.com.evil.com"] {
        // Act
        let (status, location, body) = Browser::default()
            .get(
                &app.url(&format!("/connect/shopify?shop={shop}")),
                Some(&token),
            )
            .await;

        // Assert
        assert_eq!(status, StatusCode::BAD_REQUEST, "{shop}: {body}");
        assert!(location.is_none(), "{shop}: sent to {location:?}");
        assert!(body.contains(shop), "{shop}: {body}");
        let (_, answer) = app
            .gql(
                Some(&token),
                "query($shop: String!) { shopifyAuthorizeUrl(shop: $shop) }",
                json!({ "shop": shop }),
            )
            .await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
        assert!(answer.to_string().contains(shop), "{answer}");
    }
    let (status, _, body) = Browser::default()
        .get(&app.url("/connect/shopify"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("shop"), "{body}");
    let (_, answer) = app
        .gql(
            Some(&token),
            "{ authorizeUrl(kind: \"shopify\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
    assert!(answer.to_string().contains("shop"), "{answer}");

    assert_nothing_stored(&app).await;
    assert_eq!(
        count_rows(&app, "oauth_state").await,
        0,
        "a state was issued"
    );
}

#[tokio::test]
async fn a_forged_hmac_is_refused_before_the_state_is_used() {
    // Arrange
    let (_sandbox, app) = two_stores().await;
    let token = app.token("acme", "connectors:write pnl:read");
    let mut browser = Browser::default();
    let callback = callback_url(&app, &mut browser, &token, ACME).await;
    let query = query_of(&callback);
    let hmac = &query.iter().find(|(k, _)| k == "hmac").unwrap().1;
    let flipped = if hmac.starts_with('0') { "1" } else { "0" };
    let forged_hmac = callback.replace(hmac.as_str(), &format!("{flipped}{}", &hmac[1..]));
    let forged_shop = callback.replace(ACME, BETA);
    assert_ne!(forged_hmac, callback);
    assert_ne!(forged_shop, callback);

    for forged in [&forged_hmac, &forged_shop] {
        // Act
        let (status, _, body) = browser.get(forged, None).await;

        // Assert
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged}: {body}");
        assert!(body.contains("hmac"), "{body}");
        assert!(
            !body.contains("shpat_") && !body.contains("sandbox_shopify_secret"),
            "{body}"
        );
        assert_nothing_stored(&app).await;
        assert!(
            !any_state_consumed(&app).await,
            "a forged callback used the state up"
        );
    }

    // The genuine callback still works: the forgeries did not use its state up.
    let (status, body) = browser.open(&callback, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(shops(&app, &token).await.len(), 1);
}

#[tokio::test]
async fn a_signed_callback_for_another_shop_than_the_states_is_refused() {
    // Arrange: acme starts an install of ACME; in another browser, an install of BETA gets
    // a genuine code for BETA. The attacker signs (with the app secret) a callback carrying
    // BETA's code and shop but ACME's state.
    let (sandbox, app) = two_stores().await;
    let token = app.token("acme", "connectors:write pnl:read");
    let mut browser = Browser::default();
    let acme = query_of(&callback_url(&app, &mut browser, &token, ACME).await);
    let beta = query_of(&callback_url(&app, &mut Browser::default(), &token, BETA).await);
    let state = acme.iter().find(|(k, _)| k == "state").unwrap().clone();
    let mixed: Vec<(String, String)> = beta
        .into_iter()
        .filter(|(k, _)| k != "state" && k != "hmac")
        .chain([state])
        .collect();
    let secret = sandbox.shopify().config().api_secret.clone();
    let url = signed_callback(&app, &secret, &mixed);

    // Act
    let (status, _, body) = browser.get(&url, None).await;

    // Assert: the signature is right, so this is the binding refusing it.
    assert!(status.is_client_error(), "{status} {body}");
    assert_ne!(
        status,
        StatusCode::UNAUTHORIZED,
        "refused for its hmac: {body}"
    );
    assert!(body.contains(BETA) && body.contains(ACME), "{body}");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn a_state_from_another_browser_or_another_orgs_flow_is_refused() {
    // Arrange: acme and beta each start an install in their own browser.
    let (_sandbox, app) = two_stores().await;
    let mut acme_browser = Browser::default();
    let acme_token = app.token("acme", "connectors:write pnl:read");
    let acme_callback = callback_url(&app, &mut acme_browser, &acme_token, ACME).await;
    let mut beta_browser = Browser::default();
    let beta_token = app.token("beta", "connectors:write pnl:read");
    let beta_callback = callback_url(&app, &mut beta_browser, &beta_token, BETA).await;

    // Act + Assert: acme's callback in a browser without its cookie, beta's in acme's browser.
    let (status, _, body) = Browser::default().get(&acme_callback, None).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(body.contains("state"), "{body}");
    let (status, _, body) = acme_browser.get(&beta_callback, None).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(body.contains("state"), "{body}");
    assert_nothing_stored(&app).await;

    // Each flow still completes in the browser that started it, for its own org.
    let (status, body) = beta_browser.open(&beta_callback, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("to org beta"), "{body}");
    assert!(shops(&app, &acme_token).await.is_empty());
    assert_eq!(shops(&app, &beta_token).await.len(), 1);
}

#[tokio::test]
async fn a_revoked_token_marks_the_shop_needs_reauth() {
    // Arrange
    let (sandbox, app) = two_stores().await;
    connect_shopify(&app, "acme", ACME).await;
    sandbox.faults().shopify().revoke_tokens(ACME);

    // Act
    drain(&app).await;

    // Assert
    let listed = shops(&app, &app.token("acme", "pnl:read")).await;
    assert_eq!(listed[0]["status"], "NEEDS_REAUTH", "{listed:?}");
    // Nothing the merchant or a log reader sees holds the token or the app secret.
    let data = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ shops { statusMessage syncStatus { state lastError } } }",
            json!({}),
        )
        .await;
    let seen = format!("{data} {:?}", shop_jobs(&app).await);
    assert!(
        !seen.contains("shpat_") && !seen.contains("sandbox_shopify_secret"),
        "{seen}"
    );
    assert_eq!(app.ledger_rows().await, 0, "a revoked token posted lines");

    // A new install makes it work again.
    connect_shopify(&app, "acme", ACME).await;
    drain(&app).await;
    let listed = shops(&app, &app.token("acme", "pnl:read")).await;
    assert_eq!(listed[0]["status"], "ACTIVE", "{listed:?}");
    assert!(app.ledger_rows().await > 0, "{:?}", shop_jobs(&app).await);
}
