//! Order and affiliate-order payloads.

use serde::Deserialize;

use super::{id, opt_amount, opt_id, opt_ts, Fields};

/// `POST /order/202309/orders/search` and `GET /order/202309/orders` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderList {
    /// Orders.
    #[serde(default)]
    pub orders: Vec<Order>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// An order (202309).
#[derive(Clone, Debug, Deserialize)]
pub struct Order {
    /// Order id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Status.
    #[serde(default)]
    pub status: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// A free sample sent to a creator.
    #[serde(default)]
    pub is_sample_order: Option<bool>,
    /// Buyer payment summary.
    #[serde(default)]
    pub payment: Option<Fields>,
    /// One line item per unit.
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

/// An order line item (one unit).
#[derive(Clone, Debug, Deserialize)]
pub struct LineItem {
    /// Line item id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// TikTok SKU id.
    #[serde(deserialize_with = "id")]
    pub sku_id: String,
    /// The seller's own SKU.
    #[serde(default)]
    pub seller_sku: Option<String>,
    /// TikTok product id.
    #[serde(default, deserialize_with = "opt_id")]
    pub product_id: Option<String>,
    /// Product name.
    #[serde(default)]
    pub product_name: Option<String>,
    /// SKU name.
    #[serde(default)]
    pub sku_name: Option<String>,
    /// List price.
    #[serde(default, deserialize_with = "opt_amount")]
    pub original_price: Option<String>,
    /// Price after discounts.
    #[serde(default, deserialize_with = "opt_amount")]
    pub sale_price: Option<String>,
    /// Seller-funded discount.
    #[serde(default, deserialize_with = "opt_amount")]
    pub seller_discount: Option<String>,
    /// Currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// `POST /affiliate_seller/202410/orders/search` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct AffiliateOrderList {
    /// Affiliate orders.
    #[serde(default)]
    pub orders: Vec<AffiliateOrder>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// An order a creator drove.
#[derive(Clone, Debug, Deserialize)]
pub struct AffiliateOrder {
    /// The shop order id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// PROCESSING, COMPLETED, CANCELLED, FROZEN or DEDUCTED.
    #[serde(default)]
    pub status: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// Per-SKU attribution.
    #[serde(default)]
    pub skus: Vec<AffiliateSku>,
}

/// `{amount, currency}`.
#[derive(Clone, Debug, Deserialize)]
pub struct AmountCurrency {
    /// Amount.
    #[serde(default, deserialize_with = "opt_amount")]
    pub amount: Option<String>,
    /// Currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// One SKU of an affiliate order.
#[derive(Clone, Debug, Deserialize)]
pub struct AffiliateSku {
    /// TikTok product id.
    #[serde(default, deserialize_with = "opt_id")]
    pub product_id: Option<String>,
    /// TikTok SKU id.
    #[serde(default, deserialize_with = "opt_id")]
    pub sku_id: Option<String>,
    /// Units.
    #[serde(default, deserialize_with = "opt_amount")]
    pub quantity: Option<String>,
    /// The creator's username.
    #[serde(default)]
    pub creator_username: Option<String>,
    /// SHOP, VIDEO, LIVE, …
    #[serde(default)]
    pub content_type: Option<String>,
    /// Commission rate in hundredths of a percent (`1550` = 15.50 %).
    #[serde(default, deserialize_with = "opt_amount")]
    pub commission_rate: Option<String>,
    /// Shop-ads commission rate, same unit.
    #[serde(default, deserialize_with = "opt_amount")]
    pub shop_ads_commission_rate: Option<String>,
    /// Estimated commission paid.
    #[serde(default)]
    pub estimated_paid_commission: Option<AmountCurrency>,
    /// Actual commission paid.
    #[serde(default)]
    pub actual_paid_commission: Option<AmountCurrency>,
}
