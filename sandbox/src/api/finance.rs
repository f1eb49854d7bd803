//! Authorized shops (reference §1.5), statements and payments (reference §3.1, §3.2).

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::envelope::{ok, ApiError, ApiResult, INVALID_PARAM};
use super::flat::statement_money;
use super::guard::ShopCall;
use super::paging;
use super::Shared;
use crate::money;
use crate::world::DAY;

/// `GET /authorization/202309/shops` (no `shop_cipher`).
pub(crate) async fn shops(State(s): State<Shared>, _call: ShopCall) -> ApiResult {
    let shops: Vec<Value> = s
        .world
        .shops()
        .iter()
        .map(|shop| {
            json!({
                "id": shop.id,
                "name": shop.name,
                "region": shop.region,
                "seller_type": shop.seller_type,
                "cipher": shop.cipher,
                "code": shop.code,
            })
        })
        .collect();
    Ok(ok(json!({ "shops": shops })))
}

fn in_range(t: i64, ge: Option<i64>, lt: Option<i64>) -> bool {
    ge.is_none_or(|g| t >= g) && lt.is_none_or(|l| t < l)
}

/// `GET /finance/202309/statements?sort_field=statement_time` (reference §3.2).
pub(crate) async fn statements(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    call.sort_field(&["statement_time"])?;
    let desc = call.descending(false)?;
    let size = call.page_size(Some(20), 1, 100)?;
    let offset = paging::offset("statements", call.page_token())?;
    let (ge, lt) = (
        call.int("statement_time_ge")?,
        call.int("statement_time_lt")?,
    );
    let status = call.param("payment_status").filter(|v| !v.is_empty());
    if status.is_some_and(|v| !matches!(v, "PAID" | "FAILED" | "PROCESSING")) {
        return Err(ApiError::param("invalid payment_status"));
    }
    let world = &s.world;
    let info = world.shop(shop);
    let mut rows: Vec<Value> = Vec::new();
    for sum in world.summaries(shop) {
        let time = (sum.day + 1) * DAY;
        let payment = world.payment_of(shop, sum.day);
        let payment_status = payment.map_or("PROCESSING", |p| p.status);
        if !in_range(time, ge, lt) || status.is_some_and(|st| st != payment_status) {
            continue;
        }
        let mut o = Map::new();
        o.insert("id".to_owned(), json!(sum.id));
        o.insert("statement_time".to_owned(), json!(time));
        o.insert("currency".to_owned(), json!(info.currency));
        statement_money(&mut o, &sum.totals, info.rules.uk_us, info.digits);
        // No payment yet (the week is still open): an empty id.
        o.insert(
            "payment_id".to_owned(),
            json!(payment.map_or("", |p| p.id.as_str())),
        );
        o.insert("payment_status".to_owned(), json!(payment_status));
        rows.push(Value::Object(o));
    }
    if desc {
        rows.reverse();
    }
    let (page, next) = paging::page("statements", rows, offset, size);
    Ok(ok(json!({ "statements": page, "next_page_token": next })))
}

/// `GET /finance/202309/payments?sort_field=create_time` (reference §3.2).
///
/// Documented as "unavailable to SEA markets": shops outside US/GB get 36009004
/// (⚠ the exact code and message are the sandbox's choice).
pub(crate) async fn payments(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    call.sort_field(&["create_time"])?;
    let desc = call.descending(false)?;
    let size = call.page_size(Some(20), 1, 100)?;
    let offset = paging::offset("payments", call.page_token())?;
    let (ge, lt) = (call.int("create_time_ge")?, call.int("create_time_lt")?);
    let world = &s.world;
    let info = world.shop(shop);
    if !info.rules.uk_us {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_PARAM,
            "this api is unavailable to the shop's market",
        ));
    }
    let value = |v| json!({"currency": info.currency, "value": money::wire(v, info.digits)});
    let account = format!(
        "****{:04}",
        crate::rng::hash(&[world.seed(), shop as u64]) % 10_000
    );
    let mut rows: Vec<Value> = world
        .payment_list(shop)
        .iter()
        .filter(|p| in_range(p.create_time, ge, lt))
        .map(|p| {
            let amount = p.settlement + p.reserve;
            let mut o = json!({
                "id": p.id,
                "status": p.status,
                "create_time": p.create_time,
                "amount": value(amount),
                "settlement_amount": value(p.settlement),
                "reserve_amount": value(p.reserve),
                "payment_amount_before_exchange": value(amount),
                "exchange_rate": "1.000000",
                "bank_account": account,
            });
            if let (Some(paid), Some(obj)) = (p.paid_time, o.as_object_mut()) {
                obj.insert("paid_time".to_owned(), json!(paid));
            }
            o
        })
        .collect();
    if desc {
        rows.reverse();
    }
    let (page, next) = paging::page("payments", rows, offset, size);
    Ok(ok(json!({ "payments": page, "next_page_token": next })))
}
