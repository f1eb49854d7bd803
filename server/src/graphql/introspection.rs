//! Introspection needs a token: an operation that asks for `__schema` or `__type` without a
//! verified viewer is refused with UNAUTHENTICATED right after parsing, before it is validated or
//! run. `__typename` stays open: clients and the GraphQL-over-HTTP audits use it as a ping, and
//! it tells nothing beyond the name of the root type. This extension only looks at the
//! document; who the viewer is comes from the request (HTTP) or the connection (WebSocket).

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

use crate::auth::Viewer;

/// The extension that refuses anonymous schema introspection.
#[derive(Clone, Copy, Debug, Default)]
pub struct IntrospectionGuard;

impl ExtensionFactory for IntrospectionGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Self)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for IntrospectionGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if ctx.data_opt::<Viewer>().is_none() && introspects(&document) {
            let mut error = ServerError::new(
                "authentication required to introspect the schema: send `Authorization: Bearer \
                 <token>` (any valid token will do)",
                None,
            );
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", "UNAUTHENTICATED");
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(document)
    }
}

/// Whether any operation of `document` selects `__schema` or `__type`, directly or through
/// fragments, at any depth (only the root answers them, but validation has not run yet).
fn introspects(document: &ExecutableDocument) -> bool {
    let mut pending: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, operation)| &operation.node.selection_set.node)
        .collect();
    let mut spread = HashSet::new();
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type") {
                        return true;
                    }
                    pending.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(fragment) => {
                    let name = &fragment.node.fragment_name.node;
                    // Each fragment once, so a cycle (refused later by validation) ends here.
                    if spread.insert(name.as_str()) {
                        if let Some(definition) = document.fragments.get(name) {
                            pending.push(&definition.node.selection_set.node);
                        }
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(query: &str) -> bool {
        introspects(&async_graphql::parser::parse_query(query).unwrap())
    }

    #[test]
    fn schema_and_type_are_found_through_fragments() {
        assert!(asks("{ __schema { queryType { name } } }"));
        assert!(asks(
            r#"{ me { org } ... on QueryRoot { __type(name: "Money") { name } } }"#
        ));
        assert!(asks("query { ...F } fragment F on QueryRoot { ...G } fragment G on QueryRoot { __schema { types { name } } }"));
    }

    #[test]
    fn typename_and_cycles_are_not_introspection() {
        assert!(!asks("{ __typename }"));
        assert!(!asks("{ ...F } fragment F on QueryRoot { ...F }"));
    }
}
