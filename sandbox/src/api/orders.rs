//! Order search and detail (reference §4): one line item per unit, no quantity field.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Value};

use super::envelope::{ok, ApiError, ApiResult};
use super::guard::ShopCall;
use super::paging;
use super::scan::{day_bounds, Scan};
use super::Shared;
use crate::ids;
use crate::money::{wire, Minor};
use crate::world::{Order, World, DAY};

/// Body of `POST /order/202309/orders/search`.
#[derive(Debug, Default, Deserialize)]
struct SearchBody {
    order_status: Option<String>,
    create_time_ge: Option<i64>,
    create_time_lt: Option<i64>,
    update_time_ge: Option<i64>,
    update_time_lt: Option<i64>,
    shipping_type: Option<String>,
}

/// Longest time from creation to the last update (refund settled), with slack.
const MAX_UPDATE_LAG_DAYS: i64 = 30;

/// The 202309 order object.
pub(crate) fn order_json(world: &World, o: &Order) -> Value {
    let shop = world.shop(o.shop);
    let now = world.now();
    let d = shop.digits;
    let money = |v: Minor| wire(v, d);
    let sum = |f: fn(&crate::world::OrderLine) -> Minor| o.lines.iter().map(f).sum::<Minor>();
    let original = sum(|l| l.original);
    let seller = sum(|l| l.seller_discount);
    let platform = sum(|l| l.platform_discount);
    let sub_total = original - seller - platform;
    let status = o.status(now);
    let lines: Vec<Value> = o
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let sku = &shop.catalog.skus[l.sku];
            let key = [o.shop as u64, o.day as u64, u64::from(o.idx), n as u64];
            json!({
                "id": ids::encode(world.seed(), ids::LINE_ITEM, &key),
                "sku_id": sku.sku_id,
                "seller_sku": sku.seller_sku,
                "product_id": sku.product_id,
                "product_name": sku.product_name,
                "sku_name": sku.sku_name,
                "sku_type": "NORMAL",
                "currency": shop.currency,
                "original_price": money(l.original),
                "sale_price": money(l.sale()),
                "seller_discount": money(l.seller_discount),
                "platform_discount": money(l.platform_discount),
                "display_status": status,
                "is_gift": false,
            })
        })
        .collect();
    let buyer = ids::encode(
        world.seed(),
        ids::BUYER,
        &[o.shop as u64, o.day as u64, u64::from(o.idx)],
    );
    let mut order = json!({
        "id": o.id,
        "status": status,
        "user_id": buyer,
        "buyer_email": format!("v2{}@scs.tiktokw.us", &buyer[buyer.len() - 10..]),
        "create_time": o.create_time,
        "update_time": o.update_time(now),
        "paid_time": o.paid_time,
        "fulfillment_type": match o.fulfillment {
            crate::world::Fulfillment::BySeller => "FULFILLMENT_BY_SELLER",
            crate::world::Fulfillment::ByTiktok => "FULFILLMENT_BY_TIKTOK",
        },
        "shipping_type": match o.shipping {
            crate::world::Shipping::Tiktok => "TIKTOK",
            crate::world::Shipping::Seller => "SELLER",
        },
        "is_sample_order": o.sample,
        "is_replacement_order": false,
        "is_exchange_order": false,
        "is_cod": false,
        "is_on_hold_order": false,
        "payment": {
            "currency": shop.currency,
            "original_total_product_price": money(original),
            "seller_discount": money(seller),
            "platform_discount": money(platform),
            "sub_total": money(sub_total),
            "original_shipping_fee": money(o.shipping_original),
            "shipping_fee": money(o.shipping_paid()),
            "shipping_fee_seller_discount": money(0),
            "shipping_fee_platform_discount": money(o.shipping_platform_discount),
            "shipping_fee_cofunded_discount": money(0),
            "tax": money(0),
            "product_tax": money(0),
            "shipping_fee_tax": money(0),
            "total_amount": money(sub_total + o.shipping_paid()),
        },
        "line_items": lines,
    });
    if let Some(obj) = order.as_object_mut() {
        let mut put = |k: &str, v: Value| {
            obj.insert(k.to_owned(), v);
        };
        match o.cancel_time.filter(|t| *t <= now) {
            Some(cancel) => {
                put("cancel_time", json!(cancel));
                put("cancel_reason", json!("No longer needed"));
                put("cancellation_initiator", json!("BUYER"));
            }
            None => {
                if o.ship_time <= now && o.cancel_time.is_none() {
                    put("rts_time", json!(o.ship_time));
                }
                if o.delivery_time <= now && o.cancel_time.is_none() {
                    put("delivery_time", json!(o.delivery_time));
                }
            }
        }
    }
    order
}

