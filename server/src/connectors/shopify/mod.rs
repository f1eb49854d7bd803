//! Shopify: orders, refunds, Shopify Payments balance transactions and payouts, behind the
//! connector seam.

pub mod bulk;
pub mod config;
pub mod files;
pub mod labels;
pub mod mirror;
pub mod model;
pub mod normalize;
pub mod queries;
#[cfg(test)]
mod tests;

use crate::ledger::Channel;

/// The channel every Shopify line belongs to.
pub const CHANNEL: Channel = Channel::Shopify;
