//! Trust boundaries: external issuers stay within the orgs and scopes they are bound to, OAuth
//! `state` is one-time and bound to the browser that started the flow, `pnl token` tokens can be
//! revoked by their `jti`, GraphiQL is off unless asked for, and introspection needs a token.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use pnl::config::TrustedIssuerConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, fixture, test_config, Browser, TestApp, TestDb};
use crate::sync_engine::{spawn_for, start_sandbox};

const ME: &str = "{ me { org scopes } }";

/// A token of issuer `iss` signed with the partner's RSA key.
fn partner_token(iss: &str, org: &str, scope: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": "partner", "org": org, "scope": scope, "iss": iss, "aud": "pnl", "iat": now, "exp": now + 600 });
    let key =
        EncodingKey::from_rsa_pem(&std::fs::read(fixture("keys/partner-rsa.key.pem")).unwrap())
            .unwrap();
    encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap()
}

/// The partner's key registered once more as issuer `name` with `orgs` and `max_scopes`.
fn bound_issuer(
    name: &str,
    orgs: Option<&[&str]>,
    max_scopes: Option<&str>,
) -> TrustedIssuerConfig {
    TrustedIssuerConfig {
        issuer: name.to_owned(),
        audience: None,
        jwks_file: None,
        pem_file: Some(fixture("keys/partner-rsa.pub.pem")),
        algorithm: Some("RS256".to_owned()),
        kid: None,
        orgs: orgs.map(|orgs| orgs.iter().map(|org| (*org).to_owned()).collect()),
        max_scopes: max_scopes.map(ToOwned::to_owned),
    }
}

/// The 401 message a refused token gets.
async fn refusal(app: &TestApp, token: &str) -> String {
    let (status, body) = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_issuer_may_name_only_its_orgs_and_grant_only_its_scopes() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.trusted_issuers.push(bound_issuer(
        "partner-x",
        Some(&["acme", "beta"]),
        Some("pnl:read"),
    ));
    let app = TestApp::spawn_with(db, config).await;

    let within = partner_token("partner-x", "beta", "pnl:read openid");
    let data = app.gql_ok(&within, ME, json!({})).await;
    assert_eq!(data["me"], json!({ "org": "beta", "scopes": ["pnl:read"] }));

    let other_org = partner_token("partner-x", "other", "pnl:read");
    assert_eq!(
        refusal(&app, &other_org).await,
        "invalid token: issuer partner-x may not name org other"
    );
    let too_much = partner_token("partner-x", "acme", "pnl:read admin");
    assert_eq!(
        refusal(&app, &too_much).await,
        "invalid token: issuer partner-x may not grant scope admin (its max_scopes are pnl:read)"
    );
    // Nothing was created for the org the issuer may not name.
    assert!(pnl::org::find(app.db.conn(), "other")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_issuer_without_orgs_stops_the_server_from_starting() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config
        .trusted_issuers
        .push(bound_issuer("partner-y", None, Some("pnl:read")));
    let error = pnl::startup::Application::build(config)
        .await
        .err()
        .expect("an issuer without orgs is refused");
    let message = format!("{error:#}");
    assert!(
        message.contains("\"partner-y\"") && message.contains("orgs = [\"*\"]"),
        "{message}"
    );
}

#[tokio::test]
async fn graphiql_is_off_by_default() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::METHOD_NOT_ALLOWED);
    let asset = app
        .client
        .get(app.url("/graphiql/pnl-graphiql.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn introspection_needs_a_token_but_typename_does_not() {
    let app = TestApp::spawn().await;
    let queries = [
        "{ __schema { queryType { name } } }",
        r#"{ __type(name: "Money") { fields { name } } }"#,
        "query { ...Q } fragment Q on QueryRoot { __schema { types { name } } }",
    ];
    for query in queries {
        let (status, body) = app.gql(None, query, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    }

    let (_, body) = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "QueryRoot", "{body}");

    let token = app.token("acme", "pnl:read");
    for query in queries {
        let data = app.gql_ok(&token, query, json!({})).await;
        assert!(data.as_object().is_some_and(|d| !d.is_empty()), "{data}");
    }
}

/// The shops org `org` has.
async fn shops_of(app: &TestApp, org: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let org = app.org_id(org).await;
    entities::shop::Entity::find()
        .filter(entities::shop::Column::OrgId.eq(org))
        .count(app.db.conn())
        .await
        .unwrap() as usize
}

/// Starts a TikTok Shop round trip for `token`'s org in `browser` and lets the sandbox approve
/// it: the callback URL (code and state), not yet opened.
async fn approved_callback(app: &TestApp, browser: &mut Browser, token: &str) -> String {
    let (status, to_tiktok, body) = browser.get(&app.url("/connect/tiktok"), Some(token)).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let (status, back, body) = browser.get(&to_tiktok.unwrap(), None).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    back.unwrap()
}

/// The `state` of a callback URL.
fn state_of(callback: &str) -> String {
    reqwest::Url::parse(callback)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned()
}

/// Whether the sandbox still accepts the authorisation code of `callback` (the server did not
/// spend it).
async fn code_unused(app: &TestApp, callback: &str) -> bool {
    let code = reqwest::Url::parse(callback)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    let config = pnl::connectors::tiktok::config::tiktok_config(&app.state);
    pnl::connectors::tiktok::client::TikTokClient::exchange_code(
        &reqwest::Client::new(),
        &config,
        &code,
    )
    .await
    .is_ok()
}

#[tokio::test]
async fn the_connect_cookie_is_http_only_lax_and_scoped_to_connect() {
    let sandbox = start_sandbox(2).await;
    let app = spawn_for(&sandbox).await;
    let token = app.token("acme", "connectors:write");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/connect/tiktok"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    for part in [
        "pnl_connect_tiktok=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/connect",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(part), "{part} missing: {cookie}");
    }
    let location = response.headers()["location"].to_str().unwrap();
    let state = state_of(location);
    assert!(
        !cookie.contains(&state),
        "the state and the cookie are different values"
    );
}

