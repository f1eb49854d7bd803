//! The timed queries: GraphQL over HTTP and the hand-written SQL beside it.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Duration as Days, NaiveDate};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::db::{placeholder, Db};
use crate::ledger::rollup::{period_end, whole_periods, Period};
use crate::ledger::time::day_number;

/// A query to time both ways.
pub(super) struct Case {
    pub(super) name: String,
    pub(super) query: String,
    /// The same sums as the API reads, by hand.
    pub(super) sql: Statement,
    /// Other ways to write it by hand, for scale.
    pub(super) others: Vec<(&'static str, Statement)>,
}

pub(super) fn sku_query((from, to): (NaiveDate, NaiveDate)) -> String {
    format!(
        "{{ profitBySku(range: {{from: \"{from}\", to: \"{to}\"}}) {{ rows {{ key {{ sku }} netSales {{ amount }} cogs {{ amount }} channelFees {{ amount }} adCosts {{ amount }} contributionProfit {{ amount }} margin unitsSold }} total {{ contributionProfit {{ amount }} }} }} }}"
    )
}

pub(super) fn week_query((from, to): (NaiveDate, NaiveDate)) -> String {
    format!(
        "{{ blendedMargin(range: {{from: \"{from}\", to: \"{to}\"}}, granularity: WEEK) {{ periods {{ period marginChange row {{ netSales {{ amount }} cogs {{ amount }} contributionProfit {{ amount }} margin }} }} }} }}"
    )
}

/// `sql` written with `?` placeholders, numbered for PostgreSQL.
fn statement(db: &Db, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let backend = db.backend();
    let sql: String = sql
        .split('?')
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_owned(),
            _ => format!("{}{part}", placeholder(backend, i)),
        })
        .collect();
    Statement::from_sql_and_values(backend, sql, values)
}

/// The SKU of a sums row: its master product's, or the channel's own while unlinked.
pub(super) const SKU: &str = "COALESCE(p.sku, l.channel_sku_id)";
pub(super) const SKU_JOINS: &str =
    "LEFT JOIN listing l ON l.id = s.listing_id LEFT JOIN product p ON p.id = l.product_id";

/// Per `key`, bucket, status and currency for `from..=to`, written by hand the way the API reads
/// it: whole periods from `period`'s table, the days at the edges from `ledger_day`.
pub(super) fn sums_sql(
    db: &Db,
    org_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    period: Period,
    (period_key, day_key): (&str, &str),
    joins: &str,
) -> Statement {
    // A year or a month always holds a whole period; a range that holds none reads days only.
    let (first, last_end) = match whole_periods(period, from, to) {
        Some((first, last)) => (first, period_end(period, last)),
        None => (to + Days::days(1), to),
    };
    let (table, column) = (period.table(), period.column());
    let part = |table: &str, key: &str, range: &str| {
        format!(
            "SELECT {key} AS k, s.bucket, s.status, s.currency, s.amount_minor AS a, \
               s.quantity AS q, s.sale_lines AS n \
             FROM {table} s {joins} WHERE s.org_id = ? AND {range}"
        )
    };
    let sql = format!(
        "SELECT k, bucket, status, currency, SUM(a), SUM(q), SUM(n) FROM ({} UNION ALL {}) u \
         GROUP BY k, bucket, status, currency",
        part(
            table,
            period_key,
            &format!("s.{column} >= ? AND s.{column} <= ?")
        ),
        part(
            "ledger_day",
            day_key,
            "((s.day >= ? AND s.day < ?) OR (s.day > ? AND s.day <= ?))"
        ),
    );
    statement(
        db,
        &sql,
        vec![
            org_id.into(),
            first.into(),
            last_end.into(),
            org_id.into(),
            from.into(),
            first.into(),
            last_end.into(),
            to.into(),
        ],
    )
}

/// Per SKU, bucket, status and currency from `table` alone (`ledger_day` or `ledger_entry`).
pub(super) fn sku_sql_on(
    db: &Db,
    table: &str,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Statement {
    statement(
        db,
        &format!(
            "SELECT {SKU} AS sku, s.bucket, s.status, s.currency, SUM(s.amount_minor), SUM(s.quantity) \
             FROM {table} s {SKU_JOINS} \
             WHERE s.org_id = ? AND s.day >= ? AND s.day <= ? \
             GROUP BY {SKU}, s.bucket, s.status, s.currency"
        ),
        // `ledger_entry` numbers its days (`pnl::ledger::time::day_number`); the sums hold dates.
        if table == "ledger_entry" {
            vec![
                org_id.into(),
                day_number(from).into(),
                day_number(to).into(),
            ]
        } else {
            vec![org_id.into(), from.into(), to.into()]
        },
    )
}

pub(super) async fn sql_rows(db: &Db, statement: &Statement) -> anyhow::Result<usize> {
    Ok(db.conn().query_all(statement.clone()).await?.len())
}

#[derive(Clone)]
pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) url: String,
    pub(super) token: String,
}

impl Client {
    /// Runs `query`; fails on any GraphQL error; returns the number of rows answered.
    pub(super) async fn check(&self, query: &str) -> anyhow::Result<usize> {
        let body: Value = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&json!({ "query": query }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if let Some(errors) = body.get("errors") {
            anyhow::bail!("GraphQL errors: {errors}");
        }
        let data = body.get("data").context("no data in the response")?;
        let rows = match data.get("profitBySku") {
            Some(report) => report.get("rows"),
            None => data
                .get("blendedMargin")
                .and_then(|margin| margin.get("periods")),
        };
        Ok(rows.and_then(Value::as_array).map_or(0, Vec::len))
    }
}

/// Latency percentiles.
pub(super) struct Timing {
    pub(super) p50: Duration,
    pub(super) p95: Duration,
}

/// Runs `f` once to warm up, then `runs` times, timing each.
pub(super) async fn time<F, Fut>(runs: usize, f: F) -> anyhow::Result<Timing>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    f().await?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let at = Instant::now();
        f().await?;
        samples.push(at.elapsed());
    }
    samples.sort();
    Ok(Timing {
        p50: percentile(&samples, 0.50),
        p95: percentile(&samples, 0.95),
    })
}

/// The nearest-rank `q` percentile of `sorted` (ascending, not empty).
pub(super) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = (sorted.len() as f64 * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(super) fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}
