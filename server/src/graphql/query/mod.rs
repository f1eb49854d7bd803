//! The query root, merged from one object per feature.

mod costs;
mod drill;
mod ledger;
mod listing;
mod me;
mod payout;
mod pnl;
mod shop;
mod upload;

use async_graphql::MergedObject;

/// Every query.
#[derive(Default, MergedObject)]
pub struct QueryRoot(
    me::MeQuery,
    ledger::LedgerQuery,
    drill::DrillQuery,
    payout::PayoutQuery,
    shop::ShopQuery,
    costs::CostQuery,
    listing::ListingQuery,
    pnl::PnlQuery,
    upload::UploadQuery,
    crate::connectors::registry::ConnectorQueries,
);
