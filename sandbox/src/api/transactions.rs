//! Statement and order transactions (reference §3.3–§3.5).

use axum::extract::{Path, State};
use serde_json::{json, Map, Value};

use super::envelope::{ok, ApiError, ApiResult};
use super::flat::{sku_202309, statement_money, txn_202309};
use super::guard::ShopCall;
use super::paging;
use super::render::{self, Style};
use super::Shared;
use crate::world::{Order, Shop, Statement, Txn, World, DAY, SETTLE_MAX_DAYS};

fn uk_us_only(shop: &Shop) -> Result<(), ApiError> {
    // Documented "only for UK and US local sellers" (⚠ the error is the sandbox's choice).
    if shop.rules.uk_us {
        Ok(())
    } else {
        Err(ApiError::param(
            "this api is only available to uk and us local sellers",
        ))
    }
}

/// The visible transactions of a statement in the requested order.
fn listing<'a>(s: &Shared, statement_id: &str, txns: &'a [Txn], desc: bool) -> Vec<&'a Txn> {
    let mut out: Vec<&Txn> = txns
        .iter()
        .filter(|t| !s.faults.is_dropped(statement_id, &t.id))
        .collect();
    if desc {
        out.reverse();
    }
    out
}

/// `GET /finance/202501/statements/{statement_id}/statement_transactions`.
pub(crate) async fn by_statement_202501(
    State(s): State<Shared>,
    Path(id): Path<String>,
    call: ShopCall,
) -> ApiResult {
    let shop = call.shop()?;
    call.sort_field(&["order_create_time"])?;
    let desc = call.descending(false)?;
    let size = call.page_size(Some(20), 1, 100)?;
    let offset = paging::offset("transactions", call.page_token())?;
    let statement = s
        .world
        .statement_by_id(shop, &id)
        .ok_or_else(|| ApiError::param("invalid statement_id"))?;
    let rows = listing(&s, &statement.id, &statement.txns, desc);
    let total = rows.len();
    let (page, next) = paging::page("transactions", rows, offset, size);
    Ok(ok(statement_2501(
        s.world.shop(shop),
        &statement,
        &page,
        total,
        &next,
    )))
}

/// The `data` of a 202501 statement-transactions page holding `page` of `total` rows.
pub(crate) fn statement_2501(
    info: &Shop,
    statement: &Statement,
    page: &[&Txn],
    total: usize,
    next: &str,
) -> Value {
    let style = Style {
        digits: info.digits,
        omit_zero: false,
    };
    let t = statement.totals();
    let transactions: Vec<Value> = page
        .iter()
        .map(|x| render::txn_202501(x, info.digits))
        .collect();
    json!({
        "id": statement.id,
        "create_time": statement.statement_time(),
        "currency": info.currency,
        "status": "SETTLED",
        "total_settlement_amount": style.amount(t.settlement),
        "total_reserve_amount": style.amount(t.reserve),
        "payable_amount": style.amount(t.settlement + t.reserve),
        "total_settlement_breakdown": {
            "total_revenue_amount": style.amount(t.revenue),
            "total_fee_tax_amount": style.amount(t.fee_tax),
            "total_shipping_cost_amount": style.amount(t.shipping),
            "total_adjustment_amount": style.amount(t.adjustment),
        },
        "total_count": total,
        "next_page_token": next,
        "transactions": transactions,
    })
}

/// `GET /finance/202309/statements/{statement_id}/statement_transactions` (UK/US only;
/// `RESERVE` rows are not listed: the flat model has no reserve fields).
pub(crate) async fn by_statement_202309(
    State(s): State<Shared>,
    Path(id): Path<String>,
    call: ShopCall,
) -> ApiResult {
    let shop = call.shop()?;
    call.sort_field(&["order_create_time"])?;
    let desc = call.descending(false)?;
    let size = call.page_size(Some(20), 1, 100)?;
    let offset = paging::offset("transactions", call.page_token())?;
    let info = s.world.shop(shop);
    uk_us_only(info)?;
    let statement = s
        .world
        .statement_by_id(shop, &id)
        .ok_or_else(|| ApiError::param("invalid statement_id"))?;
    let rows: Vec<&Txn> = listing(&s, &statement.id, &statement.txns, desc)
        .into_iter()
        .filter(|t| t.reserve.is_none())
        .collect();
    let total = rows.len();
    let (page, next) = paging::page("transactions", rows, offset, size);
    let mut o = Map::new();
    o.insert("statement_id".to_owned(), json!(statement.id));
    o.insert(
        "statement_time".to_owned(),
        json!(statement.statement_time()),
    );
    o.insert("currency".to_owned(), json!(info.currency));
    statement_money(&mut o, &statement.totals(), true, info.digits);
    o.insert("total_count".to_owned(), json!(total));
    o.insert("next_page_token".to_owned(), json!(next));
    let rows: Vec<Value> = page
        .into_iter()
        .map(|t| txn_202309(t, &info.currency, info.digits))
        .collect();
    o.insert("statement_transactions".to_owned(), Value::Array(rows));
    Ok(ok(Value::Object(o)))
}

