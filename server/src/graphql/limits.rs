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
//!   alerts) aggregates over the ledger: it costs ([`REPORT_BASE`] + one per
//!   [`DAYS_PER_UNIT`] days of its range) × (1 + the dimensions it groups by), plus its fields
//!   (measured: a year of `profitBySku` costs about ten times a month, and each grouping
//!   multiplies the rows folded). A one-month report per SKU costs ~70, a year ~400, so the
//!   default limit of 2,000 admits a few dozen small reports or a handful of large ones.
//!
//! An operation may also select at most `max_root_fields` root fields (aliases included).
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

use super::types::pnl::DateRangeInput;

/// The fixed cost of asking for a page.
pub const PAGE_BASE: usize = 2;
/// A row's fields cost this fraction of a resolver's field.
pub const ROW_DIVISOR: usize = 10;
/// The fixed cost of a profit report.
pub const REPORT_BASE: usize = 20;
/// A profit report costs one more per this many days of its range.
pub const DAYS_PER_UNIT: usize = 2;
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

/// The complexity of a profit report over `range`, grouped by `dimensions` dimensions, whose
/// selection costs `child`. A range the report would refuse still gets a cost (its length is
/// clamped), so the refusal comes from the report and names the range.
pub fn report_cost(range: &DateRangeInput, dimensions: usize, child: usize) -> usize {
    let days = (range.to.0 - range.from.0).num_days().clamp(0, 3 * 366) + 1;
    let days = usize::try_from(days).unwrap_or(1);
    let scan = REPORT_BASE + days.div_ceil(DAYS_PER_UNIT);
    scan.saturating_mul(1 + dimensions).saturating_add(child)
}

/// How many different values `items` holds (a grouping's distinct dimensions).
pub fn distinct<T: PartialEq>(items: &[T]) -> usize {
    items
        .iter()
        .enumerate()
        .filter(|(at, item)| !items[..*at].contains(item))
        .count()
}

/// The limits of one schema: an extension that checks every operation after parsing and
/// validation.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most nesting of one operation.
    pub depth: usize,
    /// Most complexity of one operation (see the module's cost model).
    pub complexity: usize,
    /// Most root fields (aliases included) of one operation.
    pub root_fields: usize,
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
        let roots = document
            .operations
            .iter()
            .map(|(_, operation)| operation.node.selection_set.node.items.len())
            .max()
            .unwrap_or(0);
        if roots > self.limits.root_fields {
            return Err(ServerError::new(
                format!(
                    "the operation selects {roots} root fields; the limit is {}: split it into \
                     several requests",
                    self.limits.root_fields
                ),
                None,
            ));
        }
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
                     report ({REPORT_BASE} + days ÷ {DAYS_PER_UNIT}) × (1 + dimensions) + its \
                     fields: ask for fewer rows, fields, days or reports per request",
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
    fn a_report_costs_by_days_and_groupings() {
        let range = |from: &str, to: &str| DateRangeInput {
            from: super::super::types::scalars::Date(from.parse().unwrap()),
            to: super::super::types::scalars::Date(to.parse().unwrap()),
        };
        let month = report_cost(&range("2026-01-01", "2026-01-31"), 1, 10);
        let year = report_cost(&range("2026-01-01", "2026-12-31"), 1, 10);
        assert_eq!(month, (20 + 16) * 2 + 10);
        assert_eq!(year, (20 + 183) * 2 + 10);
        assert!(report_cost(&range("2026-01-01", "2026-12-31"), 2, 10) > year);
        // Reversed or absurd ranges are costed, and refused by the report itself.
        assert_eq!(report_cost(&range("2026-02-01", "2026-01-01"), 0, 0), 21);
        assert_eq!(distinct(&[1, 1, 2, 1, 3]), 3);
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
