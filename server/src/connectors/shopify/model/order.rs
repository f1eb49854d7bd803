//! `Order` and what hangs off it, as `queries::ORDER_FIELDS` and `queries::BULK_ORDERS` ask
//! for it. Every field but the ids is optional or defaulted: a bulk export's order line carries
//! no line items (they arrive as their own lines), and older saved answers lack newer fields.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{null_default, Connection, LegacyId, MoneyBag, MoneyV2};

/// An order (`gid://shopify/Order/…`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The gid.
    pub id: String,
    /// The REST id: the order id of every ledger line.
    #[serde(default)]
    pub legacy_resource_id: Option<LegacyId>,
    /// `#1001`.
    #[serde(default)]
    pub name: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was processed (imported orders: the original date).
    #[serde(default)]
    pub processed_at: Option<DateTime<Utc>>,
    /// Last change.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// When cancelled.
    #[serde(default)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// A test order (Shopify's bogus gateway or test mode).
    #[serde(default, deserialize_with = "null_default")]
    pub test: bool,
    /// The channel that created it: `web`, `pos`, `shopify_draft_order`, an app's id or name.
    #[serde(default)]
    pub source_name: Option<String>,
    /// The creating channel's own id of the order (a marketplace's order number).
    #[serde(default)]
    pub source_identifier: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// The app that created it.
    #[serde(default)]
    pub app: Option<App>,
    /// Key/value attributes (apps store marketplace order ids here).
    #[serde(default, deserialize_with = "null_default")]
    pub custom_attributes: Vec<CustomAttribute>,
    /// The shop's currency.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// The buyer's currency.
    #[serde(default)]
    pub presentment_currency_code: Option<String>,
    /// PAID, PARTIALLY_REFUNDED, VOIDED, EXPIRED, PENDING, AUTHORIZED, … (kept as sent).
    #[serde(default)]
    pub display_financial_status: Option<String>,
    /// `shopify_payments`, `paypal`, `manual`, `gift_card`, …
    #[serde(default, deserialize_with = "null_default")]
    pub payment_gateway_names: Vec<String>,
    /// Whether line prices include their tax.
    #[serde(default, deserialize_with = "null_default")]
    pub taxes_included: bool,
    /// What the buyer paid (lines + shipping + taxes + tip − discounts).
    #[serde(default)]
    pub total_price_set: Option<MoneyBag>,
    /// Tips.
    #[serde(default)]
    pub total_tip_received_set: Option<MoneyBag>,
    /// Line items.
    #[serde(default, deserialize_with = "null_default")]
    pub line_items: Connection<LineItem>,
    /// Shipping lines.
    #[serde(default, deserialize_with = "null_default")]
    pub shipping_lines: Connection<ShippingLine>,
    /// Payment transactions (a list, not a connection).
    #[serde(default, deserialize_with = "null_default")]
    pub transactions: Vec<OrderTransaction>,
    /// Refunds (a list).
    #[serde(default, deserialize_with = "null_default")]
    pub refunds: Vec<Refund>,
}

impl Order {
    /// The order id of ledger lines: `legacyResourceId`, else the gid's number.
    pub fn order_id(&self) -> String {
        self.legacy_resource_id
            .as_ref()
            .map_or_else(|| super::gid_tail(&self.id).to_owned(), |id| id.0.clone())
    }
}

/// The app that created an order.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct App {
    /// Its name, e.g. `TikTok`.
    #[serde(default)]
    pub name: Option<String>,
}

/// A custom attribute.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CustomAttribute {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// A discount allocated to a line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountAllocation {
    /// The amount allocated.
    pub allocated_amount_set: MoneyBag,
}

/// A tax on a line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxLine {
    /// The tax.
    pub price_set: MoneyBag,
    /// Rate, e.g. 0.06.
    #[serde(default)]
    pub rate: Option<super::Amount>,
    /// Name, e.g. `State Tax`.
    #[serde(default)]
    pub title: Option<String>,
}

/// A variant as a line item names it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantRef {
    /// The gid.
    #[serde(default)]
    pub id: Option<String>,
    /// The REST id: the channel SKU id of ledger lines.
    #[serde(default)]
    pub legacy_resource_id: Option<LegacyId>,
    /// The variant's SKU now.
    #[serde(default)]
    pub sku: Option<String>,
}

/// A product as a line item names it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    /// The gid.
    #[serde(default)]
    pub id: Option<String>,
    /// The REST id.
    #[serde(default)]
    pub legacy_resource_id: Option<LegacyId>,
}

/// A line item.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    /// The gid (`gid://shopify/LineItem/…`).
    pub id: String,
    /// The SKU when the order was placed.
    #[serde(default)]
    pub sku: Option<String>,
    /// Title.
    #[serde(default)]
    pub name: Option<String>,
    /// Units ordered.
    #[serde(default)]
    pub quantity: i64,
    /// The variant (none for custom items or deleted variants).
    #[serde(default)]
    pub variant: Option<VariantRef>,
    /// The product.
    #[serde(default)]
    pub product: Option<ProductRef>,
    /// Unit price before discounts.
    #[serde(default)]
    pub original_unit_price_set: Option<MoneyBag>,
    /// Discounts on this line.
    #[serde(default, deserialize_with = "null_default")]
    pub discount_allocations: Vec<DiscountAllocation>,
    /// Taxes on this line.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<TaxLine>,
}