fn find_order(world: &World, shop: usize, id: &str) -> Result<Order, ApiError> {
    world
        .find_order(shop, id)
        .ok_or_else(|| ApiError::param("invalid order_id"))
}

/// `GET /finance/202501/orders/{order_id}/statement_transactions`: per SKU and statement.
pub(crate) async fn by_order_202501(
    State(s): State<Shared>,
    Path(id): Path<String>,
    call: ShopCall,
) -> ApiResult {
    let shop = call.shop()?;
    let order = find_order(&s.world, shop, &id)?;
    Ok(ok(order_2501(&s.world, shop, &order)))
}

/// The `data` of the 202501 per-order statement transactions.
pub(crate) fn order_2501(world: &World, shop: usize, order: &Order) -> Value {
    let info = world.shop(shop);
    let totals_style = Style {
        digits: info.digits,
        omit_zero: false,
    };
    let settled = world.order_settlements(shop, order);
    let (mut revenue, mut fee_tax, mut shipping, mut settlement) = (0, 0, 0, 0);
    let mut rows = Vec::new();
    for (statement_id, _, txn) in &settled {
        revenue += txn.amounts.revenue();
        fee_tax += txn.amounts.fee_tax();
        shipping += txn.amounts.shipping_cost();
        settlement += txn.settlement();
        let style = Style {
            digits: info.digits,
            omit_zero: txn.omit_zero,
        };
        for part in &txn.skus {
            let sku = &info.catalog.skus[part.sku];
            let a = &part.amounts;
            let mut o = Map::new();
            o.insert("sku_id".to_owned(), json!(sku.sku_id));
            o.insert("sku_name".to_owned(), json!(sku.sku_name));
            o.insert("product_name".to_owned(), json!(sku.product_name));
            // A string in the 202501 model (reference §3.4).
            o.insert("quantity".to_owned(), json!(part.quantity.to_string()));
            o.insert("statement_id".to_owned(), json!(statement_id));
            o.insert(
                "settlement_amount".to_owned(),
                style.amount(part.settlement()),
            );
            o.insert("revenue_amount".to_owned(), style.amount(a.revenue()));
            o.insert("fee_tax_amount".to_owned(), style.amount(a.fee_tax()));
            o.insert(
                "shipping_cost_amount".to_owned(),
                style.amount(a.shipping_cost()),
            );
            render::breakdowns(&mut o, a, style);
            rows.push(Value::Object(o));
        }
    }
    json!({
        "order_id": order.id,
        "order_create_time": order.create_time,
        "currency": info.currency,
        "revenue_amount": totals_style.amount(revenue),
        "fee_and_tax_amount": totals_style.amount(fee_tax),
        "shipping_cost_amount": totals_style.amount(shipping),
        "settlement_amount": totals_style.amount(settlement),
        "total_count": rows.len(),
        "sku_transactions": rows,
    })
}

/// `GET /finance/202309/orders/{order_id}/statement_transactions` (UK/US only).
pub(crate) async fn by_order_202309(
    State(s): State<Shared>,
    Path(id): Path<String>,
    call: ShopCall,
) -> ApiResult {
    let shop = call.shop()?;
    let info = s.world.shop(shop);
    uk_us_only(info)?;
    let order = find_order(&s.world, shop, &id)?;
    let rows: Vec<Value> = s
        .world
        .order_settlements(shop, &order)
        .iter()
        .map(|(statement_id, day, txn)| {
            let mut row = txn_202309(txn, &info.currency, info.digits);
            let skus: Vec<Value> = txn
                .skus
                .iter()
                .map(|part| {
                    let sku = &info.catalog.skus[part.sku];
                    let names = (sku.sku_id.as_str(), sku.sku_name, sku.product_name);
                    sku_202309(part, names, &info.currency, info.digits)
                })
                .collect();
            if let Some(o) = row.as_object_mut() {
                o.insert("status".to_owned(), json!("SETTLED"));
                o.insert("statement_id".to_owned(), json!(statement_id));
                o.insert("statement_time".to_owned(), json!((day + 1) * DAY));
                o.insert("sku_statement_transactions".to_owned(), Value::Array(skus));
            }
            row
        })
        .collect();
    Ok(ok(json!({
        "order_id": order.id,
        "order_create_time": order.create_time,
        "statement_transactions": rows,
    })))
}

