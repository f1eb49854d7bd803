//! How much one operation may ask for: its depth and its complexity, with a refusal that says by
//! how much the operation is over and what the limit is.
//!
//! The cost model (what `complexity` means):
//! - a field costs 1;
//! - a page of a connection costs [`PAGE_BASE`] plus its rows times the fields of each row,
//!   divided by [`ROW_DIVISOR`]: rows come from one indexed read and their fields are copied from
//!   memory, so a row's field costs a tenth of a field that runs a resolver — the documented
//!   `first: 500` with a full row selection fits the default limit;
//! - a profit report (P&L, per SKU, per creator, channel comparison, blended margin, margin
//!   alerts) costs [`REPORT_BASE`] plus its fields: it aggregates over the ledger.
//!
//! Introspection (an operation that asks only for `__schema`, `__type` or `__typename`, as
//! GraphiQL, graphql-codegen, Apollo and Postman send it) is bounded by its own limits: its
//! nesting follows the schema's type references (`ofType` chains), not data, and its cost is
//! bounded by the schema's size.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

/// The fixed cost of asking for a page.
pub const PAGE_BASE: usize = 2;
/// A row's fields cost this fraction of a resolver's field.
pub const ROW_DIVISOR: usize = 10;
/// The fixed cost of a profit report.
pub const REPORT_BASE: usize = 100;
/// Depth allowed to an introspection-only operation (the standard introspection query nests
/// about fifteen levels).
pub const INTROSPECTION_DEPTH: usize = 32;
/// Complexity allowed to an introspection-only operation.
pub const INTROSPECTION_COMPLEXITY: usize = 20_000;

/// The complexity of a connection field asked for `first` rows whose selection costs `child`.
pub fn page_cost(first: Option<i32>, child: usize) -> usize {
    let rows = usize::try_from(first.unwrap_or(50).max(1)).unwrap_or(1);
    PAGE_BASE.saturating_add(rows.saturating_mul(child).div_ceil(ROW_DIVISOR))
}

/// The complexity of a profit report whose selection costs `child`.
pub fn report_cost(child: usize) -> usize {
    REPORT_BASE.saturating_add(child)
}

/// The limits of one schema: an extension that checks every operation after validation.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most nesting of one operation.
    pub depth: usize,
    /// Most complexity of one operation (see the module's cost model).
    pub complexity: usize,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitCheck {
            limits: *self,
            introspection_only: AtomicBool::new(false),
        })
    }
}

struct LimitCheck {
    limits: Limits,
    /// Whether the parsed document asks for nothing but introspection.
    introspection_only: AtomicBool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitCheck {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.introspection_only
            .store(is_introspection_only(&document), Ordering::Relaxed);
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let (depth, complexity, what) = if self.introspection_only.load(Ordering::Relaxed) {
            (
                INTROSPECTION_DEPTH,
                INTROSPECTION_COMPLEXITY,
                "introspection query",
            )
        } else {
            (self.limits.depth, self.limits.complexity, "query")
        };
        if result.depth > depth {
            return Err(vec![ServerError::new(
                format!(
                    "{what} is nested {} levels deep; the limit is {depth} ({} too deep): \
                     select fewer nested fields",
                    result.depth,
                    result.depth - depth
                ),
                None,
            )]);
        }
        if result.complexity > complexity {
            return Err(vec![ServerError::new(
                format!(
                    "{what} complexity is {}; the limit is {complexity} ({} over). A field costs \
                     1, a page {PAGE_BASE} + rows × fields per row ÷ {ROW_DIVISOR}, a profit \
                     report {REPORT_BASE} + its fields: ask for fewer rows, fields or reports \
                     per request",
                    result.complexity,
                    result.complexity - complexity
                ),
                None,
            )]);
        }
        Ok(result)
    }
}

/// Whether every operation of `document` selects only introspection fields at its root.
fn is_introspection_only(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .all(|(_, operation)| only_introspection(document, &operation.node.selection_set.node, 0))
}

fn only_introspection(document: &ExecutableDocument, set: &SelectionSet, hops: u8) -> bool {
    // Fragments nested at the root more than a few times are not what tooling sends.
    hops < 4
        && set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => field.node.name.node.starts_with("__"),
            Selection::InlineFragment(fragment) => {
                only_introspection(document, &fragment.node.selection_set.node, hops + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|fragment| {
                    only_introspection(document, &fragment.node.selection_set.node, hops + 1)
                }),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_page_fits_the_default_limit() {
        // ledgerEntries(first: 500) with the README's selection: about 17 fields a row.
        assert!(page_cost(Some(500), 17) < 2_000);
        assert_eq!(page_cost(Some(10), 10), PAGE_BASE + 10);
        assert_eq!(page_cost(Some(-5), 10), PAGE_BASE + 1);
        assert!(
            page_cost(Some(i32::MAX), usize::MAX) > usize::MAX / 20,
            "saturates, never wraps"
        );
    }

    #[test]
    fn introspection_is_recognised_at_the_root_only() {
        let parse = |text: &str| async_graphql::parser::parse_query(text).unwrap();
        assert!(is_introspection_only(&parse(
            "query Q { __schema { types { name } } } fragment F on Query { __typename }"
        )));
        assert!(is_introspection_only(&parse(
            "{ ...F } fragment F on Query { __type(name: \"X\") { name } }"
        )));
        assert!(!is_introspection_only(&parse(
            "{ __schema { types { name } } me { org } }"
        )));
        assert!(!is_introspection_only(&parse(
            "{ ... on Query { me { org } } }"
        )));
    }
}
