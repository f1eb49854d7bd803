//! The sync service: OAuth connect through real HTTP, scheduled jobs claimed through the
//! database, a backfill that reconciles, a second sync that posts nothing, a sync killed
//! mid-way and resumed by another worker with identical totals, and claims that two workers on
//! one database never share.

use std::sync::Arc;
use std::time::Duration;

use pnl::config::{Config, Secret};
use pnl::connectors::PayoutKind;
use pnl::payout::{list, PayoutFilter, ReconcileStatus};
use pnl::sync::{claim, run_one, SyncEngine};
use reqwest::StatusCode;
use sandbox::{Sandbox, SandboxConfig};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::helpers::{test_config, Browser, TestApp, TestDb};

pub async fn start_sandbox(days: u32) -> Sandbox {
    Sandbox::start(SandboxConfig {
        days,
        orders_per_day: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// The test configuration with the TikTok apps pointed at `sandbox`.
pub fn config_for(db: &TestDb, sandbox: &Sandbox) -> Config {
    let mut config = test_config(db);
    let url = sandbox.base_url();
    config.channels.tiktok.app_key = sandbox.config().app_key.clone();
    config.channels.tiktok.app_secret = Secret::new(sandbox.config().app_secret.clone());
    config.channels.tiktok.api_base = url.clone();
    config.channels.tiktok.auth_base = url.clone();
    config.channels.tiktok.authorize_url = format!("{url}/oauth/authorize");
    config.channels.tiktok_ads.app_id = sandbox.config().ads_app_id.clone();
    config.channels.tiktok_ads.secret = Secret::new(sandbox.config().ads_secret.clone());
    config.channels.tiktok_ads.api_base = url.clone();
    config.channels.tiktok_ads.authorize_url = format!("{url}/portal/auth");
    config.sync.backfill_days = sandbox.config().days + 1;
    config.sync.lease = Duration::from_secs(1);
    config
}

/// Starts the server on a fresh database for `sandbox`; its public URL is its real address.
pub async fn spawn_for(sandbox: &Sandbox) -> TestApp {
    let db = TestDb::fresh().await;
    let mut config = config_for(&db, sandbox);
    // Bind first to learn the port, so OAuth redirects come back to this server.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.listen = probe.local_addr().unwrap();
    drop(probe);
    config.public_url = Some(format!("http://{}", config.listen));
    TestApp::spawn_with(db, config).await
}

/// Connects the sandbox seller (and its ad accounts) to `org` through `/connect/...`, in one
/// browser that carries the connect cookie from the start to the callback.
pub async fn connect_over_http(app: &TestApp, org: &str) {
    let token = app.token(org, "connectors:write pnl:read");
    let mut browser = Browser::default();
    for path in ["/connect/tiktok", "/connect/tiktok-ads"] {
        let (status, body) = browser.open(&app.url(path), Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains("Connected"), "{body}");
        assert!(body.contains(&format!("to org {org}")), "{body}");
    }
}

/// Runs due jobs until none is left.
pub async fn drain(app: &TestApp) -> usize {
    let mut ran = 0;
    while run_one(&app.state).await.unwrap() {
        ran += 1;
        assert!(ran < 50, "jobs keep coming back");
    }
    ran
}

/// (current lines, their total) of `org`: reversals cancel what they reverse.
async fn ledger_fingerprint(app: &TestApp, org: &str) -> (i64, i64) {
    let org_id = app.org_id(org).await;
    let row = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_sql_and_values(
            app.db.backend(),
            match app.db.backend() {
                sea_orm::DatabaseBackend::Postgres => "SELECT CAST(COALESCE(SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS s FROM ledger_entry WHERE org_id = $1",
                _ => "SELECT COALESCE(SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END), 0) AS n, COALESCE(SUM(amount_minor), 0) AS s FROM ledger_entry WHERE org_id = ?",
            },
            [org_id.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    (row.try_get("", "n").unwrap(), row.try_get("", "s").unwrap())
}

pub async fn assert_all_statements_match(app: &TestApp, org: &str) -> usize {
    let org_id = app.org_id(org).await;
    let filter = PayoutFilter {
        kind: Some(PayoutKind::Statement),
        ..PayoutFilter::default()
    };
    let (payouts, _) = list(app.db.conn(), org_id, &filter, None, 10_000)
        .await
        .unwrap();
    for payout in &payouts {
        assert_eq!(
            payout.status,
            ReconcileStatus::Matched,
            "statement {} ledger {} reported {:?}",
            payout.external_id,
            payout.ledger,
            payout.reported
        );
    }
    payouts.len()
}

#[tokio::test]
async fn connecting_over_oauth_schedules_a_backfill_that_reconciles_and_a_second_sync_posts_nothing(
) {
    let sandbox = start_sandbox(90).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(
            &token,
            "{ shops { id name status syncStatus { state } } adAccounts { advertiserId shopId } }",
            json!({}),
        )
        .await;
    assert_eq!(data["shops"].as_array().unwrap().len(), 2);
    assert!(
        data["shops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["syncStatus"]["state"] == "IDLE"),
        "{data}"
    );
    assert!(
        data["adAccounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["shopId"].is_string()),
        "ad accounts are linked to their shops"
    );

    assert_eq!(drain(&app).await, 4, "two shops and two ad accounts");
    let statements = assert_all_statements_match(&app, "acme").await;
    let expected: usize = sandbox
        .world()
        .shops()
        .iter()
        .map(|s| sandbox.world().statements(&s.id).len())
        .sum();
    assert_eq!(statements, expected);
    let data = app
        .gql_ok(
            &token,
            "{ shops { syncStatus { state lastSuccessAt lastError progress { step } } } }",
            json!({}),
        )
        .await;
    for shop in data["shops"].as_array().unwrap() {
        assert_eq!(shop["syncStatus"]["state"], "IDLE");
        assert!(
            shop["syncStatus"]["lastSuccessAt"].is_string()
                && shop["syncStatus"]["lastError"].is_null()
        );
        assert_eq!(shop["syncStatus"]["progress"]["step"], "done");
    }

    // Nothing is due until the interval passes; triggered, a second sync posts nothing new.
    let before = ledger_fingerprint(&app, "acme").await;
    assert_eq!(drain(&app).await, 0);
    let admin = app.token("acme", "connectors:write pnl:read");
    for shop in data["shops"].as_array().unwrap().iter().enumerate() {
        let id =
            app.gql_ok(&token, "{ shops { id } }", json!({})).await["shops"][shop.0]["id"].clone();
        app.gql_ok(
            &admin,
            "mutation($id: ID!) { triggerSync(shopId: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    }
    assert_eq!(drain(&app).await, 4);
    assert_eq!(ledger_fingerprint(&app, "acme").await, before);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_sync_killed_mid_way_and_resumed_by_another_worker_gives_identical_totals() {
    let sandbox = start_sandbox(30).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "killed").await;
    connect_over_http(&app, "calm").await;

    // Kill the first shop's sync of org "killed" once it is inside its statements.
    let state = app.state.clone();
    let job = tokio::spawn(async move { run_one(&state).await });
    let killed_org = app.org_id("killed").await;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let rows = entities::sync_state::Entity::find()
            .all(app.db.conn())
            .await
            .unwrap();
        let running = rows
            .iter()
            .find(|r| r.org_id == killed_org && r.state == "RUNNING");
        if running
            .and_then(|r| r.progress.as_deref())
            .is_some_and(|p| p.contains("statement transactions") && !p.contains("\"done\":0"))
        {
            break;
        }
        assert!(
            !job.is_finished(),
            "the job finished before it could be killed"
        );
    }
    job.abort();
    let _ = job.await;

    // Another process (another worker id) resumes it once the lease has expired.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut other = app.state.clone();
    other.sync = Arc::new(SyncEngine::new());
    while run_one(&other).await.unwrap() {}
    for job in entities::sync_state::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
    {
        assert_eq!(
            (job.state.as_str(), job.last_error.as_deref()),
            ("IDLE", None),
            "job {} of org {}",
            job.stream,
            job.org_id
        );
    }
    assert_all_statements_match(&app, "killed").await;
    assert_all_statements_match(&app, "calm").await;
    assert_eq!(
        ledger_fingerprint(&app, "killed").await,
        ledger_fingerprint(&app, "calm").await
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn two_workers_on_one_database_never_hold_the_same_job() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    // A second "process": its own connection pool and worker id on the same database.
    let second_db = pnl::db::Db::connect(&app.test_db.url).await.unwrap();
    let lease = Duration::from_secs(30);
    for round in 0..10 {
        app.db.conn().execute_unprepared("UPDATE sync_state SET locked_by = NULL, locked_until = NULL, next_run_at = NULL, state = 'IDLE'").await.unwrap();
        let (a, b) = tokio::join!(
            claim(&app.db, "worker-a", lease),
            claim(&second_db, "worker-b", lease)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let (a, b) = (
            a.expect("a due job for worker a"),
            b.expect("another due job for worker b"),
        );
        assert_ne!(
            a.id, b.id,
            "round {round}: both workers claimed job {}",
            a.id
        );
        // With every job held, nobody gets one.
        let held = 4 - 2;
        for _ in 0..held {
            claim(&app.db, "worker-c", lease).await.unwrap();
        }
        assert!(
            claim(&second_db, "worker-d", lease)
                .await
                .unwrap()
                .is_none(),
            "round {round}: a held job was claimed again"
        );
    }
    second_db.close().await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn another_org_can_neither_see_nor_sync_nor_link_a_shop() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let owner = app.token("acme", "pnl:read");
    let shop_id = app.gql_ok(&owner, "{ shops { id } }", json!({})).await["shops"][0]["id"].clone();
    let other = app.token("globex", "admin");
    assert_eq!(
        app.gql_ok(
            &other,
            "{ shops { id } adAccounts { advertiserId } }",
            json!({})
        )
        .await,
        json!({ "shops": [], "adAccounts": [] })
    );
    let (_, body) = app
        .gql(
            Some(&other),
            "mutation($id: ID!) { triggerSync(shopId: $id) { id } }",
            json!({ "id": shop_id }),
        )
        .await;
    assert_eq!(crate::helpers::error_code(&body), "NOT_FOUND");
    let advertiser = sandbox.world().shops()[0].advertiser_id.clone();
    let (_, body) = app.gql(Some(&other), "mutation($a: String!, $id: ID!) { linkAdAccount(advertiserId: $a, shopId: $id) { id } }", json!({ "a": advertiser, "id": shop_id })).await;
    assert_eq!(crate::helpers::error_code(&body), "NOT_FOUND");
    // A callback with a forged state connects nothing.
    let response = app
        .client
        .get(app.url("/connect/tiktok/callback?code=x&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Starting a connection needs connectors:write.
    let reader = app.token("acme", "pnl:read");
    let response = app
        .client
        .get(app.url("/connect/tiktok"))
        .bearer_auth(reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    sandbox.shutdown().await;
}
