//! Input generators for the fuzz properties: valid seeds (the TikTok fixtures and a few inline
//! payloads), and the ways they are broken — truncation at any length, byte flips, inserts and
//! deletes, JSON-structure edits (a value of another type, huge, negative or exponent numbers,
//! empty, null, very long strings, deep nesting, removed, duplicated or renamed members, a subtree
//! of another payload grafted in), CSV cell edits, random JSON and random bytes.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};
use serde_json::{Map, Value};

/// Cases per property in the normal suite are given by each test; `PROPTEST_CASES` sets the long
/// (`#[ignore]`d) runs' count, `PROPTEST_RNG_SEED` their seed.
pub fn long_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

/// A runner with a fixed seed (unless `PROPTEST_RNG_SEED` is set), so that a failure reproduces,
/// and no regression file: failing inputs are kept as named regression tests instead.
pub fn runner(cases: u32) -> TestRunner {
    let mut config = ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 400,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0070_6e6c_f022);
    }
    TestRunner::new(config)
}

/// Runs `test` on `cases` inputs of `strategy`, failing with proptest's minimal input.
pub fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: fmt::Debug,
{
    if let Err(failure) = runner(cases).run(&strategy, test) {
        panic!("{failure}");
    }
}

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
static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
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
const TOKENS: &[&str] = &[
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

/// One edit of a JSON document.
#[derive(Clone, Debug)]
pub enum JsonEdit {
    /// Replace the node with a raw token.
    Token(Index, Index),
    /// Replace the node with a string of `n` characters (`digits`: all `9`).
    Long(Index, usize, bool),
    /// Replace the node with `depth` nested arrays or objects around it.
    Deep(Index, usize, bool),
    /// Remove the node from its parent.
    Remove(Index),
    /// Repeat an array element or member `n` times.
    Repeat(Index, usize),
    /// Rename the node's key to a key of some seed.
    Rename(Index, Index),
    /// Replace the node with a node of another seed.
    Graft(Index, Index, Index),
}

/// How a valid input is broken.
#[derive(Clone, Debug)]
pub enum Edit {
    /// The seed unchanged (the success path, and its idempotency).
    None,
    /// The first `n` bytes.
    Truncate(Index),
    /// Byte-level edits.
    Bytes(Vec<ByteEdit>),
    /// Structure-level edits of a JSON seed.
    Structure(Vec<JsonEdit>),
    /// Structure edits, then byte edits.
    Both(Vec<JsonEdit>, Vec<ByteEdit>),
    /// Cell-level edits of a CSV file (applied by [`csv_case`]; kept to be shown on failure).
    #[allow(dead_code)]
    Cells(Vec<CsvEdit>),
}

/// One byte-level edit.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    /// Insert a byte that means something to JSON or CSV.
    InsertSyntax(Index, Index),
    Delete(Index, usize),
}

const SYNTAX: &[u8] = b"{}[]\",:-+.0159eE \\\n\r\t\x00\xff";

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<Index>(), 0_u8..8).prop_map(|(at, bit)| ByteEdit::Flip(at, bit)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteEdit::Set(at, byte)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteEdit::Insert(at, byte)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, byte)| ByteEdit::InsertSyntax(at, byte)),
        (any::<Index>(), 1_usize..16).prop_map(|(at, n)| ByteEdit::Delete(at, n)),
    ]
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, token)| JsonEdit::Token(at, token)),
        1 => (any::<Index>(), 0_usize..100_000, any::<bool>())
            .prop_map(|(at, n, digits)| JsonEdit::Long(at, n, digits)),
        1 => (any::<Index>(), 1_usize..300, any::<bool>())
            .prop_map(|(at, depth, arrays)| JsonEdit::Deep(at, depth, arrays)),
        2 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => (any::<Index>(), 2_usize..50).prop_map(|(at, n)| JsonEdit::Repeat(at, n)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(at, key)| JsonEdit::Rename(at, key)),
        2 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(at, seed, node)| JsonEdit::Graft(at, seed, node)),
    ]
}

/// An edit of a seed, weighted towards the ones that reach past the parser.
pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => Just(Edit::None),
        2 => any::<Index>().prop_map(Edit::Truncate),
        2 => vec(byte_edit(), 1..8).prop_map(Edit::Bytes),
        6 => vec(json_edit(), 1..4).prop_map(Edit::Structure),
        1 => (vec(json_edit(), 1..3), vec(byte_edit(), 1..3))
            .prop_map(|(json, bytes)| Edit::Both(json, bytes)),
    ]
}

