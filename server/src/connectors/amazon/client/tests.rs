//! The client against a `sandbox::Sandbox` on a random port.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sandbox::{AmazonQuotas, AmazonSandboxConfig, Quota, Sandbox, SandboxConfig};

use super::*;
use crate::connectors::amazon::rate::{Backoff, OperationQuota, Quotas};

const US: &str = "A3SANDB0XUS001";
const DE: &str = "A2SANDB0XDE001";

async fn start(quotas: AmazonQuotas) -> Sandbox {
    Sandbox::start(SandboxConfig {
        days: 1,
        orders_per_day: 1,
        amazon: AmazonSandboxConfig {
            orders_per_day: 4,
            quotas,
            ..AmazonSandboxConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn fast() -> AmazonQuotas {
    AmazonQuotas::all(Quota::new(1000.0, 1000))
}

fn config(sandbox: &Sandbox, quota: OperationQuota) -> Arc<AmazonConfig> {
    let mut config = AmazonConfig::sandbox(&sandbox.base_url());
    config.quotas = Quotas {
        finances: quota,
        get_reports: quota,
        get_report_document: quota,
    };
    config.backoff = Backoff {
        attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    Arc::new(config)
}

fn client(sandbox: &Sandbox, seller: &str, quota: OperationQuota) -> AmazonClient {
    let token = sandbox.amazon_refresh_token(seller).unwrap();
    let marketplace = if seller == US {
        "ATVPDKIKX0DER"
    } else {
        "A1PA6795UKMFR9"
    };
    AmazonClient::for_marketplace(
        reqwest::Client::new(),
        config(sandbox, quota),
        marketplace,
        token,
    )
    .unwrap()
}

fn quick() -> OperationQuota {
    OperationQuota {
        rate: 1000.0,
        burst: 1000,
    }
}

fn last_100_days() -> Window {
    Window {
        after: Utc::now() - chrono::Duration::days(100),
        before: None,
    }
}

async fn all_group_ids(client: &AmazonClient) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token = None;
    // One window for every page: a NextToken belongs to the arguments it
    // was issued for, and `Utc::now()` moves between pages.
    let window = last_100_days();
    loop {
        let page = client
            .list_financial_event_groups(&window, token.as_deref())
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        for g in v["payload"]["FinancialEventGroupList"].as_array().unwrap() {
            ids.push(g["FinancialEventGroupId"].as_str().unwrap().to_owned());
        }
        token = page.next_token;
        if token.is_none() {
            return ids;
        }
    }
}

#[tokio::test]
async fn one_lwa_call_serves_many_requests_and_an_expired_token_is_refreshed() {
    let sandbox = start(fast()).await;
    let client = client(&sandbox, US, quick());
    for _ in 0..5 {
        all_group_ids(&client).await;
    }
    assert_eq!(sandbox.amazon().lwa_calls(), 1);
    sandbox.faults().amazon().expire_access_tokens();
    assert_eq!(
        all_group_ids(&client).await.len(),
        sandbox.amazon().groups(US).len()
    );
    assert_eq!(sandbox.amazon().lwa_calls(), 2, "one refresh after the 403");
}

#[tokio::test]
async fn paging_goes_through_empty_pages_to_every_event_of_a_group() {
    let sandbox = start(fast()).await;
    let client = client(&sandbox, DE, quick());
    let groups = sandbox.amazon().groups(DE);
    assert_eq!(
        all_group_ids(&client).await,
        groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>()
    );
    let group = &groups[1];
    let (mut events, mut empty_pages, mut token) = (0, 0, None);
    loop {
        let page = client
            .list_financial_events_by_group(&group.id, None, token.as_deref())
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        let on_page: usize = v["payload"]["FinancialEvents"]
            .as_object()
            .unwrap()
            .values()
            .map(|list| list.as_array().unwrap().len())
            .sum();
        if on_page == 0 {
            empty_pages += 1;
        }
        events += on_page;
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(events, group.events);
    assert!(
        empty_pages >= 1,
        "Amazon serves empty pages before the token runs out"
    );
}

#[tokio::test]
async fn a_throttled_sandbox_is_used_at_ninety_percent_of_its_rate_without_failures() {
    let (rate, burst) = (10.0, 5);
    let sandbox = start(AmazonQuotas::all(Quota::new(rate, burst))).await;
    let client = client(&sandbox, US, OperationQuota { rate, burst });
    let calls = 40;
    let started = Instant::now();
    for _ in 0..calls {
        client
            .list_financial_event_groups(&last_100_days(), None)
            .await
            .unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let allowed = f64::from(burst) + rate * elapsed;
    let stats = sandbox.amazon().stats()["listFinancialEventGroups"];
    assert_eq!(stats.ok, calls);
    assert!(
        calls as f64 >= 0.9 * allowed,
        "{calls} calls in {elapsed:.2}s; the plan allowed {allowed:.1}"
    );
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_and_exhaustion_is_rate_limited() {
    let sandbox = start(fast()).await;
    let client = client(&sandbox, US, quick());
    sandbox.faults().amazon().fail_next(3);
    all_group_ids(&client).await;
    sandbox.faults().amazon().throttle_next(2);
    all_group_ids(&client).await;
    sandbox.faults().amazon().throttle_next(50);
    let error = client
        .list_financial_event_groups(&last_100_days(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, AmazonError::RateLimited { attempts: 5, .. }),
        "{error}"
    );
    sandbox.faults().amazon().reset();
    sandbox.faults().amazon().fail_next(50);
    let error = client
        .list_financial_event_groups(&last_100_days(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            AmazonError::Upstream {
                status: Some(500 | 503),
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_needs_reauthorisation() {
    let sandbox = start(fast()).await;
    let client = client(&sandbox, US, quick());
    all_group_ids(&client).await;
    sandbox.faults().amazon().revoke_refresh_tokens(US);
    let error = client
        .list_financial_event_groups(&last_100_days(), None)
        .await
        .unwrap_err();
    assert!(error.needs_reauthorization(), "{error}");
    let text = format!("{error} {error:?}");
    assert!(
        text.contains("invalid_grant")
            && !text.contains("Atzr|")
            && !text.contains("sandbox_lwa_secret"),
        "{text}"
    );
    let shared: crate::connectors::upstream::UpstreamError = error.into();
    assert!(matches!(
        shared,
        crate::connectors::upstream::UpstreamError::Reauthorize { .. }
    ));
}

#[tokio::test]
async fn a_consent_code_is_exchanged_for_a_working_refresh_token() {
    let sandbox = start(fast()).await;
    let mut config = AmazonConfig::sandbox(&sandbox.base_url());
    config.redirect_uri = Some("http://app.example/amazon/callback".to_owned());
    let url = format!(
        "{}&selling_partner_id={DE}",
        config.consent_url(Region::Eu, "st4te")
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let query: std::collections::HashMap<String, String> = reqwest::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query["state"], "st4te");
    assert_eq!(query["selling_partner_id"], DE);
    let tokens =
        crate::connectors::amazon::exchange_code(&http, &config, &query["spapi_oauth_code"])
            .await
            .unwrap();
    let refresh = tokens.refresh_token.unwrap();
    let error =
        crate::connectors::amazon::exchange_code(&http, &config, &query["spapi_oauth_code"])
            .await
            .unwrap_err();
    assert!(
        error.needs_reauthorization(),
        "a code is single-use: {error}"
    );
    let client = AmazonClient::new(
        reqwest::Client::new(),
        Arc::new(config),
        Region::Eu,
        refresh,
    );
    assert_eq!(
        all_group_ids(&client).await.len(),
        sandbox.amazon().groups(DE).len()
    );
}

#[tokio::test]
async fn settlement_reports_download_as_the_sandbox_files_gzip_or_not() {
    let sandbox = start(fast()).await;
    let client = client(&sandbox, DE, quick());
    let page = client.list_settlement_reports(None, None).await.unwrap();
    let groups = sandbox.amazon().groups(DE);
    let closed: Vec<_> = groups.iter().filter(|g| !g.open).collect();
    assert_eq!(page.reports.len(), closed.len());
    assert!(page.next_token.is_none());
    for report in &page.reports {
        let document_id = report.report_document_id.clone().unwrap();
        let group = closed
            .iter()
            .find(|g| g.report_document_id.as_deref() == Some(&document_id))
            .unwrap();
        assert_eq!(report.data_start_time, Some(group.start));
        let bytes = client.download_report_document(&document_id).await.unwrap();
        assert_eq!(bytes, sandbox.amazon().settlement_file(&group.id).unwrap());
    }
}

#[tokio::test]
async fn a_failed_download_names_the_document_and_never_its_url() {
    let sandbox = start(fast()).await;
    let mut config = (*config(&sandbox, quick())).clone();
    config.max_document_bytes = 100;
    let token = sandbox.amazon_refresh_token(US).unwrap();
    let client = AmazonClient::new(reqwest::Client::new(), Arc::new(config), Region::Na, token);
    let document_id = sandbox.amazon().groups(US)[0]
        .report_document_id
        .clone()
        .unwrap();
    let error = client
        .download_report_document(&document_id)
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(
        text.contains(&document_id) && text.contains("larger than 100 bytes"),
        "{text}"
    );
    assert!(
        !text.contains("X-Amz") && !text.contains("sandbox-reports") && !text.contains("http"),
        "{text}"
    );
}