/// `POST /order/202309/orders/search?page_size&page_token&sort_field&sort_order`.
pub(crate) async fn search(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let size = call.page_size(None, 1, 100)?;
    let sort = match call.param("sort_field").filter(|v| !v.is_empty()) {
        None => "create_time".to_owned(),
        Some(_) => call.sort_field(&["create_time", "update_time"])?,
    };
    let desc = call.descending(true)?;
    let body: SearchBody = call.json()?;
    let world = &s.world;
    let now = world.now();
    let (mut lo, mut hi) = day_bounds(
        world.order_first_day(),
        world.last_day_number(),
        body.create_time_ge,
        body.create_time_lt,
    );
    if let Some(g) = body.update_time_ge {
        lo = lo.max(g.div_euclid(DAY) - MAX_UPDATE_LAG_DAYS);
    }
    if let Some(l) = body.update_time_lt {
        hi = hi.min((l - 1).div_euclid(DAY));
    }
    let in_range = |t: i64, ge: Option<i64>, lt: Option<i64>| {
        ge.is_none_or(|g| t >= g) && lt.is_none_or(|l| t < l)
    };
    let pred = |o: &Order| {
        in_range(o.create_time, body.create_time_ge, body.create_time_lt)
            && in_range(o.update_time(now), body.update_time_ge, body.update_time_lt)
            && body
                .order_status
                .as_deref()
                .is_none_or(|st| st == o.status(now))
            && body.shipping_type.as_deref().is_none_or(|st| {
                st == if o.shipping == crate::world::Shipping::Tiktok {
                    "TIKTOK"
                } else {
                    "SELLER"
                }
            })
    };
    let scan = Scan {
        shop,
        days: (lo, hi),
        descending: desc,
    };
    let (orders, next, total) = if sort == "create_time" {
        scan.page(world, "orders", call.page_token(), size, &pred)?
    } else {
        // update_time does not follow the day order: materialise and sort (fine for
        // test-sized worlds; sync by create_time for large ones).
        let offset = paging::offset("orders_by_update", call.page_token())?;
        let mut all: Vec<Order> = Vec::new();
        for day in lo..=hi {
            all.extend(
                world
                    .day_orders(shop, day)
                    .iter()
                    .filter(|o| pred(o))
                    .cloned(),
            );
        }
        all.sort_by(|a, b| (a.update_time(now), &a.id).cmp(&(b.update_time(now), &b.id)));
        if desc {
            all.reverse();
        }
        let total = all.len();
        let (page, next) = paging::page("orders_by_update", all, offset, size);
        (page, next, total)
    };
    let orders: Vec<Value> = orders.iter().map(|o| order_json(world, o)).collect();
    Ok(ok(
        json!({ "orders": orders, "next_page_token": next, "total_count": total }),
    ))
}

/// `GET /order/202309/orders?ids=a,b` (at most 50 ids; unknown ids are left out).
pub(crate) async fn detail(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let ids: Vec<&str> = call
        .param("ids")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::param("param ids is missing"));
    }
    if ids.len() > 50 {
        return Err(ApiError::param(
            "invalid ids, at most 50 order ids are allowed",
        ));
    }
    let orders: Vec<Value> = ids
        .iter()
        .filter_map(|id| s.world.find_order(shop, id))
        .map(|o| order_json(&s.world, &o))
        .collect();
    Ok(ok(json!({ "orders": orders })))
}
