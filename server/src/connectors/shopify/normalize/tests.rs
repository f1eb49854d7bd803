//! The normalisers on fixtures shaped like shopify.dev's examples (the order is the docs'
//! `orderCreate` example, "Big Brown Bear Boots" 74.99 × 3 with a 6 % state tax, grown a
//! discount, a custom item, shipping, a tip, a refund and its transactions).

use std::collections::{BTreeSet, HashMap};

use super::*;
use crate::connectors::shopify::model::{
    parse_balance_transactions_page, parse_orders_page, parse_payouts_page, Order,
};
use crate::connectors::{Normalized, PayoutKind};
use crate::ledger::FeeBucket;

pub(crate) const ORDERS: &str = include_str!("../../../../tests/fixtures/shopify/orders_page.json");
pub(crate) const BALANCE: &str =
    include_str!("../../../../tests/fixtures/shopify/balance_transactions.json");
const PAYOUTS: &str = include_str!("../../../../tests/fixtures/shopify/payouts.json");

pub(crate) fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

pub(crate) fn ctx(mapper: &FeeMapper) -> Context<'_> {
    Context {
        mapper,
        currency: usd(),
    }
}

pub(crate) fn orders() -> Vec<Order> {
    parse_orders_page(ORDERS).unwrap().0
}

fn by_id(id: &str) -> Order {
    orders()
        .into_iter()
        .find(|order| order.order_id() == id)
        .unwrap()
}

fn sum<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Money {
    Money::checked_sum(lines.into_iter().map(|line| line.amount), usd()).unwrap()
}

fn usd_of(text: &str) -> Money {
    Money::parse(text, usd()).unwrap()
}

fn sale_lines(out: &Normalized) -> Vec<&Line> {
    out.lines
        .iter()
        .filter(|line| !line.entry_key.contains(":refund:") && line.label != "transaction_fee")
        .collect()
}

#[test]
fn an_orders_estimate_sums_to_what_the_buyer_paid_without_included_taxes() {
    let mapper = FeeMapper::defaults();
    let out = order(&by_id("5001"), &ctx(&mapper));

    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(sum(sale_lines(&out)), usd_of("265.27"), "totalPriceSet");
    let sales = out
        .lines
        .iter()
        .find(|line| line.entry_key == "shopify:est:ord:5001:line:11001:sales")
        .unwrap();
    assert_eq!(
        (sales.amount, sales.quantity, sales.bucket),
        (usd_of("224.97"), 3, FeeBucket::ProductSales)
    );
    let sku = sales.sku.as_ref().unwrap();
    assert_eq!(
        (
            sku.channel_sku_id.as_str(),
            sku.seller_sku.as_deref(),
            sku.channel_product_id.as_deref()
        ),
        ("31001", Some("BBB-BOOT-42"), Some("21001"))
    );
    let bucket_of = |key: &str| {
        let line = out.lines.iter().find(|line| line.entry_key.ends_with(key));
        line.map(|line| (line.bucket, line.amount))
    };
    assert_eq!(
        bucket_of(":line:11001:discount"),
        Some((FeeBucket::SellerDiscounts, usd_of("-10.00")))
    );
    assert_eq!(
        bucket_of(":line:11001:tax"),
        Some((FeeBucket::TaxesCollected, usd_of("13.50")))
    );
    assert_eq!(
        bucket_of(":shipping:41001:income"),
        Some((FeeBucket::ShippingIncome, usd_of("10.00")))
    );
    assert_eq!(
        bucket_of(":tip"),
        Some((FeeBucket::Adjustments, usd_of("5.00")))
    );
    assert_eq!(
        bucket_of(":txn:shopify_payments:7001:fee:7101"),
        Some((FeeBucket::TransactionFees, usd_of("-8.00")))
    );
    // A custom item without a variant is its own listing.
    let custom = out
        .lines
        .iter()
        .find(|line| line.entry_key.ends_with(":line:11002:sales"))
        .unwrap();
    assert_eq!(custom.sku.as_ref().unwrap().channel_sku_id, "11002");
    assert!(out
        .lines
        .iter()
        .all(|line| line.status == EntryStatus::Estimated
            && line.order_id.as_deref() == Some("5001")
            && line.mapped));
    let listings: BTreeSet<&str> = out
        .listings
        .iter()
        .map(|sku| sku.channel_sku_id.as_str())
        .collect();
    assert_eq!(listings, BTreeSet::from(["31001", "11002"]));
}

