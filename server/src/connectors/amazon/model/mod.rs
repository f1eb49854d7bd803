//! Finances v0 wire models, named exactly as `financesV0.json` names them (PascalCase; the
//! `ProductAdsPaymentEvent` and `SellerDealPaymentEvent` fields camelCase).
//!
//! `CurrencyAmount` is a JSON number (`BigDecimal`): it is kept as its raw text and read as an
//! exact decimal, never through `f64`. A string amount is tolerated. Each event list is kept as
//! raw events and each event parsed on its own, so one malformed event is a listed failure, not
//! a lost page; an event list this model does not know is listed too (see
//! [`super::finances`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::money::{Currency, Money, MoneyError};

mod events;

pub use events::*;

/// `{payload, errors}` of every Finances v0 response.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// The operation's payload.
    pub payload: Option<T>,
    /// Errors the operation reported.
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

/// One entry of `errors`.
#[derive(Clone, Debug, Deserialize)]
pub struct ApiError {
    /// Error code (`InvalidInput`, …).
    pub code: String,
    /// Message.
    #[serde(default)]
    pub message: String,
}

/// `listFinancialEventGroups` payload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupsPayload {
    /// Token of the next page.
    pub next_token: Option<String>,
    /// The groups.
    #[serde(default)]
    pub financial_event_group_list: Vec<FinancialEventGroup>,
}

/// A settlement period (A.3).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FinancialEventGroup {
    /// The group's id (not the settlement report's `settlement-id`).
    pub financial_event_group_id: String,
    /// `Open` or `Closed`.
    pub processing_status: Option<String>,
    /// Free text (Succeeded, Initiated, …) [values U].
    pub fund_transfer_status: Option<String>,
    /// Total in the marketplace currency (a running balance while Open).
    pub original_total: Option<Amount>,
    /// Total in the disbursement currency.
    pub converted_total: Option<Amount>,
    /// When the transfer was initiated (Closed groups only).
    pub fund_transfer_date: Option<DateTime<Utc>>,
    /// Bank trace id.
    pub trace_id: Option<String>,
    /// Last digits of the payment instrument.
    pub account_tail: Option<String>,
    /// Balance at the start.
    pub beginning_balance: Option<Amount>,
    /// Period start.
    pub financial_event_group_start: Option<DateTime<Utc>>,
    /// Period end.
    pub financial_event_group_end: Option<DateTime<Utc>>,
}

/// `listFinancialEventsByGroupId` payload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventsPayload {
    /// Token of the next page.
    pub next_token: Option<String>,
    /// Event lists by name, each event kept raw.
    #[serde(default)]
    pub financial_events: BTreeMap<String, Option<Vec<Box<RawValue>>>>,
}

/// `Currency {CurrencyCode, CurrencyAmount}` with the amount's exact text.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Amount {
    /// ISO 4217 code.
    pub currency_code: Option<String>,
    /// The JSON number (or string) as written.
    pub currency_amount: Option<Box<RawValue>>,
}

impl Amount {
    /// The exact amount; `None` when the amount is absent or `null`.
    ///
    /// # Errors
    /// An unknown currency, or text that is no decimal number.
    pub fn money(&self, fallback: Currency) -> Result<Option<Money>, MoneyError> {
        let Some(raw) = &self.currency_amount else {
            return Ok(None);
        };
        let text = raw.get().trim();
        if text == "null" {
            return Ok(None);
        }
        let currency = match self.currency_code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => Currency::parse(code)?,
            _ => fallback,
        };
        // A string amount (tolerated) is read from between its quotes.
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        decimal_text(text, currency).map(Some)
    }
}

/// Reads a JSON number's text exactly, exponent notation included ("1.5E2").
pub(crate) fn decimal_text(text: &str, currency: Currency) -> Result<Money, MoneyError> {
    match Money::parse(text, currency) {
        Ok(money) => Ok(money),
        Err(error) if text.contains(['e', 'E']) => rust_decimal::Decimal::from_scientific(text)
            .map(|amount| Money::from_decimal(amount, currency))
            .map_err(|_| error),
        Err(error) => Err(error),
    }
}