/// Applies byte edits.
pub fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match edit {
            ByteEdit::Flip(at, bit) if len > 0 => bytes[at.index(len)] ^= 1 << bit,
            ByteEdit::Set(at, byte) if len > 0 => bytes[at.index(len)] = *byte,
            ByteEdit::Insert(at, byte) => bytes.insert(at.index(len + 1), *byte),
            ByteEdit::InsertSyntax(at, byte) => {
                bytes.insert(at.index(len + 1), *byte.get(SYNTAX));
            }
            ByteEdit::Delete(at, n) if len > 0 => {
                let from = at.index(len);
                bytes.drain(from..(from + n).min(len));
            }
            _ => {}
        }
    }
    bytes
}

/// JSON pointers of every node (the root included), in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn split(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// Applies structure edits to a JSON seed; raw tokens are spliced into the text after
/// serialisation (a `Value` cannot hold `1e400` or a 30-digit integer).
fn apply_json(text: &str, edits: &[JsonEdit]) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(text).expect("seeds are JSON");
    let mut raw: Vec<(String, String)> = Vec::new();
    for edit in edits {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pick = |at: &Index| all[at.index(all.len())].clone();
        match edit {
            JsonEdit::Token(at, token) => {
                let marker = format!("\u{1}fuzz{}\u{1}", raw.len());
                raw.push((marker.clone(), (*token.get(TOKENS)).to_owned()));
                replace(&mut value, &pick(at), Value::String(marker));
            }
            JsonEdit::Long(at, n, digits) => {
                let text = if *digits { "9" } else { "x" }.repeat(*n);
                replace(&mut value, &pick(at), Value::String(text));
            }
            JsonEdit::Deep(at, depth, arrays) => {
                let pointer = pick(at);
                let mut node = value.pointer(&pointer).cloned().unwrap_or(Value::Null);
                for _ in 0..*depth {
                    node = if *arrays {
                        Value::Array(vec![node])
                    } else {
                        Value::Object(Map::from_iter([("a".to_owned(), node)]))
                    };
                }
                // Past serde_json's recursion limit of 128 the whole text is refused; below it
                // the parsers see the nesting.
                replace(&mut value, &pointer, node);
            }
            JsonEdit::Remove(at) => {
                let pointer = pick(at);
                match split(&pointer) {
                    Some((parent, key)) => match value.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(index) = key.parse::<usize>() {
                                if index < items.len() {
                                    items.remove(index);
                                }
                            }
                        }
                        _ => {}
                    },
                    None => value = Value::Null,
                }
            }
            JsonEdit::Repeat(at, n) => {
                let pointer = pick(at);
                if let Some((parent, key)) = split(&pointer) {
                    let node = value.pointer(&pointer).cloned().unwrap_or(Value::Null);
                    match value.pointer_mut(parent) {
                        Some(Value::Array(items)) => {
                            items.extend(std::iter::repeat_n(node, *n));
                        }
                        Some(Value::Object(map)) => {
                            for copy in 0..*n {
                                map.insert(format!("{key}{copy}"), node.clone());
                            }
                        }
                        _ => {}
                    }
                }
            }
            JsonEdit::Rename(at, key) => {
                let pointer = pick(at);
                if let Some((parent, old)) = split(&pointer) {
                    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                        if let Some(node) = map.remove(&old) {
                            map.insert(key.get(&KEYS).clone(), node);
                        }
                    }
                }
            }
            JsonEdit::Graft(at, seed, node) => {
                let donor: Value =
                    serde_json::from_str(seed.get(&TIKTOK_SEEDS).text).expect("seeds are JSON");
                let mut nodes = Vec::new();
                pointers(&donor, String::new(), &mut nodes);
                let graft = donor
                    .pointer(&nodes[node.index(nodes.len())])
                    .cloned()
                    .unwrap_or(Value::Null);
                replace(&mut value, &pick(at), graft);
            }
        }
    }
    let mut text = value.to_string();
    for (marker, token) in raw {
        let quoted = Value::String(marker).to_string();
        text = text.replace(&quoted, &token);
    }
    text.into_bytes()
}

fn replace(value: &mut Value, pointer: &str, node: Value) {
    if let Some(slot) = value.pointer_mut(pointer) {
        *slot = node;
    }
}

/// An input derived from a seed, shown as text when a case fails.
#[derive(Clone)]
pub struct Case {
    pub seed: &'static str,
    pub edit: Edit,
    pub bytes: Vec<u8>,
}

impl Case {
    /// The input as text (`None` when it is not UTF-8).
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(&self.bytes);
        let shown: String = if text.len() > 4000 {
            format!(
                "{}… ({} bytes)",
                text.chars().take(4000).collect::<String>(),
                self.bytes.len()
            )
        } else {
            text.into_owned()
        };
        f.debug_struct("Case")
            .field("seed", &self.seed)
            .field("edit", &self.edit)
            .field("input", &shown)
            .finish()
    }
}

