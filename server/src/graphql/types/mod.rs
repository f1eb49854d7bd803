//! GraphQL-only types, each built from a domain type with `From`; no entity is exposed directly.

pub mod completeness;
pub mod connection;
pub mod costs;
pub mod drill;
pub mod kpis;
pub mod ledger;
pub mod listing;
pub mod me;
pub mod money;
pub mod payout;
pub mod pnl;
pub mod scalars;
pub mod shop;
pub mod upload;
