//! Fault injection: throttling, server errors, expired tokens, revoked grants and
//! transactions missing from listings, switched on by tests at run time.
//!
//! Every switch takes `&self` and is effective for the next request. Token expiry and
//! revocation are modelled as generations: a token records the generation current when it
//! was issued and is dead once the generation moves on, so tokens issued *after* the fault
//! (a refresh, a re-authorisation) work again, and [`Faults::reset`] revives everything.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::amazon::AmazonFaults;
use crate::sandbox::lock;
use crate::shopify::ShopifyFaults;

/// Faults to inject into the simulated APIs.
#[derive(Debug, Default)]
pub struct Faults {
    throttle: AtomicU32,
    fail: AtomicU32,
    /// Failures served since the last `fail_next`, to alternate 500 and 200 + 36009003.
    failures_served: AtomicU32,
    expire_generation: AtomicU64,
    revoke_generation: AtomicU64,
    invalidate_generation: AtomicU64,
    dropped: Mutex<HashSet<(String, String)>>,
    requests: AtomicU64,
    ads_requests: AtomicU64,
    amazon: AmazonFaults,
    shopify: ShopifyFaults,
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    /// Serve the request normally.
    None,
    /// Answer "too many requests".
    Throttle,
    /// Answer HTTP 500.
    ServerError,
    /// Answer HTTP 200 with code 36009003.
    InternalErrorCode,
}

fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Faults {
    /// The next `n` shop-API (and Marketing API) requests are throttled: HTTP 429 with code
    /// 36009002 on the shop API, code 40100 on the Marketing API.
    pub fn throttle_next(&self, n: u32) {
        self.throttle.store(n, Ordering::SeqCst);
    }

    /// The next `n` shop-API requests fail, alternating HTTP 500 and HTTP 200 with code
    /// 36009003 ("internal error, please retry"), starting with HTTP 500.
    pub fn fail_next(&self, n: u32) {
        self.failures_served.store(0, Ordering::SeqCst);
        self.fail.store(n, Ordering::SeqCst);
    }

    /// Every access token issued so far is expired (code 105002); refreshing still works.
    pub fn expire_access_tokens(&self) {
        self.expire_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Every access token issued so far is no longer accepted: the shop API answers 36009004
    /// "invalid x-tts-access-token" (as after TikTok rotated it); refreshing still works.
    pub fn invalidate_access_tokens(&self) {
        self.invalidate_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The seller revoked the grant: refresh answers 36004001 and the shop API answers
    /// 36004005 for every token issued so far; the Marketing API answers 40105 for every ad
    /// token issued so far. A new authorisation works again.
    pub fn revoke_grant(&self) {
        self.revoke_generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Omits one transaction from statement-transaction listings of that statement (both
    /// versions). The statement's totals are unchanged, so a reconciler sees a residual.
    pub fn drop_transaction(&self, statement_id: &str, transaction_id: &str) {
        lock(&self.dropped).insert((statement_id.to_owned(), transaction_id.to_owned()));
    }

    /// Shop-API requests received so far, including throttled and failed ones.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Marketing API requests received so far, including throttled ones.
    pub fn ads_requests(&self) -> u64 {
        self.ads_requests.load(Ordering::SeqCst)
    }

    /// The Amazon switches (SP-API throttling and errors, dropped events, revoked refresh
    /// tokens, expired access tokens).
    pub fn amazon(&self) -> &AmazonFaults {
        &self.amazon
    }

    /// The Shopify switches (throttled answers, server errors, revoked tokens, a dropped
    /// balance transaction, failing bulk operations).
    pub fn shopify(&self) -> &ShopifyFaults {
        &self.shopify
    }

    /// Clears every fault (Amazon's and Shopify's too) and the request counters; expired and revoked
    /// tokens live again.
    pub fn reset(&self) {
        self.amazon.reset();
        self.shopify.reset();
        self.throttle.store(0, Ordering::SeqCst);
        self.fail.store(0, Ordering::SeqCst);
        self.failures_served.store(0, Ordering::SeqCst);
        self.expire_generation.store(0, Ordering::SeqCst);
        self.revoke_generation.store(0, Ordering::SeqCst);
        self.invalidate_generation.store(0, Ordering::SeqCst);
        lock(&self.dropped).clear();
        self.requests.store(0, Ordering::SeqCst);
        self.ads_requests.store(0, Ordering::SeqCst);
    }

    /// Counts a shop-API request and decides which fault, if any, it meets.
    pub(crate) fn on_shop_request(&self) -> Injected {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if take_one(&self.throttle) {
            return Injected::Throttle;
        }
        if take_one(&self.fail) {
            let served = self.failures_served.fetch_add(1, Ordering::SeqCst);
            return if served % 2 == 0 {
                Injected::ServerError
            } else {
                Injected::InternalErrorCode
            };
        }
        Injected::None
    }

    /// Counts a Marketing API request; true if it must be throttled.
    pub(crate) fn on_ads_request(&self) -> bool {
        self.ads_requests.fetch_add(1, Ordering::SeqCst);
        take_one(&self.throttle)
    }

    /// The current token-expiry generation.
    pub(crate) fn expire_generation(&self) -> u64 {
        self.expire_generation.load(Ordering::SeqCst)
    }

    /// The current access-token invalidation generation.
    pub(crate) fn invalidate_generation(&self) -> u64 {
        self.invalidate_generation.load(Ordering::SeqCst)
    }

    /// The current grant-revocation generation.
    pub(crate) fn revoke_generation(&self) -> u64 {
        self.revoke_generation.load(Ordering::SeqCst)
    }

    /// Whether a transaction is hidden from its statement's listings.
    pub(crate) fn is_dropped(&self, statement_id: &str, transaction_id: &str) -> bool {
        let dropped = lock(&self.dropped);
        !dropped.is_empty()
            && dropped.contains(&(statement_id.to_owned(), transaction_id.to_owned()))
    }
}
