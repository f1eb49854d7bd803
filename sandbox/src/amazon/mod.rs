//! The simulated Amazon Selling Partner API: Login with Amazon (token endpoint and the
//! Seller Central consent page), Finances v0 (event groups and events by group) and the
//! Reports API 2021-06-30 with settlement V2 documents, gzip-compressed or not.
//!
//! One server answers for every region (NA, EU, FE) and for LWA and Seller Central: each
//! real host's paths are distinct, so a client configured with this base URL for every
//! host talks to it exactly as to Amazon. Shapes follow
//! `shared/reference/amazon-shopify-walmart-api.md` sections A and B.
//!
//! # Layout
//! - `config`: [`AmazonSandboxConfig`], [`AmazonSellerSpec`], [`AmazonQuotas`].
//! - `catalog`, `world`: the generated sellers, events and 14-day groups.
//! - `wire`, `settlement`: Finances JSON and settlement flat files.
//! - `lwa`: tokens and consent; `api`: the SP-API handlers; `limits`: usage plans.
//! - `faults`: [`AmazonFaults`].

pub(crate) mod api;
mod catalog;
mod config;
mod faults;
mod limits;
pub(crate) mod lwa;
pub(crate) mod sellers;
mod settlement;
mod truth;
mod wire;
mod world;

#[cfg(test)]
mod tests;

pub use config::{AmazonQuotas, AmazonSandboxConfig, AmazonSellerSpec, Quota};
pub use faults::AmazonFaults;
pub use limits::OperationStats;
pub use truth::{AmazonGroupInfo, AmazonWorld, DroppedLine};
