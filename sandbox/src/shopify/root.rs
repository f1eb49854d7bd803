//! The computed fields of a store's Admin GraphQL: the query root (`shop`, `orders`, `order`,
//! `nodes`, `node`, `shopifyPaymentsAccount`), the Payments listings with their filters, and
//! the mutation root (`bulkOperationRunQuery`).

use serde_json::{json, Map, Value};

use super::bulk;
use super::exec::{page, GqlError, Root};
use super::faults::ShopifyFaults;
use super::search::{parse, time_matches};
use super::truth::ShopifyWorld;
use super::wire::{gid, legacy_of};
use crate::sandbox::lock;

/// The computed fields of one store.
pub(crate) struct StoreRoot<'a> {
    pub(crate) world: &'a ShopifyWorld,
    pub(crate) faults: &'a ShopifyFaults,
    pub(crate) store: usize,
    /// `http://127.0.0.1:PORT`, for bulk download URLs.
    pub(crate) base: String,
}

fn text<'a>(args: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

/// Indices (into the store's orders) matching `args.query`, in `args.sortKey` order.
pub(crate) fn order_indices(
    world: &ShopifyWorld,
    store: usize,
    args: &Map<String, Value>,
) -> Vec<usize> {
    let terms = parse(text(args, "query").unwrap_or_default());
    let orders = &world.stores[store].orders;
    let mut indices: Vec<usize> = (0..orders.len())
        .filter(|&i| {
            let o = &orders[i];
            time_matches(&terms, &["updated_at"], o.updated)
                && time_matches(&terms, &["created_at"], o.created)
                && time_matches(&terms, &["processed_at"], o.created)
        })
        .collect();
    match text(args, "sortKey") {
        Some("CREATED_AT" | "PROCESSED_AT") => {
            indices.sort_by_key(|&i| (orders[i].created, orders[i].legacy_id))
        }
        Some("ID") | None => indices.sort_by_key(|&i| orders[i].legacy_id),
        _ => {}
    }
    if args.get("reverse").and_then(Value::as_bool) == Some(true) {
        indices.reverse();
    }
    indices
}

/// A paged connection the executor renders as it is.
fn paged(items: Vec<Value>, offset: usize, total: usize) -> Value {
    let mut value = json!({ "__offset": offset, "__total": total });
    value["__connection"] = Value::Array(items);
    value
}

