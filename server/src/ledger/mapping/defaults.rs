//! The built-in label → bucket tables, one per channel. Data, not logic: a channel that renames
//! or adds a fee needs a row here (or an org override), never a new `match` arm.
//!
//! TikTok Shop labels are the field names of the finance breakdowns (202309 flat and 202501
//! nested; see reference/tiktok-shop-and-ads-api.md §3.3–3.5) and, for adjustment transactions,
//! the transaction `type`.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::connectors::amazon::labels::{self as amazon, LABELS as AMAZON};
use crate::ledger::{Channel, FeeBucket};

use FeeBucket::{
    Adjustments, Advertising, AffiliateCommission, Fulfillment, Penalties, PlatformCommission,
    ProductSales, ProgramFees, RefundAdminFees, Refunds, Reserves, SellerDiscounts, ShippingCosts,
    ShippingIncome, Storage, TaxesCollected, TaxesRemitted, TransactionFees, WithholdingTax,
};

const TIKTOK_SHOP: &[(&str, FeeBucket)] = &[
    // Revenue (202501 revenue_breakdown; 202309 flat sales fields).
    ("subtotal_before_discount_amount", ProductSales),
    ("gross_sales_amount", ProductSales),
    ("seller_discount_amount", SellerDiscounts),
    ("refund_subtotal_before_discount_amount", Refunds),
    ("gross_sales_refund_amount", Refunds),
    ("seller_discount_refund_amount", Refunds),
    ("cod_service_fee_amount", TransactionFees),
    ("refund_cod_service_fee_amount", TransactionFees),
    // Platform fees.
    ("platform_commission_amount", PlatformCommission),
    ("referral_fee_amount", PlatformCommission),
    ("dynamic_commission_amount", PlatformCommission),
    ("fee_per_item_sold_amount", PlatformCommission),
    ("mall_service_fee_amount", PlatformCommission),
    ("transaction_fee_amount", TransactionFees),
    ("credit_card_handling_fee_amount", TransactionFees),
    ("seller_paylater_handling_fee_amount", TransactionFees),
    ("dt_handling_fee_amount", TransactionFees),
    ("refund_administration_fee_amount", RefundAdminFees),
    // Affiliate and creator.
    ("affiliate_commission_amount", AffiliateCommission),
    (
        "affiliate_commission_amount_before_pit",
        AffiliateCommission,
    ),
    ("affiliate_commission_before_pit", AffiliateCommission),
    (
        "affiliate_commission_before_pit_amount",
        AffiliateCommission,
    ),
    ("affiliate_ads_commission_amount", AffiliateCommission),
    ("affiliate_partner_commission_amount", AffiliateCommission),
    ("affiliate_commission_deposit", AffiliateCommission),
    ("affiliate_commission_release", AffiliateCommission),
    ("tap_shop_ads_commission", AffiliateCommission),
    (
        "external_affiliate_marketing_fee_amount",
        AffiliateCommission,
    ),
    ("cofunded_creator_bonus_amount", AffiliateCommission),
    ("tsp_commission_amount", AffiliateCommission),
    // Programs and services.
    ("sfp_service_fee_amount", ProgramFees),
    ("voucher_xtra_service_fee_amount", ProgramFees),
    ("flash_sales_service_fee_amount", ProgramFees),
    ("live_specials_fee_amount", ProgramFees),
    ("bonus_cashback_service_fee_amount", ProgramFees),
    ("cofunded_promotion_service_fee_amount", ProgramFees),
    ("pre_order_service_fee_amount", ProgramFees),
    ("epr_pob_service_fee_amount", ProgramFees),
    ("vn_fix_infrastructure_fee", ProgramFees),
    // Taxes the platform deducts and remits; withholding.
    ("vat_amount", TaxesRemitted),
    ("local_vat_amount", TaxesRemitted),
    ("import_vat_amount", TaxesRemitted),
    ("gst_amount", TaxesRemitted),
    ("sst_amount", TaxesRemitted),
    ("iva_vat_amount", TaxesRemitted),
    ("sales_tax_amount", TaxesCollected),
    ("pit_amount", WithholdingTax),
    ("pit_withheld_from_ads_commission_amount", WithholdingTax),
    ("isr_amount", WithholdingTax),
    ("isr_income_tax_amount", WithholdingTax),
    ("iva_amount", WithholdingTax),
    // Import duties are a real cost of cross-border logistics, not a pass-through tax.
    ("customs_duty_amount", ShippingCosts),
    ("customs_clearance_amount", ShippingCosts),
    ("anti_dumping_duty_amount", ShippingCosts),
    // Shipping.
    ("actual_shipping_fee_amount", ShippingCosts),
    ("shipping_fee_discount_amount", ShippingCosts),
    ("customer_paid_shipping_fee_amount", ShippingIncome),
    ("return_shipping_fee_paid_buyer_amount", ShippingIncome),
    ("return_shipping_fee_amount", ShippingCosts),
    ("return_shipping_label_fee_amount", ShippingCosts),
    ("actual_return_shipping_fee_amount", ShippingCosts),
    ("replacement_shipping_fee_amount", ShippingCosts),
    ("exchange_shipping_fee_amount", ShippingCosts),
    ("shipping_insurance_fee_amount", ShippingCosts),
    ("signature_confirmation_fee_amount", ShippingCosts),
    ("seller_self_shipping_service_fee_amount", ShippingCosts),
    ("fbm_shipping_cost_amount", ShippingCosts),
    // The 202309 shipping group total, booked whole when its flat fields do not add up.
    ("shipping_cost_amount", ShippingCosts),
    ("failed_delivery_subsidy_amount", Adjustments),
    ("fbt_shipping_cost_amount", Fulfillment),
    ("fbt_fulfillment_fee_amount", Fulfillment),
    ("fbt_fulfillment_fee_reimbursement_amount", Fulfillment),
    // Adjustment transaction types.
    ("RESERVE", Reserves),
    ("reserve_amount", Reserves),
    ("GMV_PAYMENT_FOR_ADS", Advertising),
    ("PLATFORM_REIMBURSEMENT", Adjustments),
    ("PLATFORM_COMPENSATION", Adjustments),
    ("CUSTOMER_SERVICE_COMPENSATION", Adjustments),
    ("PLATFORM_PENALTY", Penalties),
    ("CHARGE_BACK", Penalties),
    ("DEDUCTIONS_INCURRED_BY_SELLER", Penalties),
    ("PLATFORM_COMMISSION_ADJUSTMENT", PlatformCommission),
    ("PLATFORM_COMMISSION_COMPENSATION", PlatformCommission),
    ("PROMOTION_ADJUSTMENT", Adjustments),
    ("REBATE", Adjustments),
    ("COFUNDED_CREATOR_REWARDS", AffiliateCommission),
    ("FBT_WAREHOUSE_SERVICE_FEE", Storage),
    ("LOGISTICS_REIMBURSEMENT", Adjustments),
    ("SHIPPING_FEE_ADJUSTMENT", ShippingCosts),
    ("SHIPPING_FEE_COMPENSATION", ShippingCosts),
    ("SHIPPING_FEE_REBATE", ShippingCosts),
    ("SAMPLE_SHIPPING_FEE", ShippingCosts),
    ("SELLER_MISSION_REWARD", Adjustments),
    ("OTHER_ADJUSTMENT", Adjustments),
    // TikTok Ads (Marketing API): card-paid spend, and GMV Max cost moved onto products.
    ("ads_spend", Advertising),
    ("gmv_max_cost", Advertising),
    ("gmv_max_paid_from_gmv", Advertising),
];

