//! Amazon's label → bucket table (data, not logic), and the one spelling both Amazon sources
//! use for a label.
//!
//! Labels are Finances v0 `ChargeType` / `FeeType` values (reference A.7, A.8), event kinds
//! (`AdjustmentType`, service-fee reasons, program fees) and the settlement file's
//! `amount-type` / `amount-description` vocabulary (B.4). A charge of a refund, guarantee claim
//! or chargeback is labelled `Refund:…`, `GuaranteeClaim:…` or `Chargeback:…`, because the
//! same `Principal` is a sale on an order and a refund on a return.
//!
//! Amazon's casing drifts (`Giftwrap` in the model, `GiftWrap` in payloads and files), so
//! [`canonical`] compares case-insensitively and returns the table's spelling; the settlement
//! file's names for what the API calls otherwise (`Shipping` for `ShippingCharge`, `Storage Fee`
//! for `FBAStorageFee`, …) are [`ALIASES`]. ⚠ The aliases are observed names, not a published
//! crosswalk [O/U]: a name neither table knows stays as Amazon wrote it and is booked to OTHER.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::ledger::FeeBucket;
use FeeBucket::{
    Adjustments, Advertising, Fulfillment, Penalties, PlatformCommission, ProductSales,
    ProgramFees, RefundAdminFees, Refunds, Reserves, SellerDiscounts, ShippingCosts,
    ShippingIncome, Storage, TaxesCollected, TaxesRemitted, TransactionFees, WithholdingTax,
};

