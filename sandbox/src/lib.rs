//! Wire-accurate simulator of the TikTok Shop Partner API (202309+), its OAuth host, the
//! TikTok Marketing (Ads) API v1.3 and the Amazon Selling Partner API (Finances v0, Reports), with a seeded, deterministic data generator.
//!
//! Tests and `pnl demo` start a [`Sandbox`] in-process on loopback; pnl's real connectors
//! talk to it over HTTP exactly as they would talk to TikTok (signed requests, envelopes,
//! page tokens, error codes), while tests read the generated truth from [`World`] and inject
//! failures through [`Faults`].
//!
//! # Layout
//! - `config`: [`SandboxConfig`] and [`ShopSpec`].
//! - `world`: the generated truth: catalogue, orders, settlement transactions, daily
//!   statements, weekly payments and ad delivery, generated lazily per shop and day.
//! - `api`: the axum router: auth host, signed shop API (guard, finance, orders, returns,
//!   affiliate, webhooks) and Marketing API (OAuth, integrated and GMV Max reports).
//! - `amazon`: the Amazon SP-API simulator (LWA, consent, Finances v0, Reports with
//!   settlement V2 documents) and its truth, [`AmazonWorld`].
//! - `shopify`: the Shopify Admin API simulator (OAuth, Admin GraphQL with query cost, bulk
//!   operations, Payments payouts, webhooks) and its truth, [`ShopifyWorld`].
//! - `faults`: [`Faults`], switched on by tests at run time.
//! - `down`: [`DownHost`], a host that hangs up unanswered (a channel host that is down).
//! - `sandbox`: [`Sandbox`], the running server.
//! - `export`: the same responses read in-process, for bulk loads such as `pnl bench`.
//! - `rng`, `money`, `ids`: SplitMix64 streams, integer money, self-describing ids.

mod amazon;
mod api;
mod config;
mod down;
mod export;
mod faults;
mod ids;
mod money;
mod rng;
mod sandbox;
mod shopify;
mod world;

pub use amazon::{
    AmazonFaults, AmazonGroupInfo, AmazonQuotas, AmazonSandboxConfig, AmazonSellerSpec,
    AmazonWorld, DroppedLine, OperationStats, Quota,
};
pub use config::{ConfigError, SandboxConfig, ShopSpec};
pub use down::DownHost;
pub use faults::Faults;
pub use sandbox::Sandbox;
pub use shopify::{
    ShopifyBalanceInfo, ShopifyFaults, ShopifyOperationStats, ShopifyOrderInfo, ShopifyPayoutInfo,
    ShopifySandboxConfig, ShopifyStoreSpec, ShopifyWebhook, ShopifyWorld,
};
pub use world::{PaymentInfo, ShopInfo, SkuInfo, StatementInfo, World};
