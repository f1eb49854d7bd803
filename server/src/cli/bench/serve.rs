//! `pnl bench --serve`: load on the server, over the brand an earlier `pnl bench` built.
//!
//! The server starts in this process on a random loopback port, on the bench database as it is
//! (nothing is generated or ingested). `clients` concurrent clients then send one query for
//! `duration`, then the other: (a) `{ me { org } }`, the cheapest authenticated request, and
//! (b) a one-month `profitBySku` of the bench org. Each phase prints requests per second and
//! latency percentiles; the run ends with the peak resident memory of the process (Linux
//! `VmHWM`), which holds the server and the clients alike.
//!
//! The clients cost little: one `reqwest` client (its pool keeps a connection per client
//! alive), each request body serialised once, and each answer checked for status and an
//! `"errors"` key without being parsed (the first answer of each query is parsed in full).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::queries::{ms, percentile, sku_query, Client};
use super::{last_full_month, token, ORG};
use crate::config::Config;
use crate::startup::Application;

/// How hard to load the server.
#[derive(Clone, Copy, Debug)]
pub(in crate::cli) struct ServeArgs {
    /// Concurrent clients.
    pub(in crate::cli) clients: usize,
    /// How long each query is sent.
    pub(in crate::cli) duration: Duration,
}

/// Latencies of one phase.
struct Phase {
    requests: usize,
    elapsed: Duration,
    p50: Duration,
    p95: Duration,
    p99: Duration,
}

/// Runs the load and prints its table.
///
/// # Errors
/// Bad arguments, no bench database (or one without the bench org's ledger), or any failed
/// request.
pub(in crate::cli) async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=1024).contains(&args.clients),
        "--clients: between 1 and 1024"
    );
    anyhow::ensure!(!args.duration.is_zero(), "--duration: at least 1 second");
    if config.database_url.is_none() {
        let path = config.data_dir.join("bench.db");
        anyhow::ensure!(
            path.exists(),
            "no bench database at {}: build it first with `pnl bench` (or pass --database-url)",
            path.display()
        );
        config.database_url = Some(format!("sqlite://{}", path.display()));
    }
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    config.sync.worker = false;
    // The load comes from this machine on purpose: the rate limiter is not what is measured.
    config.rate_limit.exempt_loopback = true;
    let database = config.database_url();
    println!("pnl bench --serve: {database}");

    let app = Application::build(config.clone()).await?;
    let addr = app.local_addr()?;
    let db = app.state().db.clone();
    let reports = app.state().reports.clone();
    let org = crate::org::find(db.conn(), ORG).await?.with_context(|| {
        format!("{database} holds no org {ORG:?}: build the brand first with `pnl bench` on the same database")
    })?;
    let last: Option<chrono::NaiveDate> = entities::ledger_day::Entity::find()
        .select_only()
        .column_as(entities::ledger_day::Column::Day.max(), "last")
        .filter(entities::ledger_day::Column::OrgId.eq(org.id))
        .into_tuple()
        .one(db.conn())
        .await?
        .flatten();
    let last = last.with_context(|| {
        format!("the org {ORG:?} in {database} has no ledger: build the brand first with `pnl bench` on a fresh database")
    })?;
    let month = last_full_month(last);

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let client = Client {
        http,
        url: format!("http://{addr}/graphql"),
        token: token(&config, ORG)?,
    };
    let before = peak_rss();
    let me = "{ me { org } }".to_owned();
    let sku = sku_query(month);
    let mut phases = Vec::new();
    for (name, query) in [
        ("`{ me { org } }`".to_owned(), me),
        (
            format!("profitBySku, one month ({} ..= {})", month.0, month.1),
            sku,
        ),
    ] {
        println!(
            "loading {name}: {} clients for {} s",
            args.clients,
            args.duration.as_secs()
        );
        // One full check (GraphQL errors included) before the timed phase.
        client.check(&query).await?;
        phases.push((name, load(&client, &query, args).await?));
    }
    let after = peak_rss();
    let _ = stop.send(());
    server.await??;

    println!();
    println!(
        "| measure ({} clients, {} s each) | value |",
        args.clients,
        args.duration.as_secs()
    );
    println!("|---|---|");
    for (name, phase) in &phases {
        println!(
            "| {name}: requests, req/s | {}, **{:.1} req/s** |",
            phase.requests,
            phase.requests as f64 / phase.elapsed.as_secs_f64()
        );
        println!(
            "| {name}: latency p50 / p95 / p99 | {} / {} / {} ms |",
            ms(phase.p50),
            ms(phase.p95),
            ms(phase.p99)
        );
    }
    let cache = reports.stats();
    println!(
        "| report cache (`graphql.report_cache_rows`, `PNL_GRAPHQL__REPORT_CACHE_ROWS=0` turns it off): hits / computed | {} / {} |",
        cache.hits, cache.misses
    );
    let rss = |kib: Option<u64>| {
        kib.map_or("unavailable (no /proc/self/status)".to_owned(), |kib| {
            format!("{:.1} MiB", kib as f64 / 1024.0)
        })
    };
    println!(
        "| peak RSS of this process (VmHWM from /proc/self/status; the server runs in-process, so the load clients are counted too), before load → after | {} → **{}** |",
        rss(before),
        rss(after)
    );
    Ok(())
}

/// `clients` tasks send `query` until `duration` has passed; the answers in flight then count.
async fn load(client: &Client, query: &str, args: ServeArgs) -> anyhow::Result<Phase> {
    let body = axum::body::Bytes::from(serde_json::to_vec(&serde_json::json!({ "query": query }))?);
    let auth = Arc::new(format!("Bearer {}", client.token));
    let start = Instant::now();
    let until = start + args.duration;
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let (http, url, body, auth) = (
            client.http.clone(),
            client.url.clone(),
            body.clone(),
            Arc::clone(&auth),
        );
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < until {
                let at = Instant::now();
                let answer = http
                    .post(&url)
                    .header(reqwest::header::AUTHORIZATION, auth.as_str())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                if contains(&answer, b"\"errors\"") {
                    anyhow::bail!(
                        "GraphQL errors under load: {}",
                        String::from_utf8_lossy(&answer)
                    );
                }
                samples.push(at.elapsed());
            }
            anyhow::Ok(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let elapsed = start.elapsed();
    anyhow::ensure!(
        !samples.is_empty(),
        "no request completed in {} s",
        args.duration.as_secs()
    );
    samples.sort();
    Ok(Phase {
        requests: samples.len(),
        elapsed,
        p50: percentile(&samples, 0.50),
        p95: percentile(&samples, 0.95),
        p99: percentile(&samples, 0.99),
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The process's peak resident set size in KiB (`VmHWM`), where `/proc` has it.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn an_answer_with_errors_is_told_apart() {
        assert!(contains(br#"{"data":null,"errors":[{}]}"#, b"\"errors\""));
        assert!(!contains(
            br#"{"data":{"me":{"org":"bench"}}}"#,
            b"\"errors\""
        ));
    }
}
