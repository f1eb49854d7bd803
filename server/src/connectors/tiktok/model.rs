//! TikTok Shop and TikTok Ads payloads, in the vendors' field names (reference/tiktok-shop-and-
//! ads-api.md). Deliberately tolerant: ids may arrive as strings or numbers, amounts are kept as
//! the strings TikTok sends, breakdowns are open maps so that a field TikTok adds tomorrow still
//! reaches the ledger (as OTHER, listed by name) instead of vanishing.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The response envelope of both APIs: `code == 0` is success.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope<T> {
    /// 0 on success.
    pub code: i64,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// TikTok's request id (log it with every error).
    #[serde(default)]
    pub request_id: String,
    /// The payload.
    pub data: Option<T>,
}

/// An open JSON object (a breakdown).
pub type Fields = Map<String, Value>;

/// Accepts `"123"` or `123`.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

/// Accepts a missing value, `null`, `"123"` or `123`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

/// A Unix timestamp sent as a number or a numeric string.
pub(crate) fn opt_ts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {number}"))),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => text
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid timestamp {text:?}"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "invalid timestamp {other}"
        ))),
    }
}

/// An amount as sent: a decimal string, tolerated as a JSON number too (never read as a float:
/// the number's own text is kept).
pub(crate) fn opt_amount<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an amount, got {other}"
        ))),
    }
}

/// `fee_tax_breakdown`: fees and taxes.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FeeTaxBreakdown {
    /// Fee fields.
    #[serde(default)]
    pub fee: Fields,
    /// Tax fields.
    #[serde(default)]
    pub tax: Fields,
}

/// The three breakdowns of a 202501/202507 transaction or SKU row.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Breakdowns {
    /// `revenue_breakdown`.
    #[serde(default)]
    pub revenue_breakdown: Option<Fields>,
    /// `fee_tax_breakdown`.
    #[serde(default)]
    pub fee_tax_breakdown: Option<FeeTaxBreakdown>,
    /// `shipping_cost_breakdown` (its `supplementary_component` is informational).
    #[serde(default)]
    pub shipping_cost_breakdown: Option<Fields>,
}

/// `GET /finance/202501/statements/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct StatementTransactions2501 {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Statement time.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// Currency of every amount.
    pub currency: String,
    /// The statement's total: the assertion the lines must sum to.
    #[serde(default, deserialize_with = "opt_amount")]
    pub total_settlement_amount: Option<String>,
    /// Next page, empty on the last.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// The transactions (the list key is `transactions` in 202501).
    #[serde(default)]
    pub transactions: Vec<Transaction2501>,
}

/// One 202501 statement transaction.
#[derive(Clone, Debug, Deserialize)]
pub struct Transaction2501 {
    /// Transaction id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// ORDER, RESERVE or an adjustment type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The order, for ORDER transactions.
    #[serde(default, deserialize_with = "opt_id")]
    pub order_id: Option<String>,
    /// The adjustment id, for adjustments.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_id: Option<String>,
    /// The order an adjustment relates to.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_order_id: Option<String>,
    /// When the order was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Reserve held or released.
    #[serde(default, deserialize_with = "opt_amount")]
    pub reserve_amount: Option<String>,
    /// The transaction's total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Revenue total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub revenue_amount: Option<String>,
    /// Fees and taxes total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub fee_tax_amount: Option<String>,
    /// Shipping total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub shipping_cost_amount: Option<String>,
    /// Adjustment total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub adjustment_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/statements/{id}/statement_transactions` → `data` (flat rows).
#[derive(Clone, Debug, Deserialize)]
pub struct StatementTransactions2309 {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub statement_id: String,
    /// Statement time.
    #[serde(default, deserialize_with = "opt_ts")]
    pub statement_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// The statement total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Flat rows: ids plus money fields.
    #[serde(default)]
    pub statement_transactions: Vec<Fields>,
}

/// `GET /finance/202501/orders/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderTransactions2501 {
    /// The order.
    #[serde(deserialize_with = "id")]
    pub order_id: String,
    /// When it was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Per-SKU rows.
    #[serde(default)]
    pub sku_transactions: Vec<SkuTransaction2501>,
}