/// The built-in Amazon table. Every label appears once (a test checks it, case-insensitively).
pub const LABELS: &[(&str, FeeBucket)] = &[
    // Item and order charges of a sale (A.7; settlement amount-type ItemPrice).
    ("Principal", ProductSales),
    ("Tax", TaxesCollected),
    ("ShippingCharge", ShippingIncome),
    ("ShippingTax", TaxesCollected),
    ("Giftwrap", ProductSales),
    ("GiftwrapTax", TaxesCollected),
    ("RegulatoryFee", ProductSales),
    ("Discount", SellerDiscounts),
    ("TaxDiscount", TaxesCollected),
    ("CODItemCharge", ProductSales),
    ("CODItemTaxCharge", TaxesCollected),
    ("CODOrderCharge", ProductSales),
    ("CODOrderTaxCharge", TaxesCollected),
    ("CODShippingCharge", ShippingIncome),
    ("CODShippingTaxCharge", TaxesCollected),
    ("Goodwill", Refunds),
    ("RestockingFee", Refunds),
    ("ReturnShipping", ShippingCosts),
    ("PointsFee", ProgramFees),
    ("GenericDeduction", Penalties),
    ("FreeReplacementReturnShipping", ShippingCosts),
    ("PaymentMethodFee", TransactionFees),
    ("ExportCharge", ShippingIncome),
    ("SAFE-TReimbursement", Adjustments),
    ("PaidthroughEBT", ProductSales),
    ("BaseTax", TaxesCollected),
    ("CostOfPointsGranted", ProgramFees),
    ("CostOfPointsReturned", ProgramFees),
    // Taxes the marketplace withholds and remits (ItemTaxWithheldList; ItemWithheldTax).
    ("MarketplaceFacilitatorTax-Principal", TaxesRemitted),
    ("MarketplaceFacilitatorTax-Shipping", TaxesRemitted),
    ("MarketplaceFacilitatorTax-Giftwrap", TaxesRemitted),
    ("MarketplaceFacilitatorTax-Other", TaxesRemitted),
    ("MarketplaceFacilitatorTax-RestockingFee", TaxesRemitted),
    ("MarketplaceFacilitatorVAT-Principal", TaxesRemitted),
    ("MarketplaceFacilitatorVAT-Shipping", TaxesRemitted),
    ("MarketplaceFacilitatorVAT-Giftwrap", TaxesRemitted),
    ("LowValueGoodsTax-Principal", TaxesRemitted),
    ("LowValueGoodsTax-Shipping", TaxesRemitted),
    ("TCS-CGST", TaxesRemitted),
    ("TCS-SGST", TaxesRemitted),
    ("TCS-IGST", TaxesRemitted),
    ("TCS-UTGST", TaxesRemitted),
    // Promotions (PromotionList; amount-type Promotion).
    ("Promotion", SellerDiscounts),
    // Charges of a refund: the money given back.
    ("Refund:Principal", Refunds),
    ("Refund:ShippingCharge", Refunds),
    ("Refund:Giftwrap", Refunds),
    ("Refund:Discount", Refunds),
    ("Refund:Promotion", Refunds),
    ("Refund:Goodwill", Refunds),
    ("Refund:RestockingFee", Refunds),
    ("Refund:ReturnShipping", ShippingCosts),
    ("Refund:ExportCharge", Refunds),
    ("Refund:Tax", TaxesCollected),
    ("Refund:ShippingTax", TaxesCollected),
    ("Refund:GiftwrapTax", TaxesCollected),
    ("Refund:TaxDiscount", TaxesCollected),
    ("Refund:MarketplaceFacilitatorTax-Principal", TaxesRemitted),
    ("Refund:MarketplaceFacilitatorTax-Shipping", TaxesRemitted),
    ("Refund:MarketplaceFacilitatorTax-Giftwrap", TaxesRemitted),
    ("Refund:MarketplaceFacilitatorTax-Other", TaxesRemitted),
    ("Refund:MarketplaceFacilitatorVAT-Principal", TaxesRemitted),
    ("Refund:MarketplaceFacilitatorVAT-Shipping", TaxesRemitted),
    // A-to-z guarantee claims: a refund the seller funds.
    ("GuaranteeClaim:Principal", Refunds),
    ("GuaranteeClaim:ShippingCharge", Refunds),
    ("GuaranteeClaim:Giftwrap", Refunds),
    ("GuaranteeClaim:Promotion", Refunds),
    ("GuaranteeClaim:Tax", TaxesCollected),
    ("GuaranteeClaim:ShippingTax", TaxesCollected),
    ("GuaranteeClaim:GiftwrapTax", TaxesCollected),
    // Chargebacks: money the card issuer takes back (DESIGN: PENALTIES).
    ("Chargeback:Principal", Penalties),
    ("Chargeback:ShippingCharge", Penalties),
    ("Chargeback:Giftwrap", Penalties),
    ("Chargeback:Promotion", Penalties),
    ("Chargeback:Tax", TaxesCollected),
    ("Chargeback:ShippingTax", TaxesCollected),
    ("Chargeback:GiftwrapTax", TaxesCollected),
    // Selling fees (A.8; amount-type ItemFees / ShipmentFees). Commission is negative on a sale
    // and positive (given back) on a refund; both are PLATFORM_COMMISSION.
    ("Commission", PlatformCommission),
    ("RefundCommission", RefundAdminFees),
    ("FixedClosingFee", PlatformCommission),
    ("VariableClosingFee", PlatformCommission),
    ("DigitalServicesFee", PlatformCommission),
    ("DigitalServicesFeeFBA", PlatformCommission),
    ("SalesTaxCollectionFee", TransactionFees),
    ("ShippingChargeback", ShippingCosts),
    ("GiftwrapChargeback", ShippingCosts),
    ("ShippingHB", ShippingCosts),
    ("FBAPerUnitFulfillmentFee", Fulfillment),
    ("FBAPerOrderFulfillmentFee", Fulfillment),
    ("FBAWeightBasedFee", Fulfillment),
    ("FBATransportationFee", Fulfillment),
    ("FBAFulfillmentCODFee", Fulfillment),
    ("FBAInboundTransportationFee", Fulfillment),
    ("FBAInboundTransportationProgramFee", Fulfillment),
    ("FBAInboundConvenienceFee", Fulfillment),
    ("FBARemovalFee", Fulfillment),
    ("FBADisposalFee", Fulfillment),
    ("FBACustomerReturnPerUnitFee", Fulfillment),
    ("FBAStorageFee", Storage),
    ("FBALongTermStorageFee", Storage),
    ("StorageRenewalBilling", Storage),
    ("Subscription", ProgramFees),
    ("ReCommerceGradingAndListingCharge", ProgramFees),
    ("Grade and Resell Charge", ProgramFees),
    ("ImagingServicesFee", ProgramFees),
    ("TrialShipmentFee", ProgramFees),
    ("ValueAddedServiceCharge", ProgramFees),
    ("CapacityReservationFee", Storage),
    // Advertising (ProductAdsPaymentEvent; amount-type Cost of Advertising).
    ("Cost of Advertising", Advertising),
    ("Refund for Advertiser", Advertising),
    ("AffordabilityExpense", Advertising),
    ("AffordabilityExpenseReversal", Advertising),
    // Programs: coupons, deals, Vine and early-reviewer enrolment.
    ("CouponRedemptionFee", ProgramFees),
    ("LightningDealFee", ProgramFees),
    ("Vine Enrollment Fee", ProgramFees),
    ("Review Enrollment Fee", ProgramFees),
    // Reserves (cash timing only).
    ("Previous Reserve Amount Balance", Reserves),
    ("Current Reserve Amount", Reserves),
    ("ReserveEvent", Reserves),
    // Account adjustments and reimbursements.
    ("FBA Inventory Reimbursement", Adjustments),
    ("LostOrDamagedReimbursement", Adjustments),
    ("CanceledButPickedUpReimbursement", Adjustments),
    ("ReimbursementClawback", Adjustments),
    ("SellerRewards", Adjustments),
    ("SAFETReimbursement", Adjustments),
    ("TDSReimbursement", Adjustments),
    ("ChargeRefund", Adjustments),
    ("ServiceProviderCredit", Adjustments),
    ("RentalReimbursement", Adjustments),
    ("Liquidations", Adjustments),
    ("LiquidationsFee", Fulfillment),
    ("RemovalShipmentRevenue", Adjustments),
    ("RemovalShipmentTax", TaxesCollected),
    ("RemovalShipmentTaxWithheld", TaxesRemitted),
    ("RemovalShipmentFee", Fulfillment),
    ("PostageBilling", ShippingCosts),
    ("PostageRefund", ShippingCosts),
    ("Commingling VAT", TaxesRemitted),
    ("NetCoTaxExclusiveAmount", Adjustments),
    ("Income Tax Charged", WithholdingTax),
    ("TaxWithholding", WithholdingTax),
    // Money that is neither profit nor loss but moves the balance: loans, debt recovery,
    // disbursements. ⚠ ADJUSTMENTS until DESIGN names a better bucket [U].
    ("DebtRecovery", Adjustments),
    ("LoanServicing", Adjustments),
    ("AdhocDisbursement", Adjustments),
    ("FailedAdhocDisbursement", Adjustments),
    ("PayWithAmazon", ProductSales),
];