#[test]
fn with_included_taxes_the_sale_is_the_price_less_its_tax_and_the_sum_is_unchanged() {
    let mapper = FeeMapper::defaults();
    let out = order(&by_id("5002"), &ctx(&mapper));

    assert!(out.failures.is_empty(), "{:?}", out.failures);
    assert_eq!(sum(&out.lines), usd_of("48.20"));
    let amount = |suffix: &str| {
        out.lines
            .iter()
            .find(|line| line.entry_key.ends_with(suffix))
            .unwrap()
            .amount
    };
    assert_eq!(amount(":line:11003:sales"), usd_of("40.00"));
    assert_eq!(amount(":line:11003:tax"), usd_of("8.00"));
    assert_eq!(amount(":shipping:41002:income"), usd_of("4.17"));
    // PayPal: no Shopify Payments fee, and its lines stay estimates.
    assert!(out
        .lines
        .iter()
        .all(|line| line.bucket != FeeBucket::TransactionFees));
}

#[test]
fn a_refunds_lines_sum_to_minus_what_was_refunded_on_the_refunds_date() {
    let mapper = FeeMapper::defaults();
    let out = order(&by_id("5001"), &ctx(&mapper));

    let refund: Vec<&Line> = out
        .lines
        .iter()
        .filter(|line| line.entry_key.contains(":refund:9001:"))
        .collect();
    assert_eq!(sum(refund.iter().copied()), usd_of("-85.00"));
    let subtotal = refund
        .iter()
        .find(|line| line.entry_key == "shopify:est:ord:5001:refund:9001:line:61001:subtotal")
        .unwrap();
    assert_eq!(
        (subtotal.amount, subtotal.quantity, subtotal.bucket),
        (usd_of("-71.66"), -1, FeeBucket::Refunds),
        "one restocked unit goes back to COGS"
    );
    let adjustment = refund
        .iter()
        .find(|line| line.label == "refund_adjustment")
        .unwrap();
    assert_eq!(adjustment.amount, usd_of("1.56"));
    assert!(refund
        .iter()
        .all(|line| line.occurred_at.to_rfc3339() == "2026-11-05T08:59:00+00:00"));
}

#[test]
fn test_and_voided_orders_post_nothing_but_count_as_rows() {
    let mapper = FeeMapper::defaults();
    for id in ["5003", "5004"] {
        let out = order(&by_id(id), &ctx(&mapper));
        assert_eq!((out.rows, out.lines.len()), (1, 0), "order {id}");
    }
}

#[test]
fn an_amount_in_another_currency_is_a_failure_naming_it() {
    let mapper = FeeMapper::defaults();
    let eur = Context {
        mapper: &mapper,
        currency: Currency::parse("EUR").unwrap(),
    };
    let out = order(&by_id("5001"), &eur);

    assert!(out.lines.is_empty());
    assert!(out.failures[0].position.contains("shopMoney.currencyCode"));
    assert!(out.failures[0]
        .reason
        .contains("USD is not the shop's currency EUR"));
}

fn balance(orders: &HashMap<String, Order>) -> Normalized {
    let mapper = FeeMapper::defaults();
    let (nodes, _) = parse_balance_transactions_page(BALANCE).unwrap();
    balance_transactions(&nodes, orders, &ctx(&mapper))
}

pub(crate) fn known_orders() -> HashMap<String, Order> {
    orders()
        .into_iter()
        .map(|order| (order.order_id(), order))
        .collect()
}

fn of_transaction<'a>(out: &'a Normalized, id: &str) -> Vec<&'a Line> {
    let prefix = format!("shopify:bt:{id}:");
    out.lines
        .iter()
        .filter(|line| line.entry_key.starts_with(&prefix))
        .collect()
}

