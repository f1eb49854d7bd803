//! Return and refund search (reference §5).
//!
//! Every refund the generator drew becomes a return once the buyer asked for it (its
//! `create_time` is before "now"); it completes when the refund settles. Sorted by
//! `create_time` (or `update_time`) ascending unless `sort_order=DESC` (⚠ the default order
//! is not documented).

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Value};

use super::envelope::{ok, ApiResult};
use super::guard::ShopCall;
use super::paging;
use super::scan::day_bounds;
use super::Shared;
use crate::ids;
use crate::money::{wire, Minor};
use crate::world::{Order, World, DAY};

/// Days from order creation to the latest return update (refund settled), with slack.
const MAX_RETURN_LAG_DAYS: i64 = 25;

#[derive(Debug, Default, Deserialize)]
struct SearchBody {
    return_ids: Option<Vec<String>>,
    order_ids: Option<Vec<String>>,
    return_types: Option<Vec<String>>,
    return_status: Option<Vec<String>>,
    create_time_ge: Option<i64>,
    create_time_lt: Option<i64>,
    update_time_ge: Option<i64>,
    update_time_lt: Option<i64>,
}

struct ReturnView {
    order: Order,
    create_time: i64,
    update_time: i64,
    status: &'static str,
    return_type: &'static str,
}

fn view(world: &World, order: Order) -> Option<ReturnView> {
    let now = world.now();
    let refund = order.visible_refund(now)?.clone();
    let complete = refund.settle_day <= world.last_day_number();
    let status = if complete {
        "RETURN_OR_REFUND_REQUEST_COMPLETE"
    } else if !refund.with_return {
        "RETURN_OR_REFUND_REQUEST_PENDING"
    } else if refund.create_time + DAY > now {
        "AWAITING_BUYER_SHIP"
    } else {
        "BUYER_SHIPPED_ITEM"
    };
    Some(ReturnView {
        create_time: refund.create_time,
        update_time: if complete {
            refund.settle_day * DAY - 3600
        } else {
            refund.create_time
        },
        status,
        return_type: if refund.with_return {
            "RETURN_AND_REFUND"
        } else {
            "REFUND"
        },
        order,
    })
}

fn candidates(world: &World, shop: usize, body: &SearchBody) -> Vec<Order> {
    if let Some(ids_) = &body.return_ids {
        return ids_
            .iter()
            .filter_map(|id| ids::decode(world.seed(), ids::RETURN, id))
            .filter(|v| v[0] as usize == shop)
            .filter_map(|v| {
                let id = ids::encode(world.seed(), ids::ORDER, &v);
                world.find_order(shop, &id)
            })
            .collect();
    }
    if let Some(order_ids) = &body.order_ids {
        return order_ids
            .iter()
            .filter_map(|id| world.find_order(shop, id))
            .collect();
    }
    let lag = MAX_RETURN_LAG_DAYS * DAY;
    let (mut lo, mut hi) = day_bounds(
        world.order_first_day(),
        world.last_day_number(),
        body.create_time_ge.map(|g| g - lag),
        body.create_time_lt,
    );
    if let Some(g) = body.update_time_ge {
        lo = lo.max((g - lag).div_euclid(DAY));
    }
    if let Some(l) = body.update_time_lt {
        hi = hi.min((l - 1).div_euclid(DAY));
    }
    let mut out = Vec::new();
    for day in lo..=hi {
        out.extend(
            world
                .day_orders(shop, day)
                .iter()
                .filter(|o| o.refund.is_some())
                .cloned(),
        );
    }
    out
}

