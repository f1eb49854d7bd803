//! The pure side: format detection, every wire model, every normaliser, the response envelope
//! and the webhook signature check, fed with broken fixtures, random JSON and random bytes.
//! Property: each returns a value or an error and never panics.

use std::cell::RefCell;
use std::collections::BTreeMap;

use pnl::connectors::tiktok::import::{detect, Format};
use pnl::connectors::tiktok::model;
use pnl::connectors::tiktok::normalize::{self, ads::AdsContext, Context};
use pnl::ledger::mapping::FeeMapper;
use pnl::money::Currency;
use proptest::prelude::*;
use serde_json::Value;

use super::mutate::{check, long_cases, tiktok_case, Case};

/// Parses `$data` as `$model` and normalises it: `None` when it is not one, else whether the
/// normaliser produced anything (lines, payouts or attributions).
macro_rules! normalise {
    ($data:expr, $model:ty, $normaliser:expr, $ctx:expr) => {
        serde_json::from_value::<$model>($data.clone())
            .ok()
            .map(|parsed| {
                let out = $normaliser(&parsed, $ctx);
                !(out.lines.is_empty() && out.payouts.is_empty() && out.attributions.is_empty())
            })
    };
}

/// What `pnl import` does with `data` before touching the database, as `format` (detected, or
/// forced with `--format`).
fn normalise(format: Format, data: &Value, currency: Currency) -> Option<bool> {
    let mapper = FeeMapper::defaults();
    let ctx = &Context {
        mapper: &mapper,
        currency,
    };
    let ads = &AdsContext {
        mapper: &mapper,
        advertiser_id: "fuzz",
        currency,
        // A zone far from UTC, with a date-line skip in its past.
        time_zone: "Pacific/Kiritimati".parse().unwrap(),
    };
    use normalize::ads::{gmv_max_report, integrated_report};
    match format {
        Format::StatementTransactions2501 => normalise!(
            data,
            model::StatementTransactions2501,
            normalize::statement_transactions_2501,
            ctx
        ),
        Format::StatementTransactions2309 => normalise!(
            data,
            model::StatementTransactions2309,
            normalize::statement_transactions_2309,
            ctx
        ),
        Format::OrderTransactions2501 => normalise!(
            data,
            model::OrderTransactions2501,
            normalize::order_transactions_2501,
            ctx
        ),
        Format::OrderTransactions2309 => normalise!(
            data,
            model::OrderTransactions2309,
            normalize::order_transactions_2309,
            ctx
        ),
        Format::Unsettled2507 => {
            normalise!(data, model::Unsettled2507, normalize::unsettled_2507, ctx)
        }
        Format::Statements2309 => {
            normalise!(
                data,
                model::StatementList,
                normalize::statements_202309,
                ctx
            )
        }
        Format::Payments2309 => {
            normalise!(data, model::PaymentList, normalize::payments_202309, ctx)
        }
        Format::Orders2309 => normalise!(data, model::OrderList, normalize::orders_202309, ctx),
        Format::AffiliateOrders202410 => normalise!(
            data,
            model::AffiliateOrderList,
            normalize::affiliate_orders_202410,
            ctx
        ),
        Format::AdsIntegratedReport => normalise!(data, model::AdsReport, integrated_report, ads),
        Format::AdsGmvMaxReport => normalise!(data, model::AdsReport, gmv_max_report, ads),
    }
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["USD", "JPY", "KWD", "CLF", "IDR"])
        .prop_map(|code| Currency::parse(code).unwrap())
}

/// How far cases got, per format: parsed by its model, and normalised into something.
type Reach = RefCell<BTreeMap<&'static str, (usize, usize)>>;

fn parsers_never_panic(case: &Case, currency: Currency, reach: &Reach) {
    let _ = serde_json::from_slice::<model::Envelope<Value>>(&case.bytes);
    let Ok(value) = serde_json::from_slice::<Value>(&case.bytes) else {
        return;
    };
    let data = value.get("data").cloned().unwrap_or(value);
    let _ = detect(&data);
    for &format in Format::ALL {
        if let Some(produced) = normalise(format, &data, currency) {
            let mut reach = reach.borrow_mut();
            let counts = reach.entry(format.name()).or_default();
            counts.0 += 1;
            counts.1 += usize::from(produced);
        }
    }
}

