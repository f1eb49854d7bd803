//! Tokens: every bad token is refused with UNAUTHENTICATED and no data; scopes are enforced.

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, fixture, test_config, TestApp, TestDb, SECRET};

const ME: &str = "{ me { org scopes subject } }";

fn claims(iss: &str, aud: &str, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "sub": "someone", "org": "acme", "scope": "pnl:read admin", "iss": iss, "aud": aud, "iat": now, "exp": now + exp_offset })
}

fn sign(algorithm: Algorithm, key: &EncodingKey, claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&std::fs::read(fixture("keys/partner-rsa.key.pem")).unwrap()).unwrap()
}

async fn refused(app: &TestApp, token: &str) -> String {
    let (status, body) = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn me_answers_org_scopes_and_subject_for_a_server_token() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read costs:write");
    let data = app.gql_ok(&token, ME, json!({})).await;
    assert_eq!(
        data["me"],
        json!({ "org": "acme", "scopes": ["pnl:read", "costs:write"], "subject": "tester" })
    );
}

#[tokio::test]
async fn a_request_without_a_token_gets_unauthenticated_and_no_data() {
    let app = TestApp::spawn().await;
    let (status, body) = app.gql(None, ME, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    let token = sign(Algorithm::HS256, &key, &claims("pnl", "pnl", -3600), None);
    assert_eq!(refused(&app, &token).await, "invalid token: token expired");
}

#[tokio::test]
async fn a_garbled_token_and_a_non_bearer_header_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    refused(&app, "not-a-jwt").await;
    refused(&app, &format!("{token}x")).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_code(&response.json().await.unwrap()),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let app = TestApp::spawn().await;
    let key = EncodingKey::from_secret(b"some-other-secret-some-other-secret-0000");
    let token = sign(Algorithm::HS256, &key, &claims("pnl", "pnl", 600), None);
    assert_eq!(
        refused(&app, &token).await,
        "invalid token: invalid signature"
    );
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = TestApp::spawn().await;
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let token = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&claims("pnl", "pnl", 600).to_string())
    );
    refused(&app, &token).await;
}

#[tokio::test]
async fn hs256_signed_with_the_partners_rsa_public_key_is_refused() {
    let app = TestApp::spawn().await;
    let public_pem = std::fs::read(fixture("keys/partner-rsa.pub.pem")).unwrap();
    let key = EncodingKey::from_secret(&public_pem);
    for issuer in ["https://partner.example", "pnl"] {
        let token = sign(Algorithm::HS256, &key, &claims(issuer, "pnl", 600), None);
        refused(&app, &token).await;
    }
}

#[tokio::test]
async fn rs256_and_es256_tokens_of_trusted_issuers_are_accepted() {
    let app = TestApp::spawn().await;
    let token = sign(
        Algorithm::RS256,
        &rsa_key(),
        &claims("https://partner.example", "pnl", 600),
        None,
    );
    let data = app.gql_ok(&token, ME, json!({})).await;
    assert_eq!(data["me"]["org"], "acme");

    let ec =
        EncodingKey::from_ec_pem(&std::fs::read(fixture("keys/idp-ec.key.pem")).unwrap()).unwrap();
    let token = sign(
        Algorithm::ES256,
        &ec,
        &claims("https://idp.example", "pnl-api", 600),
        Some("idp-key-1"),
    );
    let data = app.gql_ok(&token, ME, json!({})).await;
    assert_eq!(data["me"]["scopes"], json!(["pnl:read", "admin"]));
}

#[tokio::test]
async fn a_wrong_audience_an_untrusted_issuer_and_a_future_nbf_are_refused() {
    let app = TestApp::spawn().await;
    let token = sign(
        Algorithm::RS256,
        &rsa_key(),
        &claims("https://partner.example", "someone-else", 600),
        None,
    );
    assert_eq!(
        refused(&app, &token).await,
        "invalid token: token audience is not accepted"
    );

    let token = sign(
        Algorithm::RS256,
        &rsa_key(),
        &claims("https://evil.example", "pnl", 600),
        None,
    );
    assert!(refused(&app, &token).await.contains("is not trusted"));

    let mut early = claims("https://partner.example", "pnl", 7200);
    early["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    let token = sign(Algorithm::RS256, &rsa_key(), &early, None);
    assert_eq!(
        refused(&app, &token).await,
        "invalid token: token not valid yet (nbf)"
    );
}

#[tokio::test]
async fn a_token_without_the_needed_scope_is_forbidden() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "costs:write");
    let (_, body) = app
        .gql(
            Some(&token),
            "{ ledgerEntries { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pnl:read"),
        "{body}"
    );

    let read_only = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(
            Some(&read_only),
            r#"mutation { setFeeMapping(input: {channel: TIKTOK_SHOP, label: "x", bucket: OTHER}) { label } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn too_deep_and_too_complex_queries_are_refused_before_running() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.graphql.depth_limit = 3;
    let app = TestApp::spawn_with(db, config).await;
    let token = app.token("acme", "pnl:read");
    let message = |body: &Value| body["errors"][0]["message"].as_str().unwrap().to_owned();

    let deep = "{ payouts { edges { node { externalId } } } }";
    let (_, body) = app.gql(Some(&token), deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        message(&body),
        "query is nested 4 levels deep; the limit is 3 (1 too deep): select fewer nested fields"
    );

    // Introspection has its own bound, deeper than any real schema's type references.
    let of_types = "ofType { ".repeat(28) + "name" + &" }".repeat(28);
    let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {of_types} }} }} }} }} }}");
    let (_, body) = app.gql(Some(&token), &deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        message(&body).starts_with("introspection query is nested 33 levels deep; the limit is 32"),
        "{body}"
    );

    // A year's report costs (20 + 365 ÷ 2) × 1 + its 2 fields = 205; ten of them are over.
    let report =
        r#"pnl(range: {from: "2026-01-01", to: "2026-12-31"}, groupBy: []) { rows { margin } }"#;
    let many: String = (0..10).map(|i| format!("r{i}: {report} ")).collect();
    let (_, body) = app
        .gql(Some(&token), &format!("{{ {many} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        message(&body).starts_with("query complexity is 2050; the limit is 2000 (50 over)"),
        "{body}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let padding = "x".repeat(100 * 1024);
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": ME, "variables": { "padding": padding } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 65536 bytes"),
        "{body}"
    );
}

#[tokio::test]
async fn an_internal_failure_shows_only_internal_error() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    app.gql_ok(&token, ME, json!({})).await;
    // Sabotage: the table the query reads is gone.
    sea_orm::ConnectionTrait::execute_unprepared(app.db.conn(), "DROP TABLE fee_mapping")
        .await
        .unwrap();
    let (_, body) = app
        .gql(Some(&token), "{ feeMappings { label } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "INTERNAL");
    assert_eq!(body["errors"][0]["message"], "internal error");
}