/// Settlement-file (and payload) spellings → the table's spelling [O/U].
pub const ALIASES: &[(&str, &str)] = &[
    ("Shipping", "ShippingCharge"),
    ("GiftWrap", "Giftwrap"),
    ("GiftWrapTax", "GiftwrapTax"),
    ("GiftWrapChargeback", "GiftwrapChargeback"),
    (
        "MarketplaceFacilitatorTax-GiftWrap",
        "MarketplaceFacilitatorTax-Giftwrap",
    ),
    ("Storage Fee", "FBAStorageFee"),
    ("StorageFee", "FBAStorageFee"),
    ("Long-Term Storage Fee", "FBALongTermStorageFee"),
    ("Subscription Fee", "Subscription"),
    ("DisposalComplete", "FBADisposalFee"),
    ("RemovalComplete", "FBARemovalFee"),
    ("Shipping label purchase", "PostageBilling"),
    ("Shipping label purchase for return", "PostageBilling"),
    ("Refund for Advertising", "Refund for Advertiser"),
    ("Lightning Deal Fee", "LightningDealFee"),
    ("RunLightningDealFee", "LightningDealFee"),
    ("Coupon Redemption Fee", "CouponRedemptionFee"),
    ("SellerReviewEnrollmentPayment", "Review Enrollment Fee"),
    ("Grade and Resell Fees", "Grade and Resell Charge"),
    ("ComminglingVAT", "Commingling VAT"),
];

static CANONICAL: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map: HashMap<String, &'static str> = LABELS
        .iter()
        .map(|&(label, _)| (fold(label), label))
        .collect();
    for &(alias, label) in ALIASES {
        map.entry(fold(alias)).or_insert(label);
    }
    map
});

/// The comparison form of a label: trimmed, ASCII case folded.
pub fn fold(label: &str) -> String {
    label.trim().to_ascii_lowercase()
}

/// The table's spelling of `label` (any casing, or a known alias); an unknown label trimmed but
/// otherwise as Amazon wrote it.
pub fn canonical(label: &str) -> String {
    CANONICAL
        .get(&fold(label))
        .map_or_else(|| label.trim().to_owned(), |&label| label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_label_appears_twice_in_any_casing() {
        let folded: std::collections::HashSet<String> =
            LABELS.iter().map(|(label, _)| fold(label)).collect();
        assert_eq!(folded.len(), LABELS.len());
    }

    #[test]
    fn every_alias_names_a_label_of_the_table() {
        for (alias, label) in ALIASES {
            assert!(
                LABELS.iter().any(|(known, _)| known == label),
                "{alias} → {label}"
            );
        }
    }

    #[test]
    fn casing_and_file_names_reach_the_table_spelling() {
        assert_eq!(canonical("GIFTWRAPTAX"), "GiftwrapTax");
        assert_eq!(canonical("GiftWrap"), "Giftwrap");
        assert_eq!(canonical(" Shipping "), "ShippingCharge");
        assert_eq!(canonical("Storage Fee"), "FBAStorageFee");
        assert_eq!(canonical("Brand New Fee"), "Brand New Fee");
    }

    #[test]
    fn the_built_in_mapping_reads_amazon_labels_in_any_casing() {
        use crate::ledger::mapping::FeeMapper;
        use crate::ledger::Channel;
        let mapper = FeeMapper::defaults();
        let bucket = |label: &str| {
            let mapping = mapper.resolve(Channel::Amazon, label);
            mapping.mapped.then_some(mapping.bucket)
        };
        assert_eq!(bucket("Principal"), Some(FeeBucket::ProductSales));
        assert_eq!(bucket("giftwraptax"), Some(FeeBucket::TaxesCollected));
        assert_eq!(bucket("Cost of Advertising"), Some(FeeBucket::Advertising));
        assert_eq!(bucket("Brand New Fee"), None);
    }
}
