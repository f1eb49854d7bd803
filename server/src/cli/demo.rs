//! `pnl demo`: a brand with two TikTok shops and their ad accounts, one Amazon US seller and one
//! Shopify store, end to end on this machine. It starts the sandbox on loopback with a fixed
//! calendar history (the days up to [`LAST_DAY`], so the README's example dates answer with
//! data), points the TikTok apps, the Amazon SP-API app and the Shopify app at it and writes
//! that to `demo.toml` for other commands, enters what the brand would have entered (unit costs,
//! FX rates, a creator fee), connects the shops, ad accounts, the Amazon seller and the Shopify
//! store through the real OAuth / Seller Central consent / app install and sync path, serves
//! GraphQL, and prints what to try. It must not seed the ledger itself: every
//! channel line arrives through the sync.

use std::time::Duration;

use chrono::{NaiveDate, Utc};

use super::{demo_seed, demo_settings};
use crate::auth::jwt::TokenRequest;
use crate::auth::Scopes;
use crate::config::{Config, Secret};
use crate::startup::{self, Application};

/// The last day of the demo's history: `--days` count back from here (the default 90 days are
/// 2026-01-01 through 2026-03-31).
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 3, 31) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The org the demo's token and data belong to.
const ORG: &str = "demo";

/// The demo's Amazon seller: the sandbox's US seller (Amazon.com, USD, region NA).
pub(super) const AMAZON_SELLER: &str = "A3SANDB0XUS001";

/// The demo's Shopify store.
pub(super) const SHOPIFY_STORE: &str = "pnl-demo.myshopify.com";

/// The Amazon sandbox keeps at most this many days of history.
const AMAZON_MAX_DAYS: u32 = 730;

/// The sandbox of a demo with `days` of history and `orders_per_day` per shop (seed 42): the
/// TikTok shops' statements and the Amazon US seller's events both end on [`LAST_DAY`] (the
/// Amazon world is generated back from the sandbox's `today`, at most 730 days).
pub fn sandbox_config(days: u32, orders_per_day: u32) -> sandbox::SandboxConfig {
    let mut config = sandbox::SandboxConfig {
        days,
        orders_per_day,
        today: LAST_DAY + chrono::Duration::days(1),
        ..sandbox::SandboxConfig::default()
    };
    config.amazon.sellers = vec![sandbox::AmazonSellerSpec::us()];
    config.amazon.history_days = days.clamp(1, AMAZON_MAX_DAYS);
    config.amazon.orders_per_day = orders_per_day;
    // One Shopify store (USD, a tenth of its orders mirrored from the TikTok US shop), its
    // history as long as the others'.
    config.shopify.stores = vec![sandbox::ShopifyStoreSpec::us("pnl-demo")];
    config.shopify.stores[0].orders_per_day = orders_per_day.max(1);
    config.shopify.history_days = days.clamp(3, AMAZON_MAX_DAYS);
    // The demo store is on Shopify Plus: 1,000 points restored a second (the reference's
    // current figure) where the Standard plan restores 100, so its backfill takes seconds, not
    // the minutes 90 days of balance transactions wait for on Standard. The bucket is 20 times
    // the rate, as Standard's 2,000 is (bucket sizes are unconfirmed). Tests keep Standard.
    config.shopify.restore_rate = 1_000;
    config.shopify.maximum_available = 20_000;
    config
}

/// Days back from today that the first sync must read to reach the world's first order (the
/// history is fixed, so this grows with the calendar; it is set in code, past the 730-day limit
/// of `sync.backfill_days` if need be).
fn backfill_days(world: &sandbox::World) -> u32 {
    let days = (Utc::now().date_naive() - world.first_order_day()).num_days() + 2;
    u32::try_from(days.max(1)).unwrap_or(u32::MAX)
}

