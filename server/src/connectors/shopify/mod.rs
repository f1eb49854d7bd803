//! Shopify (Admin GraphQL API, Shopify Payments): everything the channel needs, behind the
//! connector seam ([`connector::Shopify`]).
//!
//! # Layout
//! - `config`, `credentials`, `connect`: `[shopify]` settings, the sealed offline token, the
//!   install flow (`/connect/shopify?shop=NAME.myshopify.com`: domain validated, state bound to
//!   the org, the browser and the shop, the callback's `hmac` checked before anything else).
//! - `queries`, `client`, `throttle`, `error`: the Admin GraphQL documents the connector sends
//!   (the contract with the sandbox and with saved files), the client (versioned URL,
//!   `X-Shopify-Access-Token`, cost-based throttling from `extensions.cost.throttleStatus`,
//!   bulk operations with a streamed JSONL download) and its errors.
//! - `model`, `bulk`, `normalize`, `labels`, `files`: wire models (`nodes` or `edges`, string or
//!   number amounts), the bulk JSONL assembler, the pure normalisers (orders and refunds →
//!   ESTIMATED lines; Payments balance transactions → SETTLED lines split by their order;
//!   payouts), the label → bucket table, and saved answers / bulk exports as importable files.
//! - `mirror`, `mirrored`: which orders are copies of another channel's orders (TikTok Shop,
//!   Amazon … pushed into Shopify) — the pure rules and their stored side (the org's source
//!   names, the skipped orders with the rule that matched).
//! - `sync`, `webhooks`, `graphql`, `connector`: the `shopify.shop` stream (orders, balance
//!   transactions, payouts), `/webhooks/shopify`, Shopify's own GraphQL fields, and the seam.
//!
//! # The same money once
//! An order's estimate (`shopify:est:ord:{order}:…`, ESTIMATED) is retired by the ingest as
//! soon as a settled line of the same order arrives. Each balance transaction is its own set
//! (`shopify:bt:{id}:ord:{order}:…`): split by its order into the estimate's buckets (every line
//! under `…:sku:…` at SKU granularity), or whole (`unsplit_charge` / `unsplit_refund` and its fee
//! at order granularity) while its order is unknown; the split set replaces the unsplit one
//! whichever arrives first. A transaction read before it had a payout is read again until it has
//! one; its lines are then corrected into that payout.
//!
//! Orders paid through other gateways (PayPal, manual payments, gift cards) have no balance
//! transactions: their lines stay ESTIMATED, since their settlement is out of Shopify
//! Payments' reach.

pub mod bulk;
pub mod client;
pub mod config;
pub mod connect;
pub mod connector;
pub mod credentials;
pub mod error;
pub mod files;
pub mod graphql;
pub mod labels;
pub mod mirror;
pub mod mirrored;
pub mod model;
pub mod normalize;
pub mod queries;
pub mod sync;
#[cfg(test)]
mod tests;
pub mod throttle;
pub mod webhooks;

pub use connector::Shopify;

use crate::ledger::Channel;

/// The channel every Shopify line belongs to.
pub const CHANNEL: Channel = Channel::Shopify;

/// The stream of a Shopify shop's money.
pub const SHOP_STREAM: &str = "shopify.shop";
