//! The GraphQL schema: roots merged from one object per feature, limits, and the SDL printer.
//!
//! Resolvers are thin: they take the viewer from the context, check its scope, call one domain
//! function and convert the result into a type of `types/`. They never touch the database
//! directly.

mod args;
mod context;
pub mod fair;
pub mod introspection;
pub mod limits;
mod mutation;
mod query;
pub mod session;
mod subscription;
pub mod types;

use async_graphql::Schema;

pub use context::ContextExt;
use mutation::MutationRoot;
use query::QueryRoot;
use subscription::SubscriptionRoot;

use crate::config::GraphqlConfig;
use crate::state::AppState;

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema over `state` with the configured limits. No I/O happens here.
pub fn build_schema(state: AppState, limits: &GraphqlConfig) -> AppSchema {
    let mut schema = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(fair::OrgGates::new(limits.org_concurrency))
    .data(std::sync::Arc::new(session::OrgSubscriptions::default()))
    .data(state);
    // async-graphql's spans (the request's, and one per resolved field) are wanted only when
    // the log filter lets them through (`RUST_LOG=async_graphql=info,…`); otherwise the
    // extension would still hook every field's resolution — a few per cent of a cached report
    // under load — to make spans that are dropped.
    if tracing::enabled!(target: "async_graphql::graphql", tracing::Level::INFO) {
        schema = schema.extension(async_graphql::extensions::Tracing);
    }
    schema
        .extension(introspection::IntrospectionGuard)
        .extension(limits::Limits {
            depth: limits.depth_limit,
            complexity: limits.complexity_limit,
            root_fields: limits.max_root_fields,
        })
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .finish()
    .sdl()
}