static TABLE: LazyLock<HashMap<(Channel, &'static str), FeeBucket>> = LazyLock::new(|| {
    TIKTOK_SHOP
        .iter()
        .map(|&(label, bucket)| ((Channel::TikTokShop, label), bucket))
        .chain(
            AMAZON
                .iter()
                .map(|&(label, bucket)| ((Channel::Amazon, label), bucket)),
        )
        .collect()
});

/// The built-in bucket of `label` on `channel`, if there is one.
pub(super) fn lookup(channel: Channel, label: &str) -> Option<FeeBucket> {
    TABLE
        .get(&(channel, label))
        .copied()
        .or_else(|| match channel {
            // Amazon's casing drifts and its two sources name some fees differently.
            Channel::Amazon => TABLE
                .get(&(channel, amazon::canonical(label).as_str()))
                .copied(),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiktok_table_has_no_duplicate_labels() {
        assert_eq!(TABLE.len(), TIKTOK_SHOP.len() + AMAZON.len());
    }

    #[test]
    fn amazon_labels_resolve_in_any_casing() {
        assert_eq!(
            lookup(Channel::Amazon, "Principal"),
            Some(FeeBucket::ProductSales)
        );
        assert_eq!(
            lookup(Channel::Amazon, "giftwraptax"),
            Some(FeeBucket::TaxesCollected)
        );
        assert_eq!(
            lookup(Channel::Amazon, "Cost of Advertising"),
            Some(FeeBucket::Advertising)
        );
        assert_eq!(lookup(Channel::Amazon, "Brand New Fee"), None);
    }
}
