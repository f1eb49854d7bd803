//! Partner apps: client-credentials tokens limited to their org and scopes, RFC 6749 errors,
//! immediate revocation.

use pnl::auth::{partner, Scopes};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

pub async fn create_partner(app: &TestApp, org: &str, scopes: &str) -> (String, String) {
    let org = pnl::org::ensure(app.db.conn(), org).await.unwrap();
    let created = partner::create(
        app.db.conn(),
        &org,
        "Dashboard Co",
        &Scopes::parse_strict(scopes).unwrap(),
    )
    .await
    .unwrap();
    (created.app.client_id, created.client_secret)
}

pub async fn request_token(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(response.headers()["cache-control"], "no-store");
    (status, response.json().await.unwrap())
}

/// A token of a new partner app of `org` with `scopes`, and the app's client id.
pub async fn partner_token(app: &TestApp, org: &str, scopes: &str) -> (String, String) {
    let (id, secret) = create_partner(app, org, scopes).await;
    let (_, body) = request_token(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await;
    (body["access_token"].as_str().unwrap().to_owned(), id)
}

#[tokio::test]
async fn a_partner_gets_a_token_limited_to_its_org_and_scopes() {
    let app = TestApp::spawn().await;
    let (id, secret) = create_partner(&app, "acme", "pnl:read costs:write").await;
    let (status, body) = request_token(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", "pnl:read"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["token_type"].as_str(),
            body["scope"].as_str(),
            body["expires_in"].as_u64()
        ),
        (Some("Bearer"), Some("pnl:read"), Some(900))
    );
    let token = body["access_token"].as_str().unwrap();
    let data = app
        .gql_ok(token, "{ me { org scopes subject clientId } }", json!({}))
        .await;
    assert_eq!(
        data["me"],
        json!({ "org": "acme", "scopes": ["pnl:read"], "subject": id, "clientId": id })
    );

    // HTTP Basic client authentication works too.
    let response = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "pnl:read costs:write");
}

#[tokio::test]
async fn bad_token_requests_get_rfc_6749_errors() {
    let app = TestApp::spawn().await;
    let (id, secret) = create_partner(&app, "acme", "pnl:read").await;
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![("client_id", &id), ("client_secret", &secret)],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "wrong"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "admin"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "pnl:everything"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
    ];
    for (form, status, error) in cases {
        let (got_status, body) = request_token(&app, &form).await;
        assert_eq!(
            (got_status, body["error"].as_str().unwrap()),
            (status, error),
            "form {form:?}: {body}"
        );
        assert!(body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
        assert!(body.get("access_token").is_none());
    }
}

#[tokio::test]
async fn revoking_a_partner_stops_its_tokens_immediately() {
    let app = TestApp::spawn().await;
    let (id, secret) = create_partner(&app, "acme", "pnl:read").await;
    let (_, body) = request_token(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    app.gql_ok(&token, "{ me { org } }", json!({})).await;

    partner::revoke(app.db.conn(), &id).await.unwrap();
    let (status, body) = app.gql(Some(&token), "{ me { org } }", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let (status, body) = request_token(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers().contains_key("x-request-id"));
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
}
