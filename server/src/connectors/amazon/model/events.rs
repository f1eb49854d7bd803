//! Finances v0 events other than shipments: service fees, adjustments, advertising, programs
//! and the account-level lists.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Amount, Charge, Fee, TaxWithheld};

/// `ServiceFeeEvent` (no `PostedDate` in the model).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceFeeEvent {
    /// Order (or removal order) id, often absent.
    pub amazon_order_id: Option<String>,
    /// Reason.
    pub fee_reason: Option<String>,
    /// Fees.
    #[serde(default)]
    pub fee_list: Vec<Fee>,
    /// Seller SKU.
    #[serde(rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    /// ASIN.
    #[serde(rename = "ASIN")]
    pub asin: Option<String>,
    /// Description.
    pub fee_description: Option<String>,
}

/// `AdjustmentEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdjustmentEvent {
    /// `FBAInventoryReimbursement`, `ReserveEvent`, …
    pub adjustment_type: Option<String>,
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Total of the event.
    pub adjustment_amount: Option<Amount>,
    /// Items.
    #[serde(default)]
    pub adjustment_item_list: Vec<AdjustmentItem>,
}

/// `AdjustmentItem`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdjustmentItem {
    /// Units, as a string.
    pub quantity: Option<String>,
    /// Item total.
    pub total_amount: Option<Amount>,
    /// Seller SKU.
    #[serde(rename = "SellerSKU")]
    pub seller_sku: Option<String>,
    /// Description.
    pub product_description: Option<String>,
    /// ASIN.
    #[serde(rename = "ASIN")]
    pub asin: Option<String>,
}

/// `ProductAdsPaymentEvent` (camelCase).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductAdsPaymentEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// `charge` or `refund`.
    pub transaction_type: Option<String>,
    /// Invoice.
    pub invoice_id: Option<String>,
    /// Before tax.
    pub base_value: Option<Amount>,
    /// Tax.
    pub tax_value: Option<Amount>,
    /// base + tax.
    pub transaction_value: Option<Amount>,
}

/// `SellerDealPaymentEvent` (camelCase).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerDealPaymentEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Deal.
    pub deal_id: Option<String>,
    /// `RunLightningDealFee`.
    pub fee_type: Option<String>,
    /// Fee.
    pub fee_amount: Option<Amount>,
    /// Tax.
    pub tax_amount: Option<Amount>,
    /// fee + tax.
    pub total_amount: Option<Amount>,
}

/// `CouponPaymentEvent` and `SellerReviewEnrollmentPaymentEvent` (same money fields).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProgramPaymentEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Fee part.
    pub fee_component: Option<Fee>,
    /// Charge part.
    pub charge_component: Option<Charge>,
    /// fee + charge.
    pub total_amount: Option<Amount>,
}

/// `RetrochargeEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetrochargeEvent {
    /// `Retrocharge` or `RetrochargeReversal`.
    pub retrocharge_event_type: Option<String>,
    /// The order.
    pub amazon_order_id: Option<String>,
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Tax on the principal.
    pub base_tax: Option<Amount>,
    /// Tax on shipping.
    pub shipping_tax: Option<Amount>,
    /// Taxes withheld.
    #[serde(default)]
    pub retrocharge_tax_withheld_list: Vec<TaxWithheld>,
}

/// `RemovalShipmentEvent` / `RemovalShipmentAdjustmentEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovalShipmentEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Removal order.
    pub order_id: Option<String>,
    /// Items.
    #[serde(default)]
    pub removal_shipment_item_list: Vec<RemovalItem>,
    /// Adjusted items.
    #[serde(default)]
    pub removal_shipment_item_adjustment_list: Vec<RemovalItem>,
}

/// `RemovalShipmentItem` / `RemovalShipmentItemAdjustment`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovalItem {
    /// FNSKU.
    #[serde(rename = "FulfillmentNetworkSKU")]
    pub fulfillment_network_sku: Option<String>,
    /// Paid to the seller.
    #[serde(alias = "RevenueAdjustment")]
    pub revenue: Option<Amount>,
    /// Removal fee (negative).
    pub fee_amount: Option<Amount>,
    /// Tax on the revenue.
    #[serde(alias = "TaxAmountAdjustment")]
    pub tax_amount: Option<Amount>,
    /// Tax withheld (negative).
    #[serde(alias = "TaxWithheldAdjustment")]
    pub tax_withheld: Option<Amount>,
}

