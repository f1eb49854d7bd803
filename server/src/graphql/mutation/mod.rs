//! The mutation root, merged from one object per feature.

mod connect;
mod costs;
mod listing;
mod mapping;
mod token;

use async_graphql::MergedObject;

/// Every mutation.
#[derive(Default, MergedObject)]
pub struct MutationRoot(
    mapping::MappingMutation,
    connect::ConnectMutation,
    costs::CostMutation,
    listing::ListingMutation,
    token::TokenMutation,
    crate::connectors::registry::ConnectorMutations,
);