/// Runs the demo until Ctrl-C.
///
/// # Errors
/// A port in use, a database that cannot be opened, or a failed connection round trip.
pub(super) async fn run(mut config: Config, days: u32, orders_per_day: u32) -> anyhow::Result<()> {
    let sandbox = sandbox::Sandbox::start(sandbox_config(days, orders_per_day)).await?;
    let world = sandbox.world();
    let sandbox_url = sandbox.base_url();
    config.channels.tiktok.app_key = sandbox.config().app_key.clone();
    config.channels.tiktok.app_secret = Secret::new(sandbox.config().app_secret.clone());
    config.channels.tiktok.api_base = sandbox_url.clone();
    config.channels.tiktok.auth_base = sandbox_url.clone();
    config.channels.tiktok.authorize_url = format!("{sandbox_url}/oauth/authorize");
    config.channels.tiktok_ads.app_id = sandbox.config().ads_app_id.clone();
    config.channels.tiktok_ads.secret = Secret::new(sandbox.config().ads_secret.clone());
    config.channels.tiktok_ads.api_base = sandbox_url.clone();
    config.channels.tiktok_ads.authorize_url = format!("{sandbox_url}/portal/auth");
    // One sandbox URL answers for LWA, Seller Central's consent page and every SP-API region.
    let amazon = sandbox.amazon().config();
    config.channels.amazon.lwa_client_id = amazon.lwa_client_id.clone();
    config.channels.amazon.lwa_client_secret = Secret::new(amazon.lwa_client_secret.clone());
    config.channels.amazon.application_id = amazon.application_id.clone();
    config.channels.amazon.lwa_url = sandbox_url.clone();
    config.channels.amazon.seller_central_url = sandbox_url.clone();
    config.channels.amazon.api_url = sandbox_url.clone();
    // Every Shopify store of the sandbox is served under one host.
    let shopify = sandbox.shopify().config();
    config.channels.shopify.api_key = shopify.api_key.clone();
    config.channels.shopify.api_secret = Secret::new(shopify.api_secret.clone());
    config.channels.shopify.shop_url = format!("{sandbox_url}/shopify/{{shop}}");
    config.sync.worker = true;
    // The demo is used from this machine: no rate limits for loopback clients.
    config.rate_limit.exempt_loopback = true;
    // GraphiQL is off by default on a server; the demo is where a newcomer wants it.
    config.graphql.graphiql = true;
    config.sync.backfill_days = backfill_days(world);
    if config.public_url.is_none() {
        config.public_url = Some(format!("http://{}", config.listen));
    }

    let app = Application::build(config.clone()).await?;
    // Only once the port is ours: a second demo that cannot start leaves the first one's file.
    let settings = demo_settings::write(&config)?;
    // Before connecting: the sync must find the products and the creator already there.
    let amazon_skus = sandbox.amazon().skus(AMAZON_SELLER);
    let seeded = demo_seed::seed(&app.state().db, ORG, world, &amazon_skus).await?;
    let base = config.public_url();
    let keys = startup::jwt_keys(&config)?;
    let token = keys.sign(&TokenRequest {
        subject: "demo",
        org: ORG,
        scopes: &Scopes::parse_strict("admin")?,
        ttl: Duration::from_secs(30 * 86_400),
        client_id: None,
    })?;
    let server = tokio::spawn(app.run_until_stopped(startup::shutdown_signal()));

    // Connect through the same routes a browser would use (redirects followed, the connect
    // cookie carried back to the callback). Amazon's consent page in the sandbox approves at
    // once for its one seller, as TikTok's authorisation page does.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let store = format!("/connect/shopify?shop={SHOPIFY_STORE}");
    for path in [
        "/connect/tiktok",
        "/connect/tiktok-ads",
        "/connect/amazon",
        store.as_str(),
    ] {
        let (status, body) = browse(&http, &format!("{base}{path}"), &token).await?;
        anyhow::ensure!(
            status.is_success(),
            "connecting through {path} failed ({status}): {body}"
        );
    }

    print_welcome(&Welcome {
        base: &base,
        token: &token,
        sandbox: &sandbox,
        seeded: &seeded,
        settings: settings.path(),
        data_dir: &config.data_dir,
        database: &config.database_url(),
    });
    server.await??;
    drop(settings);
    sandbox.shutdown().await;
    Ok(())
}

/// Opens `start` (with the bearer `token`) as a browser would: follows up to five redirects and
/// sends back the cookies each origin set. (reqwest's cookie store is behind a Cargo feature;
/// this is all the demo needs of one.)
async fn browse(
    http: &reqwest::Client,
    start: &str,
    token: &str,
) -> anyhow::Result<(reqwest::StatusCode, String)> {
    let first = reqwest::Url::parse(start)?;
    let mut url = first.clone();
    let mut jar: Vec<(String, String, String)> = Vec::new();
    for _ in 0..6 {
        let origin = url.origin().ascii_serialization();
        let mut request = http.get(url.clone());
        if url == first {
            request = request.bearer_auth(token);
        }
        let cookies: Vec<String> = jar
            .iter()
            .filter(|(at, _, _)| *at == origin)
            .map(|(_, name, value)| format!("{name}={value}"))
            .collect();
        if !cookies.is_empty() {
            request = request.header(reqwest::header::COOKIE, cookies.join("; "));
        }
        let response = request.send().await?;
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = set.to_str()?.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                jar.retain(|(at, n, _)| !(*at == origin && n == name));
                jar.push((
                    origin.clone(),
                    name.trim().to_owned(),
                    value.trim().to_owned(),
                ));
            }
        }
        if !response.status().is_redirection() {
            let status = response.status();
            return Ok((status, response.text().await?));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| anyhow::anyhow!("a redirect from {url} without a Location"))?;
        url = url.join(location)?;
    }
    anyhow::bail!("too many redirects from {start}")
}