fn return_json(world: &World, r: &ReturnView) -> Value {
    let o = &r.order;
    let shop = world.shop(o.shop);
    let d = shop.digits;
    let cur = &shop.currency;
    let Some(refund) = &o.refund else {
        return Value::Null;
    };
    let refunded: Vec<(usize, &crate::world::OrderLine)> = refund
        .lines
        .iter()
        .filter_map(|&i| o.lines.get(i).map(|l| (i, l)))
        .collect();
    let money = |v: Minor| wire(v, d);
    let amount = |v: Minor| {
        json!({"currency": cur, "refund_total": money(v), "refund_subtotal": money(v),
               "refund_shipping_fee": money(0), "refund_tax": money(0)})
    };
    let total: Minor = refunded.iter().map(|(_, l)| l.sale()).sum();
    let seller: Minor = refunded.iter().map(|(_, l)| l.seller_discount).sum();
    let platform: Minor = refunded.iter().map(|(_, l)| l.platform_discount).sum();
    let key = |n: usize| [o.shop as u64, o.day as u64, u64::from(o.idx), n as u64];
    let lines: Vec<Value> = refunded
        .iter()
        .map(|(n, l)| {
            let sku = &shop.catalog.skus[l.sku];
            json!({
                "return_line_item_id": ids::encode(world.seed(), ids::RETURN_LINE_ITEM, &key(*n)),
                "order_line_item_id": ids::encode(world.seed(), ids::LINE_ITEM, &key(*n)),
                "sku_id": sku.sku_id,
                "seller_sku": sku.seller_sku,
                "sku_name": sku.sku_name,
                "product_name": sku.product_name,
                "refund_amount": amount(l.sale()),
            })
        })
        .collect();
    json!({
        "return_id": ids::encode(world.seed(), ids::RETURN, &[o.shop as u64, o.day as u64, u64::from(o.idx)]),
        "order_id": o.id,
        "create_time": r.create_time,
        "update_time": r.update_time,
        "return_type": r.return_type,
        "return_status": r.status,
        "role": "BUYER",
        "return_reason": refund.reason,
        "return_reason_text": refund.reason,
        "refund_amount": amount(total),
        "discount_amount": [{
            "currency": cur,
            "product_platform_discount": money(platform),
            "product_seller_discount": money(seller),
            "shipping_fee_platform_discount": money(0),
            "shipping_fee_seller_discount": money(0),
        }],
        "shipping_fee_amount": [{
            "currency": cur,
            "buyer_paid_return_shipping_fee": money(0),
            "seller_paid_return_shipping_fee": money(refund.return_label),
            "platform_paid_return_shipping_fee": money(0),
        }],
        "return_line_items": lines,
    })
}

/// `POST /return_refund/202309/returns/search?page_size&page_token&sort_field&sort_order`
/// (`page_size` 10–50, default 10).
pub(crate) async fn search(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let size = call.page_size(Some(10), 10, 50)?;
    let by_update = match call.param("sort_field").filter(|v| !v.is_empty()) {
        None => false,
        Some(_) => call.sort_field(&["create_time", "update_time"])? == "update_time",
    };
    let desc = call.descending(false)?;
    let offset = paging::offset("returns", call.page_token())?;
    let body: SearchBody = call.json()?;
    let world = &s.world;
    let in_range = |t: i64, ge: Option<i64>, lt: Option<i64>| {
        ge.is_none_or(|g| t >= g) && lt.is_none_or(|l| t < l)
    };
    let listed = |list: &Option<Vec<String>>, v: &str| {
        list.as_ref().is_none_or(|l| l.iter().any(|x| x == v))
    };
    let mut views: Vec<ReturnView> = candidates(world, shop, &body)
        .into_iter()
        .filter_map(|o| view(world, o))
        .filter(|r| {
            in_range(r.create_time, body.create_time_ge, body.create_time_lt)
                && in_range(r.update_time, body.update_time_ge, body.update_time_lt)
                && listed(&body.return_types, r.return_type)
                && listed(&body.return_status, r.status)
        })
        .collect();
    views.sort_by(|a, b| {
        let key = |r: &ReturnView| {
            (
                if by_update {
                    r.update_time
                } else {
                    r.create_time
                },
                r.order.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    if desc {
        views.reverse();
    }
    let total = views.len();
    let (page, next) = paging::page("returns", views, offset, size);
    let rows: Vec<Value> = page.iter().map(|r| return_json(world, r)).collect();
    Ok(ok(
        json!({ "return_orders": rows, "total_count": total, "next_page_token": next }),
    ))
}
