//! Client-side usage plans: one `governor` bucket per operation with Amazon's documented
//! rate and burst (reference A.1/A.2, B.1), re-tuned when `x-amzn-RateLimit-Limit` reports
//! another rate, and bounded backoff with jitter for 429 and 5xx answers.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota};

/// The SP-API operations this client calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /finances/v0/financialEventGroups`.
    ListFinancialEventGroups,
    /// `GET /finances/v0/financialEventGroups/{id}/financialEvents`.
    ListFinancialEventsByGroupId,
    /// `GET /reports/2021-06-30/reports`.
    GetReports,
    /// `GET /reports/2021-06-30/documents/{id}`.
    GetReportDocument,
    /// `GET /sellers/v1/marketplaceParticipations` (Sellers API: 0.016/s, burst 15).
    GetMarketplaceParticipations,
}

impl Operation {
    /// The operationId.
    pub fn name(self) -> &'static str {
        match self {
            Self::ListFinancialEventGroups => "listFinancialEventGroups",
            Self::ListFinancialEventsByGroupId => "listFinancialEventsByGroupId",
            Self::GetReports => "getReports",
            Self::GetReportDocument => "getReportDocument",
            Self::GetMarketplaceParticipations => "getMarketplaceParticipations",
        }
    }
}

/// A usage plan: requests per second and bucket size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OperationQuota {
    /// Requests per second.
    pub rate: f64,
    /// Bucket size.
    pub burst: u32,
}

/// The plans the client starts with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quotas {
    /// Both Finances v0 operations (each its own bucket): 0.5/s, burst 30.
    pub finances: OperationQuota,
    /// `getReports`: 0.0222/s, burst 10.
    pub get_reports: OperationQuota,
    /// `getReportDocument`: 0.0167/s, burst 15.
    pub get_report_document: OperationQuota,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            finances: OperationQuota {
                rate: 0.5,
                burst: 30,
            },
            get_reports: OperationQuota {
                rate: 0.0222,
                burst: 10,
            },
            get_report_document: OperationQuota {
                rate: 0.0167,
                burst: 15,
            },
        }
    }
}

impl Quotas {
    /// The plan of `op`.
    pub fn of(&self, op: Operation) -> OperationQuota {
        match op {
            Operation::ListFinancialEventGroups | Operation::ListFinancialEventsByGroupId => {
                self.finances
            }
            Operation::GetReports => self.get_reports,
            Operation::GetReportDocument => self.get_report_document,
            // Called once per connection; its documented plan, not configurable.
            Operation::GetMarketplaceParticipations => OperationQuota {
                rate: 0.016,
                burst: 15,
            },
        }
    }
}

/// Bounded exponential backoff with jitter.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// Attempts in all (first try included).
    pub attempts: u32,
    /// First delay; doubled each retry.
    pub base_delay: Duration,
    /// Longest exponential delay (a throttled operation still waits one token period).
    pub max_delay: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0-based): the upper half of the exponential
    /// delay, with full jitter, so concurrent clients spread out.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay);
        let half = exponential / 2;
        let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::random_range(0..=spread))
    }
}

#[derive(Debug)]
struct Slot {
    quota: OperationQuota,
    limiter: Arc<DefaultDirectRateLimiter>,
}

fn limiter(quota: OperationQuota) -> Arc<DefaultDirectRateLimiter> {
    let rate = if quota.rate.is_finite() && quota.rate > 0.0 {
        quota.rate
    } else {
        0.0167
    };
    let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_micros(1));
    let burst = NonZeroU32::new(quota.burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst);
    Arc::new(DefaultDirectRateLimiter::direct(quota))
}

/// One client's buckets (Amazon's limits apply per app and selling partner).
#[derive(Debug)]
pub(crate) struct RateLimits {
    quotas: Quotas,
    slots: Mutex<HashMap<Operation, Slot>>,
}

impl RateLimits {
    pub(crate) fn new(quotas: Quotas) -> Self {
        Self {
            quotas,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, op: Operation) -> (OperationQuota, Arc<DefaultDirectRateLimiter>) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(op).or_insert_with(|| {
            let quota = self.quotas.of(op);
            Slot {
                quota,
                limiter: limiter(quota),
            }
        });
        (slot.quota, Arc::clone(&slot.limiter))
    }

    /// Waits until `op` may be called.
    pub(crate) async fn acquire(&self, op: Operation) {
        let (_, limiter) = self.slot(op);
        limiter.until_ready().await;
    }

    /// The time one token of `op` takes to come back.
    pub(crate) fn period(&self, op: Operation) -> Duration {
        let (quota, _) = self.slot(op);
        Duration::from_secs_f64(1.0 / quota.rate.max(0.001))
    }

    /// The current plan of `op`.
    #[cfg(test)]
    pub(crate) fn quota(&self, op: Operation) -> OperationQuota {
        self.slot(op).0
    }

    /// Re-tunes `op` to the rate Amazon reported (`x-amzn-RateLimit-Limit`, best effort);
    /// the burst stays as configured, since the header does not carry it.
    pub(crate) fn observe(&self, op: Operation, header: &str) {
        let Ok(rate) = header.trim().parse::<f64>() else {
            return;
        };
        if !(rate.is_finite() && rate > 0.0) {
            return;
        }
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(slot) = slots.get_mut(&op) else {
            return;
        };
        if (slot.quota.rate - rate).abs() <= slot.quota.rate * 0.001 {
            return;
        }
        tracing::info!(
            operation = op.name(),
            from = slot.quota.rate,
            to = rate,
            "Amazon reported another rate limit; re-tuning"
        );
        let quota = OperationQuota {
            rate,
            burst: slot.quota.burst,
        };
        let fresh = limiter(quota);
        // The new bucket starts full; the old one may be empty: take the burst away so
        // that re-tuning does not add a second burst on top of the one already spent.
        for _ in 0..quota.burst {
            if fresh.check().is_err() {
                break;
            }
        }
        *slot = Slot {
            quota,
            limiter: fresh,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_plans_are_the_defaults() {
        let q = Quotas::default();
        assert_eq!(q.of(Operation::ListFinancialEventsByGroupId).burst, 30);
        assert!((q.of(Operation::GetReportDocument).rate - 0.0167).abs() < 1e-9);
    }

    #[test]
    fn a_reported_rate_retunes_the_bucket() {
        let limits = RateLimits::new(Quotas::default());
        limits.observe(Operation::GetReports, "2.0");
        assert!(
            (limits.quota(Operation::GetReports).rate - 0.0222).abs() < 1e-9,
            "unseen op untouched"
        );
        let _ = limits.period(Operation::GetReports);
        limits.observe(Operation::GetReports, "2.0");
        assert!((limits.quota(Operation::GetReports).rate - 2.0).abs() < 1e-9);
        assert_eq!(limits.quota(Operation::GetReports).burst, 10);
        limits.observe(Operation::GetReports, "nonsense");
        assert!((limits.quota(Operation::GetReports).rate - 2.0).abs() < 1e-9);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let b = Backoff {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
        };
        assert!(
            b.delay(0) >= Duration::from_millis(50) && b.delay(0) <= Duration::from_millis(100)
        );
        assert!(b.delay(10) <= Duration::from_millis(400));
    }
}