/// Applies `edit` to a JSON seed.
pub fn edit_json(seed: &Seed, edit: &Edit) -> Vec<u8> {
    let bytes = seed.text.as_bytes().to_vec();
    match edit {
        Edit::None => bytes,
        Edit::Truncate(at) => bytes[..at.index(bytes.len() + 1)].to_vec(),
        Edit::Bytes(edits) => apply_bytes(bytes, edits),
        Edit::Structure(edits) => apply_json(seed.text, edits),
        Edit::Both(json, edits) => apply_bytes(apply_json(seed.text, json), edits),
        Edit::Cells(_) => bytes,
    }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<Index>().prop_map(|at| at.get(&KEYS).clone()),
        1 => "[a-z_]{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<Index>().prop_map(|at| (*at.get(TOKENS)).to_owned()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "-?[0-9]{0,30}(\\.[0-9]{0,30})?".prop_map(|n| Value::String(n).to_string()),
        1 => any::<String>().prop_map(|s| Value::String(s).to_string()),
    ]
}

/// Random JSON text in the payloads' vocabulary (keys of the seeds, tricky tokens).
pub fn random_json() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(|items| format!("[{}]", items.join(","))),
            btree_map(key(), inner, 0..8).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(key, value)| format!("{}:{value}", Value::String(key)))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Any input for the TikTok parsers: an edited seed, random JSON (bare or in an envelope), or
/// random bytes.
pub fn tiktok_case() -> impl Strategy<Value = Case> {
    prop_oneof![
        12 => (any::<Index>(), edit()).prop_map(|(seed, edit)| {
            let seed = seed.get(&TIKTOK_SEEDS);
            Case { seed: seed.name, bytes: edit_json(seed, &edit), edit }
        }),
        2 => (random_json(), any::<bool>()).prop_map(|(json, wrap)| Case {
            seed: "random JSON",
            edit: Edit::None,
            bytes: if wrap { format!(r#"{{"code":0,"data":{json}}}"#) } else { json }.into_bytes(),
        }),
        1 => vec(any::<u8>(), 0..2048).prop_map(|bytes| Case {
            seed: "random bytes",
            edit: Edit::None,
            bytes,
        }),
    ]
}

/// Tokens for CSV cells: empty, signs, exponents, overflow, impossible or far dates, unknown or
/// odd currencies, quoting and line breaks, a BOM, a NUL.
const CELLS: &[&str] = &[
    "",
    " ",
    "-1",
    "-0",
    "0",
    "0.00",
    "1e5",
    "1E2",
    "NaN",
    "inf",
    "+5",
    ".5",
    "5.",
    "99999999999999999999999999999",
    "92233720368547758.07",
    "92233720368547758.08",
    "-92233720368547758.08",
    "0.000000000000000000000000001",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "1.2345",
    "6.405",
    "2026-02-30",
    "2026-1-1",
    "2026-01-01T00:00:00",
    "+10000-01-01",
    "10000-01-01",
    "-0001-01-01",
    "0000-01-01",
    "262143-12-31",
    "+262143-12-31",
    "-262144-01-01",
    "9999-12-31",
    "1900-01-01",
    "XXX",
    "usd",
    "JPY",
    "KWD",
    "CLF",
    "BHD",
    "USD ",
    "\"a,b\"",
    "\"multi\nline\"",
    "\"",
    "\"\"\"",
    "\u{feff}",
    "SKU\0",
    "é",
    "SKU-TEE-BLK-M",
    "sku",
    "unit_cost",
    "1,000.00",
];

/// A unit-cost file and an FX-rate file that import cleanly.
pub const COSTS_CSV: &str = "sku,effective_from,currency,unit_cost,product,freight,duty,packaging\nSKU-TEE-BLK-M,2026-01-01,USD,6.40,5.00,1.10,,0.30\nSKU-TEE-BLK-M,2026-02-15,USD,6.90,,,,\nSKU-MUG-01,2026-01-01,JPY,850,700,150,0,0\nSKU-OUD-01,2026-01-01,KWD,1.234,1.000,0.234,,\nSKU-SOCK-3,2026-01-01,GBP,2.00,,,,\n";
pub const RATES_CSV: &str = "day,base,quote,rate\n2026-01-01,GBP,USD,1.2712\n2026-01-02,GBP,USD,1.27\n2026-01-01,EUR,USD,1.0840\n2026-01-01,USD,JPY,157.20\n2026-01-01,KWD,USD,3.2466\n";

/// One edit of a CSV file's cells (header row included).
#[derive(Clone, Debug)]
pub enum CsvEdit {
    /// Replace a cell with a token.
    Cell(Index, Index, Index),
    /// Replace a cell with a string of `n` characters.
    Long(Index, Index, usize),
    /// Remove a row.
    RemoveRow(Index),
    /// Repeat a row.
    RepeatRow(Index, usize),
    /// Remove a column.
    RemoveColumn(Index),
    /// Add a column (a copy of another, so a header may appear twice).
    CopyColumn(Index),
    /// Swap two cells of a row.
    Swap(Index, Index, Index),
    /// CRLF line ends.
    Crlf,
}

fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    prop_oneof![
        6 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(row, column, token)| CsvEdit::Cell(row, column, token)),
        1 => (any::<Index>(), any::<Index>(), 0_usize..50_000)
            .prop_map(|(row, column, n)| CsvEdit::Long(row, column, n)),
        1 => any::<Index>().prop_map(CsvEdit::RemoveRow),
        1 => (any::<Index>(), 2_usize..20).prop_map(|(row, n)| CsvEdit::RepeatRow(row, n)),
        1 => any::<Index>().prop_map(CsvEdit::RemoveColumn),
        1 => any::<Index>().prop_map(CsvEdit::CopyColumn),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(row, a, b)| CsvEdit::Swap(row, a, b)),
        1 => Just(CsvEdit::Crlf),
    ]
}

