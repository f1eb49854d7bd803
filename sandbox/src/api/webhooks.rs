//! Webhook subscriptions per shop and event type (reference §2): list, upsert, delete.
//! The sandbox stores them; it does not push events.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{json, Value};

use super::envelope::{ok, ApiError, ApiResult};
use super::guard::ShopCall;
use super::{Shared, Webhook};
use crate::sandbox::lock;

/// Event names the 202309 webhook API accepts (reference §2).
const EVENTS: &[&str] = &[
    "ORDER_STATUS_CHANGE",
    "RECIPIENT_ADDRESS_UPDATE",
    "PACKAGE_UPDATE",
    "PRODUCT_STATUS_CHANGE",
    "SELLER_DEAUTHORIZATION",
    "UPCOMING_AUTHORIZATION_EXPIRATION",
    "CANCELLATION_STATUS_CHANGE",
    "RETURN_STATUS_CHANGE",
    "PRODUCT_INFORMATION_CHANGE",
    "PRODUCT_CREATION",
    "REVERSE_STATUS_UPDATE",
    "NEW_CONVERSATION",
    "NEW_MESSAGE",
    "NEW_MESSAGE_LISTENER",
    "PRODUCT_CATEGORY_CHANGE",
    "INVOICE_STATUS_CHANGE",
    "PRODUCT_AUDIT_STATUS_CHANGE",
];

#[derive(Debug, Deserialize)]
struct Body {
    event_type: Option<String>,
    address: Option<String>,
}

fn event_type(body: &Body) -> Result<String, ApiError> {
    match body.event_type.as_deref() {
        None | Some("") => Err(ApiError::param("param body.event_type is missing")),
        Some(e) if EVENTS.contains(&e) => Ok(e.to_owned()),
        Some(_) => Err(ApiError::param("invalid body.event_type")),
    }
}

/// `GET /event/202309/webhooks`.
pub(crate) async fn list(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let hooks: Vec<Value> = lock(&s.webhooks)
        .iter()
        .filter(|((sh, _), _)| *sh == shop)
        .map(|((_, event), w)| {
            json!({
                "event_type": event,
                "address": w.address,
                "create_time": w.create_time,
                "update_time": w.update_time,
            })
        })
        .collect();
    Ok(ok(json!({ "total_count": hooks.len(), "webhooks": hooks })))
}

/// `PUT /event/202309/webhooks` with body `{event_type, address}` (signed with the body).
pub(crate) async fn update(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let body: Body = call.json()?;
    let event = event_type(&body)?;
    let address = body.address.unwrap_or_default();
    if address.is_empty() {
        return Err(ApiError::param("param body.address is missing"));
    }
    if !(address.starts_with("https://") || address.starts_with("http://")) {
        return Err(ApiError::param("invalid body.address"));
    }
    let now = chrono::Utc::now().timestamp();
    let mut hooks = lock(&s.webhooks);
    let hook = hooks.entry((shop, event)).or_insert(Webhook {
        address: address.clone(),
        create_time: now,
        update_time: now,
    });
    hook.address = address;
    hook.update_time = now;
    Ok(ok(json!({})))
}

/// `DELETE /event/202309/webhooks` with body `{event_type}`.
pub(crate) async fn remove(State(s): State<Shared>, call: ShopCall) -> ApiResult {
    let shop = call.shop()?;
    let body: Body = call.json()?;
    let event = event_type(&body)?;
    lock(&s.webhooks).remove(&(shop, event));
    Ok(ok(json!({})))
}