/// `ChargeComponent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Charge {
    /// `Principal`, `Tax`, … (A.7).
    pub charge_type: Option<String>,
    /// The amount.
    pub charge_amount: Option<Amount>,
}

/// `FeeComponent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fee {
    /// `Commission`, `FBAPerUnitFulfillmentFee`, … (A.8).
    pub fee_type: Option<String>,
    /// The amount.
    pub fee_amount: Option<Amount>,
}

/// `Promotion`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Promotion {
    /// Type.
    pub promotion_type: Option<String>,
    /// Seller's id.
    pub promotion_id: Option<String>,
    /// The amount.
    pub promotion_amount: Option<Amount>,
}

/// `TaxWithheldComponent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxWithheld {
    /// `MarketplaceFacilitator` or `Standard`.
    pub tax_collection_model: Option<String>,
    /// The taxes withheld.
    #[serde(default)]
    pub taxes_withheld: Vec<Charge>,
}

/// `DirectPayment`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DirectPayment {
    /// Type.
    pub direct_payment_type: Option<String>,
    /// The amount.
    pub direct_payment_amount: Option<Amount>,
}

/// `ShipmentEvent`: a shipment, refund, guarantee claim or chargeback (A.6).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShipmentEvent {
    /// The order.
    pub amazon_order_id: Option<String>,
    /// The seller's order id.
    pub seller_order_id: Option<String>,
    /// Marketplace.
    pub marketplace_name: Option<String>,
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Order-level charges (MCF COD).
    #[serde(default)]
    pub order_charge_list: Vec<Charge>,
    /// Order-level charge adjustments.
    #[serde(default)]
    pub order_charge_adjustment_list: Vec<Charge>,
    /// Shipment-level fees.
    #[serde(default)]
    pub shipment_fee_list: Vec<Fee>,
    /// Shipment-level fee adjustments.
    #[serde(default)]
    pub shipment_fee_adjustment_list: Vec<Fee>,
    /// Order-level fees (MCF).
    #[serde(default)]
    pub order_fee_list: Vec<Fee>,
    /// Order-level fee adjustments.
    #[serde(default)]
    pub order_fee_adjustment_list: Vec<Fee>,
    /// Direct payments.
    #[serde(default)]
    pub direct_payment_list: Vec<DirectPayment>,
    /// Items of a shipment.
    #[serde(default)]
    pub shipment_item_list: Vec<ShipmentItem>,
    /// Items of a refund, claim or chargeback.
    #[serde(default)]
    pub shipment_item_adjustment_list: Vec<ShipmentItem>,
}

/// `ShipmentItem`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShipmentItem {
    /// Seller SKU.
    #[serde(rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    /// Order item.
    pub order_item_id: Option<String>,
    /// Adjustment item (refunds, claims, chargebacks).
    pub order_adjustment_item_id: Option<String>,
    /// Units.
    pub quantity_shipped: Option<i64>,
    /// Charges.
    #[serde(default)]
    pub item_charge_list: Vec<Charge>,
    /// Charge adjustments.
    #[serde(default)]
    pub item_charge_adjustment_list: Vec<Charge>,
    /// Fees.
    #[serde(default)]
    pub item_fee_list: Vec<Fee>,
    /// Fee adjustments.
    #[serde(default)]
    pub item_fee_adjustment_list: Vec<Fee>,
    /// Taxes withheld.
    #[serde(default)]
    pub item_tax_withheld_list: Vec<TaxWithheld>,
    /// Promotions.
    #[serde(default)]
    pub promotion_list: Vec<Promotion>,
    /// Promotion adjustments.
    #[serde(default)]
    pub promotion_adjustment_list: Vec<Promotion>,
    /// Cost of Amazon Points granted.
    pub cost_of_points_granted: Option<Amount>,
    /// Cost of Amazon Points returned.
    pub cost_of_points_returned: Option<Amount>,
}
