//! Affiliate (creator) order search (reference §4, "Affiliate and creator attribution").
//!
//! Every creator-attributed order (free samples excluded: they pay no commission) is listed
//! with the shop order's id. Commission amounts are positive (paid to the creator) and are
//! the same numbers the settlement deducts as `affiliate_commission_amount`: estimated =
//! commission at order time, actual = after settlement, net of refund claw-backs settled so
//! far. Listed in creation order, oldest first (⚠ the default order is not documented).

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Value};

use super::envelope::{ok, ApiResult};
use super::guard::ShopCall;
use super::scan::{day_bounds, Scan};
use super::Shared;
use crate::ids;
use crate::money::{wire, Minor};
use crate::world::{order_txn, refund_txn, Order, SkuPart, World};

#[derive(Debug, Default, Deserialize)]
struct SearchBody {
    create_time_ge: Option<i64>,
    create_time_lt: Option<i64>,
}

fn commission(part: Option<&SkuPart>) -> Minor {
    part.map_or(0, |p| -p.amounts.fee.get("affiliate_commission_amount"))
}

fn base(part: Option<&SkuPart>) -> Minor {
    part.map_or(0, |p| {
        let r = &p.amounts.revenue;
        r.get("subtotal_before_discount_amount")
            + r.get("seller_discount_amount")
            + r.get("refund_subtotal_before_discount_amount")
            + r.get("seller_discount_refund_amount")
    })
}

fn affiliate_json(world: &World, o: &Order) -> Value {
    let shop = world.shop(o.shop);
    let now = world.now();
    let last = world.last_day_number();
    let Some(aff) = &o.affiliate else {
        return Value::Null;
    };
    let settled = o.settles() && o.settle_day.is_some_and(|d| d <= last);
    let settlement = order_txn(shop, o);
    let refund = o.visible_refund(now);
    let refund_settled = o.refund.as_ref().is_some_and(|r| r.settle_day <= last);
    let clawback = refund_txn(shop, o);
    let status = if o.cancel_time.is_some_and(|t| t <= now) {
        "CANCELLED"
    } else if settled {
        "COMPLETED"
    } else {
        "PROCESSING"
    };
    let money = |v: Minor| json!({"amount": wire(v, shop.digits), "currency": shop.currency});
    let skus: Vec<Value> = settlement
        .skus
        .iter()
        .map(|part| {
            let sku = &shop.catalog.skus[part.sku];
            let back = clawback.skus.iter().find(|p| p.sku == part.sku);
            let refunded = refund.map_or(0, |_| back.map_or(0, |p| p.quantity));
            let returned = if refund.is_some_and(|r| r.with_return) {
                refunded
            } else {
                0
            };
            let (est_base, est_paid) = (base(Some(part)), commission(Some(part)));
            let (act_base, act_paid) = match (settled, refund_settled) {
                (false, _) => (0, 0),
                (true, false) => (est_base, est_paid),
                (true, true) => (est_base + base(back), est_paid + commission(back)),
            };
            let unit = o
                .lines
                .iter()
                .find(|l| l.sku == part.sku)
                .map_or(0, |l| l.original - l.seller_discount);
            let collaboration = if aff.open_collaboration {
                "open_collaboration_id"
            } else {
                "target_collaboration_id"
            };
            let mut row = json!({
                "product_id": sku.product_id,
                "quantity": part.quantity,
                "refunded_quantity": refunded,
                "returned_quantity": returned,
                "price": money(unit),
                "creator_username": shop.catalog.creators[aff.creator],
                "content_type": aff.content_type,
                "content_id": aff.content_id,
                "campaign_id": "",
                // Hundredths of a percent, as a string like the SDK model: "1550" = 15.50%.
                "commission_rate": aff.rate.to_string(),
                "shop_ads_commission_rate": "0",
                "estimated_commission_base": money(est_base),
                "estimated_paid_commission": money(est_paid),
                "estimated_paid_shop_ads_commission": money(0),
                "estimated_cofunded_creator_bonus_amount": money(0),
                "actual_commission_base": money(act_base),
                "actual_paid_commission": money(act_paid),
                "actual_paid_shop_ads_commission": money(0),
                "actual_cofunded_creator_bonus_amount": money(0),
            });
            if let Some(obj) = row.as_object_mut() {
                let key = [o.shop as u64, aff.creator as u64];
                let id = ids::encode(world.seed(), ids::COLLABORATION, &key);
                obj.insert(collaboration.to_owned(), json!(id));
            }
            row
        })
        .collect();
    let mut order = json!({
        "id": o.id,
        "status": status,
        "create_time": o.create_time,
        "skus": skus,
    });
    if let Some(obj) = order.as_object_mut() {
        if o.cancel_time.is_none() && o.delivery_time <= now {
            obj.insert("delivery_time".to_owned(), json!(o.delivery_time));
        }
    }
    order
}

/// `POST /affiliate_seller/202410/orders/search?page_size&page_token`.
pub(crate) async fn search(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let size = call.page_size(None, 1, 100)?;
    let body: SearchBody = call.json()?;
    let world = &s.world;
    let scan = Scan {
        shop,
        days: day_bounds(
            world.order_first_day(),
            world.last_day_number(),
            body.create_time_ge,
            body.create_time_lt,
        ),
        descending: false,
    };
    let pred = |o: &Order| {
        o.affiliate.is_some()
            && !o.sample
            && body.create_time_ge.is_none_or(|g| o.create_time >= g)
            && body.create_time_lt.is_none_or(|l| o.create_time < l)
    };
    let (orders, next, total) = scan.page(world, "affiliate", call.page_token(), size, &pred)?;
    let rows: Vec<Value> = orders.iter().map(|o| affiliate_json(world, o)).collect();
    Ok(ok(
        json!({ "orders": rows, "next_page_token": next, "total_count": total }),
    ))
}