fn run(cases: u32) {
    let reach = Reach::default();
    check(
        cases,
        (tiktok_case(), any_currency()),
        |(case, currency)| {
            parsers_never_panic(&case, currency, &reach);
            Ok(())
        },
    );
    let reach = reach.into_inner();
    eprintln!("cases parsed / normalised into something, by format: {reach:#?}");
    // The fuzz is only worth something if broken inputs still reach every normaliser.
    for format in Format::ALL {
        let (parsed, produced) = reach.get(format.name()).copied().unwrap_or_default();
        assert!(
            parsed > 0 && produced > 0,
            "{}: no case got through its parser and normaliser",
            format.name()
        );
    }
}

#[test]
fn every_tiktok_parser_and_normaliser_survives_broken_payloads() {
    run(300);
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test api -- --ignored fuzz"]
fn fuzz_every_tiktok_parser_and_normaliser_long() {
    run(long_cases(200_000));
}

#[test]
fn the_webhook_signature_check_survives_any_body_and_header() {
    check(
        200,
        (
            any::<String>(),
            any::<String>(),
            prop::collection::vec(any::<u8>(), 0..512),
            proptest::option::of(any::<String>()),
        ),
        |(key, secret, body, signature)| {
            let _ = pnl::connectors::tiktok::webhooks::verify(
                &key,
                &secret,
                &body,
                signature.as_deref(),
            );
            Ok(())
        },
    );
}

/// Inputs that once panicked, kept so they never do again.
const REGRESSIONS: &[(&str, &str)] = &[
    (
        // Found by this fuzz: a statement time at the start of chrono's range has no day before
        // it, and the statement's period start was computed with a panicking subtraction.
        "statement time at the start of time",
        r#"{"data":[0,-8334601228800,"",-609]}"#,
    ),
    // Found reading the normalisers for this fuzz, and confirmed to panic (debug build) or
    // wrap (release): unit counts overflowing `i32` when a refund negates them or when rows
    // with one key are merged.
    (
        "a refunded quantity of i32::MIN is negated",
        r#"{"order_id":"1","order_create_time":1761955200,"currency":"USD","sku_transactions":[{"sku_id":"2","statement_id":"3","quantity":"-2147483648","revenue_breakdown":{"refund_subtotal_before_discount_amount":"-10.00"}}]}"#,
    ),
    (
        "quantities of two rows with one key overflow when merged",
        r#"{"order_id":"1","order_create_time":1761955200,"currency":"USD","sku_transactions":[{"sku_id":"2","statement_id":"3","quantity":"2147483647","revenue_breakdown":{"subtotal_before_discount_amount":"1.00"}},{"sku_id":"2","statement_id":"3","quantity":"2147483647","revenue_breakdown":{"subtotal_before_discount_amount":"1.00"}}]}"#,
    ),
    (
        "a flat 202309 refund of i32::MIN units",
        r#"{"order_id":"1","order_create_time":1761955200,"statement_transactions":[{"statement_id":"3","sku_statement_transactions":[{"sku_id":"2","quantity":-2147483648,"gross_sales_refund_amount":"-10.00"}]}]}"#,
    ),
];

#[test]
fn inputs_that_once_panicked_do_not() {
    for (name, input) in REGRESSIONS {
        for code in ["USD", "JPY", "KWD"] {
            let case = Case {
                seed: name,
                edit: super::mutate::Edit::None,
                bytes: input.as_bytes().to_vec(),
            };
            let outcome = std::panic::catch_unwind(|| {
                parsers_never_panic(&case, Currency::parse(code).unwrap(), &Reach::default());
            });
            assert!(outcome.is_ok(), "{name} ({code}) panicked");
        }
    }
}
