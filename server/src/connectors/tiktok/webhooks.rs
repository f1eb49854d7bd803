//! TikTok Shop webhooks: verify the signature over the raw body before anything is parsed,
//! store each event verbatim (a replay is recognised and changes nothing), and act: order,
//! cancellation and return events re-read that order; a deauthorisation marks the shop.
//!
//! Signature (reference §2): `Authorization` = lowercase hex HMAC-SHA256(app_secret,
//! app_key + raw body), compared in constant time.

use async_trait::async_trait;
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use chrono::Utc;
use entities::shop;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::client::TikTokClient;
use super::credentials::shop_client;
use super::model;
use super::normalize::{self, Context};
use super::sign::hmac_hex;
use super::CHANNEL;
use crate::connectors::catalog;
use crate::connectors::ingest::ingest;
use crate::connectors::seam::{shop_currency, WebhookReceiver};
use crate::connectors::ShopStatus;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::raw::{self, sha256_hex, RawInput};
use crate::money::Currency;
use crate::state::AppState;

/// Event types that name an order to re-read: order status, cancellation, return.
const ORDER_EVENTS: &[i64] = &[1, 11, 12];
/// Seller deauthorisation.
const DEAUTHORIZATION: i64 = 6;
/// Authorisation about to expire.
const EXPIRING: i64 = 7;

/// `POST /webhooks/tiktok`: 401 and nothing stored unless the signature over the raw body is
/// right; then store and act.
#[derive(Clone, Copy, Debug, Default)]
pub struct Receiver;

#[async_trait]
impl WebhookReceiver for Receiver {
    async fn receive(&self, state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value> {
        let app = &state.config.channels.tiktok;
        let signature = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        if !verify(&app.app_key, app.app_secret.expose(), body, signature) {
            tracing::warn!("rejected a TikTok webhook with a wrong or missing signature");
            return Err(Error::Unauthenticated(
                "invalid webhook signature".to_owned(),
            ));
        }
        let delivery = receive(state, body).await?;
        Ok(json!({
            "code": 0,
            "message": "success",
            "stored": delivery.stored,
            "replayed": delivery.replayed,
        }))
    }
}

/// Whether `signature` is the webhook signature of `body`.
pub fn verify(app_key: &str, app_secret: &str, body: &[u8], signature: Option<&str>) -> bool {
    let Some(signature) = signature.map(str::trim) else {
        return false;
    };
    if app_secret.is_empty() {
        return false;
    }
    let mut message = app_key.as_bytes().to_vec();
    message.extend_from_slice(body);
    let expected = hmac_hex(app_secret.as_bytes(), &message);
    expected
        .as_bytes()
        .ct_eq(signature.to_ascii_lowercase().as_bytes())
        .into()
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: i64,
    #[serde(deserialize_with = "super::model::id")]
    shop_id: String,
    #[serde(default)]
    tts_notification_id: Option<String>,
    #[serde(default)]
    data: Value,
}

/// What a delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Shops (in any org) the event concerns.
    pub shops: usize,
    /// New events stored.
    pub stored: usize,
    /// Deliveries already seen (replays), ignored.
    pub replayed: usize,
}

/// Stores and acts on a verified event body.
///
/// # Errors
/// A body that is not a TikTok event (BAD_USER_INPUT), or database failures.
pub async fn receive(state: &AppState, body: &[u8]) -> Result<Delivery> {
    let event: Event = serde_json::from_slice(body)
        .map_err(|e| Error::bad_input(format!("not a TikTok webhook event: {e}")))?;
    // Checked before anything is stored: PostgreSQL would refuse the NUL midway.
    let nul = |text: &str| text.contains('\0');
    if nul(&event.shop_id)
        || event.tts_notification_id.as_deref().is_some_and(nul)
        || model::contains_nul(&event.data)
    {
        return Err(Error::bad_input(
            "not a TikTok webhook event: holds a NUL character (\\u0000)",
        ));
    }
    let text = String::from_utf8_lossy(body).into_owned();
    let source_id = event
        .tts_notification_id
        .clone()
        .unwrap_or_else(|| sha256_hex(body));
    let shops = shop::Entity::find()
        .filter(shop::Column::Channel.eq(CHANNEL.as_str()))
        .filter(shop::Column::ExternalId.eq(event.shop_id.as_str()))
        .all(state.db.conn())
        .await?;
    let mut delivery = Delivery {
        shops: shops.len(),
        ..Delivery::default()
    };
    for shop in shops {
        let raw = RawInput {
            channel: CHANNEL,
            shop_id: Some(shop.id),
            source_kind: format!("tiktok.webhook.{}", event.kind),
            source_id: source_id.clone(),
            payload: text.clone(),
        };
        let (_, new) = raw::store_new(state.db.conn(), shop.org_id, &raw, Utc::now()).await?;
        if !new {
            delivery.replayed += 1;
            continue;
        }
        delivery.stored += 1;
        act(state, &shop, &event).await?;
    }
    if delivery.shops == 0 {
        tracing::info!(
            shop = event.shop_id,
            kind = event.kind,
            "webhook for a shop no org has connected; ignored"
        );
    }
    Ok(delivery)
}