/// A shipping line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingLine {
    /// The gid (`gid://shopify/ShippingLine/…`).
    #[serde(default)]
    pub id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Price before discounts.
    #[serde(default)]
    pub original_price_set: Option<MoneyBag>,
    /// Shipping discounts.
    #[serde(default, deserialize_with = "null_default")]
    pub discount_allocations: Vec<DiscountAllocation>,
    /// Shipping taxes.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<TaxLine>,
}

/// A processing fee on a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionFee {
    /// The gid.
    #[serde(default)]
    pub id: Option<String>,
    /// Fee type as sent.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Rate name.
    #[serde(default)]
    pub rate_name: Option<String>,
    /// Flat fee name.
    #[serde(default)]
    pub flat_fee_name: Option<String>,
    /// The fee (positive: a cost).
    pub amount: MoneyV2,
    /// Tax on the fee.
    #[serde(default)]
    pub tax_amount: Option<MoneyV2>,
}

/// A payment transaction of an order.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTransaction {
    /// The gid (`gid://shopify/OrderTransaction/…`); its number is a balance transaction's
    /// `sourceOrderTransactionId`.
    pub id: String,
    /// SALE, CAPTURE, AUTHORIZATION, REFUND, VOID, CHANGE, … (kept as sent).
    #[serde(default)]
    pub kind: Option<String>,
    /// SUCCESS, FAILURE, PENDING, ERROR, … (kept as sent).
    #[serde(default)]
    pub status: Option<String>,
    /// `shopify_payments`, `paypal`, `manual`, `gift_card`, …
    #[serde(default)]
    pub gateway: Option<String>,
    /// When processed.
    #[serde(default)]
    pub processed_at: Option<DateTime<Utc>>,
    /// A test transaction.
    #[serde(default, deserialize_with = "null_default")]
    pub test: bool,
    /// The amount.
    #[serde(default)]
    pub amount_set: Option<MoneyBag>,
    /// Processing fees.
    #[serde(default, deserialize_with = "null_default")]
    pub fees: Vec<TransactionFee>,
}

/// The line item a refund line item refunds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RefundLineItemRef {
    /// The line item's gid.
    pub id: String,
    /// Its SKU.
    #[serde(default)]
    pub sku: Option<String>,
}

/// A refunded line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLineItem {
    /// The gid (none in some older answers: the line item's id keys it then).
    #[serde(default)]
    pub id: Option<String>,
    /// Units refunded.
    #[serde(default)]
    pub quantity: i64,
    /// RETURN, CANCEL, NO_RESTOCK, LEGACY_RESTOCK (kept as sent).
    #[serde(default)]
    pub restock_type: Option<String>,
    /// Whether the units went back to stock.
    #[serde(default)]
    pub restocked: Option<bool>,
    /// The refunded line item (always asked for; tolerated missing in older saved answers).
    #[serde(default)]
    pub line_item: Option<RefundLineItemRef>,
    /// The refunded price (after discounts).
    #[serde(default)]
    pub subtotal_set: Option<MoneyBag>,
    /// The refunded tax.
    #[serde(default)]
    pub total_tax_set: Option<MoneyBag>,
}

/// A refunded shipping line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundShippingLine {
    /// The gid.
    #[serde(default)]
    pub id: Option<String>,
    /// Shipping refunded.
    #[serde(default)]
    pub subtotal_amount_set: Option<MoneyBag>,
    /// Its tax.
    #[serde(default)]
    pub tax_amount_set: Option<MoneyBag>,
}

/// An order adjustment of a refund (refund discrepancy, shipping refund in older versions).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderAdjustment {
    /// The gid.
    #[serde(default)]
    pub id: Option<String>,
    /// REFUND_DISCREPANCY, SHIPPING_REFUND, … (kept as sent).
    #[serde(default)]
    pub reason: Option<String>,
    /// The amount; its sign is [O] (REST shows shipping refunds negative).
    #[serde(default)]
    pub amount_set: Option<MoneyBag>,
    /// Its tax.
    #[serde(default)]
    pub tax_amount_set: Option<MoneyBag>,
}

/// A refund.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// The gid.
    pub id: String,
    /// The REST id.
    #[serde(default)]
    pub legacy_resource_id: Option<LegacyId>,
    /// When it was made: the date of its ledger lines.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The merchant's note.
    #[serde(default)]
    pub note: Option<String>,
    /// What went back to the buyer (positive).
    #[serde(default)]
    pub total_refunded_set: Option<MoneyBag>,
    /// Refunded lines.
    #[serde(default, deserialize_with = "null_default")]
    pub refund_line_items: Connection<RefundLineItem>,
    /// Refunded shipping.
    #[serde(default, deserialize_with = "null_default")]
    pub refund_shipping_lines: Connection<RefundShippingLine>,
    /// Adjustments.
    #[serde(default, deserialize_with = "null_default")]
    pub order_adjustments: Connection<OrderAdjustment>,
    /// The refund's payment transactions.
    #[serde(default, deserialize_with = "null_default")]
    pub transactions: Connection<OrderTransaction>,
}

impl Refund {
    /// The refund's id in keys: `legacyResourceId`, else the gid's number.
    pub fn refund_id(&self) -> String {
        self.legacy_resource_id
            .as_ref()
            .map_or_else(|| super::gid_tail(&self.id).to_owned(), |id| id.0.clone())
    }
}
