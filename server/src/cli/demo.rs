//! `pnl demo`: a brand with two TikTok shops and their ad accounts, end to end on this machine.
//! It starts the sandbox on loopback, points the TikTok apps at it, connects the shops and ad
//! accounts through the real OAuth and sync path, serves GraphQL, and prints what to try.

use std::time::Duration;

use crate::auth::jwt::TokenRequest;
use crate::auth::Scopes;
use crate::config::{Config, Secret};
use crate::startup::{self, Application};

/// Runs the demo until Ctrl-C.
///
/// # Errors
/// A port in use, a database that cannot be opened, or a failed connection round trip.
pub(super) async fn run(mut config: Config, days: u32, orders_per_day: u32) -> anyhow::Result<()> {
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxConfig {
        days,
        orders_per_day,
        ..sandbox::SandboxConfig::default()
    })
    .await?;
    let sandbox_url = sandbox.base_url();
    config.tiktok.app_key = sandbox.config().app_key.clone();
    config.tiktok.app_secret = Secret::new(sandbox.config().app_secret.clone());
    config.tiktok.api_base = sandbox_url.clone();
    config.tiktok.auth_base = sandbox_url.clone();
    config.tiktok.authorize_url = format!("{sandbox_url}/oauth/authorize");
    config.tiktok_ads.app_id = sandbox.config().ads_app_id.clone();
    config.tiktok_ads.secret = Secret::new(sandbox.config().ads_secret.clone());
    config.tiktok_ads.api_base = sandbox_url.clone();
    config.tiktok_ads.authorize_url = format!("{sandbox_url}/portal/auth");
    config.sync.worker = true;
    config.sync.backfill_days = (days + 1).clamp(1, 730);
    if config.public_url.is_none() {
        config.public_url = Some(format!("http://{}", config.listen));
    }

    let app = Application::build(config.clone()).await?;
    let base = config.public_url();
    let keys = startup::jwt_keys(&config)?;
    let token = keys.sign(&TokenRequest {
        subject: "demo",
        org: "demo",
        scopes: &Scopes::parse_strict("admin")?,
        ttl: Duration::from_secs(30 * 86_400),
        client_id: None,
    })?;
    let server = tokio::spawn(app.run_until_stopped(startup::shutdown_signal()));

    // Connect through the same routes a browser would use (redirects followed).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?;
    for path in ["/connect/tiktok", "/connect/tiktok-ads"] {
        let response = http
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        anyhow::ensure!(
            status.is_success(),
            "connecting through {path} failed ({status}): {body}"
        );
    }

    println!();
    println!(
        "pnl demo is running (TikTok sandbox: {sandbox_url}); the {days}-day backfill has started."
    );
    println!();
    println!(
        "GraphQL:   {base}/graphql   (GraphiQL in a browser; subscriptions on {base}/graphql/ws)"
    );
    println!("Token:     {token}");
    println!();
    println!("Try (with header  Authorization: Bearer <token>):");
    println!("  {{ shops {{ name status syncStatus {{ state progress {{ step done total }} lastSuccessAt }} }} }}");
    println!("  {{ payouts(filter: {{kind: STATEMENT}}, first: 5) {{ edges {{ node {{ externalId status reported {{ amount currency }} ledger {{ amount }} residual {{ amount }} }} }} }} }}");
    println!("  {{ unmappedFees {{ channel label entries total {{ amount currency }} }} }}");
    println!();
    println!("  curl -s {base}/graphql -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\");
    println!("       -d '{{\"query\":\"{{ shops {{ name syncStatus {{ state progress {{ step done total }} }} }} }}\"}}'");
    println!();
    println!(
        "Ctrl-C stops it; the data stays in {}.",
        config.database_url()
    );
    server.await??;
    sandbox.shutdown().await;
    Ok(())
}
