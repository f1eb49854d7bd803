//! `TestApp`: spawn the server on a fresh database, mint tokens, send GraphQL.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use pnl::auth::jwt::TokenRequest;
use pnl::auth::Scopes;
use pnl::config::{Config, Secret, TrustedIssuerConfig};
use pnl::db::Db;
use pnl::startup::{jwt_keys, Application};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// By path: `tests/fairness` includes this file by path too, where a plain `mod ledger;` would
// resolve to `tests/api/ledger.rs` (the ledger's tests) instead.
#[path = "helpers/ledger.rs"]
mod ledger;

pub use ledger::*;

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

static NOTE: Once = Once::new();

/// Says once per run which database the suite uses (written past the test harness's capture).
fn announce_backend() {
    NOTE.call_once(|| {
        let line = match std::env::var("PNL_TEST_DATABASE_URL") {
            Ok(_) => "pnl e2e: running against PostgreSQL (PNL_TEST_DATABASE_URL)\n",
            Err(_) => "pnl e2e: PNL_TEST_DATABASE_URL is not set, so the PostgreSQL run is skipped; using SQLite\n",
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    });
}

/// A fresh database for one test: a SQLite file in a temp dir, or a new PostgreSQL database that
/// is dropped when this value is.
pub struct TestDb {
    pub url: String,
    pub dir: Arc<TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn fresh() -> Self {
        announce_backend();
        let dir = Arc::new(tempfile::tempdir().unwrap());
        match std::env::var("PNL_TEST_DATABASE_URL") {
            Ok(base) => {
                let name = format!("pnl_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&base)
                    .await
                    .expect("PNL_TEST_DATABASE_URL must be reachable");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                let (prefix, query) = match base.split_once('?') {
                    Some((prefix, query)) => (prefix, format!("?{query}")),
                    None => (base.as_str(), String::new()),
                };
                let server = &prefix[..prefix.rfind('/').unwrap()];
                Self {
                    url: format!("{server}/{name}{query}"),
                    dir,
                    pg: Some((base.clone(), name)),
                }
            }
            Err(_) => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("pnl.db").display());
                Self { url, dir, pg: None }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = self.pg.take() {
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(&base).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The configuration tests run with: random port, the test database, a known secret, and two
/// trusted external issuers (an RS256 partner signer by PEM bound to org `acme`, an ES256
/// identity provider by JWKS for any org), both allowed every scope.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: Some(db.url.clone()),
        data_dir: db.dir.path().to_path_buf(),
        jwt_secret: Some(Secret::new(SECRET)),
        ..Config::default()
    };
    config.graphql.max_body_bytes = 64 * 1024;
    // Tests talk over loopback, many requests a second; the rate-limit test turns this off.
    config.rate_limit.exempt_loopback = true;
    // Tests drive sync jobs themselves unless they start a worker.
    config.sync.worker = false;
    config.trusted_issuers = vec![
        TrustedIssuerConfig {
            issuer: "https://partner.example".to_owned(),
            audience: None,
            jwks_file: None,
            pem_file: Some(fixture("keys/partner-rsa.pub.pem")),
            algorithm: Some("RS256".to_owned()),
            kid: None,
            orgs: Some(vec!["acme".to_owned()]),
            max_scopes: Some("admin".to_owned()),
        },
        TrustedIssuerConfig {
            issuer: "https://idp.example".to_owned(),
            audience: Some("pnl-api".to_owned()),
            jwks_file: Some(fixture("keys/idp-ec.jwks.json")),
            pem_file: None,
            algorithm: None,
            kid: None,
            orgs: Some(vec!["*".to_owned()]),
            max_scopes: Some("admin".to_owned()),
        },
    ];
    config
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: pnl::state::AppState,
    pub db: Db,
    pub config: Config,
    pub test_db: TestDb,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDb::fresh().await).await
    }

    pub async fn spawn_on(test_db: TestDb) -> Self {
        let config = test_config(&test_db);
        Self::spawn_with(test_db, config).await
    }

    pub async fn spawn_with(test_db: TestDb, config: Config) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            pnl::telemetry::init(pnl::config::LogFormat::Pretty, "pnl=debug,info");
        }
        let app = Application::build(config.clone())
            .await
            .expect("server builds");
        let addr = app.local_addr().unwrap();
        let state = app.state().clone();
        let db = state.db.clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            client: reqwest::Client::new(),
            state,
            db,
            config,
            test_db,
            shutdown,
            server,
        }
    }

    /// Stops the server gracefully and hands back its database.
    pub async fn stop(self) -> TestDb {
        let _ = self.shutdown.send(());
        tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops within 10s")
            .unwrap()
            .unwrap();
        self.test_db
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A server-signed token for `org` with `scopes`.
    pub fn token(&self, org: &str, scopes: &str) -> String {
        self.token_ttl(org, scopes, Duration::from_secs(600))
    }

    pub fn token_ttl(&self, org: &str, scopes: &str, ttl: Duration) -> String {
        let scopes = Scopes::parse_strict(scopes).unwrap();
        jwt_keys(&self.config)
            .unwrap()
            .sign(&TokenRequest {
                subject: "tester",
                org,
                scopes: &scopes,
                ttl,
                client_id: None,
            })
            .unwrap()
    }

    /// POSTs a GraphQL operation; returns the HTTP status and the JSON body.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// `gql` for an operation that must succeed: returns `data`.
    pub async fn gql_ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql(Some(token), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The id of org `key` (created on first use).
    /// Ledger rows of every org (reversals included).
    pub async fn ledger_rows(&self) -> i64 {
        use sea_orm::ConnectionTrait;
        let row = self
            .db
            .conn()
            .query_one(sea_orm::Statement::from_string(
                self.db.backend(),
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ledger_entry",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }

    pub async fn org_id(&self, key: &str) -> i64 {
        pnl::org::ensure(self.db.conn(), key).await.unwrap().id
    }
}

/// The `extensions.code` of the first error, asserting that there is no data.
pub fn error_code(body: &Value) -> String {
    let data = &body["data"];
    assert!(
        data.is_null()
            || data
                .as_object()
                .is_some_and(|fields| fields.values().all(Value::is_null)),
        "no data may be returned with this error: {body}"
    );
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
        .to_owned()
}

/// A browser for the OAuth round trips: follows redirects by hand and keeps the cookies each
/// origin sets (host and port; `Max-Age=0` removes one), sending them back to that origin.
#[derive(Debug)]
pub struct Browser {
    client: reqwest::Client,
    /// (origin, name, value).
    pub cookies: Vec<(String, String, String)>,
}

impl Default for Browser {
    fn default() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }
}

impl Browser {
    /// One request, no redirect followed: the status, the `Location` and the body.
    pub async fn get(
        &mut self,
        url: &str,
        token: Option<&str>,
    ) -> (StatusCode, Option<String>, String) {
        let url = reqwest::Url::parse(url).unwrap();
        let origin = url.origin().ascii_serialization();
        let mut request = self.client.get(url.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let sent: Vec<String> = self
            .cookies
            .iter()
            .filter(|(at, _, _)| *at == origin)
            .map(|(_, name, value)| format!("{name}={value}"))
            .collect();
        if !sent.is_empty() {
            request = request.header(reqwest::header::COOKIE, sent.join("; "));
        }
        let response = request.send().await.unwrap();
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies
                .retain(|(at, known, _)| !(*at == origin && known == name));
            if !set.contains("Max-Age=0") {
                self.cookies
                    .push((origin.clone(), name.to_owned(), value.to_owned()));
            }
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| url.join(value.to_str().unwrap()).unwrap().to_string());
        (response.status(), location, response.text().await.unwrap())
    }

    /// Opens `url` (with `token` on the first request only) and follows redirects: the final
    /// status and body.
    pub async fn open(&mut self, url: &str, token: Option<&str>) -> (StatusCode, String) {
        let (mut status, mut location, mut body) = self.get(url, token).await;
        for _ in 0..5 {
            let Some(next) = location.take() else { break };
            (status, location, body) = self.get(&next, None).await;
        }
        assert!(location.is_none(), "too many redirects from {url}");
        (status, body)
    }
}
