//! Per (operation, seller) token buckets with the configured usage plans, and counters of
//! what each operation served, so tests can compute the request rate a client achieved.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use super::config::{AmazonQuotas, Quota};
use crate::sandbox::lock;

/// The rate-limited operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Op {
    ListFinancialEventGroups,
    ListFinancialEventsByGroupId,
    GetReports,
    GetReportDocument,
    GetMarketplaceParticipations,
}

impl Op {
    /// The operationId.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ListFinancialEventGroups => "listFinancialEventGroups",
            Self::ListFinancialEventsByGroupId => "listFinancialEventsByGroupId",
            Self::GetReports => "getReports",
            Self::GetReportDocument => "getReportDocument",
            Self::GetMarketplaceParticipations => "getMarketplaceParticipations",
        }
    }

    pub(crate) fn quota(self, quotas: &AmazonQuotas) -> Quota {
        match self {
            Self::ListFinancialEventGroups | Self::ListFinancialEventsByGroupId => quotas.finances,
            Self::GetReports => quotas.get_reports,
            Self::GetReportDocument => quotas.get_report_document,
            // The Sellers API's documented plan; called once per connection.
            Self::GetMarketplaceParticipations => Quota::new(0.016, 15),
        }
    }
}

/// What one operation served since the start (or the last reset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationStats {
    /// Requests received, throttled and failed ones included.
    pub requests: u64,
    /// Answered 429 `QuotaExceeded` (empty bucket or injected).
    pub throttled: u64,
    /// Answered 200.
    pub ok: u64,
    /// When the first request arrived, and the last one answered 200.
    pub first_request: Option<Instant>,
    /// When the last 200 was served.
    pub last_ok: Option<Instant>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets and counters.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    buckets: Mutex<HashMap<(Op, usize), Bucket>>,
    stats: Mutex<BTreeMap<Op, OperationStats>>,
}

impl Limits {
    /// Counts a request; takes a token from the (op, seller) bucket, false if it is empty.
    pub(crate) fn admit(&self, op: Op, seller: usize, quota: Quota) -> bool {
        let now = Instant::now();
        let mut buckets = lock(&self.buckets);
        let bucket = buckets.entry((op, seller)).or_insert(Bucket {
            tokens: f64::from(quota.burst),
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * quota.rate;
        bucket.tokens = (bucket.tokens + refill).min(f64::from(quota.burst));
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub(crate) fn count(&self, op: Op) {
        let mut stats = lock(&self.stats);
        let s = stats.entry(op).or_default();
        s.requests += 1;
        s.first_request.get_or_insert_with(Instant::now);
    }

    pub(crate) fn throttled(&self, op: Op) {
        lock(&self.stats).entry(op).or_default().throttled += 1;
    }

    pub(crate) fn ok(&self, op: Op) {
        let mut stats = lock(&self.stats);
        let s = stats.entry(op).or_default();
        s.ok += 1;
        s.last_ok = Some(Instant::now());
    }

    pub(crate) fn stats(&self) -> BTreeMap<&'static str, OperationStats> {
        lock(&self.stats)
            .iter()
            .map(|(op, s)| (op.name(), *s))
            .collect()
    }

    /// Forgets the counters and refills every bucket.
    pub(crate) fn reset(&self) {
        lock(&self.stats).clear();
        lock(&self.buckets).clear();
    }
}