/// What the welcome text names.
struct Welcome<'a> {
    base: &'a str,
    token: &'a str,
    sandbox: &'a sandbox::Sandbox,
    seeded: &'a demo_seed::Seeded,
    settings: &'a std::path::Path,
    data_dir: &'a std::path::Path,
    database: &'a str,
}

fn print_welcome(w: &Welcome<'_>) {
    let world = w.sandbox.world();
    let (first, last) = (world.first_day(), world.last_day());
    let month_end = (first + chrono::Duration::days(30)).min(last);
    let mut shops: Vec<String> = world
        .shops()
        .iter()
        .map(|s| format!("{} ({}, {})", s.name, s.currency, s.id))
        .collect();
    shops.extend(w.sandbox.amazon().config().sellers.iter().map(|s| {
        format!(
            "Amazon seller {} ({}, {}@{})",
            s.marketplace_name, s.currency, s.seller_id, s.region
        )
    }));
    shops.push(format!("Shopify store {SHOPIFY_STORE} (USD)"));
    let base = w.base;
    println!();
    println!("pnl demo is running; the backfill has started.");
    println!(
        "Data:      {first} to {last} (statements; orders from {}), shops {}",
        world.first_order_day(),
        shops.join(", ")
    );
    println!(
        "Entered:   {} unit costs, {} daily FX rates{}",
        w.seeded.costs,
        w.seeded.rates,
        w.seeded
            .creator_fee
            .as_ref()
            .map(|(c, from, to)| format!(", a flat fee for creator {c} ({from} to {to})"))
            .unwrap_or_default()
    );
    println!("Sandbox:   {}", w.sandbox.base_url());
    println!(
        "GraphQL:   {base}/graphql   (GraphiQL in a browser; subscriptions on {base}/graphql/ws)"
    );
    println!(
        "Dashboard: {}   (signs this browser in; `pnl login-link --org {ORG}` prints another)",
        super::login_link::url(base, w.token)
    );
    println!("Token:     {}", w.token);
    println!();
    println!(
        "Try (with header  Authorization: Bearer <token>; the README's examples use these dates):"
    );
    println!("  {{ shops {{ name status syncStatus {{ state progress {{ step done total }} lastSuccessAt }} }} }}");
    println!("  {{ pnl(range: {{from: \"{first}\", to: \"{month_end}\"}}, groupBy: [SKU]) {{ rows {{ key {{ sku }} netSales {{ amount }} cogs {{ amount }} contributionProfit {{ amount }} margin }} }} }}");
    println!("  {{ payouts(filter: {{kind: STATEMENT}}, first: 5) {{ edges {{ node {{ externalId status reported {{ amount currency }} ledger {{ amount }} residual {{ amount }} }} }} }} }}");
    println!("  {{ unmappedFees {{ channel label entries total {{ amount currency }} }} }}");
    println!("  {{ channelComparison(range: {{from: \"{first}\", to: \"{month_end}\"}}, currency: \"USD\") {{ rows {{ key {{ channel }} netSales {{ amount }} channelFees {{ amount }} contributionProfit {{ amount }} margin }} }} }}");
    println!();
    println!("In a shell:");
    println!("  export TOKEN={}", w.token);
    println!("  curl -s {base}/graphql -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\");
    println!("       -d '{{\"query\":\"{{ shops {{ name syncStatus {{ state progress {{ step done total }} }} }} }}\"}}'");
    if let Some(shop) = world.shops().first() {
        println!(
            "  pnl sync --shop {} --data-dir {}   # syncs through this sandbox (see {})",
            shop.id,
            w.data_dir.display(),
            w.settings.display()
        );
    }
    println!();
    println!("Ctrl-C stops it; the data stays in {}.", w.database);
}