#[test]
fn a_charge_splits_into_the_estimates_buckets_and_sums_to_its_amount() {
    let mapper = FeeMapper::defaults();
    let out = balance(&known_orders());
    let estimate = order(&by_id("5001"), &ctx(&mapper));

    let charge = of_transaction(&out, "80001");
    let (fee, gross): (Vec<&Line>, Vec<&Line>) =
        charge.iter().partition(|line| line.label == "fee:CHARGE");
    assert_eq!(sum(gross.iter().copied()), usd_of("265.27"));
    assert_eq!(sum(fee.iter().copied()), usd_of("-8.00"));
    assert_eq!(fee[0].bucket, FeeBucket::TransactionFees);
    let estimated: BTreeSet<(String, FeeBucket)> = sale_lines(&estimate)
        .iter()
        .map(|line| {
            (
                line.entry_key.replace("shopify:est:ord:5001:", ""),
                line.bucket,
            )
        })
        .collect();
    let settled: BTreeSet<(String, FeeBucket)> = gross
        .iter()
        .map(|line| {
            (
                line.entry_key.replace("shopify:bt:80001:ord:5001:sku:", ""),
                line.bucket,
            )
        })
        .collect();
    assert_eq!(settled, estimated, "same components, same buckets");
    assert!(charge.iter().all(|line| line.status == EntryStatus::Settled
        && line.granularity == Granularity::Sku
        && line.payout.as_ref().map(|p| p.external_id.as_str()) == Some("700")
        && line.occurred_at.to_rfc3339() == "2026-11-06T00:00:00+00:00"));
    let units: i32 = gross.iter().map(|line| line.quantity).sum();
    assert_eq!(units, 4, "a whole payment carries the units");
}

#[test]
fn partial_charges_scale_exactly_and_only_the_first_payment_carries_units() {
    let mapper = FeeMapper::defaults();
    let (nodes, _) = parse_balance_transactions_page(BALANCE).unwrap();
    let mut first = nodes[0].clone();
    first.amount.amount.0 = "132.64".parse().unwrap();
    first.net.amount.0 = "128.64".parse().unwrap();
    first.fee.amount.0 = "4.00".parse().unwrap();
    let mut second = first.clone();
    second.id = "gid://shopify/ShopifyPaymentsBalanceTransaction/80010".to_owned();
    second.amount.amount.0 = "132.63".parse().unwrap();
    second.net.amount.0 = "128.63".parse().unwrap();
    second.source_order_transaction_id = None;

    let out = balance_transactions(&[first, second], &known_orders(), &ctx(&mapper));

    assert!(out.failures.is_empty(), "{:?}", out.failures);
    for (id, amount, units) in [("80001", "132.64", 4), ("80010", "132.63", 0)] {
        let gross: Vec<&Line> = of_transaction(&out, id)
            .into_iter()
            .filter(|line| !line.label.starts_with("fee:"))
            .collect();
        assert_eq!(sum(gross.iter().copied()), usd_of(amount), "charge {id}");
        assert_eq!(gross.iter().map(|line| line.quantity).sum::<i32>(), units);
    }
    let both = out
        .lines
        .iter()
        .filter(|line| line.entry_key.ends_with(":line:11001:sales"));
    assert_eq!(sum(both), usd_of("224.97"), "the halves add back up");
}

#[test]
fn a_refund_splits_by_its_refund() {
    let out = balance(&known_orders());

    let refund = of_transaction(&out, "80002");
    assert_eq!(sum(refund.iter().copied()), usd_of("-85.00"));
    assert!(refund.iter().any(|line| line.entry_key
        == "shopify:bt:80002:ord:5001:sku:refund:9001:line:61001:subtotal"
        && line.quantity == -1));
}