#[tokio::test]
async fn a_replayed_state_is_refused_and_stores_nothing() {
    let sandbox = start_sandbox(2).await;
    let app = spawn_for(&sandbox).await;
    let token = app.token("acme", "connectors:write");
    let mut browser = Browser::default();
    let callback = approved_callback(&app, &mut browser, &token).await;
    let cookies = browser.cookies.clone();

    let (status, body) = browser.open(&callback, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Connected 2 TikTok shop(s) to org acme"),
        "{body}"
    );
    assert!(browser.cookies.is_empty(), "the used cookie is cleared");

    // The same callback again, with the cookie put back (an attacker who copied both).
    browser.cookies = cookies.clone();
    let (status, body) = browser.open(&callback, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("already used"), "{body}");

    // The state with a fresh code from TikTok: still refused, and the code is left unspent.
    let state = state_of(&callback);
    let authorize = format!(
        "{}/oauth/authorize?app_key={}&redirect_uri={}&state={state}",
        sandbox.base_url(),
        sandbox.config().app_key,
        app.url("/connect/tiktok/callback")
    );
    let (_, fresh, _) = browser.get(&authorize, None).await;
    let fresh = fresh.unwrap();
    assert_eq!(state_of(&fresh), state);
    let (status, body) = browser.open(&fresh, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        code_unused(&app, &fresh).await,
        "a refused callback spends no code"
    );
    assert_eq!(shops_of(&app, "acme").await, 2);
}

