//! Amazon Selling Partner API: Login with Amazon, the Finances v0 and Reports clients, and
//! the per-operation usage plans.

pub mod auth;
pub mod client;
pub mod error;
pub mod rate;
pub mod reports;

pub use auth::{exchange_code, AmazonConfig, LwaTokens, Region, Regional};
pub use client::{AmazonClient, RawPage, Window};
pub use error::AmazonError;
pub use rate::{Backoff, Operation, OperationQuota, Quotas};
pub use reports::{ReportPage, SettlementReport};