#[test]
fn a_charge_of_an_unknown_order_stays_whole_until_its_order_is_known() {
    let out = balance(&HashMap::new());

    let charge = of_transaction(&out, "80001");
    let keys: BTreeSet<&str> = charge.iter().map(|line| line.entry_key.as_str()).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "shopify:bt:80001:ord:5001:fee",
            "shopify:bt:80001:ord:5001:unsplit_charge"
        ])
    );
    let gross = charge
        .iter()
        .find(|line| line.label == "unsplit_charge")
        .unwrap();
    assert_eq!(
        (gross.bucket, gross.amount, gross.granularity),
        (
            FeeBucket::ProductSales,
            usd_of("265.27"),
            Granularity::Order
        )
    );
    let refund = of_transaction(&out, "80002");
    assert_eq!(refund[0].label, "unsplit_refund");
    assert_eq!(refund[0].bucket, FeeBucket::Refunds);
}

#[test]
fn unknown_types_go_to_other_under_their_name_and_transfers_and_tests_post_nothing() {
    let out = balance(&known_orders());

    let unknown = of_transaction(&out, "80005");
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (
            unknown[0].label.as_str(),
            unknown[0].bucket,
            unknown[0].mapped
        ),
        ("AGENTIC_FEE_TAX_DEBIT", FeeBucket::Other, false)
    );
    assert!(of_transaction(&out, "80007").is_empty(), "TRANSFER");
    assert!(of_transaction(&out, "80008").is_empty(), "test");
    let pending = of_transaction(&out, "80009");
    assert!(!pending.is_empty() && pending.iter().all(|line| line.payout.is_none()));
    let dispute = of_transaction(&out, "80004");
    assert!(dispute
        .iter()
        .all(|line| line.bucket == FeeBucket::Penalties));
    assert_eq!(out.rows, 9);
    let (nodes, _) = parse_balance_transactions_page(BALANCE).unwrap();
    assert_eq!(
        orders_to_fetch(&nodes),
        [
            "gid://shopify/Order/5001",
            "gid://shopify/Order/5009",
            "gid://shopify/Order/5011"
        ]
    );
}

#[test]
fn a_payouts_lines_add_up_to_its_net_whichever_sign_the_fee_has() {
    let mapper = FeeMapper::defaults();
    let out = balance(&known_orders());
    let reported = payouts(&parse_payouts_page(PAYOUTS).unwrap().0, &ctx(&mapper));

    // Adjustment −1.50 / fee −0.25 / net −1.75: the fee already negative ([O]), accepted.
    let adjustment = of_transaction(&out, "80003");
    assert_eq!(sum(adjustment.iter().copied()), usd_of("-1.75"), "net");
    assert!(out.failures.is_empty(), "{:?}", out.failures);
    // A net matching neither shape is posted as net and reported.
    let broken = BALANCE.replacen("\"-1.75\"", "\"-1.80\"", 1);
    let (nodes, _) = parse_balance_transactions_page(&broken).unwrap();
    let odd = balance_transactions(&nodes, &known_orders(), &ctx(&mapper));
    assert_eq!(odd.failures.len(), 1, "{:?}", odd.failures);
    assert!(odd.failures[0].reason.contains("is not amount"));
    assert_eq!(
        sum(of_transaction(&odd, "80003").iter().copied()),
        usd_of("-1.80")
    );
    let in_payout = out
        .lines
        .iter()
        .filter(|line| line.payout.as_ref().map(|p| p.external_id.as_str()) == Some("700"));
    assert_eq!(sum(in_payout), reported.payouts[0].reported);
}

#[test]
fn payouts_report_their_net_in_the_shops_currency() {
    let mapper = FeeMapper::defaults();
    let out = payouts(&parse_payouts_page(PAYOUTS).unwrap().0, &ctx(&mapper));

    let first = &out.payouts[0];
    assert_eq!(first.reference.kind, PayoutKind::Payout);
    assert_eq!(first.reference.external_id, "700");
    assert_eq!(first.reported, usd_of("103.37"));
    assert_eq!(first.status.as_deref(), Some("PAID"));
    assert_eq!(
        first.paid_at.unwrap().to_rfc3339(),
        "2026-11-07T00:00:00+00:00"
    );
    // A withdrawal takes money back; its legacy id arrived as a number.
    assert_eq!(out.payouts[1].reference.external_id, "701");
    assert_eq!(out.payouts[1].reported, usd_of("-12.00"));
}

