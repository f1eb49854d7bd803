//! Shopify: orders, refunds, Shopify Payments balance transactions and payouts, behind the
//! connector seam.

pub mod client;
pub mod config;
pub mod error;
pub mod queries;
pub mod throttle;
