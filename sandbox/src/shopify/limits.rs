//! The per-store leaky bucket of calculated query cost, and per-operation counters.

use std::time::Instant;

use super::config::ShopifySandboxConfig;

/// A store's bucket: `available` points at `at`, restoring `restore_rate` per second up to
/// `maximum`.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    maximum: f64,
    restore_rate: f64,
    available: f64,
    at: Instant,
}

/// `throttleStatus`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Status {
    pub(crate) maximum: u32,
    pub(crate) available: u32,
    pub(crate) restore_rate: u32,
}

impl Bucket {
    pub(crate) fn full(config: &ShopifySandboxConfig) -> Self {
        Self {
            maximum: f64::from(config.maximum_available),
            restore_rate: f64::from(config.restore_rate),
            available: f64::from(config.maximum_available),
            at: Instant::now(),
        }
    }

    fn restore(&mut self) {
        let now = Instant::now();
        let gained = now.duration_since(self.at).as_secs_f64() * self.restore_rate;
        self.available = (self.available + gained).min(self.maximum);
        self.at = now;
    }

    /// Takes `cost` points if available (true), else leaves the bucket as it is.
    pub(crate) fn take(&mut self, cost: u32) -> bool {
        self.restore();
        if f64::from(cost) <= self.available {
            self.available -= f64::from(cost);
            true
        } else {
            false
        }
    }

    /// Gives back what was reserved but not used (`requested − actual`).
    pub(crate) fn refund(&mut self, points: u32) {
        self.available = (self.available + f64::from(points)).min(self.maximum);
    }

    pub(crate) fn status(&mut self) -> Status {
        self.restore();
        Status {
            maximum: self.maximum as u32,
            available: self.available.floor() as u32,
            restore_rate: self.restore_rate as u32,
        }
    }
}

/// What one GraphQL operation (by name) met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopifyOperationStats {
    /// Requests that reached the GraphQL endpoint (faults included).
    pub requests: u64,
    /// Answered with data.
    pub ok: u64,
    /// Answered `THROTTLED` (by the bucket or an injected fault).
    pub throttled: u64,
    /// The highest `requestedQueryCost` seen.
    pub max_requested_cost: u32,
}
