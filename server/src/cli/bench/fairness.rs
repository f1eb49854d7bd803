//! The fairness phase of `pnl bench`: while the bench org runs the heaviest request the limits
//! admit (four year-long reports by SKU) from three clients at once, another org's `me` and
//! one-month `profitBySku` are timed, and timed again with the bench org idle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;

use super::queries::{sku_query, time, Client, Timing};

/// Another org's latencies, idle and while the bench org loads the server.
pub(super) struct Fairness {
    pub(super) idle_me: Timing,
    pub(super) idle_month: Timing,
    pub(super) loaded_me: Timing,
    pub(super) loaded_month: Timing,
    /// Heavy requests the bench org completed while the other org was timed.
    pub(super) heavy_runs: usize,
}

/// The heaviest request of the bench org the default limits admit.
fn heaviest((from, to): (NaiveDate, NaiveDate)) -> String {
    let report = format!(
        "pnl(range: {{from: \"{from}\", to: \"{to}\"}}, groupBy: [SKU]) {{ rows {{ key {{ sku }} netSales {{ amount }} contributionProfit {{ amount }} }} }}"
    );
    format!("{{ a: {report} b: {report} c: {report} d: {report} }}")
}

/// Times `other`'s `me` and one-month `profitBySku`, idle and under `heavy`'s load.
pub(super) async fn measure(
    heavy: &Client,
    other: &Client,
    year: (NaiveDate, NaiveDate),
    month: (NaiveDate, NaiveDate),
    runs: usize,
) -> anyhow::Result<Fairness> {
    let me = "{ me { org } }";
    let month_query = sku_query(month);
    let idle_me = time(runs, || other.check(me)).await?;
    let idle_month = time(runs, || other.check(&month_query)).await?;

    let query = heaviest(year);
    heavy.check(&query).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..3 {
        let (client, query, stop) = (heavy.clone(), query.clone(), Arc::clone(&stop));
        load.push(tokio::spawn(async move {
            let mut done = 0;
            while !stop.load(Ordering::Relaxed) {
                client.check(&query).await?;
                done += 1;
            }
            anyhow::Ok(done)
        }));
    }
    let loaded_me = time(runs, || other.check(me)).await;
    let loaded_month = time(runs, || other.check(&month_query)).await;
    stop.store(true, Ordering::Relaxed);
    let mut heavy_runs = 0;
    for task in load {
        heavy_runs += task.await??;
    }
    Ok(Fairness {
        idle_me,
        idle_month,
        loaded_me: loaded_me?,
        loaded_month: loaded_month?,
        heavy_runs,
    })
}