#[test]
fn rest_era_spellings_in_saved_answers_are_read_alike() {
    let mapper = FeeMapper::defaults();
    // Lower-case type, the order transaction as a gid, a fee without its currency code; and an
    // adjustment with an empty associated order and an empty source transaction id.
    let body = r##"{"data":{"shopifyPaymentsAccount":{"balanceTransactions":{"nodes":[
      {"id":"gid://shopify/ShopifyPaymentsBalanceTransaction/80001","type":"charge","test":false,
       "transactionDate":"2026-11-06T00:00:00Z","sourceOrderTransactionId":"gid://shopify/OrderTransaction/7001",
       "amount":{"amount":"265.27","currencyCode":"USD"},"fee":{"amount":"8.00"},"net":{"amount":"257.27"},
       "associatedOrder":{"id":"gid://shopify/Order/5001","name":"#1001"},
       "associatedPayout":{"id":"gid://shopify/ShopifyPaymentsPayout/700","status":"PAID"}},
      {"id":"gid://shopify/ShopifyPaymentsBalanceTransaction/80011","type":"ADJUSTMENT","test":false,
       "transactionDate":"2026-11-06T00:00:00Z","sourceOrderTransactionId":"","sourceId":"source-1",
       "amount":{"amount":"10.00","currencyCode":"USD"},"fee":{"amount":"0.00","currencyCode":"USD"},
       "net":{"amount":"10.00","currencyCode":"USD"},"associatedOrder":{},
       "associatedPayout":{"id":null,"status":null}}]}}}}"##;
    let (nodes, _) = parse_balance_transactions_page(body).unwrap();
    let out = balance_transactions(&nodes, &known_orders(), &ctx(&mapper));

    assert!(out.failures.is_empty(), "{:?}", out.failures);
    let charge = of_transaction(&out, "80001");
    assert!(charge.iter().any(|line| line.entry_key
        == "shopify:bt:80001:ord:5001:sku:line:11001:sales"
        && line.quantity == 3));
    assert_eq!(sum(charge.iter().copied()), usd_of("257.27"));
    let adjustment = of_transaction(&out, "80011");
    assert_eq!(
        (
            adjustment.len(),
            adjustment[0].bucket,
            adjustment[0].order_id.as_deref()
        ),
        (1, FeeBucket::Adjustments, None)
    );
}

#[test]
fn scaling_is_exact_in_currencies_without_and_with_three_decimals() {
    for (code, parts, target) in [
        ("JPY", ["1000", "-100", "98"], "333"),
        ("KWD", ["10.125", "-1.005", "0.912"], "3.337"),
    ] {
        let currency = Currency::parse(code).unwrap();
        let components: Vec<Component> = parts
            .iter()
            .enumerate()
            .map(|(index, amount)| Component {
                key: index.to_string(),
                label: "line_item",
                amount: Money::parse(amount, currency).unwrap(),
                sku: None,
                quantity: 1,
            })
            .collect();
        let target = Money::parse(target, currency).unwrap();
        let scaled = payments::scale(components, target, false).unwrap().unwrap();
        let total = Money::checked_sum(scaled.iter().map(|part| part.amount), currency).unwrap();
        assert_eq!(total, target, "{code}");
        assert!(scaled.iter().all(|part| part.quantity == 0));
        assert!(scaled[0].amount.amount() > scaled[2].amount.amount());
    }
}

#[test]
fn an_amount_finer_than_the_currency_is_a_failure() {
    let mapper = FeeMapper::defaults();
    let body = ORDERS.replacen("\"74.99\"", "\"74.995\"", 1);
    let (orders, _) = parse_orders_page(&body).unwrap();
    let out = order(&orders[0], &ctx(&mapper));
    assert!(out.lines.is_empty());
    assert_eq!(
        out.failures[0].position,
        "order 5001: lineItems.nodes[0].originalUnitPriceSet.shopMoney.amount"
    );
}
