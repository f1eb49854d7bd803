//! Profit and loss (DESIGN.md, "Profit"): the general pivot over the ledger.
//!
//! - net sales = PRODUCT_SALES + SELLER_DISCOUNTS + SHIPPING_INCOME + REFUNDS
//! - contribution profit = net sales + channel fees + creator costs + ad costs + ADJUSTMENTS
//!   plus COGS, every cost with the ledger's sign (negative), so a row's profit is the plain
//!   sum of its parts
//! - margin = contribution profit / net sales (none when net sales is zero)
//! - COGS = (units sold − units refunded) × the unit cost in force on the line's day,
//!   converted at that day's rate; a product without a cost is flagged, not costed at zero
//!
//! Amounts are aggregated in SQL by the requested dimensions, day and currency; conversion to
//! the reporting currency (rate of the line's day, else the latest earlier one) and COGS are
//! applied to those aggregates in exact decimal arithmetic.

mod allocate;
pub mod cache;
mod columns;
pub mod completeness;
pub mod creators;
mod fold;
pub mod kpis;
pub mod lines;
mod plan;
mod query;
mod row;
pub mod shortcuts;

pub use cache::{Answer, CacheStats, Jobs, ReportCache, Version};
pub use fold::PnlReport;
pub use query::{check_range, report, Dimension, PnlFilter, PnlRequest};
pub use row::{PnlKey, PnlRow};
