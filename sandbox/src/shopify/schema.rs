//! The schema subset the simulator serves, learnt from the objects it generates (every
//! `__typename` and the fields its objects carry), plus the roots. Documents are checked
//! against it before they cost anything, as Shopify validates before it executes: a field a
//! type lacks is refused ("Field 'x' doesn't exist on type 'Order'") whatever the data holds.

use std::collections::HashMap;

use async_graphql_parser::types::{ExecutableDocument, Selection, SelectionSet};
use serde_json::Value;

use super::exec::GqlError;

/// What a field returns: an object type (or none for scalars), and whether it is a
/// connection (`nodes`, `edges`, `pageInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Child {
    pub(crate) ty: Option<String>,
    pub(crate) connection: bool,
}

/// Fields per type.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    types: HashMap<String, HashMap<String, Child>>,
}

/// The interface of `node` / `nodes`: only `id` without a fragment.
const NODE: &str = "Node";

fn typename(value: &Value) -> Option<String> {
    value
        .get("__typename")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl Schema {
    /// The roots and the bulk operation types, before any data is learnt.
    pub(crate) fn with_roots() -> Self {
        let mut schema = Self::default();
        let obj = |ty: &str| Child {
            ty: Some(ty.to_owned()),
            connection: false,
        };
        let conn = |ty: &str| Child {
            ty: Some(ty.to_owned()),
            connection: true,
        };
        for (parent, field, child) in [
            ("QueryRoot", "shop", obj("Shop")),
            ("QueryRoot", "orders", conn("Order")),
            ("QueryRoot", "order", obj("Order")),
            ("QueryRoot", "node", obj(NODE)),
            ("QueryRoot", "nodes", obj(NODE)),
            (
                "QueryRoot",
                "shopifyPaymentsAccount",
                obj("ShopifyPaymentsAccount"),
            ),
            ("ShopifyPaymentsAccount", "id", Child::default()),
            (
                "ShopifyPaymentsAccount",
                "balanceTransactions",
                conn("ShopifyPaymentsBalanceTransaction"),
            ),
            (
                "ShopifyPaymentsAccount",
                "payouts",
                conn("ShopifyPaymentsPayout"),
            ),
            (
                "Mutation",
                "bulkOperationRunQuery",
                obj("BulkOperationRunQueryPayload"),
            ),
            (
                "BulkOperationRunQueryPayload",
                "bulkOperation",
                obj("BulkOperation"),
            ),
            (
                "BulkOperationRunQueryPayload",
                "userErrors",
                obj("UserError"),
            ),
            ("UserError", "field", Child::default()),
            ("Shop", "id", Child::default()),
            ("Shop", "name", Child::default()),
            ("Shop", "myshopifyDomain", Child::default()),
            ("Shop", "currencyCode", Child::default()),
            ("Shop", "ianaTimezone", Child::default()),
            ("UserError", "message", Child::default()),
            (NODE, "id", Child::default()),
        ] {
            schema.add(parent, field, child);
        }
        for field in [
            "id",
            "status",
            "errorCode",
            "objectCount",
            "rootObjectCount",
            "fileSize",
            "url",
            "partialDataUrl",
            "type",
            "createdAt",
            "completedAt",
            "query",
        ] {
            schema.add("BulkOperation", field, Child::default());
        }
        schema
    }

    fn add(&mut self, parent: &str, field: &str, child: Child) {
        let fields = self.types.entry(parent.to_owned()).or_default();
        let known = fields.entry(field.to_owned()).or_default();
        if known.ty.is_none() {
            known.ty = child.ty;
        }
        known.connection |= child.connection;
    }

    /// Learns the fields of `value` and of every object inside it.
    pub(crate) fn learn(&mut self, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.learn(v)),
            Value::Object(map) => {
                let Some(ty) = typename(value) else {
                    map.values().for_each(|v| self.learn(v));
                    return;
                };
                for (field, v) in map.iter().filter(|(k, _)| !k.starts_with("__")) {
                    let child = match v {
                        Value::Object(inner) if inner.contains_key("__connection") => Child {
                            ty: inner["__connection"]
                                .as_array()
                                .and_then(|a| a.first())
                                .and_then(typename),
                            connection: true,
                        },
                        Value::Object(_) => Child {
                            ty: typename(v),
                            connection: false,
                        },
                        Value::Array(items) => Child {
                            ty: items.first().and_then(typename),
                            connection: false,
                        },
                        _ => Child::default(),
                    };
                    self.add(&ty, field, child);
                    match v {
                        Value::Object(inner) if inner.contains_key("__connection") => {
                            self.learn(&inner["__connection"])
                        }
                        _ => self.learn(v),
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks `set` on `ty` (fields exist; fragments on their own types).
    pub(crate) fn check(
        &self,
        doc: &ExecutableDocument,
        ty: &str,
        set: &SelectionSet,
    ) -> Result<(), GqlError> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    if name == "__typename" {
                        continue;
                    }
                    let Some(fields) = self.types.get(ty) else {
                        continue;
                    };
                    let Some(child) = fields.get(name) else {
                        let mut e = GqlError::new(
                            format!("Field '{name}' doesn't exist on type '{ty}'"),
                            Some("undefinedField"),
                        );
                        e.line = field.pos.line;
                        e.column = field.pos.column;
                        return Err(e);
                    };
                    let Some(child_ty) = &child.ty else { continue };
                    if child.connection {
                        self.check_connection(doc, child_ty, &f.selection_set.node)?;
                    } else {
                        self.check(doc, child_ty, &f.selection_set.node)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        let target = if on == NODE { ty } else { on };
                        self.check(doc, target, &fragment.node.selection_set.node)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let target = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    self.check(doc, target, &inline.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }

    fn check_connection(
        &self,
        doc: &ExecutableDocument,
        node_ty: &str,
        set: &SelectionSet,
    ) -> Result<(), GqlError> {
        for selection in &set.items {
            let Selection::Field(field) = &selection.node else {
                continue;
            };
            match field.node.name.node.as_str() {
                "nodes" => self.check(doc, node_ty, &field.node.selection_set.node)?,
                "edges" => {
                    for sub in &field.node.selection_set.node.items {
                        if let Selection::Field(node) = &sub.node {
                            if node.node.name.node.as_str() == "node" {
                                self.check(doc, node_ty, &node.node.selection_set.node)?;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