/// `FBALiquidationEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LiquidationEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Proceeds.
    pub liquidation_proceeds_amount: Option<Amount>,
    /// Fee.
    pub liquidation_fee_amount: Option<Amount>,
}

/// An event with one amount and a type: SAFE-T and TDS reimbursements, ad hoc disbursements,
/// value-added services, capacity reservations, tax withholding, debt recovery, loans, solution
/// provider credits. Each list names its amount field (see [`super::finances`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SingleAmountEvent {
    /// When posted (`TransactionCreationDate` for provider credits).
    #[serde(alias = "TransactionCreationDate")]
    pub posted_date: Option<DateTime<Utc>>,
    /// `TransactionType`, `DebtRecoveryType`, `SourceBusinessEventType`, …
    #[serde(
        alias = "TransactionType",
        alias = "DebtRecoveryType",
        alias = "SourceBusinessEventType",
        alias = "ProviderTransactionType",
        alias = "ReasonCode"
    )]
    pub kind: Option<String>,
    /// Every amount field the lists use.
    #[serde(
        alias = "ReimbursedAmount",
        alias = "TransactionAmount",
        alias = "TransferAmount",
        alias = "WithheldAmount",
        alias = "RecoveryAmount",
        alias = "LoanAmount"
    )]
    pub amount: Option<Amount>,
}

/// Events whose money is a fee list (`ImagingServicesFeeEvent`, `TrialShipmentEvent`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FeeListEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Order, for trial shipments.
    pub amazon_order_id: Option<String>,
    /// SKU, for trial shipments.
    #[serde(rename = "SKU")]
    pub sku: Option<String>,
    /// Fees.
    #[serde(default)]
    pub fee_list: Vec<Fee>,
}

/// `AffordabilityExpenseEvent` (and its reversal).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AffordabilityExpenseEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// The order.
    pub amazon_order_id: Option<String>,
    /// Base.
    pub base_expense: Option<Amount>,
    /// CGST.
    #[serde(rename = "TaxTypeCGST")]
    pub tax_type_cgst: Option<Amount>,
    /// SGST.
    #[serde(rename = "TaxTypeSGST")]
    pub tax_type_sgst: Option<Amount>,
    /// IGST.
    #[serde(rename = "TaxTypeIGST")]
    pub tax_type_igst: Option<Amount>,
}

/// `NetworkComminglingTransactionEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComminglingEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// `NetCo` or `ComminglingVAT`.
    pub transaction_type: Option<String>,
    /// Price less tax.
    pub tax_exclusive_amount: Option<Amount>,
    /// Tax paid by the seller.
    pub tax_amount: Option<Amount>,
}

/// `ChargeRefundEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChargeRefundEvent {
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// The refunded charges (an object in the model; a list tolerated).
    #[serde(default)]
    pub charge_refund_transactions: Option<Box<RawValue>>,
}

/// `ChargeRefundTransaction`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChargeRefundTransaction {
    /// The amount.
    pub charge_amount: Option<Amount>,
    /// The type.
    pub charge_type: Option<String>,
}

/// `PayWithAmazonEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PayWithAmazonEvent {
    /// When posted.
    pub transaction_posted_date: Option<DateTime<Utc>>,
    /// The charge.
    pub charge: Option<Charge>,
    /// Fees.
    #[serde(default)]
    pub fee_list: Vec<Fee>,
}

/// `RentalTransactionEvent`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RentalEvent {
    /// The order.
    pub amazon_order_id: Option<String>,
    /// When posted.
    pub posted_date: Option<DateTime<Utc>>,
    /// Charges.
    #[serde(default)]
    pub rental_charge_list: Vec<Charge>,
    /// Fees.
    #[serde(default)]
    pub rental_fee_list: Vec<Fee>,
    /// Reimbursement.
    pub rental_reimbursement: Option<Amount>,
    /// Taxes withheld.
    #[serde(default)]
    pub rental_tax_withheld_list: Vec<TaxWithheld>,
}
