//! Shopify webhooks (`POST /webhooks/shopify`): `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256
//! of the raw body under the app secret) is checked in constant time before anything is parsed;
//! each delivery is stored verbatim under its `X-Shopify-Webhook-Id`, so a repeated delivery is
//! recognised and changes nothing; then:
//! - `orders/create`, `orders/updated` and `refunds/create` re-read that order (after the
//!   answer: Shopify wants a fast 200);
//! - `app/uninstalled` pauses the shop's sync and marks it NEEDS_REAUTH (the token is revoked).
//!
//! Webhooks only speed things up: the scheduled sync is the truth and reads the same orders.

use async_trait::async_trait;
use axum::http::HeaderMap;
use base64::Engine;
use chrono::Utc;
use entities::shop;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::CHANNEL;
use crate::connectors::catalog;
use crate::connectors::seam::WebhookReceiver;
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::ledger::raw::{self, sha256_hex, RawInput};
use crate::state::AppState;

/// Topics whose body names an order to re-read, and the field holding its id.
const ORDER_TOPICS: &[(&str, &str)] = &[
    ("orders/create", "id"),
    ("orders/updated", "id"),
    ("orders/paid", "id"),
    ("orders/cancelled", "id"),
    ("refunds/create", "order_id"),
];

/// The app was uninstalled: its token no longer works.
const UNINSTALLED: &str = "app/uninstalled";

/// `POST /webhooks/shopify`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Receiver;

/// The base64 HMAC-SHA256 of `body` under `secret`, as `X-Shopify-Hmac-Sha256` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(crate::crypto::hmac_sha256(secret.as_bytes(), body))
}

/// Whether `given` is the signature of `body` under `secret` (constant time).
pub fn verify(secret: &str, body: &[u8], given: Option<&str>) -> bool {
    let Some(given) = given.map(str::trim) else {
        return false;
    };
    !secret.is_empty()
        && signature(secret, body)
            .as_bytes()
            .ct_eq(given.as_bytes())
            .into()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What a delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Shops (in any org) the delivery concerns.
    pub shops: usize,
    /// New deliveries stored.
    pub stored: usize,
    /// Deliveries already seen, ignored.
    pub replayed: usize,
}

#[async_trait]
impl WebhookReceiver for Receiver {
    async fn receive(&self, state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value> {
        let secret = state.config.channels.shopify.api_secret.expose();
        if !verify(secret, body, header(headers, "x-shopify-hmac-sha256")) {
            tracing::warn!("rejected a Shopify webhook with a wrong or missing signature");
            return Err(Error::Unauthenticated(
                "invalid webhook signature".to_owned(),
            ));
        }
        let topic = header(headers, "x-shopify-topic")
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 64 && !t.contains('\0'))
            .ok_or_else(|| Error::bad_input("X-Shopify-Topic: missing or invalid"))?;
        let domain = header(headers, "x-shopify-shop-domain")
            .map(|d| d.trim().to_ascii_lowercase())
            .ok_or_else(|| Error::bad_input("X-Shopify-Shop-Domain: missing"))?;
        let domain = super::connect::shop_domain(&domain)?;
        let event: Value = serde_json::from_slice(body)
            .map_err(|e| Error::bad_input(format!("not a Shopify webhook body: {e}")))?;
        if crate::connectors::contains_nul(&event) {
            return Err(Error::bad_input(
                "not a Shopify webhook body: holds a NUL character (\\u0000)",
            ));
        }
        let webhook_id = header(headers, "x-shopify-webhook-id")
            .map(str::trim)
            .filter(|id| !id.is_empty() && id.len() <= 128 && !id.contains('\0'))
            .map_or_else(|| sha256_hex(body), ToOwned::to_owned);
        let delivery = deliver(state, topic, &domain, &webhook_id, body, &event).await?;
        Ok(json!({
            "stored": delivery.stored,
            "replayed": delivery.replayed,
        }))
    }
}

async fn deliver(
    state: &AppState,
    topic: &str,
    domain: &str,
    webhook_id: &str,
    body: &[u8],
    event: &Value,
) -> Result<Delivery> {
    let shops = shop::Entity::find()
        .filter(shop::Column::Channel.eq(CHANNEL.as_str()))
        .filter(shop::Column::ExternalId.eq(domain))
        .all(state.db.conn())
        .await?;
    let mut delivery = Delivery {
        shops: shops.len(),
        ..Delivery::default()
    };
    let text = String::from_utf8_lossy(body).into_owned();
    for shop in shops {
        let raw = RawInput {
            channel: CHANNEL,
            shop_id: Some(shop.id),
            source_kind: format!("shopify.webhook.{topic}"),
            source_id: webhook_id.to_owned(),
            payload: text.clone(),
        };
        let (_, new) = raw::store_new(state.db.conn(), shop.org_id, &raw, Utc::now()).await?;
        if !new {
            delivery.replayed += 1;
            continue;
        }
        delivery.stored += 1;
        act(state, &shop, topic, event).await?;
    }
    if delivery.shops == 0 {
        tracing::info!(
            topic,
            "Shopify webhook for a shop no org has connected; ignored"
        );
    }
    Ok(delivery)
}

/// The numeric id in `value` (a number, a numeric string, or a gid).
fn order_id(value: &Value) -> Option<String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.rsplit('/').next().unwrap_or_default().to_owned(),
        _ => return None,
    };
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit())).then_some(text)
}

async fn act(state: &AppState, shop: &shop::Model, topic: &str, event: &Value) -> Result<()> {
    if let Some((_, field)) = ORDER_TOPICS.iter().find(|(t, _)| *t == topic) {
        if let Some(order) = event.get(*field).and_then(order_id) {
            let (state, shop) = (state.clone(), shop.clone());
            tokio::spawn(async move {
                if let Err(error) = super::sync::reread_orders(&state, &shop, &[order]).await {
                    tracing::warn!(%error, shop = shop.id, "re-reading a Shopify order after a webhook failed");
                }
            });
        }
    } else if topic == UNINSTALLED {
        catalog::pause_shop(
            state.db.conn(),
            shop,
            ShopStatus::NeedsReauth,
            "the app was uninstalled from the shop: install it again to resume",
            "uninstalled",
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_body_and_secret() {
        let body = br#"{"id":820982911946154508,"email":"jon@example.com"}"#;
        let sig = signature("secret", body);
        assert!(verify("secret", body, Some(&sig)));
        assert!(!verify("other", body, Some(&sig)));
        assert!(!verify("secret", br#"{"id":1}"#, Some(&sig)));
        assert!(!verify("secret", body, None));
        assert!(!verify("", body, Some(&signature("", body))));
    }

    #[test]
    fn order_ids_come_as_numbers_strings_or_gids() {
        assert_eq!(order_id(&json!(450789469)).as_deref(), Some("450789469"));
        assert_eq!(order_id(&json!("450789469")).as_deref(), Some("450789469"));
        assert_eq!(
            order_id(&json!("gid://shopify/Order/450789469")).as_deref(),
            Some("450789469")
        );
        assert_eq!(order_id(&json!("1 OR 1=1")), None);
        assert_eq!(order_id(&json!(null)), None);
    }
}
