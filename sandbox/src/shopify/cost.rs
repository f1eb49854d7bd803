//! `requestedQueryCost` from a document alone, by Shopify's published rule: scalars and
//! enums 0, objects 1, a connection (or a list taking `first`) `2 + first × the cost of one
//! node`, `nodes(ids:)` one node per id, a mutation field 10 plus what it selects. The exact
//! weights Shopify applies are not published in full [U]; this rule is the documented one.

use async_graphql_parser::types::{ExecutableDocument, Selection, SelectionSet};
use serde_json::{Map, Value};

use super::exec::connection_node_set;

/// The cost of the selection `set` (the root's own fields).
pub(crate) fn requested(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    vars: &Map<String, Value>,
    mutation: bool,
) -> u64 {
    let mut total = 0;
    for selection in &set.items {
        total += match &selection.node {
            Selection::Field(field) if mutation => {
                10 + set_cost(doc, &field.node.selection_set.node, vars)
            }
            _ => selection_cost(doc, selection, vars),
        };
    }
    total
}

fn number(value: &async_graphql_value::Value, vars: &Map<String, Value>) -> Option<u64> {
    match value {
        async_graphql_value::Value::Number(n) => n.as_u64(),
        async_graphql_value::Value::Variable(name) => {
            vars.get(name.as_str()).and_then(Value::as_u64)
        }
        _ => None,
    }
}

fn length(value: &async_graphql_value::Value, vars: &Map<String, Value>) -> Option<u64> {
    match value {
        async_graphql_value::Value::List(items) => Some(items.len() as u64),
        async_graphql_value::Value::Variable(name) => vars
            .get(name.as_str())
            .and_then(Value::as_array)
            .map(|a| a.len() as u64),
        _ => None,
    }
}

fn set_cost(doc: &ExecutableDocument, set: &SelectionSet, vars: &Map<String, Value>) -> u64 {
    set.items.iter().map(|s| selection_cost(doc, s, vars)).sum()
}

fn selection_cost(
    doc: &ExecutableDocument,
    selection: &async_graphql_parser::Positioned<Selection>,
    vars: &Map<String, Value>,
) -> u64 {
    match &selection.node {
        Selection::Field(field) => {
            let f = &field.node;
            let children = &f.selection_set.node;
            if children.items.is_empty() {
                return 0;
            }
            let arg = |name: &str| {
                f.arguments
                    .iter()
                    .find(|(n, _)| n.node.as_str() == name)
                    .map(|(_, v)| &v.node)
            };
            if let Some(ids) = arg("ids").and_then(|v| length(v, vars)) {
                return ids * (1 + set_cost(doc, children, vars));
            }
            match arg("first")
                .or_else(|| arg("last"))
                .and_then(|v| number(v, vars))
            {
                Some(first) => {
                    let node = match connection_node_set(children) {
                        Some(node) => 1 + set_cost(doc, node, vars),
                        None => 1 + set_cost(doc, children, vars),
                    };
                    2 + first * node
                }
                None => 1 + set_cost(doc, children, vars),
            }
        }
        Selection::FragmentSpread(spread) => doc
            .fragments
            .get(&spread.node.fragment_name.node)
            .map_or(0, |f| set_cost(doc, &f.node.selection_set.node, vars)),
        Selection::InlineFragment(inline) => set_cost(doc, &inline.node.selection_set.node, vars),
    }
}
