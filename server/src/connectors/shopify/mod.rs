//! Shopify: orders, refunds, Shopify Payments balance transactions and payouts, behind the
//! connector seam.

pub mod config;
pub mod queries;
