//! The TikTok connector against the sandbox over real HTTP: a 90-day pull of two shops posts
//! statements that each sum to their total, survives throttling, transient errors and token
//! expiry, reports a revoked grant without retrying, and a second pull posts nothing new.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use pnl::connectors::catalog;
use pnl::connectors::tiktok::client::{RetryPolicy, TikTokClient, TikTokConfig};
use pnl::connectors::tiktok::error::TikTokError;
use pnl::connectors::tiktok::sync::{sync_shop, ShopTarget, SyncError};
use pnl::connectors::PayoutKind;
use pnl::ledger::Channel;
use pnl::money::{Currency, Money};
use pnl::payout::{list, PayoutFilter, ReconcileStatus};
use sandbox::{Sandbox, SandboxConfig};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::helpers::TestApp;

pub(crate) async fn sandbox(days: u32) -> Sandbox {
    Sandbox::start(SandboxConfig {
        days,
        orders_per_day: 4,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn tiktok_config(sandbox: &Sandbox) -> Arc<TikTokConfig> {
    Arc::new(TikTokConfig {
        app_key: sandbox.config().app_key.clone(),
        app_secret: sandbox.config().app_secret.clone(),
        api_base: sandbox.base_url(),
        auth_base: sandbox.base_url(),
        retry: RetryPolicy {
            attempts: 6,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
        },
    })
}

/// Authorises the app as the sandbox seller and registers its shops for `org`.
pub(crate) async fn connect(
    app: &TestApp,
    sandbox: &Sandbox,
    org: &str,
) -> (TikTokClient, Vec<(ShopTarget, String, String)>) {
    let http = reqwest::Client::new();
    let config = tiktok_config(sandbox);
    let tokens = TikTokClient::exchange_code(&http, &config, &sandbox.issue_auth_code())
        .await
        .unwrap();
    let client = TikTokClient::new(http, config, tokens);
    let org_id = app.org_id(org).await;
    let mut targets = Vec::new();
    for shop in client.authorized_shops().await.unwrap() {
        let info = sandbox
            .world()
            .shops()
            .iter()
            .find(|s| s.id == shop.id)
            .unwrap()
            .clone();
        let row = catalog::ensure_shop(
            app.db.conn(),
            org_id,
            Channel::TikTokShop,
            &shop.id,
            &shop.name,
            Some(&info.currency),
        )
        .await
        .unwrap();
        let target = ShopTarget {
            org_id,
            shop_id: row.id,
            currency: Currency::parse(&info.currency).unwrap(),
            credentials: None,
        };
        targets.push((target, shop.cipher, shop.id));
    }
    (client, targets)
}

fn window(sandbox: &Sandbox) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let from = Utc.from_utc_datetime(&sandbox.world().first_day().and_hms_opt(0, 0, 0).unwrap());
    let to = Utc.from_utc_datetime(&sandbox.world().last_day().and_hms_opt(0, 0, 0).unwrap())
        + chrono::Duration::days(2);
    (from, to)
}

pub(crate) async fn pull_all(
    app: &TestApp,
    sandbox: &Sandbox,
    client: &TikTokClient,
    targets: &[(ShopTarget, String, String)],
) -> usize {
    let (from, to) = window(sandbox);
    let mut posted = 0;
    for (target, cipher, _) in targets {
        let report = sync_shop(&app.db, &client.for_shop(cipher), target, from, to, &|_| {})
            .await
            .unwrap();
        assert!(
            report.ingest.failures.is_empty(),
            "{:?}",
            report.ingest.failures
        );
        posted += report.ingest.posted;
    }
    posted
}

/// Asserts that every statement of the sandbox is a MATCHED payout with the sandbox's total.
async fn assert_statements_reconcile(
    app: &TestApp,
    sandbox: &Sandbox,
    org: i64,
    shop_ids: &[String],
) {
    let filter = PayoutFilter {
        kind: Some(PayoutKind::Statement),
        ..PayoutFilter::default()
    };
    let (payouts, _) = list(app.db.conn(), org, &filter, None, 10_000)
        .await
        .unwrap();
    let mut checked = 0;
    for shop in shop_ids {
        for statement in sandbox.world().statements(shop) {
            let payout = payouts
                .iter()
                .find(|p| p.external_id == statement.id)
                .unwrap_or_else(|| panic!("statement {} not posted", statement.id));
            let currency = Currency::parse(&statement.currency).unwrap();
            assert_eq!(
                payout.reported,
                Some(Money::from_decimal(
                    statement.total_settlement_amount,
                    currency
                ))
            );
            assert_eq!(
                payout.status,
                ReconcileStatus::Matched,
                "statement {}: ledger {} vs reported {:?}",
                statement.id,
                payout.ledger,
                payout.reported
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "two shops over 90 days have many statements, got {checked}"
    );
}

#[tokio::test]
async fn a_90_day_pull_of_two_shops_reconciles_every_statement_and_a_second_pull_posts_nothing() {
    let app = TestApp::spawn().await;
    let sandbox = sandbox(90).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    assert_eq!(targets.len(), 2);
    let first = pull_all(&app, &sandbox, &client, &targets).await;
    assert!(first > 1000, "posted {first}");
    let org = app.org_id("acme").await;
    let shops: Vec<String> = targets.iter().map(|t| t.2.clone()).collect();
    assert_statements_reconcile(&app, &sandbox, org, &shops).await;

    let second = pull_all(&app, &sandbox, &client, &targets).await;
    assert_eq!(second, 0, "a second pull posts nothing new");

    // Payments whose statements are all in the window reconcile too (settlement + reserves).
    let filter = PayoutFilter {
        kind: Some(PayoutKind::Payment),
        ..PayoutFilter::default()
    };
    let (payments, _) = list(app.db.conn(), org, &filter, None, 10_000)
        .await
        .unwrap();
    let first_day = sandbox.world().first_day();
    let complete: Vec<_> = shops
        .iter()
        .flat_map(|shop| sandbox.world().payments(shop))
        .filter(|p| {
            p.statement_ids.iter().all(|id| {
                sandbox
                    .world()
                    .statements(&shops[0])
                    .iter()
                    .chain(sandbox.world().statements(&shops[1]).iter())
                    .any(|s| &s.id == id)
            })
        })
        .filter(|p| {
            p.create_time
                > Utc
                    .from_utc_datetime(&first_day.and_hms_opt(0, 0, 0).unwrap())
                    .timestamp()
                    + 8 * 86_400
        })
        .collect();
    assert!(!complete.is_empty());
    for payment in complete {
        let view = payments
            .iter()
            .find(|p| p.external_id == payment.id)
            .unwrap();
        assert_eq!(
            view.status,
            ReconcileStatus::Matched,
            "payment {}: ledger {} reported {:?}",
            payment.id,
            view.ledger,
            view.reported
        );
    }

    // The unknown fee types of the generator surface as unmapped.
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(&token, "{ unmappedFees { label entries } }", json!({}))
        .await;
    let labels: Vec<&str> = data["unmappedFees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"NEW_PLATFORM_FEE_TYPE") || labels.contains(&"mystery_service_fee_amount"),
        "{labels:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_client_survives_throttling_transient_errors_and_token_expiry() {
    let app = TestApp::spawn().await;
    let sandbox = sandbox(10).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    sandbox.faults().throttle_next(3);
    sandbox.faults().fail_next(2);
    sandbox.faults().expire_access_tokens();
    pull_all(&app, &sandbox, &client, &targets).await;
    let org = app.org_id("acme").await;
    let shops: Vec<String> = targets.iter().map(|t| t.2.clone()).collect();
    let filter = PayoutFilter {
        kind: Some(PayoutKind::Statement),
        ..PayoutFilter::default()
    };
    let (payouts, _) = list(app.db.conn(), org, &filter, None, 10_000)
        .await
        .unwrap();
    let expected: usize = shops
        .iter()
        .map(|s| sandbox.world().statements(s).len())
        .sum();
    assert_eq!(payouts.len(), expected);
    assert!(payouts.iter().all(|p| p.status == ReconcileStatus::Matched));
    assert_ne!(
        client.tokens().await.access_token,
        "",
        "the token was refreshed"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_revoked_grant_is_reported_at_once_and_marks_the_shop() {
    let app = TestApp::spawn().await;
    let sandbox = sandbox(10).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    sandbox.faults().revoke_grant();
    let before = sandbox.faults().requests();
    let (from, to) = window(&sandbox);
    let (target, cipher, _) = &targets[0];
    let error = sync_shop(&app.db, &client.for_shop(cipher), target, from, to, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(error, SyncError::TikTok(TikTokError::Reauthorize { .. })),
        "{error}"
    );
    assert!(
        sandbox.faults().requests() - before <= 2,
        "no retries on a revoked grant"
    );
    let shop = entities::shop::Entity::find_by_id(target.shop_id)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shop.status, "NEEDS_REAUTH");
    assert!(shop.status_message.unwrap().contains("re-authorised"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_dropped_transaction_shows_as_a_residual() {
    let app = TestApp::spawn().await;
    let sandbox = sandbox(10).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    let shop_id = targets[0].2.clone();
    let statement = sandbox
        .world()
        .statements(&shop_id)
        .into_iter()
        .find(|s| s.transaction_count > 2)
        .unwrap();
    // Find one of its transactions through the API itself.
    let scoped = client.for_shop(&targets[0].1);
    let path = format!(
        "/finance/202501/statements/{}/statement_transactions",
        statement.id
    );
    let (_, data) = scoped
        .call(
            reqwest::Method::GET,
            &path,
            &[("sort_field", "order_create_time".to_owned())],
            None,
        )
        .await
        .unwrap();
    let tx = &data["transactions"][0];
    let tx_amount: rust_decimal::Decimal =
        tx["settlement_amount"].as_str().unwrap().parse().unwrap();
    sandbox
        .faults()
        .drop_transaction(&statement.id, tx["id"].as_str().unwrap());
    pull_all(&app, &sandbox, &client, &targets[..1]).await;
    let token = app.token("acme", "pnl:read");
    let query = r#"query($id: String!) { payout(channel: TIKTOK_SHOP, externalId: $id) { status residual { amount } } }"#;
    let data = app
        .gql_ok(&token, query, json!({ "id": statement.id }))
        .await;
    if tx_amount.is_zero() {
        assert_eq!(data["payout"]["status"], "MATCHED");
    } else {
        assert_eq!(data["payout"]["status"], "MISMATCHED");
        assert_eq!(
            data["payout"]["residual"]["amount"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap(),
            tx_amount
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn retries_are_bounded_when_throttling_never_stops() {
    let app = TestApp::spawn().await;
    let sandbox = sandbox(3).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    sandbox.faults().throttle_next(1_000);
    let before = sandbox.faults().requests();
    let (from, to) = window(&sandbox);
    let (target, cipher, _) = &targets[0];
    let error = sync_shop(&app.db, &client.for_shop(cipher), target, from, to, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SyncError::TikTok(TikTokError::Exhausted { attempts: 6, .. })
        ),
        "{error}"
    );
    assert_eq!(sandbox.faults().requests() - before, 6);
    sandbox.shutdown().await;
}

/// The sum of the current ledger lines of `org` with `label`.
async fn label_total(app: &TestApp, org: i64, label: &str) -> rust_decimal::Decimal {
    use sea_orm::{ColumnTrait, QueryFilter};
    let rows = entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(org))
        .filter(crate::helpers::labelled(label))
        .all(app.db.conn())
        .await
        .unwrap();
    rows.iter()
        .map(|r| rust_decimal::Decimal::new(r.amount_minor, 2))
        .sum()
}

#[tokio::test]
async fn ads_spend_comes_from_the_marketing_api_once_beside_the_statements() {
    use pnl::connectors::tiktok::ads::{pull_ads, AdsClient, AdsConfig, AdsTarget};
    let app = TestApp::spawn().await;
    let sandbox = sandbox(20).await;
    let (client, targets) = connect(&app, &sandbox, "acme").await;
    pull_all(&app, &sandbox, &client, &targets[..1]).await;
    let org = app.org_id("acme").await;

    let config = Arc::new(AdsConfig {
        app_id: sandbox.config().ads_app_id.clone(),
        secret: sandbox.config().ads_secret.clone(),
        base: sandbox.base_url(),
        retry: RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
    });
    let (ads, granted) = AdsClient::exchange_code(
        reqwest::Client::new(),
        config,
        &sandbox.issue_ads_auth_code(),
    )
    .await
    .unwrap();
    let shop = sandbox
        .world()
        .shops()
        .iter()
        .find(|s| s.id == targets[0].2)
        .unwrap()
        .clone();
    assert!(granted.contains(&shop.advertiser_id));
    let account = ads
        .advertisers()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.advertiser_id == shop.advertiser_id)
        .unwrap();
    let target = AdsTarget {
        org_id: org,
        shop_id: targets[0].0.shop_id,
        store_id: shop.id.clone(),
        advertiser_id: shop.advertiser_id.clone(),
        currency: targets[0].0.currency,
        time_zone: account.timezone.unwrap().parse().unwrap(),
        credentials: None,
    };
    sandbox.faults().throttle_next(2);
    let (first, last) = (sandbox.world().first_day(), sandbox.world().last_day());
    let report = pull_ads(&app.db, &ads, &target, first, last).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(
        label_total(&app, org, "ads_spend").await < rust_decimal::Decimal::ZERO,
        "card-paid spend is posted"
    );

    // GMV Max cost is moved onto products, never added: the pair nets to zero, and what it
    // moves is what the statements charged for those days.
    let expected: rust_decimal::Decimal = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| sandbox.world().gmv_max_cost(&shop.id, d))
        .sum();
    assert!(expected > rust_decimal::Decimal::ZERO);
    assert_eq!(label_total(&app, org, "gmv_max_cost").await, -expected);
    assert_eq!(
        label_total(&app, org, "gmv_max_paid_from_gmv").await,
        expected
    );
    let charged = label_total(&app, org, "GMV_PAYMENT_FOR_ADS").await;
    assert!(
        charged < rust_decimal::Decimal::ZERO,
        "the statements carry the GMV Max charge"
    );

    let again = pull_ads(&app.db, &ads, &target, first, last).await.unwrap();
    assert_eq!(again.posted, 0);
    sandbox.shutdown().await;
}
