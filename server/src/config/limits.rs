//! The request limits in the configuration: what one GraphQL operation, one org, one
//! connection, one token and one client address may ask for.

use serde::{Deserialize, Serialize};

/// Limits of the GraphQL endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphqlConfig {
    /// Maximum selection depth of one operation.
    pub depth_limit: usize,
    /// Maximum complexity (roughly: fields times page sizes) of one operation.
    pub complexity_limit: usize,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Serve GraphiQL on `GET /graphql` (off by default; `pnl demo` turns it on).
    pub graphiql: bool,
    /// Most root fields (aliases included) of one operation.
    pub max_root_fields: usize,
    /// Most profit reports one org runs at a time; more wait their turn, so one org's heavy
    /// request cannot take every slot from the others.
    pub org_concurrency: usize,
    /// Most subscriptions open on one WebSocket connection.
    pub subscriptions_per_connection: usize,
    /// Most subscriptions open for one org, over every connection.
    pub subscriptions_per_org: usize,
    /// Most profit-report rows kept in memory, over every org (0: none). An answer is reused
    /// only while nothing it reads has changed (see `pnl/cache.rs`).
    pub report_cache_rows: u64,
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            depth_limit: 12,
            complexity_limit: 2_000,
            max_body_bytes: 256 * 1024,
            graphiql: false,
            max_root_fields: 20,
            org_concurrency: 2,
            subscriptions_per_connection: 5,
            subscriptions_per_org: 50,
            report_cache_rows: 100_000,
        }
    }
}

/// Request rate limits (`[rate_limit]`, `PNL_RATE_LIMIT__…`). A request over its limit answers
/// 429 with `Retry-After`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitConfig {
    /// Limit at all.
    pub enabled: bool,
    /// Requests per minute of one bearer token, on any route.
    pub per_token_per_minute: u32,
    /// Requests one token may send at once above its rate.
    pub token_burst: u32,
    /// Requests per minute of one client address to `/oauth/token`, `/webhooks/*`,
    /// `/connect/*/callback` and `/graphql` without a token.
    pub per_address_per_minute: u32,
    /// Requests one address may send at once above its rate.
    pub address_burst: u32,
    /// Leave clients on this machine (127.0.0.0/8, ::1) unlimited (`pnl demo` sets it).
    pub exempt_loopback: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_token_per_minute: 600,
            token_burst: 100,
            per_address_per_minute: 300,
            address_burst: 60,
            exempt_loopback: false,
        }
    }
}

/// File imports (`[import]`, `PNL_IMPORT__…`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportConfig {
    /// Largest file `importFile` accepts through a GraphQL multipart upload, in bytes; the
    /// body limit of a multipart request to `/graphql` is this plus room for the other parts.
    pub max_upload_bytes: usize,
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}
