//! A parser-driven executor of Admin GraphQL documents over the generated objects.
//!
//! Every object is JSON with its `__typename`; a field is what the object holds under that
//! name (so a field the object lacks is refused as Shopify does: "Field 'x' doesn't exist on
//! type 'Order'"), except the fields a [`Root`] computes (top-level fields, filtered
//! listings). Connections are `{"__connection": [...]}` and answer `nodes`, `edges { node
//! cursor }` and `pageInfo`; aliases, named and inline fragments work. In bulk mode nested
//! connections come out as their own lines with `__parentId`.

use std::convert::Infallible;

use async_graphql_parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql_parser::Positioned;
use async_graphql_value::ConstValue;
use serde_json::{json, Map, Value};

use super::wire::{cursor, cursor_index};

/// A refusal, as one entry of `errors[]`.
#[derive(Debug, Clone)]
pub(crate) struct GqlError {
    pub(crate) message: String,
    pub(crate) code: Option<&'static str>,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl GqlError {
    pub(crate) fn new(message: impl Into<String>, code: Option<&'static str>) -> Self {
        Self {
            message: message.into(),
            code,
            line: 0,
            column: 0,
        }
    }

    /// The `errors[]` entry.
    pub(crate) fn value(&self) -> Value {
        let mut e = json!({ "message": self.message });
        if self.line > 0 {
            e["locations"] = json!([{ "line": self.line, "column": self.column }]);
        }
        if let Some(code) = self.code {
            e["extensions"] = json!({ "code": code });
        }
        e
    }
}

/// Computed fields: the query root, the mutation root and filtered listings.
pub(crate) trait Root {
    /// `Some` when `parent_type.name(args)` is computed here.
    fn field(
        &self,
        parent_type: &str,
        name: &str,
        args: &Map<String, Value>,
    ) -> Option<Result<Value, GqlError>>;
}

/// Evaluates one operation.
pub(crate) struct Exec<'a> {
    pub(crate) doc: &'a ExecutableDocument,
    pub(crate) vars: &'a Map<String, Value>,
    pub(crate) root: &'a dyn Root,
    /// Objects returned, connections counted 2: the `actualQueryCost`.
    pub(crate) actual: u64,
    /// Bulk mode: nested connections become lines of their own.
    pub(crate) bulk: bool,
    pub(crate) children: Vec<Value>,
}

/// `(start, end)` of a page of `len` items for `first`/`after` (all of them in bulk mode).
pub(crate) fn page(
    len: usize,
    args: &Map<String, Value>,
    bulk: bool,
) -> Result<(usize, usize), GqlError> {
    let start = match args.get("after").and_then(Value::as_str) {
        Some(after) => cursor_index(after).map(|i| i + 1).ok_or_else(|| {
            GqlError::new(
                format!("Invalid cursor for current pagination sort: {after}"),
                Some("BAD_REQUEST"),
            )
        })?,
        None => 0,
    };
    let first = match args.get("first").and_then(Value::as_u64) {
        Some(first) if first > 250 => {
            return Err(GqlError::new(
                "The value of the argument `first` must be less than or equal to 250",
                Some("BAD_REQUEST"),
            ));
        }
        Some(first) => first as usize,
        None if bulk => usize::MAX,
        None => {
            return Err(GqlError::new(
                "you must provide one of first or last",
                Some("BAD_REQUEST"),
            ))
        }
    };
    let start = start.min(len);
    Ok((start, start.saturating_add(first).min(len)))
}

fn location<T>(p: &Positioned<T>, mut e: GqlError) -> GqlError {
    if e.line == 0 {
        e.line = p.pos.line;
        e.column = p.pos.column;
    }
    e
}

