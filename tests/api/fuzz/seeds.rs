//! The valid inputs the fuzz starts from: the TikTok fixtures, payloads of the formats that have
//! no fixture file, each also as a bare `data` object; the keys they use; and JSON tokens that
//! parsers get wrong.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::Value;

/// A valid input and its name.
#[derive(Clone, Copy, Debug)]
pub struct Seed {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! fixtures {
    ($($name:literal),+ $(,)?) => {
        &[$(Seed { name: $name, text: include_str!(concat!("../../fixtures/tiktok/", $name)) }),+]
    };
}

const FIXTURES: &[Seed] = fixtures![
    "statement_transactions_202501.json",
    "statement_transactions_202309.json",
    "order_transactions_202501.json",
    "unsettled_202507.json",
    "orders_202309.json",
    "affiliate_orders_202410.json",
    "ads_integrated_report.json",
    "ads_gmv_max_report.json",
];

/// Formats without a fixture file, in the shapes of reference §3.2 and §3.3.
const INLINE: &[Seed] = &[
    Seed {
        name: "order_transactions_202309 (inline)",
        text: r#"{"code":0,"message":"Success","request_id":"r","data":{"order_id":"576000000000000001","order_create_time":1761955200,"statement_transactions":[{"id":"7300000000000001001","status":"SETTLED","statement_id":"7300000000000000101","statement_time":1762128000,"currency":"USD","settlement_amount":"36.08","sku_statement_transactions":[{"sku_id":"1729000000000000011","sku_name":"Black / M","product_name":"Classic Tee","quantity":1,"settlement_amount":"21.19","gross_sales_amount":"29.99","seller_discount_amount":"-2.50","net_sales_amount":"27.49","fee_amount":"-5.20","referral_fee_amount":"-2.20","transaction_fee_amount":"-0.80","affiliate_commission_amount":"-2.20","shipping_cost_amount":"-1.10","shipping_fee_amount":"-1.10","sales_tax_amount":"2.10"},{"sku_id":"1729000000000000012","quantity":"2","settlement_amount":"14.89","gross_sales_amount":"29.99","seller_discount_amount":"-2.50","fee_amount":"-11.49","platform_commission_amount":"-11.49","shipping_cost_amount":"-1.11"}]}]}}"#,
    },
    Seed {
        name: "statements_202309 (inline)",
        text: r#"{"code":0,"message":"Success","request_id":"r","data":{"next_page_token":"","statements":[{"id":"7300000000000000101","statement_time":1762128000,"currency":"USD","settlement_amount":"11.09","payment_id":"7400000000000000001","payment_status":"PAID"},{"id":"7300000000000000102","statement_time":1762214400,"currency":"JPY","settlement_amount":"1200","payment_status":"PROCESSING"}]}}"#,
    },
    Seed {
        name: "payments_202309 (inline)",
        text: r#"{"code":0,"message":"Success","request_id":"r","data":{"next_page_token":"","payments":[{"id":"7400000000000000001","status":"PAID","create_time":1762300000,"paid_time":1762310000,"amount":{"currency":"USD","value":"11.09"}},{"id":"7400000000000000002","status":"PROCESSING","create_time":"1762400000","amount":{"currency":"KWD","value":"1.234"}}]}}"#,
    },
];

/// Every valid TikTok seed: the fixtures, the inline payloads, and each as a bare `data` object
/// (`pnl import` accepts both).
pub static TIKTOK_SEEDS: LazyLock<Vec<Seed>> = LazyLock::new(|| {
    let mut seeds: Vec<Seed> = FIXTURES.iter().chain(INLINE).copied().collect();
    let bare: Vec<Seed> = seeds
        .iter()
        .map(|seed| {
            let value: Value = serde_json::from_str(seed.text).expect("seeds are JSON");
            Seed {
                name: Box::leak(format!("{} (data only)", seed.name).into_boxed_str()),
                text: Box::leak(value["data"].to_string().into_boxed_str()),
            }
        })
        .collect();
    seeds.extend(bare);
    seeds
});

/// Every object key of the seeds: random JSON speaks the payloads' vocabulary.
pub static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    fn walk(value: &Value, keys: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    keys.insert(key.clone());
                    walk(child, keys);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, keys)),
            _ => {}
        }
    }
    let mut keys = BTreeSet::new();
    for seed in TIKTOK_SEEDS.iter() {
        walk(
            &serde_json::from_str(seed.text).expect("seeds are JSON"),
            &mut keys,
        );
    }
    keys.into_iter().collect()
});

/// JSON tokens that parsers get wrong: other types, exponents, huge and negative numbers, the
/// edges of `i32`/`i64`/`u64`/`Decimal`, minor units one past `i64`, timestamps at the ends of
/// chrono's range, strings that look like numbers, dates or currencies but are not.
pub const TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "-0.005",
    "1e5",
    "-1E5",
    "1.0e2",
    "1e400",
    "-1e-400",
    "2.5E-3",
    "12345678901234567890",
    "-12345678901234567890",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "2147483647",
    "-2147483648",
    "2147483648",
    "4294967296",
    "253402300800",
    "8210266876799",
    "8210266876800",
    "-8334601228800",
    "-8334601228801",
    "-62135596800",
    "1.7976931348623157e308",
    r#""""#,
    r#"" ""#,
    r#""-""#,
    r#""0""#,
    r#""-0""#,
    r#""+5""#,
    r#"".5""#,
    r#""5.""#,
    r#""1e5""#,
    r#""1E-2""#,
    r#""NaN""#,
    r#""inf""#,
    r#""-inf""#,
    r#""1,000.00""#,
    r#""1 000""#,
    r#""0x10""#,
    r#""٣""#,
    r#""１２""#,
    r#""\u0000""#,
    r#""\ud800""#,
    r#""\u00e9\ud83d\ude00""#,
    r#""99999999999999999999999999999""#,
    r#""-79228162514264337593543950335""#,
    r#""79228162514264337593543950336""#,
    r#""92233720368547758.07""#,
    r#""92233720368547758.08""#,
    r#""-92233720368547758.09""#,
    r#""9223372036854775808""#,
    r#""0.000000000000000000000000000000001""#,
    r#""-2147483648""#,
    r#""2147483648""#,
    r#""-1""#,
    r#""USD""#,
    r#""usd""#,
    r#""JPY""#,
    r#""KWD""#,
    r#""CLF""#,
    r#""XXX""#,
    r#""US""#,
    r#""ORDER""#,
    r#""order""#,
    r#""RESERVE""#,
    r#""CANCELLED""#,
    r#""2026-01-01""#,
    r#""2026-02-30 00:00:00""#,
    r#""+262143-12-31 00:00:00""#,
    r#""-262144-01-01""#,
    r#""262143-12-31""#,
    r#""9999-12-31 23:59:59""#,
    r#""10000-01-01""#,
    r#""0000-01-01""#,
    r#""-0001-01-01""#,
    r#""1969-12-31""#,
    r#""253402300800""#,
    r#""-8334601228801""#,
    r#""8210266876799""#,
    "[]",
    "{}",
    "[null]",
    r#"{"":null}"#,
    "[[]]",
    r#"{"fee":{}}"#,
    r#"{"supplementary_component":{}}"#,
    r#"{"amount":"1e5","currency":"USD"}"#,
];
