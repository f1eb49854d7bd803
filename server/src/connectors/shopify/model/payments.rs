//! Shopify Payments: balance transactions (the settled ledger) and payouts, as
//! `queries::BALANCE_TRANSACTIONS` and `queries::PAYOUTS` ask for them.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{null_default, LegacyId, MoneyV2};

/// The order a balance transaction belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AssociatedOrder {
    /// The order's gid (tolerated missing: `{}` in some saved answers).
    #[serde(default)]
    pub id: Option<String>,
    /// `#1001`.
    #[serde(default)]
    pub name: Option<String>,
}

/// The payout a balance transaction is (or will be) paid in.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AssociatedPayout {
    /// The payout's gid; none while the transaction is not assigned yet.
    #[serde(default)]
    pub id: Option<String>,
    /// PENDING, SCHEDULED, PAID, … (kept as sent).
    #[serde(default)]
    pub status: Option<String>,
}

/// An order an adjustment touches.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdjustmentOrder {
    /// `#1001`.
    #[serde(default)]
    pub name: Option<String>,
    /// The order transaction.
    #[serde(default, deserialize_with = "super::optional_id")]
    pub order_transaction_id: Option<LegacyId>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<MoneyV2>,
    /// Fees.
    #[serde(default)]
    pub fees: Option<MoneyV2>,
    /// Net.
    #[serde(default)]
    pub net: Option<MoneyV2>,
}

/// `ShopifyPaymentsBalanceTransaction`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceTransaction {
    /// The gid.
    pub id: String,
    /// CHARGE, REFUND, ADJUSTMENT, TRANSFER, DISPUTE, … (a growing enum, kept as sent; the
    /// normaliser reads it in upper case, as REST-era saved files write `charge`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Test mode.
    #[serde(default, deserialize_with = "null_default")]
    pub test: bool,
    /// When processed: the date of its ledger lines.
    pub transaction_date: DateTime<Utc>,
    /// Why, for adjustments.
    #[serde(default)]
    pub adjustment_reason: Option<String>,
    /// The source's id (a payout id for TRANSFER rows).
    #[serde(default, deserialize_with = "super::optional_id")]
    pub source_id: Option<LegacyId>,
    /// CHARGE, REFUND, ADJUSTMENT, DISPUTE, TRANSFER, … (kept as sent).
    #[serde(default)]
    pub source_type: Option<String>,
    /// The order transaction behind it (a refund's transaction for REFUND rows); a number,
    /// [O] sometimes a gid or `""`.
    #[serde(default, deserialize_with = "super::optional_id")]
    pub source_order_transaction_id: Option<LegacyId>,
    /// Gross.
    pub amount: MoneyV2,
    /// Fee (positive: a cost, by the docs' arithmetic).
    pub fee: MoneyV2,
    /// Net (= amount − fee by the docs' examples).
    pub net: MoneyV2,
    /// The order.
    #[serde(default)]
    pub associated_order: Option<AssociatedOrder>,
    /// The payout.
    #[serde(default)]
    pub associated_payout: Option<AssociatedPayout>,
    /// Orders an adjustment touches.
    #[serde(default, deserialize_with = "null_default")]
    pub adjustments_orders: Vec<AdjustmentOrder>,
}

/// `ShopifyPaymentsPayoutSummary`: gross and fee per category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSummary {
    /// Adjustments' fees.
    #[serde(default)]
    pub adjustments_fee: Option<MoneyV2>,
    /// Adjustments' gross.
    #[serde(default)]
    pub adjustments_gross: Option<MoneyV2>,
    /// Charges' fees.
    #[serde(default)]
    pub charges_fee: Option<MoneyV2>,
    /// Charges' gross.
    #[serde(default)]
    pub charges_gross: Option<MoneyV2>,
    /// Refunds' fees.
    #[serde(default)]
    pub refunds_fee: Option<MoneyV2>,
    /// Refunds' gross.
    #[serde(default)]
    pub refunds_fee_gross: Option<MoneyV2>,
    /// Reserves' fees.
    #[serde(default)]
    pub reserved_funds_fee: Option<MoneyV2>,
    /// Reserves' gross.
    #[serde(default)]
    pub reserved_funds_gross: Option<MoneyV2>,
    /// Retried payouts' fees.
    #[serde(default)]
    pub retried_payouts_fee: Option<MoneyV2>,
    /// Retried payouts' gross.
    #[serde(default)]
    pub retried_payouts_gross: Option<MoneyV2>,
}

/// `ShopifyPaymentsPayout`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    /// The gid.
    pub id: String,
    /// The REST id: the payout's external id.
    #[serde(default)]
    pub legacy_resource_id: Option<LegacyId>,
    /// When issued; the payout holds the transactions available then.
    #[serde(default)]
    pub issued_at: Option<DateTime<Utc>>,
    /// SCHEDULED, IN_TRANSIT, PAID, FAILED, CANCELED (kept as sent).
    #[serde(default)]
    pub status: Option<String>,
    /// DEPOSIT or WITHDRAWAL.
    #[serde(default)]
    pub transaction_type: Option<String>,
    /// The amount moved.
    pub net: MoneyV2,
    /// Per-category gross and fees.
    #[serde(default)]
    pub summary: Option<PayoutSummary>,
}

impl Payout {
    /// The payout's external id: `legacyResourceId`, else the gid's number.
    pub fn payout_id(&self) -> String {
        self.legacy_resource_id
            .as_ref()
            .map_or_else(|| super::gid_tail(&self.id).to_owned(), |id| id.0.clone())
    }
}
