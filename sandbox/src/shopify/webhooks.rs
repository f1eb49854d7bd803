//! The webhook sender: Shopify's headers (`X-Shopify-Topic`, `X-Shopify-Hmac-Sha256`,
//! `X-Shopify-Shop-Domain`, `X-Shopify-Webhook-Id`, `X-Shopify-API-Version`,
//! `X-Shopify-Triggered-At`, `X-Shopify-Event-Id`) and REST-style bodies for `orders/create`,
//! `orders/updated`, `refunds/create` and `app/uninstalled`. A [`ShopifyWebhook`] can be
//! sent any number of times with the same id (Shopify retries and duplicates deliveries).

use serde_json::{json, Value};

use super::orders::GenOrder;
use super::sign::body_hmac;
use super::truth::ShopifyWorld;
use crate::rng::hash;
use crate::sandbox::lock;

/// One webhook delivery: its body and headers.
#[derive(Debug, Clone)]
pub struct ShopifyWebhook {
    /// The topic, e.g. `orders/create`.
    pub topic: String,
    /// The raw JSON body.
    pub body: String,
    /// Every header Shopify sends with it.
    pub headers: Vec<(String, String)>,
}

impl ShopifyWebhook {
    /// POSTs it to `url`; the HTTP status of the answer.
    ///
    /// # Errors
    /// The request got no answer.
    pub async fn send(&self, url: &str) -> reqwest::Result<u16> {
        let mut request = reqwest::Client::new()
            .post(url)
            .header("Content-Type", "application/json");
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        Ok(request
            .body(self.body.clone())
            .send()
            .await?
            .status()
            .as_u16())
    }

    /// The header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn rest_order(o: &GenOrder) -> Value {
    let v = &o.value;
    let amount = |bag: &Value| bag["shopMoney"]["amount"].clone();
    json!({
        "id": o.legacy_id,
        "admin_graphql_api_id": v["id"],
        "name": v["name"],
        "created_at": v["createdAt"],
        "updated_at": v["updatedAt"],
        "processed_at": v["processedAt"],
        "cancelled_at": v["cancelledAt"],
        "currency": v["currencyCode"],
        "presentment_currency": v["presentmentCurrencyCode"],
        "total_price": amount(&v["totalPriceSet"]),
        "financial_status": v["displayFinancialStatus"].as_str().unwrap_or_default().to_ascii_lowercase(),
        "payment_gateway_names": v["paymentGatewayNames"],
        "source_name": v["sourceName"],
        "source_identifier": v["sourceIdentifier"],
        "tags": v["tags"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
        "test": v["test"],
        "taxes_included": v["taxesIncluded"],
    })
}

impl ShopifyWorld {
    /// A webhook of `topic` for the store `domain`: `order` (a gid or legacy id) names the
    /// order of `orders/*` and `refunds/create` (its first refund). None for an unknown store,
    /// order or topic.
    pub fn webhook(
        &self,
        domain: &str,
        topic: &str,
        order: Option<&str>,
        api_version: &str,
    ) -> Option<ShopifyWebhook> {
        let index = self.store_index(domain)?;
        let store = &self.stores[index];
        let find = || {
            let wanted = order?.rsplit('/').next()?;
            store
                .orders
                .iter()
                .find(|o| o.legacy_id.to_string() == wanted)
        };
        let body = match topic {
            "orders/create" | "orders/updated" => rest_order(find()?),
            "refunds/create" => {
                let o = find()?;
                let refund = o.value["refunds"].as_array()?.first()?;
                json!({
                    "id": refund["legacyResourceId"].as_str()?.parse::<u64>().ok()?,
                    "admin_graphql_api_id": refund["id"],
                    "order_id": o.legacy_id,
                    "created_at": refund["createdAt"],
                    "processed_at": refund["createdAt"],
                    "note": refund["note"],
                    "refund_line_items": [],
                    "transactions": [],
                })
            }
            "app/uninstalled" => json!({
                "id": 70_000_000 + index as u64,
                "name": format!("Sandbox {}", domain.trim_end_matches(".myshopify.com")),
                "domain": domain,
                "myshopify_domain": domain,
                "currency": store.currency,
            }),
            _ => return None,
        };
        let body = body.to_string();
        let mut n = lock(&self.webhooks_sent);
        *n += 1;
        let id = hash(&[self.seed, 91, *n]);
        let webhook_id = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            id >> 32,
            (id >> 16) & 0xFFFF,
            id & 0xFFFF,
            *n & 0xFFFF,
            hash(&[id]) >> 16
        );
        let headers = vec![
            ("X-Shopify-Topic".to_owned(), topic.to_owned()),
            (
                "X-Shopify-Hmac-Sha256".to_owned(),
                body_hmac(&self.config.api_secret, body.as_bytes()),
            ),
            ("X-Shopify-Shop-Domain".to_owned(), domain.to_owned()),
            ("X-Shopify-Webhook-Id".to_owned(), webhook_id),
            ("X-Shopify-API-Version".to_owned(), api_version.to_owned()),
            (
                "X-Shopify-Triggered-At".to_owned(),
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
            (
                "X-Shopify-Event-Id".to_owned(),
                format!("{:x}", hash(&[id, 92])),
            ),
        ];
        Some(ShopifyWebhook {
            topic: topic.to_owned(),
            body,
            headers,
        })
    }
}
