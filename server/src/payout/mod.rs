//! Payouts: every total a channel reports (a TikTok statement or payment, an Amazon settlement,
//! a Shopify payout) is an assertion the ledger is checked against. This module stores them and
//! answers, for each, what the channel said, what the ledger holds, and the residual.

mod query;
mod store;

pub use query::{find, list, PayoutFilter, PayoutView, ReconcileStatus, OPEN};
pub use store::{ensure, upsert};