fn apply_csv(text: &str, edits: &[CsvEdit]) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|line| line.split(',').map(ToOwned::to_owned).collect())
        .collect();
    let mut newline = "\n";
    for edit in edits {
        let cell = |rows: &mut Vec<Vec<String>>, row: &Index, column: &Index| {
            if rows.is_empty() {
                return None;
            }
            let at = row.index(rows.len());
            let cells = &mut rows[at];
            if cells.is_empty() {
                cells.push(String::new());
            }
            let column = column.index(cells.len());
            Some((at, column))
        };
        match edit {
            CsvEdit::Cell(row, column, token) => {
                if let Some((row, column)) = cell(&mut rows, row, column) {
                    rows[row][column] = (*token.get(CELLS)).to_owned();
                }
            }
            CsvEdit::Long(row, column, n) => {
                if let Some((row, column)) = cell(&mut rows, row, column) {
                    rows[row][column] = "9".repeat(*n);
                }
            }
            CsvEdit::RemoveRow(row) if !rows.is_empty() => {
                let at = row.index(rows.len());
                rows.remove(at);
            }
            CsvEdit::RepeatRow(row, n) if !rows.is_empty() => {
                let at = row.index(rows.len());
                let copy = rows[at].clone();
                rows.extend(std::iter::repeat_n(copy, *n));
            }
            CsvEdit::RemoveColumn(column) => {
                let width = rows.first().map_or(0, Vec::len);
                if width > 0 {
                    let at = column.index(width);
                    for row in &mut rows {
                        if at < row.len() {
                            row.remove(at);
                        }
                    }
                }
            }
            CsvEdit::CopyColumn(column) => {
                let width = rows.first().map_or(0, Vec::len);
                if width > 0 {
                    let at = column.index(width);
                    for row in &mut rows {
                        let copy = row.get(at).cloned().unwrap_or_default();
                        row.push(copy);
                    }
                }
            }
            CsvEdit::Swap(row, a, b) => {
                if let Some((row, a)) = cell(&mut rows, row, a) {
                    let b = b.index(rows[row].len());
                    rows[row].swap(a, b);
                }
            }
            CsvEdit::Crlf => newline = "\r\n",
            _ => {}
        }
    }
    let mut text: String = rows
        .iter()
        .map(|row| row.join(","))
        .collect::<Vec<_>>()
        .join(newline);
    text.push_str(newline);
    text.into_bytes()
}

/// Any input for a CSV import: the seed edited by cell, by byte, truncated, or random bytes.
pub fn csv_case(seed: &'static str) -> impl Strategy<Value = Case> {
    prop_oneof![
        1 => Just(Case { seed: "csv", edit: Edit::None, bytes: seed.as_bytes().to_vec() }),
        2 => any::<Index>().prop_map(move |at| Case {
            seed: "csv",
            bytes: seed.as_bytes()[..at.index(seed.len() + 1)].to_vec(),
            edit: Edit::Truncate(at),
        }),
        2 => vec(byte_edit(), 1..8).prop_map(move |edits| Case {
            seed: "csv",
            bytes: apply_bytes(seed.as_bytes().to_vec(), &edits),
            edit: Edit::Bytes(edits),
        }),
        6 => vec(csv_edit(), 1..5).prop_map(move |edits| Case {
            seed: "csv",
            bytes: apply_csv(seed, &edits),
            edit: Edit::Cells(edits),
        }),
        1 => vec(any::<u8>(), 0..1024).prop_map(|bytes| Case {
            seed: "random bytes",
            edit: Edit::None,
            bytes,
        }),
    ]
}