/// One SKU row of an order's settlement.
#[derive(Clone, Debug, Deserialize)]
pub struct SkuTransaction2501 {
    /// TikTok SKU id.
    #[serde(deserialize_with = "id")]
    pub sku_id: String,
    /// SKU name.
    #[serde(default)]
    pub sku_name: Option<String>,
    /// Product name.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Units (a string in 202501).
    #[serde(default, deserialize_with = "opt_amount")]
    pub quantity: Option<String>,
    /// The statement that settled it.
    #[serde(default, deserialize_with = "opt_id")]
    pub statement_id: Option<String>,
    /// Row total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Revenue total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub revenue_amount: Option<String>,
    /// Fees and taxes total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub fee_tax_amount: Option<String>,
    /// Shipping total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub shipping_cost_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/orders/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderTransactions2309 {
    /// The order.
    #[serde(deserialize_with = "id")]
    pub order_id: String,
    /// When it was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Per-statement rows, each with `sku_statement_transactions[]` (kept open).
    #[serde(default)]
    pub statement_transactions: Vec<Fields>,
}

/// `GET /finance/202507/orders/unsettled` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct Unsettled2507 {
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Currency, when given at this level.
    #[serde(default)]
    pub currency: Option<String>,
    /// Estimated transactions.
    #[serde(default)]
    pub transactions: Vec<UnsettledTransaction>,
}

/// One unsettled (estimated) transaction.
#[derive(Clone, Debug, Deserialize)]
pub struct UnsettledTransaction {
    /// Transaction id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// ORDER or an adjustment type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The order.
    #[serde(default, deserialize_with = "opt_id")]
    pub order_id: Option<String>,
    /// The adjustment.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_id: Option<String>,
    /// When the order was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Currency, when given per transaction.
    #[serde(default)]
    pub currency: Option<String>,
    /// Estimated total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_settlement_amount: Option<String>,
    /// Estimated revenue.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_revenue_amount: Option<String>,
    /// Estimated fees and taxes.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_fee_tax_amount: Option<String>,
    /// Estimated shipping.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_shipping_cost_amount: Option<String>,
    /// Estimated adjustment.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_adjustment_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/statements` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct StatementList {
    /// Statements.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A daily statement.
#[derive(Clone, Debug, Deserialize)]
pub struct Statement {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// 00:00 UTC of the day after the statement's day.
    #[serde(default, deserialize_with = "opt_ts")]
    pub statement_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Total settled.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// The payment that paid it.
    #[serde(default, deserialize_with = "opt_id")]
    pub payment_id: Option<String>,
    /// PAID, FAILED or PROCESSING.
    #[serde(default)]
    pub payment_status: Option<String>,
}

/// `GET /finance/202309/payments` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct PaymentList {
    /// Payments.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `{currency, value}`.
#[derive(Clone, Debug, Deserialize)]
pub struct CurrencyValue {
    /// Currency.
    pub currency: String,
    /// Amount.
    #[serde(default, deserialize_with = "opt_amount")]
    pub value: Option<String>,
}

/// A payment to the seller's bank account.
#[derive(Clone, Debug, Deserialize)]
pub struct Payment {
    /// Payment id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// PAID, FAILED or PROCESSING.
    #[serde(default)]
    pub status: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// Paid.
    #[serde(default, deserialize_with = "opt_ts")]
    pub paid_time: Option<i64>,
    /// Amount paid.
    pub amount: CurrencyValue,
}

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

/// Marketing API report → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct AdsReport {
    /// Rows of `{dimensions, metrics}`.
    #[serde(default)]
    pub list: Vec<AdsRow>,
    /// Paging.
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

/// One report row.
#[derive(Clone, Debug, Deserialize)]
pub struct AdsRow {
    /// Dimension values.
    #[serde(default)]
    pub dimensions: Fields,
    /// Metric values (strings; `"-"` means none).
    #[serde(default)]
    pub metrics: Fields,
}

/// Marketing API paging.
#[derive(Clone, Debug, Deserialize)]
pub struct PageInfo {
    /// Current page (1-based).
    #[serde(default)]
    pub page: i64,
    /// Pages in all.
    #[serde(default)]
    pub total_page: i64,
}

/// Token endpoints → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenData {
    /// Access token.
    pub access_token: String,
    /// Absolute Unix expiry of the access token.
    #[serde(deserialize_with = "opt_ts", default)]
    pub access_token_expire_in: Option<i64>,
    /// Refresh token.
    pub refresh_token: String,
    /// Absolute Unix expiry of the refresh token.
    #[serde(deserialize_with = "opt_ts", default)]
    pub refresh_token_expire_in: Option<i64>,
    /// Seller name.
    #[serde(default)]
    pub seller_name: Option<String>,
    /// Seller region.
    #[serde(default)]
    pub seller_base_region: Option<String>,
}

/// `GET /authorization/202309/shops` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct ShopList {
    /// Authorised shops.
    #[serde(default)]
    pub shops: Vec<AuthorizedShop>,
}

/// An authorised shop.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthorizedShop {
    /// Shop id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Region code.
    #[serde(default)]
    pub region: Option<String>,
    /// The `shop_cipher` for shop-scoped calls.
    pub cipher: String,
}
