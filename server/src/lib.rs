//! pnl: one exact profit-and-loss ledger across sales channels, served over GraphQL.
//!
//! # Layout
//! - [`config`], [`telemetry`], [`startup`], [`cli`] — process set-up and the `pnl` commands.
//! - [`http`] — routes (GraphQL, OAuth token endpoint, health), request ids, limits.
//! - [`graphql`] — the schema; thin resolvers over the domain modules.
//! - [`auth`] — tokens, scopes, partner apps, the viewer of a request.
//! - [`ledger`] — fee buckets, label mapping, raw records, idempotent posting, ledger reads.
//! - [`listings`] — channel SKUs and the master products they are linked to, by hand or on
//!   first sight.
//! - [`money`] — exact money and ISO 4217 currencies.
//! - [`statements`] — statement files of any channel read through a TOML mapping (built-ins
//!   by name), posted like a connector's lines.
//! - [`org`] — tenants.
//! - [`db`], [`state`], [`error`] — the database handle, shared state, the error type.
//! - [`owner_only`] — the data directory, database and secrets readable by their owner only.

pub mod auth;
pub mod cli;
pub mod config;
pub mod connect;
pub mod connectors;
pub mod costs;
pub mod crypto;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod import;
pub mod ledger;
pub mod listings;
pub mod money;
pub mod org;
pub mod owner_only;
pub mod payout;
pub mod pnl;
pub mod replay;
pub mod startup;
pub mod state;
pub mod statements;
pub mod sync;
pub mod telemetry;
