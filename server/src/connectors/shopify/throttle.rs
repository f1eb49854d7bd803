//! Cost-based throttling of the Admin GraphQL API: every answer's
//! `extensions.cost.throttleStatus` is remembered per store (shared by a client's clones);
//! before a call whose expected cost (the last `requestedQueryCost` of the same operation)
//! exceeds what the bucket holds now, the client waits `(expected − available) / restoreRate`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The cost an operation is assumed to have before its first answer: the single-query limit
/// (1,000 points [U]), so no first call is throttled; the answer's `requestedQueryCost` then
/// replaces it (an idle bucket holds more than this, so the first call rarely waits).
pub const DEFAULT_EXPECTED_COST: f64 = 1000.0;

/// `extensions.cost` of an answer. Bucket figures are points, not money; Shopify writes
/// `maximumAvailable` and `restoreRate` as floats (`2000.0`) and the costs as integers, so all
/// are read as numbers of either kind.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// What the query could cost at most (charged up front).
    #[serde(default)]
    pub requested_query_cost: Option<f64>,
    /// What it cost (null on a throttled answer).
    #[serde(default)]
    pub actual_query_cost: Option<f64>,
    /// The bucket after the call.
    pub throttle_status: ThrottleStatus,
}

/// `extensions.cost.throttleStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points available after the call.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// Seconds from `at` to `now`, negative when `at` (a reservation) is still ahead.
fn seconds_since(at: Instant, now: Instant) -> f64 {
    if now >= at {
        now.duration_since(at).as_secs_f64()
    } else {
        -at.duration_since(now).as_secs_f64()
    }
}

#[derive(Debug, Default)]
struct State {
    status: Option<(ThrottleStatus, Instant)>,
    expected: HashMap<String, f64>,
    waits: u64,
    waited: Duration,
}

/// A store's bucket as last reported, and the expected cost of each operation.
#[derive(Debug, Default)]
pub struct CostThrottle {
    state: Mutex<State>,
}

impl CostThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers an answer's cost: the bucket, and `requestedQueryCost` as the operation's
    /// expected cost.
    pub fn observe(&self, operation: &str, cost: &Cost) {
        let mut state = self.lock();
        state.status = Some((cost.throttle_status, Instant::now()));
        if let Some(requested) = cost.requested_query_cost.filter(|c| *c > 0.0) {
            state.expected.insert(operation.to_owned(), requested);
        }
    }

    /// How long to wait before calling `operation` so the bucket holds its expected cost;
    /// the expected cost is then reserved (clones calling at once wait their turn).
    pub fn reserve(&self, operation: &str) -> Duration {
        let mut state = self.lock();
        let expected = state
            .expected
            .get(operation)
            .copied()
            .unwrap_or(DEFAULT_EXPECTED_COST);
        let Some((status, at)) = state.status else {
            return Duration::ZERO;
        };
        let rate = status.restore_rate.max(1.0);
        let now = Instant::now();
        let available = (status.currently_available + seconds_since(at, now) * rate)
            .min(status.maximum_available);
        let wait = if expected > available {
            Duration::from_secs_f64((expected - available) / rate)
        } else {
            Duration::ZERO
        };
        let after_wait = now + wait;
        let reserved = ThrottleStatus {
            currently_available: (available + wait.as_secs_f64() * rate - expected).max(0.0),
            ..status
        };
        state.status = Some((reserved, after_wait));
        if !wait.is_zero() {
            state.waits += 1;
            state.waited += wait;
        }
        wait
    }

    /// How long until `points` are available by the last reading (zero when unknown).
    pub fn time_for(&self, points: f64) -> Duration {
        let state = self.lock();
        let Some((status, at)) = state.status else {
            return Duration::ZERO;
        };
        let rate = status.restore_rate.max(1.0);
        let available = (status.currently_available + seconds_since(at, Instant::now()) * rate)
            .min(status.maximum_available);
        if points > available {
            Duration::from_secs_f64((points - available) / rate)
        } else {
            Duration::ZERO
        }
    }

    /// Waits taken before calls so far, and their total.
    pub fn waits(&self) -> (u64, Duration) {
        let state = self.lock();
        (state.waits, state.waited)
    }
}

/// Retries of throttled and failing calls: `base_delay × 2^attempt`, at most `max_delay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all (first try included).
    pub attempts: u32,
    /// First delay.
    pub base_delay: Duration,
    /// Longest delay.
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
    /// The wait before retry number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(requested: f64, available: f64, rate: f64) -> Cost {
        Cost {
            requested_query_cost: Some(requested),
            actual_query_cost: Some(requested),
            throttle_status: ThrottleStatus {
                maximum_available: 1000.0,
                currently_available: available,
                restore_rate: rate,
            },
        }
    }

    #[test]
    fn waits_for_the_missing_points_at_the_restore_rate() {
        let throttle = CostThrottle::default();
        assert_eq!(
            throttle.reserve("PnlOrders"),
            Duration::ZERO,
            "nothing known yet"
        );
        throttle.observe("PnlOrders", &cost(500.0, 100.0, 50.0));
        let wait = throttle.reserve("PnlOrders");
        assert!(
            wait > Duration::from_millis(7900) && wait <= Duration::from_secs(8),
            "{wait:?}"
        );
        // The reservation spent the restored points: the next call waits a full cost more.
        let next = throttle.reserve("PnlOrders");
        assert!(next > Duration::from_secs(17), "{next:?}");
        throttle.observe("PnlShop", &cost(1.0, 999.0, 50.0));
        assert_eq!(throttle.reserve("PnlShop"), Duration::ZERO);
        assert_eq!(throttle.waits().0, 2);
    }
}
