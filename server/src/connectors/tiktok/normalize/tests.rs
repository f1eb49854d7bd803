//! Fixture tests of the normalisers (fixtures in the repository's tests/fixtures/tiktok/).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::ads::{gmv_max_report, integrated_report, AdsContext};
use super::*;
use crate::connectors::tiktok::model;
use crate::connectors::{Granularity, Normalized};
use crate::ledger::{EntryStatus, FeeBucket};

fn fixture<T: DeserializeOwned>(name: &str) -> T {
    let path = format!(
        "{}/../tests/fixtures/tiktok/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::from_value(value["data"].clone()).unwrap()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn total(out: &Normalized) -> Money {
    Money::checked_sum(out.lines.iter().map(|l| l.amount), usd()).unwrap()
}

fn by_label(out: &Normalized, key_part: &str) -> BTreeMap<String, (FeeBucket, String)> {
    out.lines
        .iter()
        .filter(|l| l.entry_key.contains(key_part))
        .map(|l| (l.label.clone(), (l.bucket, l.amount.amount().to_string())))
        .collect()
}

#[test]
fn statement_202501_lines_sum_to_the_statement_total() {
    let data: model::StatementTransactions2501 = fixture("statement_transactions_202501.json");
    let mapper = FeeMapper::defaults();
    let out = statement_transactions_2501(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(out.rows, 4);
    assert_eq!(total(&out).to_string(), "11.09 USD");
    assert_eq!(out.payouts[0].reported.to_string(), "11.09 USD");
}

#[test]
fn statement_202501_order_lines_map_to_buckets_without_supplementary_or_restated_fields() {
    let data: model::StatementTransactions2501 = fixture("statement_transactions_202501.json");
    let mapper = FeeMapper::defaults();
    let out = statement_transactions_2501(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    let order = by_label(&out, ":ord:576000000000000001:");
    let expected: BTreeMap<String, (FeeBucket, String)> = [
        (
            "subtotal_before_discount_amount",
            FeeBucket::ProductSales,
            "59.98",
        ),
        (
            "seller_discount_amount",
            FeeBucket::SellerDiscounts,
            "-5.00",
        ),
        (
            "referral_fee_amount",
            FeeBucket::PlatformCommission,
            "-4.40",
        ),
        (
            "transaction_fee_amount",
            FeeBucket::TransactionFees,
            "-1.89",
        ),
        (
            "affiliate_commission_amount",
            FeeBucket::AffiliateCommission,
            "-8.25",
        ),
        ("sfp_service_fee_amount", FeeBucket::ProgramFees, "-1.65"),
        ("mystery_service_fee_amount", FeeBucket::Other, "-0.50"),
        (
            "actual_shipping_fee_amount",
            FeeBucket::ShippingCosts,
            "-6.20",
        ),
        (
            "customer_paid_shipping_fee_amount",
            FeeBucket::ShippingIncome,
            "3.99",
        ),
    ]
    .into_iter()
    .map(|(label, bucket, amount)| (label.to_owned(), (bucket, amount.to_owned())))
    .collect();
    assert_eq!(order, expected);
    let mystery = out
        .lines
        .iter()
        .find(|l| l.label == "mystery_service_fee_amount")
        .unwrap();
    assert!(
        !mystery.mapped,
        "an unknown fee is flagged so it can be listed"
    );
    assert!(out.lines.iter().all(|l| l.status == EntryStatus::Settled));
}

#[test]
fn statement_202501_adjustments_and_refunds_are_booked_by_type() {
    let data: model::StatementTransactions2501 = fixture("statement_transactions_202501.json");
    let mapper = FeeMapper::defaults();
    let out = statement_transactions_2501(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    let ads = out
        .lines
        .iter()
        .find(|l| l.label == "GMV_PAYMENT_FOR_ADS")
        .unwrap();
    assert_eq!(
        (ads.bucket, ads.amount.to_string(), ads.granularity),
        (
            FeeBucket::Advertising,
            "-12.34 USD".to_owned(),
            Granularity::Standalone
        )
    );
    let reimbursement = out
        .lines
        .iter()
        .find(|l| l.label == "PLATFORM_REIMBURSEMENT")
        .unwrap();
    assert_eq!(
        (reimbursement.bucket, reimbursement.order_id.as_deref()),
        (FeeBucket::Adjustments, Some("576000000000000000"))
    );
    let refund = by_label(&out, ":ord:576000000000000000:");
    assert_eq!(
        refund["refund_subtotal_before_discount_amount"],
        (FeeBucket::Refunds, "-19.99".to_owned())
    );
    assert_eq!(
        refund["seller_discount_refund_amount"],
        (FeeBucket::Refunds, "2.00".to_owned())
    );
    assert_eq!(
        refund["refund_administration_fee_amount"],
        (FeeBucket::RefundAdminFees, "-0.80".to_owned())
    );
    assert_eq!(
        refund["affiliate_commission_amount"],
        (FeeBucket::AffiliateCommission, "1.20".to_owned()),
        "partial clawback"
    );
}

#[test]
fn statement_202309_flat_sums_to_its_total_and_uses_202501_labels() {
    let data: model::StatementTransactions2309 = fixture("statement_transactions_202309.json");
    let mapper = FeeMapper::defaults();
    let out = statement_transactions_2309(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(total(&out).to_string(), "25.89 USD");
    let order = by_label(&out, ":ord:576000000000000001:");
    assert_eq!(
        order["subtotal_before_discount_amount"],
        (FeeBucket::ProductSales, "59.98".to_owned())
    );
    assert!(
        !order.contains_key("affiliate_commission_amount_before_pit"),
        "the restated commission is not added"
    );
    // The flat shipping fields restate each other: the group total is booked whole.
    assert_eq!(
        order["shipping_cost_amount"],
        (FeeBucket::ShippingCosts, "-2.21".to_owned())
    );
    assert!(
        !order.contains_key("sales_tax_amount") && !order.contains_key("customer_payment_amount")
    );
    assert!(out.lines[0]
        .entry_key
        .starts_with("tiktok:st:7300000000000000101:ord:576000000000000001:"));
}

#[test]
fn order_transactions_202501_split_the_same_money_by_sku() {
    let data: model::OrderTransactions2501 = fixture("order_transactions_202501.json");
    let mapper = FeeMapper::defaults();
    let out = order_transactions_2501(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(
        total(&out).to_string(),
        "36.08 USD",
        "the same as the statement's order-level lines"
    );
    assert!(out
        .lines
        .iter()
        .all(|l| l.granularity == Granularity::Sku && l.sku.is_some()));
    let sale = out
        .lines
        .iter()
        .find(|l| {
            l.entry_key
                .ends_with("sku:1729000000000000011:subtotal_before_discount_amount")
        })
        .unwrap();
    assert_eq!(
        (sale.quantity, sale.amount.to_string()),
        (1, "39.99 USD".to_owned())
    );
}

#[test]
fn unsettled_202507_gives_estimated_lines() {
    let data: model::Unsettled2507 = fixture("unsettled_202507.json");
    let mapper = FeeMapper::defaults();
    let out = unsettled_2507(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    assert_eq!(total(&out).to_string(), "22.27 USD");
    assert!(out
        .lines
        .iter()
        .all(|l| l.status == EntryStatus::Estimated && l.payout.is_none()));
    assert!(out.lines.iter().all(|l| l
        .entry_key
        .starts_with("tiktok:est:ord:576000000000000009:")));
}

#[test]
fn orders_give_listings_samples_and_sale_estimates() {
    let data: model::OrderList = fixture("orders_202309.json");
    let mapper = FeeMapper::defaults();
    let out = orders_202309(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    let sale = out
        .lines
        .iter()
        .find(|l| l.label == "subtotal_before_discount_amount")
        .unwrap();
    assert_eq!(
        (sale.quantity, sale.amount.to_string()),
        (2, "25.00 USD".to_owned()),
        "two line items are two units"
    );
    assert_eq!(
        out.listings
            .iter()
            .filter_map(|s| s.seller_sku.as_deref())
            .collect::<Vec<_>>(),
        ["SKU-TEE-BLK-M", "SKU-MUG-12"]
    );
    let sample = out.attributions.iter().find(|a| a.is_sample).unwrap();
    assert_eq!(
        (sample.order_id.as_str(), sample.quantity),
        ("576000000000000077", 1)
    );
    assert!(
        out.lines
            .iter()
            .all(|l| l.order_id.as_deref() != Some("576000000000000077")),
        "a sample is not a sale"
    );
}

#[test]
fn affiliate_orders_attribute_the_creator_with_rates_in_percent() {
    let data: model::AffiliateOrderList = fixture("affiliate_orders_202410.json");
    let mapper = FeeMapper::defaults();
    let out = affiliate_orders_202410(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    let attribution = &out.attributions[0];
    assert_eq!(attribution.creator.as_deref(), Some("glowwithmia"));
    assert_eq!(attribution.commission_rate.as_deref(), Some("15.5"));
    assert_eq!(
        attribution.actual_commission.unwrap().to_string(),
        "5.50 USD"
    );
    assert_eq!(
        attribution.estimated_commission.unwrap().to_string(),
        "5.42 USD"
    );
}

#[test]
fn a_gmv_max_row_that_cannot_join_its_day_posts_nothing_so_the_pair_still_nets_to_zero() {
    let mapper = FeeMapper::defaults();
    let ctx = AdsContext {
        mapper: &mapper,
        advertiser_id: "7000",
        currency: usd(),
        time_zone: chrono_tz::America::Los_Angeles,
    };
    let path = format!(
        "{}/../tests/fixtures/tiktok/ads_gmv_max_report.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The second row of the same campaign-day in another currency.
    value["data"]["list"][1]["metrics"]["currency"] = "EUR".into();
    let report = serde_json::from_value(value["data"].clone()).unwrap();
    let gmv = gmv_max_report(&report, &ctx);
    assert_eq!(gmv.failures.len(), 1, "{:?}", gmv.failures);
    assert_eq!(total(&gmv).to_string(), "0.00 USD");
    assert_eq!(gmv.lines.len(), 2, "one tied line and its untying line");
}

#[test]
fn ads_reports_post_card_spend_and_move_gmv_max_cost_onto_products() {
    let mapper = FeeMapper::defaults();
    let ctx = AdsContext {
        mapper: &mapper,
        advertiser_id: "7000",
        currency: usd(),
        time_zone: chrono_tz::America::Los_Angeles,
    };
    let integrated = integrated_report(&fixture("ads_integrated_report.json"), &ctx);
    assert_eq!(integrated.lines.len(), 2, "a day of \"-\" is no spend");
    assert_eq!(total(&integrated).to_string(), "-37.84 USD");
    let first = &integrated.lines[0];
    assert_eq!(
        first.occurred_at.to_rfc3339(),
        "2025-11-01T07:00:00+00:00",
        "days are in the account's zone"
    );
    assert_eq!(first.bucket, FeeBucket::Advertising);

    let gmv = gmv_max_report(&fixture("ads_gmv_max_report.json"), &ctx);
    assert_eq!(
        total(&gmv).to_string(),
        "0.00 USD",
        "GMV Max is paid from GMV: the report only moves it"
    );
    let tied: Vec<_> = gmv
        .lines
        .iter()
        .filter(|l| l.product.is_some())
        .map(|l| l.amount.to_string())
        .collect();
    assert_eq!(tied, ["-8.00 USD", "-4.34 USD"]);
    let allocation = gmv
        .lines
        .iter()
        .find(|l| l.label == "gmv_max_paid_from_gmv")
        .unwrap();
    assert_eq!(
        allocation.replaces,
        ["tiktokads:7000:campaign:1780000000000000002:day:2025-11-01:spend"]
    );
    let card = integrated
        .lines
        .iter()
        .find(|l| l.entry_key.contains("1780000000000000002"))
        .unwrap();
    assert_eq!(
        card.excluded_by.as_deref(),
        Some(allocation.entry_key.as_str())
    );
}

#[test]
fn a_bad_amount_is_a_failure_with_its_position_and_other_rows_still_count() {
    let mut data: model::StatementTransactions2501 = fixture("statement_transactions_202501.json");
    data.transactions[1].adjustment_amount = Some("12,34".to_owned());
    let mapper = FeeMapper::defaults();
    let out = statement_transactions_2501(
        &data,
        &Context {
            mapper: &mapper,
            currency: usd(),
        },
    );
    assert_eq!(out.failures.len(), 1);
    assert_eq!(
        out.failures[0].position,
        "transactions[1].adjustment_amount"
    );
    assert!(out.failures[0].reason.contains("12,34"));
    assert!(out
        .lines
        .iter()
        .any(|l| l.label == "PLATFORM_REIMBURSEMENT"));
}
