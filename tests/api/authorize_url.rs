//! `authorizeUrl(kind:)`: one query for every channel's OAuth flow, through the connector
//! registry; an unknown kind is refused naming the kinds there are.

use pnl::config::Secret;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_code, test_config, Browser, TestApp, TestDb};

/// A server whose TikTok Shop and Amazon apps are configured (no channel is called: the
/// ticket only redirects to the channel's consent page) and whose public URL is its address.
async fn spawn_with_apps() -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.channels.tiktok.app_key = "tiktok-app".to_owned();
    config.channels.tiktok.app_secret = Secret::new("tiktok-secret");
    config.channels.tiktok.authorize_url = "https://tiktok.example/oauth/authorize".to_owned();
    config.channels.amazon.lwa_client_id = "amzn1.application-oa2-client.test".to_owned();
    config.channels.amazon.lwa_client_secret = Secret::new("lwa-secret");
    config.channels.amazon.application_id = "amzn1.sp.solution.test-app".to_owned();
    config.channels.amazon.lwa_url = "https://lwa.example".to_owned();
    config.channels.amazon.seller_central_url = "https://sellercentral.example".to_owned();
    config.channels.amazon.api_url = "https://sp-api.example".to_owned();
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    TestApp::spawn_with(db, config).await
}

#[tokio::test]
async fn authorize_url_answers_a_ticket_for_each_known_kind_and_refuses_an_unknown_one() {
    // Arrange
    let app = spawn_with_apps().await;
    let token = app.token("acme", "connectors:write");
    let query = "query($kind: String!) { authorizeUrl(kind: $kind) }";

    for (kind, consent) in [
        ("tiktok", "https://tiktok.example/oauth/authorize"),
        ("amazon", "amzn1.sp.solution.test-app"),
    ] {
        // Act
        let data = app.gql_ok(&token, query, json!({ "kind": kind })).await;
        let url = data["authorizeUrl"].as_str().unwrap().to_owned();

        // Assert: a one-time URL on this server that sends the browser to the channel.
        assert!(
            url.starts_with(&app.url(&format!("/connect/{kind}?ticket="))),
            "{kind}: {url}"
        );
        let (status, location, body) = Browser::default().get(&url, None).await;
        assert!(status.is_redirection(), "{kind}: {status} {body}");
        let location = location.unwrap_or_default();
        assert!(location.contains(consent), "{kind}: {location}");
    }

    let (_, body) = app
        .gql(Some(&token), query, json!({ "kind": "ebay" }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"ebay\"")
            && ["tiktok", "tiktok-ads", "amazon"]
                .iter()
                .all(|kind| message.contains(kind)),
        "{message}"
    );

    // The old field still answers (deprecated), and the new one needs connectors:write.
    let old = app
        .gql_ok(&token, "{ tiktokAuthorizeUrl }", json!({}))
        .await;
    assert!(old["tiktokAuthorizeUrl"].as_str().is_some(), "{old}");
    let reader = app.token("acme", "pnl:read");
    let (status, body) = app
        .gql(Some(&reader), query, json!({ "kind": "tiktok" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}