async fn act(state: &AppState, shop: &shop::Model, event: &Event) -> Result<()> {
    match event.kind {
        kind if ORDER_EVENTS.contains(&kind) => {
            if let Some(order) = event.data.get("order_id").and_then(|v| {
                v.as_str()
                    .map(ToOwned::to_owned)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            }) {
                let (state, shop) = (state.clone(), shop.clone());
                // Re-read after answering: TikTok expects a fast 200.
                tokio::spawn(async move {
                    if let Err(error) = reread_order(&state, &shop, &order).await {
                        tracing::warn!(%error, shop = shop.id, order, "re-reading the order after a webhook failed");
                    }
                });
            }
        }
        DEAUTHORIZATION => {
            let message = event
                .data
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("the seller deauthorised the app");
            catalog::pause_shop(
                state.db.conn(),
                shop,
                ShopStatus::Deauthorized,
                message,
                "deauthorised",
            )
            .await?;
        }
        EXPIRING => {
            let message = format!(
                "authorisation expires soon ({}); ask the seller to re-authorise",
                event
                    .data
                    .get("expiration_time")
                    .map(ToString::to_string)
                    .unwrap_or_default()
            );
            let status = shop.status.parse::<ShopStatus>()?;
            catalog::set_shop_status(state.db.conn(), shop.id, status, Some(&message)).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Re-reads one order (detail and settlement by SKU) and ingests what changed.
///
/// # Errors
/// TikTok or database failures.
pub async fn reread_order(state: &AppState, shop: &shop::Model, order: &str) -> Result<()> {
    let (client, _) = shop_client(state, shop)?;
    let mapper = FeeMapper::load(state.db.conn(), shop.org_id).await?;
    let currency = shop_currency(shop)?;
    let ctx = Context {
        mapper: &mapper,
        currency,
    };
    let upstream = |e: super::error::TikTokError| Error::Internal(anyhow::anyhow!(e));

    let path = "/order/202309/orders";
    let (body, data) = client
        .call(Method::GET, path, &[("ids", order.to_owned())], None)
        .await
        .map_err(upstream)?;
    let orders: model::OrderList = TikTokClient::decode(path, &data).map_err(upstream)?;
    post(
        state,
        shop,
        "tiktok.order.202309.orders",
        order,
        body,
        normalize::orders_202309(&orders, &ctx),
    )
    .await?;

    let path = format!("/finance/202501/orders/{order}/statement_transactions");
    let (body, data) = client
        .call(Method::GET, &path, &[], None)
        .await
        .map_err(upstream)?;
    let by_order: model::OrderTransactions2501 =
        TikTokClient::decode(&path, &data).map_err(upstream)?;
    let ctx = Context {
        currency: Currency::parse(&by_order.currency)?,
        ..ctx
    };
    post(
        state,
        shop,
        "tiktok.finance.202501.order_transactions",
        order,
        body,
        normalize::order_transactions_2501(&by_order, &ctx),
    )
    .await
}

async fn post(
    state: &AppState,
    shop: &shop::Model,
    kind: &str,
    id: &str,
    body: String,
    normalized: crate::connectors::Normalized,
) -> Result<()> {
    let batch = super::batch(shop.id, kind, id, body, normalized);
    ingest(&state.db, shop.org_id, batch).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}"#;
    const SIGNATURE: &str = "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27";

    #[test]
    fn the_published_example_verifies() {
        assert!(verify(
            "fake_app_key",
            "fake_app_secret",
            BODY.as_bytes(),
            Some(SIGNATURE)
        ));
    }

    #[test]
    fn a_forged_or_missing_signature_or_changed_body_does_not() {
        assert!(!verify(
            "fake_app_key",
            "fake_app_secret",
            BODY.as_bytes(),
            Some(&"0".repeat(64))
        ));
        assert!(!verify(
            "fake_app_key",
            "fake_app_secret",
            BODY.as_bytes(),
            None
        ));
        assert!(!verify(
            "fake_app_key",
            "fake_app_secret",
            format!("{BODY} ").as_bytes(),
            Some(SIGNATURE)
        ));
        assert!(
            !verify("fake_app_key", "", BODY.as_bytes(), Some(SIGNATURE)),
            "no secret configured: nothing verifies"
        );
    }
}