impl Exec<'_> {
    pub(crate) fn args(
        &self,
        arguments: &[(
            Positioned<async_graphql_value::Name>,
            Positioned<async_graphql_value::Value>,
        )],
    ) -> Map<String, Value> {
        arguments
            .iter()
            .map(|(name, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|var| {
                        Ok::<_, Infallible>(
                            self.vars
                                .get(var.as_str())
                                .and_then(|v| ConstValue::from_json(v.clone()).ok())
                                .unwrap_or(ConstValue::Null),
                        )
                    })
                    .ok()
                    .and_then(|v| v.into_json().ok())
                    .unwrap_or(Value::Null);
                (name.node.to_string(), value)
            })
            .collect()
    }

    /// The selection `set` of `object`, as a JSON object.
    pub(crate) fn object(&mut self, object: &Value, set: &SelectionSet) -> Result<Value, GqlError> {
        self.actual += 1;
        let mut out = Map::new();
        self.collect(object, set, &mut out)?;
        Ok(Value::Object(out))
    }

    fn applies(ty: &str, condition: &str) -> bool {
        condition == ty || condition == "Node" || (condition == "QueryRoot" && ty == "QueryRoot")
    }

    fn collect(
        &mut self,
        object: &Value,
        set: &SelectionSet,
        out: &mut Map<String, Value>,
    ) -> Result<(), GqlError> {
        let ty = object
            .get("__typename")
            .and_then(Value::as_str)
            .unwrap_or("Object")
            .to_owned();
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    let key = f.response_key().node.to_string();
                    if name == "__typename" {
                        out.insert(key, Value::from(ty.clone()));
                        continue;
                    }
                    let args = self.args(&f.arguments);
                    let raw = match self.root.field(&ty, name, &args) {
                        Some(computed) => computed.map_err(|e| location(field, e))?,
                        None => match object.get(name) {
                            Some(v) => v.clone(),
                            None => {
                                return Err(location(
                                    field,
                                    GqlError::new(
                                        format!("Field '{name}' doesn't exist on type '{ty}'"),
                                        Some("undefinedField"),
                                    ),
                                ));
                            }
                        },
                    };
                    if self.bulk && raw.get("__connection").is_some() && ty != "QueryRoot" {
                        let parent = object.get("id").cloned().unwrap_or(Value::Null);
                        let items = raw["__connection"].as_array().cloned().unwrap_or_default();
                        let node_set = connection_node_set(&f.selection_set.node);
                        for item in &items {
                            let mut line = match node_set {
                                Some(set) => {
                                    self.object(item, set).map_err(|e| location(field, e))?
                                }
                                None => json!({}),
                            };
                            line["__parentId"] = parent.clone();
                            self.children.push(line);
                        }
                        continue;
                    }
                    let value = self
                        .render(raw, &f.selection_set.node, &args, &ty, name)
                        .map_err(|e| location(field, e))?;
                    out.insert(key, value);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let fragment = self.doc.fragments.get(name).ok_or_else(|| {
                        location(
                            spread,
                            GqlError::new(
                                format!("Fragment {name} was used, but not defined"),
                                Some("useAndDefineFragment"),
                            ),
                        )
                    })?;
                    if Self::applies(&ty, fragment.node.type_condition.node.on.node.as_str()) {
                        let set = fragment.node.selection_set.node.clone();
                        self.collect(object, &set, out)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = inline
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| Self::applies(&ty, c.node.on.node.as_str()));
                    if applies {
                        self.collect(object, &inline.node.selection_set.node, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn render(
        &mut self,
        raw: Value,
        set: &SelectionSet,
        args: &Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Result<Value, GqlError> {
        if set.items.is_empty() {
            if raw.is_object()
                || raw
                    .as_array()
                    .is_some_and(|a| a.iter().any(Value::is_object))
            {
                return Err(GqlError::new(format!("Field must have selections (field '{name}' returns an object on '{parent}')"), Some("selectionMismatch")));
            }
            return Ok(raw);
        }
        match raw {
            Value::Null => Ok(Value::Null),
            Value::Array(items) => {
                let (start, end) = match args.get("first") {
                    Some(_) => page(items.len(), args, self.bulk)?,
                    None => (0, items.len()),
                };
                let mut out = Vec::with_capacity(end - start);
                for item in &items[start..end] {
                    out.push(self.object(item, set)?);
                }
                Ok(Value::Array(out))
            }
            Value::Object(ref map) if map.contains_key("__connection") => {
                self.connection(map, set, args, parent, name)
            }
            object @ Value::Object(_) => self.object(&object, set),
            _ => Err(GqlError::new(
                format!("Selections can't be made on scalars (field '{name}' on '{parent}')"),
                Some("selectionMismatch"),
            )),
        }
    }

    fn connection(
        &mut self,
        map: &Map<String, Value>,
        set: &SelectionSet,
        args: &Map<String, Value>,
        parent: &str,
        name: &str,
    ) -> Result<Value, GqlError> {
        let empty = Vec::new();
        let items = map
            .get("__connection")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        // A root that paged already says where its page starts and how long the listing is.
        let (offset, total, start, end) = match (
            map.get("__offset").and_then(Value::as_u64),
            map.get("__total").and_then(Value::as_u64),
        ) {
            (Some(offset), Some(total)) => (offset as usize, total as usize, 0, items.len()),
            _ => {
                let (s, e) = page(items.len(), args, self.bulk)?;
                (0, items.len(), s, e)
            }
        };
        self.actual += 2;
        let ty = format!("{}Connection", connection_type(parent, name));
        let mut out = Map::new();
        for selection in &set.items {
            let Selection::Field(field) = &selection.node else {
                continue;
            };
            let f = &field.node;
            let key = f.response_key().node.to_string();
            let value = match f.name.node.as_str() {
                "nodes" => {
                    let mut nodes = Vec::new();
                    for item in &items[start..end] {
                        nodes.push(self.object(item, &f.selection_set.node)?);
                    }
                    Value::Array(nodes)
                }
                "edges" => {
                    let mut edges = Vec::new();
                    for (i, item) in items[start..end].iter().enumerate() {
                        let mut edge = Map::new();
                        for sub in &f.selection_set.node.items {
                            let Selection::Field(sf) = &sub.node else {
                                continue;
                            };
                            let k = sf.node.response_key().node.to_string();
                            match sf.node.name.node.as_str() {
                                "node" => {
                                    edge.insert(k, self.object(item, &sf.node.selection_set.node)?);
                                }
                                "cursor" => {
                                    edge.insert(k, Value::from(cursor(offset + start + i)));
                                }
                                other => {
                                    return Err(location(
                                        sf,
                                        GqlError::new(
                                            format!(
                                                "Field '{other}' doesn't exist on type '{}Edge'",
                                                connection_type(parent, name)
                                            ),
                                            Some("undefinedField"),
                                        ),
                                    ));
                                }
                            }
                        }
                        edges.push(Value::Object(edge));
                    }
                    Value::Array(edges)
                }
                "pageInfo" => {
                    let has_next = offset + end < total;
                    let info = json!({
                        "hasNextPage": has_next,
                        "hasPreviousPage": offset + start > 0,
                        "startCursor": if end > start { Value::from(cursor(offset + start)) } else { Value::Null },
                        "endCursor": if end > start { Value::from(cursor(offset + end - 1)) } else { Value::Null },
                    });
                    let mut picked = Map::new();
                    for sub in &f.selection_set.node.items {
                        let Selection::Field(sf) = &sub.node else {
                            continue;
                        };
                        let field_name = sf.node.name.node.as_str();
                        let v = info.get(field_name).cloned().ok_or_else(|| {
                            location(
                                sf,
                                GqlError::new(
                                    format!(
                                        "Field '{field_name}' doesn't exist on type 'PageInfo'"
                                    ),
                                    Some("undefinedField"),
                                ),
                            )
                        })?;
                        picked.insert(sf.node.response_key().node.to_string(), v);
                    }
                    Value::Object(picked)
                }
                "__typename" => Value::from(ty.clone()),
                other => {
                    return Err(location(
                        field,
                        GqlError::new(
                            format!("Field '{other}' doesn't exist on type '{ty}'"),
                            Some("undefinedField"),
                        ),
                    ));
                }
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// The node selection of a connection's selection (`nodes { … }` or `edges { node { … } }`).
pub(crate) fn connection_node_set(set: &SelectionSet) -> Option<&SelectionSet> {
    for selection in &set.items {
        let Selection::Field(field) = &selection.node else {
            continue;
        };
        match field.node.name.node.as_str() {
            "nodes" => return Some(&field.node.selection_set.node),
            "edges" => {
                for sub in &field.node.selection_set.node.items {
                    if let Selection::Field(node) = &sub.node {
                        if node.node.name.node.as_str() == "node" {
                            return Some(&node.node.selection_set.node);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn connection_type(parent: &str, name: &str) -> String {
    match name {
        "orders" => "Order".to_owned(),
        "lineItems" => "LineItem".to_owned(),
        "shippingLines" => "ShippingLine".to_owned(),
        "refundLineItems" => "RefundLineItem".to_owned(),
        "refundShippingLines" => "RefundShippingLine".to_owned(),
        "orderAdjustments" => "OrderAdjustment".to_owned(),
        "transactions" => "OrderTransaction".to_owned(),
        "balanceTransactions" => "ShopifyPaymentsBalanceTransaction".to_owned(),
        "payouts" => "ShopifyPaymentsPayout".to_owned(),
        _ => format!("{parent}{name}"),
    }
}
