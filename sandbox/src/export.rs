//! In-process reads of what the shop API serves, rendered by the same code as the HTTP
//! handlers. A bulk load of a large world (a benchmark brand of a million orders) would
//! otherwise spend its time in a million signed round trips on loopback, which measures the
//! sandbox rather than the consumer.

use serde_json::{json, Value};

use crate::api;
use crate::world::World;

impl World {
    /// The `data` of `GET /finance/202501/statements/{statement_id}/statement_transactions`
    /// with every transaction on one page, or `None` for an unknown shop or statement.
    pub fn statement_transactions_2501(&self, shop_id: &str, statement_id: &str) -> Option<Value> {
        let shop = self.shop_index(shop_id)?;
        let statement = self.statement_by_id(shop, statement_id)?;
        let rows: Vec<_> = statement.txns.iter().collect();
        Some(api::statement_2501(
            self.shop(shop),
            &statement,
            &rows,
            rows.len(),
            "",
        ))
    }

    /// The `data` of `GET /finance/202501/orders/{order_id}/statement_transactions`, or `None`
    /// for an unknown shop or order.
    pub fn order_transactions_2501(&self, shop_id: &str, order_id: &str) -> Option<Value> {
        let shop = self.shop_index(shop_id)?;
        let order = self.find_order(shop, order_id)?;
        Some(api::order_2501(self, shop, &order))
    }

    /// The body the shop API sends around `data` on success.
    pub fn envelope(data: &Value) -> String {
        json!({
            "code": 0,
            "message": "Success",
            "request_id": "sandbox-export",
            "data": data,
        })
        .to_string()
    }
}
