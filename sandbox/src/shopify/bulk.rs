//! Bulk operations: `bulkOperationRunQuery` runs the inner query over every matching order
//! (one per store at a time), the operation goes CREATED → RUNNING → COMPLETED across polls
//! (FAILED when the fault is on), and the JSONL is served at a signed-looking URL (like a
//! Google Cloud Storage signed URL: the signature is a credential and must never be logged).

use std::sync::Arc;

use async_graphql_parser::parse_query;
use async_graphql_parser::types::{DocumentOperations, Selection};
use serde_json::{json, Map, Value};

use super::exec::{connection_node_set, Exec};
use super::faults::ShopifyFaults;
use super::root::{order_indices, StoreRoot};
use super::truth::ShopifyWorld;
use super::wire::{gid, legacy_of};
use crate::rng::hash;
use crate::sandbox::lock;

/// One bulk operation.
#[derive(Debug, Clone)]
pub(crate) struct BulkOp {
    pub(crate) legacy: u64,
    pub(crate) store: usize,
    pub(crate) status: &'static str,
    pub(crate) polls: u32,
    pub(crate) jsonl: Arc<String>,
    pub(crate) objects: u64,
    pub(crate) signature: String,
    pub(crate) fails: bool,
}

impl BulkOp {
    fn running(&self) -> bool {
        matches!(self.status, "CREATED" | "RUNNING")
    }

    fn value(&self, base: &str) -> Value {
        let url = (self.status == "COMPLETED" && self.objects > 0)
            .then(|| download_url(base, self.legacy, &self.signature));
        json!({
            "__typename": "BulkOperation", "id": gid("BulkOperation", self.legacy), "status": self.status,
            "errorCode": if self.status == "FAILED" { Value::from("INTERNAL_SERVER_ERROR") } else { Value::Null },
            "objectCount": if self.status == "COMPLETED" { self.objects.to_string() } else { "0".to_owned() },
            "rootObjectCount": "0", "fileSize": if url.is_some() { Value::from(self.jsonl.len().to_string()) } else { Value::Null },
            "url": url, "partialDataUrl": null, "type": "QUERY",
        })
    }
}

/// `{base}/shopify-bulk/{id}.jsonl?…&X-Goog-Signature=…`.
pub(crate) fn download_url(base: &str, legacy: u64, signature: &str) -> String {
    format!(
        "{base}/shopify-bulk/{legacy}.jsonl?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=604800&X-Goog-SignedHeaders=host&X-Goog-Signature={signature}"
    )
}

fn user_error(message: &str) -> Value {
    json!({
        "__typename": "BulkOperationRunQueryPayload", "bulkOperation": null,
        "userErrors": [{"__typename": "UserError", "field": ["query"], "message": message}],
    })
}

/// `bulkOperationRunQuery(query:)`.
pub(crate) fn run(
    world: &ShopifyWorld,
    faults: &ShopifyFaults,
    store: usize,
    query: &str,
    base: &str,
) -> Value {
    let mut ops = lock(&world.bulk);
    if let Some(op) = ops.iter().find(|op| op.store == store && op.running()) {
        return user_error(&format!(
            "A bulk query operation for this app and shop is already in progress: {}.",
            gid("BulkOperation", op.legacy)
        ));
    }
    let (jsonl, objects) = match lines(world, faults, store, query, base) {
        Ok(built) => built,
        Err(message) => return user_error(&message),
    };
    let legacy = 3_000_000_000 + ops.len() as u64 + 1;
    let signature = format!(
        "{:016x}{:016x}",
        hash(&[world.seed, 55, legacy]),
        hash(&[legacy, 56])
    );
    let op = BulkOp {
        legacy,
        store,
        status: "CREATED",
        polls: 0,
        jsonl: Arc::new(jsonl),
        objects,
        signature,
        fails: faults.bulk_fails(&world.stores[store].domain),
    };
    let value = op.value(base);
    ops.push(op);
    json!({ "__typename": "BulkOperationRunQueryPayload", "bulkOperation": value, "userErrors": [] })
}

/// `node(id:)` of a bulk operation: each poll moves it on.
pub(crate) fn poll(
    world: &ShopifyWorld,
    _faults: &ShopifyFaults,
    store: usize,
    id: &str,
    base: &str,
) -> Option<Value> {
    let legacy = legacy_of(id)?;
    let mut ops = lock(&world.bulk);
    let op = ops
        .iter_mut()
        .find(|op| op.legacy == legacy && op.store == store)?;
    if op.running() {
        op.polls += 1;
        op.status = if op.polls >= world.config.bulk_polls {
            if op.fails {
                "FAILED"
            } else {
                "COMPLETED"
            }
        } else {
            "RUNNING"
        };
    }
    Some(op.value(base))
}

/// The JSONL of a completed operation, if `signature` is its own.
pub(crate) fn download(world: &ShopifyWorld, legacy: u64, signature: &str) -> Option<Arc<String>> {
    lock(&world.bulk)
        .iter()
        .find(|op| op.legacy == legacy && op.status == "COMPLETED" && op.signature == signature)
        .map(|op| Arc::clone(&op.jsonl))
}

/// Runs the inner query: one line per order, nested connections as lines of their own.
fn lines(
    world: &ShopifyWorld,
    faults: &ShopifyFaults,
    store: usize,
    query: &str,
    base: &str,
) -> Result<(String, u64), String> {
    let doc = parse_query(query).map_err(|e| format!("Invalid bulk query: {e}"))?;
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => op,
        DocumentOperations::Multiple(_) => {
            return Err("Invalid bulk query: one operation expected".to_owned())
        }
    };
    let field = operation
        .node
        .selection_set
        .node
        .items
        .iter()
        .find_map(|s| match &s.node {
            Selection::Field(f) if f.node.name.node.as_str() == "orders" => Some(f),
            _ => None,
        })
        .ok_or_else(|| "Bulk queries must contain at least one connection.".to_owned())?;
    let node_set = connection_node_set(&field.node.selection_set.node)
        .ok_or("Bulk queries must select the connection's nodes or edges.")?;
    let vars = Map::new();
    let root = StoreRoot {
        world,
        faults,
        store,
        base: base.to_owned(),
    };
    let mut exec = Exec {
        doc: &doc,
        vars: &vars,
        root: &root,
        actual: 0,
        bulk: true,
        children: Vec::new(),
    };
    let args = exec.args(&field.node.arguments);
    let orders = &world.stores[store].orders;
    let mut out = String::new();
    let mut objects = 0;
    for i in order_indices(world, store, &args) {
        exec.children.clear();
        let line = exec
            .object(&orders[i].value, node_set)
            .map_err(|e| e.message)?;
        out.push_str(&line.to_string());
        out.push('\n');
        for child in &exec.children {
            out.push_str(&child.to_string());
            out.push('\n');
        }
        objects += 1 + exec.children.len() as u64;
    }
    Ok((out, objects))
}