/// `GET /finance/202507/orders/unsettled?sort_field=order_create_time` (reference §3.5).
///
/// Orders created in the last `SETTLE_MAX_DAYS` days whose settlement day is today or
/// later. Estimates equal the amounts that will settle, and the transaction id is the
/// future settlement transaction's id. ⚠ `estimated_settlement` and `unsettled_reason`
/// values are the sandbox's choice: a Unix-seconds string once delivered, else
/// "7 days after delivery"; `DELIVERY_NOT_COMPLETED` / `IN_SETTLEMENT_PERIOD`.
pub(crate) async fn unsettled(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    call.sort_field(&["order_create_time"])?;
    let desc = call.descending(false)?;
    let size = call.page_size(Some(20), 1, 100)?;
    let offset = paging::offset("unsettled", call.page_token())?;
    let (ge, lt) = (call.int("search_time_ge")?, call.int("search_time_lt")?);
    let world = &s.world;
    let info = world.shop(shop);
    let now = world.now();
    let last = world.last_day_number();
    let mut orders: Vec<Order> = Vec::new();
    for day in (last - SETTLE_MAX_DAYS).max(world.order_first_day())..=last {
        orders.extend(
            world
                .day_orders(shop, day)
                .iter()
                .filter(|o| {
                    o.settles()
                        && o.settle_day.is_some_and(|d| d > last)
                        && ge.is_none_or(|g| o.create_time >= g)
                        && lt.is_none_or(|l| o.create_time < l)
                })
                .cloned(),
        );
    }
    if desc {
        orders.reverse();
    }
    let txns: Vec<(Order, Txn)> = orders
        .into_iter()
        .map(|o| {
            let t = crate::world::order_txn(info, &o);
            (o, t)
        })
        .collect();
    let style = Style {
        digits: info.digits,
        omit_zero: false,
    };
    let sum = |f: &dyn Fn(&Txn) -> i64| txns.iter().map(|(_, t)| f(t)).sum::<i64>();
    let sums = json!({
        "sum_est_revenue_amount": style.amount(sum(&|t| t.amounts.revenue())),
        "sum_est_fee_amount": style.amount(sum(&|t| t.amounts.fee_tax() + t.amounts.shipping_cost())),
        "sum_est_adjustment_amount": style.amount(0),
        "sum_est_settlement_amount": style.amount(sum(&|t| t.settlement())),
        "total_count": txns.len(),
    });
    let (page, next) = paging::page("unsettled", txns, offset, size);
    let rows: Vec<Value> = page
        .iter()
        .map(|(o, t)| unsettled_row(o, t, &info.currency, info.digits, now))
        .collect();
    let mut data = sums;
    if let Some(d) = data.as_object_mut() {
        d.insert("next_page_token".to_owned(), json!(next));
        d.insert("transactions".to_owned(), Value::Array(rows));
    }
    Ok(ok(data))
}

fn unsettled_row(o: &Order, t: &Txn, currency: &str, digits: u32, now: i64) -> Value {
    let style = Style {
        digits,
        omit_zero: t.omit_zero,
    };
    let delivered = o.delivery_time <= now;
    let a = &t.amounts;
    let mut row = Map::new();
    row.insert("id".to_owned(), json!(t.id));
    row.insert("type".to_owned(), json!("ORDER"));
    row.insert("status".to_owned(), json!("UNSETTLED"));
    row.insert("order_id".to_owned(), json!(o.id));
    row.insert("currency".to_owned(), json!(currency));
    row.insert("order_create_time".to_owned(), json!(o.create_time));
    if delivered {
        row.insert("order_delivery_time".to_owned(), json!(o.delivery_time));
    }
    row.insert("est_revenue_amount".to_owned(), style.amount(a.revenue()));
    row.insert("est_fee_tax_amount".to_owned(), style.amount(a.fee_tax()));
    row.insert(
        "est_shipping_cost_amount".to_owned(),
        style.amount(a.shipping_cost()),
    );
    row.insert("est_adjustment_amount".to_owned(), style.amount(0));
    row.insert(
        "est_settlement_amount".to_owned(),
        style.amount(t.settlement()),
    );
    let (when, reason) = match o.settle_day {
        Some(day) if delivered => ((day * DAY).to_string(), "IN_SETTLEMENT_PERIOD"),
        _ => ("7 days after delivery".to_owned(), "DELIVERY_NOT_COMPLETED"),
    };
    row.insert("estimated_settlement".to_owned(), json!(when));
    row.insert("unsettled_reason".to_owned(), json!(reason));
    render::breakdowns_with(
        &mut row,
        a,
        style,
        render::FEE_202507,
        render::SHIPPING_202507,
    );
    Value::Object(row)
}
