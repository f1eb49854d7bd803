//! Request rates: per bearer token on every route, and per client address on the routes anyone
//! can call without a token (`/oauth/token`, `/webhooks/*`, `/connect/*/callback`, `/graphql`
//! without a token). GCRA buckets from `governor`, keyed by a hash of the token (never the token
//! itself) or by the address; over the limit a request answers 429 with `Retry-After`, before
//! any handler runs. Loopback clients can be exempted (`pnl demo` does).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::config::RateLimitConfig;
use crate::error::Error;

/// Buckets are pruned of idle keys after this many checks, so the maps stay small.
const PRUNE_EVERY: u64 = 4_096;

/// The limiters of one server.
#[derive(Clone)]
pub(super) struct RateLimits {
    config: RateLimitConfig,
    tokens: Arc<DefaultKeyedRateLimiter<[u8; 16]>>,
    addresses: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    checks: Arc<AtomicU64>,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimits {
    /// Limiters for `config`.
    pub(super) fn new(config: &RateLimitConfig) -> Self {
        Self {
            config: config.clone(),
            tokens: Arc::new(RateLimiter::keyed(quota(
                config.per_token_per_minute,
                config.token_burst,
            ))),
            addresses: Arc::new(RateLimiter::keyed(quota(
                config.per_address_per_minute,
                config.address_burst,
            ))),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// `Err(seconds to wait)` when `request` is over one of its limits.
    fn check(&self, request: &Request<Body>) -> Result<(), u64> {
        let address = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        if !self.config.enabled
            || (self.config.exempt_loopback && address.is_some_and(|ip| ip.is_loopback()))
        {
            return Ok(());
        }
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.tokens.retain_recent();
            self.addresses.retain_recent();
        }
        let wait = |not_until: governor::NotUntil<_>| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        };
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token);
        if let Some(token) = token {
            let digest = Sha256::digest(token.trim().as_bytes());
            let mut key = [0_u8; 16];
            key.copy_from_slice(&digest[..16]);
            return self.tokens.check_key(&key).map_err(wait);
        }
        let path = request.uri().path();
        let open = path == "/oauth/token"
            || path == "/graphql"
            || path.starts_with("/webhooks/")
            || (path.starts_with("/connect/") && path.ends_with("/callback"));
        match address {
            Some(ip) if open => self.addresses.check_key(&ip).map_err(wait),
            _ => Ok(()),
        }
    }
}

/// The middleware: 429 with `Retry-After` over a limit, else on to the handler.
pub(super) async fn limit(
    State(limits): State<RateLimits>,
    request: Request<Body>,
    next: Next,
) -> Response {
    match limits.check(&request) {
        Ok(()) => next.run(request).await,
        Err(seconds) => Error::RateLimited(seconds).into_response(),
    }
}
