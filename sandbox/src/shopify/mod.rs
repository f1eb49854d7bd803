//! The simulated Shopify Admin API: OAuth install with a signed callback, Admin GraphQL
//! (orders with refunds and transactions, Shopify Payments balance transactions and payouts)
//! with calculated query cost and a leaky bucket per store, bulk operations with a JSONL
//! download, and a webhook sender with real signatures. Shapes follow shopify.dev and
//! `shared/reference/amazon-shopify-walmart-api.md` section C; the documents pnl sends are
//! `server/src/connectors/shopify/queries.rs`.
//!
//! Every store is served under `{base}/shopify/{NAME.myshopify.com}` (pnl's
//! `shopify.shop_url = "{sandbox}/shopify/{shop}"`).
//!
//! # Layout
//! - `config`: [`ShopifySandboxConfig`], [`ShopifyStoreSpec`].
//! - `orders`, `ledger`: the generated orders (some mirrored from TikTok Shop) and the
//!   Payments ledger; `truth`: [`ShopifyWorld`] and what tests read.
//! - `exec`, `cost`, `search`, `root`: the GraphQL executor, query cost, search syntax and the
//!   computed fields; `bulk`: bulk operations; `api`: the HTTP handlers.
//! - `sign`, `webhooks`: HMACs and [`ShopifyWebhook`]; `faults`: [`ShopifyFaults`];
//!   `limits`: the bucket and [`ShopifyOperationStats`]; `wire`: Shopify's spellings.

pub(crate) mod api;
mod bulk;
mod config;
mod cost;
mod exec;
mod faults;
mod ledger;
mod limits;
mod orders;
mod root;
mod schema;
mod search;
mod sign;
mod truth;
mod webhooks;
mod wire;

#[cfg(test)]
mod tests;

pub use config::{ShopifySandboxConfig, ShopifyStoreSpec};
pub use faults::ShopifyFaults;
pub use limits::ShopifyOperationStats;
pub use truth::{ShopifyBalanceInfo, ShopifyOrderInfo, ShopifyPayoutInfo, ShopifyWorld};
pub use webhooks::ShopifyWebhook;
