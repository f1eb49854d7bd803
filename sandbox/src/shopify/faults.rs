//! Shopify fault switches, reached through [`crate::Faults::shopify`]: throttled answers
//! (HTTP 200 `THROTTLED` or HTTP 429 with `Retry-After`), server errors, revoked tokens, a
//! balance transaction missing from listings, and failing bulk operations.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::sandbox::lock;

/// Faults to inject into the simulated Admin API.
#[derive(Debug, Default)]
pub struct ShopifyFaults {
    throttle: AtomicU32,
    throttle_429: AtomicU32,
    retry_after: AtomicU32,
    fail: AtomicU32,
    failures_served: AtomicU32,
    served: AtomicU64,
    revoked: Mutex<HashMap<String, u64>>,
    dropped: Mutex<HashSet<String>>,
    failing_bulk: Mutex<HashSet<String>>,
}

/// What the fault layer decided for one GraphQL request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShopifyInjected {
    None,
    /// HTTP 200 with `THROTTLED`.
    Throttle,
    /// HTTP 429 with `Retry-After` seconds.
    Throttle429(u32),
    /// HTTP 500 / 503 alternating.
    ServerError(u16),
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl ShopifyFaults {
    /// The next `n` GraphQL requests answer HTTP 200 `THROTTLED`, whatever the bucket holds.
    pub fn throttle_next(&self, n: u32) {
        self.throttle.store(n, Ordering::SeqCst);
    }

    /// The next `n` GraphQL requests answer HTTP 429 `THROTTLED` with `Retry-After:
    /// retry_after_secs`.
    pub fn throttle_next_429(&self, n: u32, retry_after_secs: u32) {
        self.retry_after.store(retry_after_secs, Ordering::SeqCst);
        self.throttle_429.store(n, Ordering::SeqCst);
    }

    /// The next `n` GraphQL requests fail with HTTP 500 then 503, alternating.
    pub fn fail_next(&self, n: u32) {
        self.failures_served.store(0, Ordering::SeqCst);
        self.fail.store(n, Ordering::SeqCst);
    }

    /// Every access token of `domain` issued so far answers 401 (the merchant uninstalled the
    /// app); a new install works again.
    pub fn revoke_tokens(&self, domain: &str) {
        *lock(&self.revoked).entry(domain.to_owned()).or_default() += 1;
    }

    /// Omits the balance transaction `gid` from listings; its payout's `net` is unchanged, so
    /// a reconciler sees exactly its net as the residual.
    pub fn drop_balance_transaction(&self, gid: &str) {
        lock(&self.dropped).insert(gid.to_owned());
    }

    /// Bulk operations of `domain` end FAILED with `errorCode` `INTERNAL_SERVER_ERROR`.
    pub fn fail_bulk(&self, domain: &str) {
        lock(&self.failing_bulk).insert(domain.to_owned());
    }

    /// Faults served so far (throttled and failed answers).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Clears every switch.
    pub fn reset(&self) {
        self.throttle.store(0, Ordering::SeqCst);
        self.throttle_429.store(0, Ordering::SeqCst);
        self.fail.store(0, Ordering::SeqCst);
        self.served.store(0, Ordering::SeqCst);
        lock(&self.revoked).clear();
        lock(&self.dropped).clear();
        lock(&self.failing_bulk).clear();
    }

    pub(crate) fn on_request(&self) -> ShopifyInjected {
        let injected = if take_one(&self.throttle) {
            ShopifyInjected::Throttle
        } else if take_one(&self.throttle_429) {
            ShopifyInjected::Throttle429(self.retry_after.load(Ordering::SeqCst))
        } else if take_one(&self.fail) {
            if self.failures_served.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                ShopifyInjected::ServerError(500)
            } else {
                ShopifyInjected::ServerError(503)
            }
        } else {
            return ShopifyInjected::None;
        };
        self.served.fetch_add(1, Ordering::SeqCst);
        injected
    }

    pub(crate) fn generation(&self, domain: &str) -> u64 {
        lock(&self.revoked).get(domain).copied().unwrap_or(0)
    }

    /// The gids of the balance transactions dropped from answers (read once per answer).
    pub(crate) fn dropped(&self) -> HashSet<String> {
        lock(&self.dropped).clone()
    }

    pub(crate) fn bulk_fails(&self, domain: &str) -> bool {
        lock(&self.failing_bulk).contains(domain)
    }
}