#[tokio::test]
async fn a_state_from_another_browser_is_refused() {
    let sandbox = start_sandbox(2).await;
    let app = spawn_for(&sandbox).await;
    let token = app.token("acme", "connectors:write");
    let mut seller = Browser::default();
    let callback = approved_callback(&app, &mut seller, &token).await;

    // A browser without the cookie (the link was sent to someone else).
    let mut stranger = Browser::default();
    let (status, body) = stranger.open(&callback, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("no connect cookie"), "{body}");

    // A browser with a connect cookie of its own round trip.
    let mut other = Browser::default();
    let other_token = app.token("other", "connectors:write");
    approved_callback(&app, &mut other, &other_token).await;
    let (status, body) = other.open(&callback, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("another browser"), "{body}");
    assert!(code_unused(&app, &callback).await);
    assert_eq!(
        shops_of(&app, "acme").await + shops_of(&app, "other").await,
        0
    );

    // Unknown and expired states are refused too.
    let unknown = callback.replace(&state_of(&callback), "forged");
    let (status, body) = seller.open(&unknown, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("not started here"), "{body}");
    let expired = approved_callback(&app, &mut seller, &token).await;
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::EntityTrait;
        entities::oauth_state::Entity::update_many()
            .col_expr(
                entities::oauth_state::Column::ExpiresAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
            )
            .exec(app.db.conn())
            .await
            .unwrap();
    }
    let (status, body) = seller.open(&expired, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("expired"), "{body}");
    assert_eq!(shops_of(&app, "acme").await, 0);
}

#[tokio::test]
async fn a_ticket_from_graphql_starts_the_flow_once_and_only_for_its_org() {
    let sandbox = start_sandbox(2).await;
    let app = spawn_for(&sandbox).await;
    let token = app.token("acme", "connectors:write");
    let ticket_url = || async {
        let data = app
            .gql_ok(&token, "{ tiktokAuthorizeUrl }", json!({}))
            .await;
        data["tiktokAuthorizeUrl"].as_str().unwrap().to_owned()
    };
    let url = ticket_url().await;
    assert!(
        url.starts_with(&app.url("/connect/tiktok?ticket=")),
        "a URL on this server: {url}"
    );

    // Another org's token cannot use acme's ticket, and the refusal does not spend it.
    let beta = app.token("beta", "connectors:write admin");
    let (status, body) = Browser::default().open(&url, Some(&beta)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let mut browser = Browser::default();
    let (status, body) = browser.open(&url, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("to org acme"), "{body}");

    let (status, body) = Browser::default().open(&url, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("already used"), "{body}");
    assert_eq!(shops_of(&app, "beta").await, 0);

    // Neither a ticket nor a token: nothing starts.
    let (status, _) = Browser::default()
        .open(&app.url("/connect/tiktok"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_only_its_org_can_revoke_it() {
    let app = TestApp::spawn().await;
    let acme = pnl::org::ensure(app.db.conn(), "acme").await.unwrap();
    let keys = pnl::startup::jwt_keys(&app.config).unwrap();
    let minted = pnl::auth::tokens::issue(
        app.db.conn(),
        &keys,
        &acme,
        "ci",
        &pnl::auth::Scopes::parse_strict("pnl:read").unwrap(),
        std::time::Duration::from_secs(600),
    )
    .await
    .unwrap();
    app.gql_ok(&minted.token, ME, json!({})).await;
    let revoke = "mutation($jti: String!) { revokeToken(jti: $jti) { jti subject revokedAt } }";

    // Another org's admin cannot see or revoke it.
    let beta = app.token("beta", "admin");
    let (_, body) = app
        .gql(Some(&beta), revoke, json!({ "jti": minted.jti }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    app.gql_ok(&minted.token, ME, json!({})).await;
    // Nor can acme without admin.
    let reader = app.token("acme", "pnl:read");
    let (_, body) = app
        .gql(Some(&reader), revoke, json!({ "jti": minted.jti }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let admin = app.token("acme", "admin");
    let data = app
        .gql_ok(&admin, revoke, json!({ "jti": minted.jti }))
        .await;
    assert_eq!(data["revokeToken"]["jti"], minted.jti.as_str());
    assert!(data["revokeToken"]["revokedAt"].is_string(), "{data}");
    assert_eq!(
        refusal(&app, &minted.token).await,
        format!("invalid token: token {} was revoked", minted.jti)
    );

    // A token from before `jti` existed stays valid until it expires.
    let now = chrono::Utc::now().timestamp();
    let old = encode(
        &Header::new(Algorithm::HS256),
        &json!({ "sub": "old", "org": "acme", "scope": "pnl:read", "iss": "pnl", "aud": "pnl", "iat": now, "exp": now + 600 }),
        &EncodingKey::from_secret(crate::helpers::SECRET.as_bytes()),
    )
    .unwrap();
    app.gql_ok(&old, ME, json!({})).await;
}
