//! The mutation root, merged from one object per feature.

mod connect;
mod costs;
mod listing;
mod mapping;
mod token;
mod upload;

use async_graphql::MergedObject;

/// Every mutation.
#[derive(Default, MergedObject)]
pub struct MutationRoot(
    mapping::MappingMutation,
    connect::ConnectMutation,
    costs::CostMutation,
    listing::ListingMutation,
    token::TokenMutation,
    upload::UploadMutation,
    crate::connectors::registry::ConnectorMutations,
);
