//! Shopify's built-in label → bucket table. Labels are of two kinds:
//! - the components the order normaliser splits money into (`line_item`, `discount`, `tax`,
//!   `shipping`, …, `refund_line_item`, …): the same labels on ESTIMATED order lines and on the
//!   SETTLED lines a balance transaction's gross is split into, so both book to the same buckets;
//! - Shopify Payments balance-transaction types (`ShopifyPaymentsTransactionType`, as sent)
//!   for the gross of transactions that are not split by an order, and `fee:{TYPE}` for their
//!   fee. The enum keeps growing (reference C.7): a type not listed here goes to OTHER under
//!   its own name, unmapped, so `unmappedFees` lists it.

use crate::ledger::mapping::{FeeMapper, Mapping};
use crate::ledger::FeeBucket;

use FeeBucket::{
    Adjustments, Advertising, Penalties, PlatformCommission, ProductSales, ProgramFees, Refunds,
    Reserves, SellerDiscounts, ShippingIncome, TaxesCollected, TransactionFees,
};

/// Every Shopify label with a built-in bucket.
pub const LABELS: &[(&str, FeeBucket)] = &[
    // Order components (estimates, and the split of a charge's gross).
    ("line_item", ProductSales),
    ("discount", SellerDiscounts),
    ("tax", TaxesCollected),
    ("shipping", ShippingIncome),
    ("shipping_discount", SellerDiscounts),
    ("shipping_tax", TaxesCollected),
    // A tip is money the buyer gives on top of the goods: income, but not sales of any SKU
    // (it would inflate net sales and margins), so it is an adjustment: in profit, not in
    // net sales.
    ("tip", Adjustments),
    // Components that do not add up to the order's total (duties, fields Shopify adds later).
    ("order_remainder", Adjustments),
    ("transaction_fee", TransactionFees),
    // Refund components.
    ("refund_line_item", Refunds),
    ("refund_tax", TaxesCollected),
    ("refund_shipping", ShippingIncome),
    ("refund_shipping_tax", TaxesCollected),
    ("refund_adjustment", Refunds),
    // A charge or refund whose order is not known yet: its gross, whole.
    ("unsplit_charge", ProductSales),
    ("unsplit_refund", Refunds),
    // Balance-transaction types (gross) …
    ("CHARGE", ProductSales),
    ("REFUND", Refunds),
    ("ADJUSTMENT", Adjustments),
    ("CHARGE_ADJUSTMENT", Adjustments),
    ("REFUND_ADJUSTMENT", Refunds),
    ("REFUND_FAILURE", Refunds),
    ("SYSTEM_ADJUSTMENT", Adjustments),
    ("ADJUSTMENT_REVERSAL", Adjustments),
    ("ANOMALY_CREDIT", Adjustments),
    ("ANOMALY_CREDIT_REVERSAL", Adjustments),
    ("ANOMALY_DEBIT", Adjustments),
    ("ANOMALY_DEBIT_REVERSAL", Adjustments),
    ("DISPUTE", Penalties),
    ("DISPUTE_WITHDRAWAL", Penalties),
    ("DISPUTE_REVERSAL", Penalties),
    ("CHARGEBACK_FEE", Penalties),
    ("CHARGEBACK_FEE_REFUND", Penalties),
    ("CHARGEBACK_HOLD", Reserves),
    ("CHARGEBACK_HOLD_RELEASE", Reserves),
    ("RESERVED_FUNDS", Reserves),
    ("RESERVED_FUNDS_REVERSAL", Reserves),
    ("RESERVED_FUNDS_WITHDRAWAL", Reserves),
    ("BILLING_DEBIT", ProgramFees),
    ("BILLING_DEBIT_REVERSAL", ProgramFees),
    ("APPLICATION_FEE_REFUND", ProgramFees),
    ("SHIPPING_LABEL", FeeBucket::ShippingCosts),
    ("SHIPPING_LABEL_ADJUSTMENT", FeeBucket::ShippingCosts),
    (
        "SHIPPING_RETURN_TO_ORIGIN_ADJUSTMENT",
        FeeBucket::ShippingCosts,
    ),
    ("TAX_ADJUSTMENT_DEBIT", TaxesCollected),
    ("TAX_ADJUSTMENT_CREDIT", TaxesCollected),
    ("ADS_PUBLISHER_CREDIT", Advertising),
    ("ADS_PUBLISHER_CREDIT_REVERSAL", Advertising),
    ("CHANNEL_CREDIT", Adjustments),
    ("CHANNEL_CREDIT_REVERSAL", Adjustments),
    ("CHANNEL_PROMOTION_CREDIT", Adjustments),
    ("CHANNEL_PROMOTION_CREDIT_REVERSAL", Adjustments),
    ("MARKETPLACE_FEE_CREDIT", PlatformCommission),
    ("MARKETPLACE_FEE_CREDIT_REVERSAL", PlatformCommission),
    ("MERCHANT_GOODWILL_CREDIT", Adjustments),
    ("MERCHANT_GOODWILL_CREDIT_REVERSAL", Adjustments),
    ("PROMOTION_CREDIT", Adjustments),
    ("PROMOTION_CREDIT_REVERSAL", Adjustments),
    // Shopify Capital: the loan paid in and its repayments are financing, not profit — cash
    // timing like a reserve (the loan's fee is inside the repayments [U]: not separable here).
    ("LENDING_DEBIT", Reserves),
    ("LENDING_DEBIT_REVERSAL", Reserves),
    ("LENDING_CREDIT", Reserves),
    ("LENDING_CREDIT_REVERSAL", Reserves),
    // … and their fees.
    ("fee:CHARGE", TransactionFees),
    ("fee:REFUND", TransactionFees),
    ("fee:ADJUSTMENT", TransactionFees),
    ("fee:CHARGE_ADJUSTMENT", TransactionFees),
    ("fee:REFUND_ADJUSTMENT", TransactionFees),
    ("fee:DISPUTE", Penalties),
    ("fee:DISPUTE_WITHDRAWAL", Penalties),
    ("fee:DISPUTE_REVERSAL", Penalties),
    ("fee:CHARGEBACK_FEE", Penalties),
    ("fee:RESERVED_FUNDS", Reserves),
];

/// Where `label` is booked: the org's override, else the built-in table (reached through the
/// connector registry once Shopify is registered there, and read here directly too so the
/// normalisers book right whatever the registry holds), else OTHER, unmapped.
pub fn resolve(mapper: &FeeMapper, label: &str) -> Mapping {
    let mapping = mapper.resolve(super::CHANNEL, label);
    if mapping.mapped {
        return mapping;
    }
    LABELS
        .iter()
        .find(|(known, _)| *known == label)
        .map_or(mapping, |&(_, bucket)| Mapping {
            bucket,
            mapped: true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_label_is_listed_twice() {
        let mut labels: Vec<&str> = LABELS.iter().map(|(label, _)| *label).collect();
        labels.sort_unstable();
        let before = labels.len();
        labels.dedup();
        assert_eq!(labels.len(), before);
    }

    #[test]
    fn an_unknown_type_is_other_and_unmapped() {
        let mapping = resolve(&FeeMapper::defaults(), "AGENTIC_FEE_TAX_DEBIT");
        assert_eq!(mapping.bucket, FeeBucket::Other);
        assert!(!mapping.mapped);
        assert_eq!(
            resolve(&FeeMapper::defaults(), "CHARGE").bucket,
            ProductSales
        );
    }
}