impl StoreRoot<'_> {
    fn order_by_gid(&self, id: &str) -> Option<Value> {
        if !id.starts_with("gid://shopify/Order/") {
            return None;
        }
        let legacy = legacy_of(id)?;
        let store = &self.world.stores[self.store];
        let index = *store.by_legacy_id.get(&legacy)?;
        Some(store.orders[index].value.clone())
    }

    fn node(&self, id: &str) -> Value {
        if id.starts_with("gid://shopify/BulkOperation/") {
            return bulk::poll(self.world, self.faults, self.store, id, &self.base)
                .unwrap_or(Value::Null);
        }
        self.order_by_gid(id).unwrap_or(Value::Null)
    }

    fn orders(&self, args: &Map<String, Value>) -> Result<Value, GqlError> {
        let indices = order_indices(self.world, self.store, args);
        let (start, end) = page(indices.len(), args, false)?;
        let orders = &self.world.stores[self.store].orders;
        let items = indices[start..end]
            .iter()
            .map(|&i| orders[i].value.clone())
            .collect();
        Ok(paged(items, start, indices.len()))
    }

    fn balance_transactions(&self, args: &Map<String, Value>) -> Result<Value, GqlError> {
        let store = &self.world.stores[self.store];
        let ledger = lock(&store.ledger);
        let terms = parse(text(args, "query").unwrap_or_default());
        let payout_of = |p: Option<usize>| p.map(|p| &ledger.payouts[p]);
        let dropped = self.faults.dropped();
        let mut rows: Vec<&super::ledger::Bal> = ledger
            .balance
            .iter()
            .filter(|b| time_matches(&terms, &["processed_at", "transaction_date"], b.at))
            .filter(|b| {
                let status = payout_of(b.payout).map_or("PENDING", |p| p.status);
                terms
                    .iter()
                    .filter(|t| t.field == "payout_status")
                    .all(|t| status.eq_ignore_ascii_case(&t.value))
            })
            .filter(|b| {
                let id = payout_of(b.payout).map(|p| p.legacy.to_string());
                terms
                    .iter()
                    .filter(|t| t.field == "payments_transfer_id" || t.field == "payout_id")
                    .all(|t| id.as_deref() == Some(t.value.as_str()))
            })
            .filter(|b| dropped.is_empty() || !dropped.contains(&b.gid()))
            .collect();
        if args.get("reverse").and_then(Value::as_bool) == Some(true) {
            rows.reverse();
        }
        let (start, end) = page(rows.len(), args, false)?;
        let items = rows[start..end]
            .iter()
            .map(|b| ledger.balance_value(b, store.digits, &store.currency))
            .collect();
        Ok(paged(items, start, rows.len()))
    }

    fn payouts(&self, args: &Map<String, Value>) -> Result<Value, GqlError> {
        let store = &self.world.stores[self.store];
        let ledger = lock(&store.ledger);
        let terms = parse(text(args, "query").unwrap_or_default());
        let mut rows: Vec<Value> = ledger
            .payouts
            .iter()
            .filter(|p| time_matches(&terms, &["issued_at", "date"], p.issued))
            .filter(|p| {
                terms
                    .iter()
                    .filter(|t| t.field == "status")
                    .all(|t| p.status.eq_ignore_ascii_case(&t.value))
            })
            .map(|p| ledger.payout_value(p, store.digits, &store.currency))
            .collect();
        if args.get("reverse").and_then(Value::as_bool) == Some(true) {
            rows.reverse();
        }
        let (start, end) = page(rows.len(), args, false)?;
        let total = rows.len();
        Ok(paged(rows.drain(start..end).collect(), start, total))
    }

    fn shop(&self) -> Value {
        let store = &self.world.stores[self.store];
        let name = store.domain.trim_end_matches(".myshopify.com");
        json!({
            "__typename": "Shop", "id": gid("Shop", 70_000_000 + self.store as u64), "name": format!("Sandbox {name}"),
            "myshopifyDomain": store.domain, "currencyCode": store.currency, "ianaTimezone": "UTC",
        })
    }
}

impl Root for StoreRoot<'_> {
    fn field(
        &self,
        parent: &str,
        name: &str,
        args: &Map<String, Value>,
    ) -> Option<Result<Value, GqlError>> {
        let id = || text(args, "id").unwrap_or_default();
        Some(match (parent, name) {
            ("QueryRoot", "shop") => Ok(self.shop()),
            ("QueryRoot", "orders") => self.orders(args),
            ("QueryRoot", "order") => Ok(self.order_by_gid(id()).unwrap_or(Value::Null)),
            ("QueryRoot", "node") => Ok(self.node(id())),
            ("QueryRoot", "nodes") => {
                let ids = args
                    .get("ids")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if ids.len() > 250 {
                    return Some(Err(GqlError::new(
                        "The value of the argument `ids` must be at most 250 long",
                        Some("BAD_REQUEST"),
                    )));
                }
                Ok(Value::Array(
                    ids.iter()
                        .map(|id| self.node(id.as_str().unwrap_or_default()))
                        .collect(),
                ))
            }
            ("QueryRoot", "shopifyPaymentsAccount") => Ok(json!({
                "__typename": "ShopifyPaymentsAccount", "id": gid("ShopifyPaymentsAccount", 90_000_000 + self.store as u64),
            })),
            ("ShopifyPaymentsAccount", "balanceTransactions") => self.balance_transactions(args),
            ("ShopifyPaymentsAccount", "payouts") => self.payouts(args),
            ("Mutation", "bulkOperationRunQuery") => Ok(bulk::run(
                self.world,
                self.faults,
                self.store,
                text(args, "query").unwrap_or_default(),
                &self.base,
            )),
            _ => return None,
        })
    }
}
