//! Amazon fault switches: throttling and server errors on the next calls, a dropped event,
//! revoked refresh tokens and expired access tokens. Reached through
//! [`crate::Faults::amazon`]; every switch takes `&self` and acts on the next request.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::sandbox::lock;

/// Faults to inject into the simulated Selling Partner API and LWA.
#[derive(Debug, Default)]
pub struct AmazonFaults {
    throttle: AtomicU32,
    fail: AtomicU32,
    failures_served: AtomicU32,
    expire_generation: AtomicU64,
    revoked: Mutex<HashMap<String, u64>>,
    dropped: Mutex<HashSet<String>>,
}

/// What the fault layer decided for one SP-API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmazonInjected {
    None,
    Throttle,
    /// HTTP 500 `InternalFailure` or 503 `ServiceUnavailable` (alternating).
    ServerError(u16),
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl AmazonFaults {
    /// The next `n` SP-API requests answer 429 `QuotaExceeded`, whatever their bucket holds.
    pub fn throttle_next(&self, n: u32) {
        self.throttle.store(n, Ordering::SeqCst);
    }

    /// The next `n` SP-API requests fail, alternating HTTP 500 and 503, starting with 500.
    pub fn fail_next(&self, n: u32) {
        self.failures_served.store(0, Ordering::SeqCst);
        self.fail.store(n, Ordering::SeqCst);
    }

    /// Every access token issued so far is expired (403 `Unauthorized`); refreshing works.
    pub fn expire_access_tokens(&self) {
        self.expire_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The seller revoked the app: every refresh token of `seller_id` issued so far answers
    /// `invalid_grant`, and its access tokens 403. A new authorisation works again.
    pub fn revoke_refresh_tokens(&self, seller_id: &str) {
        *lock(&self.revoked).entry(seller_id.to_owned()).or_default() += 1;
    }

    /// Omits one event from `group_id`'s data (the first shipment event; see
    /// [`crate::AmazonWorld::line_to_drop`]): from `listFinancialEventsByGroupId` and from
    /// the rows of its settlement file, while the group's `OriginalTotal` and the file's
    /// `total-amount` keep it, so a reconciler sees exactly that residual.
    pub fn drop_line(&self, group_id: &str) {
        lock(&self.dropped).insert(group_id.to_owned());
    }

    /// Clears every Amazon fault; expired and revoked tokens live again.
    pub fn reset(&self) {
        self.throttle.store(0, Ordering::SeqCst);
        self.fail.store(0, Ordering::SeqCst);
        self.failures_served.store(0, Ordering::SeqCst);
        self.expire_generation.store(0, Ordering::SeqCst);
        lock(&self.revoked).clear();
        lock(&self.dropped).clear();
    }

    /// Decides which fault, if any, one SP-API request meets.
    pub(crate) fn on_request(&self) -> AmazonInjected {
        if take_one(&self.throttle) {
            return AmazonInjected::Throttle;
        }
        if take_one(&self.fail) {
            let served = self.failures_served.fetch_add(1, Ordering::SeqCst);
            return AmazonInjected::ServerError(if served % 2 == 0 { 500 } else { 503 });
        }
        AmazonInjected::None
    }

    pub(crate) fn expire_generation(&self) -> u64 {
        self.expire_generation.load(Ordering::SeqCst)
    }

    pub(crate) fn revoke_generation(&self, seller_id: &str) -> u64 {
        lock(&self.revoked).get(seller_id).copied().unwrap_or(0)
    }

    pub(crate) fn is_dropped(&self, group_id: &str) -> bool {
        lock(&self.dropped).contains(group_id)
    }
}
