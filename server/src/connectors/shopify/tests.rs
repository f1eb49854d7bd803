//! Wire models, the bulk assembler, saved files and mirror rules, on the same fixtures as the
//! normalisers.

use serde_json::Value;

use super::bulk::{read_all, ChunkLines, OrderAssembler};
use super::files::{self, BALANCE_TRANSACTIONS, BULK_ORDERS, ORDERS, PAYOUTS};
use super::mirror::{classify, external_order_ids, MirrorRule, MirrorRules};
use super::model::{parse_orders_page, parse_payouts_page, Order};
use super::normalize::{self, Context};
use crate::connectors::seam::FileInput;
use crate::connectors::Normalized;
use crate::ledger::mapping::FeeMapper;
use crate::money::Currency;

const ORDERS_PAGE: &str = include_str!("../../../tests/fixtures/shopify/orders_page.json");
const BULK: &str = include_str!("../../../tests/fixtures/shopify/bulk_orders.jsonl");
const BALANCE: &str = include_str!("../../../tests/fixtures/shopify/balance_transactions.json");
const PAYOUTS_PAGE: &str = include_str!("../../../tests/fixtures/shopify/payouts.json");

fn normalized(orders: &[Order]) -> Normalized {
    let mapper = FeeMapper::defaults();
    let ctx = Context {
        mapper: &mapper,
        currency: Currency::parse("USD").unwrap(),
    };
    let mut out = Normalized::default();
    for order in orders {
        out.extend(normalize::order(order, &ctx));
    }
    out
}

/// Every `{ nodes: [...] }` rewritten as `{ edges: [{ node }] }`.
fn to_edges(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(nodes)) = map.remove("nodes") {
                let edges = nodes
                    .into_iter()
                    .map(|node| serde_json::json!({ "cursor": "x", "node": node }))
                    .collect();
                map.insert("edges".to_owned(), Value::Array(edges));
            }
            map.values_mut().for_each(to_edges);
        }
        Value::Array(items) => items.iter_mut().for_each(to_edges),
        _ => {}
    }
}

#[test]
fn edges_and_nodes_give_the_same_lines() {
    let mut json: Value = serde_json::from_str(ORDERS_PAGE).unwrap();
    to_edges(&mut json);
    let text = json.to_string();
    assert!(text.contains("\"edges\"") && !text.contains("\"nodes\""));

    let (edges, page) = parse_orders_page(&text).unwrap();
    let (nodes, _) = parse_orders_page(ORDERS_PAGE).unwrap();

    assert_eq!(normalized(&edges), normalized(&nodes));
    assert!(page.has_next_page);
    assert!(!normalized(&nodes).lines.is_empty());
}

#[test]
fn a_garbled_amount_names_its_position() {
    let garbled = ORDERS_PAGE.replacen("\"74.99\"", "\"1,00\"", 1);
    let error = parse_orders_page(&garbled).unwrap_err().to_string();
    assert!(
        error.contains(
            "data.orders.nodes[0].lineItems.nodes[0].originalUnitPriceSet.shopMoney.amount: \
             \"1,00\" is not an amount"
        ),
        "{error}"
    );
}

#[test]
fn amounts_and_ids_sent_as_numbers_are_read_exactly() {
    let numbers = ORDERS_PAGE.replace("\"74.99\"", "74.99").replace(
        "\"legacyResourceId\": \"5001\"",
        "\"legacyResourceId\": 5001",
    );
    let (orders, _) = parse_orders_page(&numbers).unwrap();
    assert_eq!(orders[0].order_id(), "5001");
    assert_eq!(
        normalized(&orders),
        normalized(&parse_orders_page(ORDERS_PAGE).unwrap().0)
    );
}

#[test]
fn an_answer_with_errors_is_refused_naming_them() {
    let body = r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
        "extensions":{"cost":{"requestedQueryCost":412}}}"#;
    let error = parse_payouts_page(body).unwrap_err().to_string();
    assert!(error.contains("Throttled"), "{error}");
    let json: Value = serde_json::from_str(body).unwrap();
    let input = FileInput {
        file: "payouts.json",
        bytes: body.as_bytes(),
        json: Some(&json),
    };
    let error = files::detect(&input).unwrap_err().to_string();
    assert!(
        error.contains("payouts.json") && error.contains("Throttled"),
        "{error}"
    );
}

#[test]
fn more_line_items_of_an_order_are_read_from_their_own_page() {
    let json: Value = serde_json::from_str(ORDERS_PAGE).unwrap();
    let items = json["data"]["orders"]["nodes"][0]["lineItems"].clone();
    let body = serde_json::json!({ "data": { "order": { "id": "gid://shopify/Order/5001",
        "lineItems": items } } })
    .to_string();
    let (items, page) = super::model::parse_order_line_items_page(&body).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(page.end_cursor.as_deref(), Some("eyJsYXN0X2lkIjoxMTAwMn0="));
    let missing = r#"{"data":{"order":null}}"#;
    assert!(super::model::parse_order_line_items_page(missing).is_err());
}

#[test]
fn ids_by_node_skip_nulls() {
    let mut json: Value = serde_json::from_str(ORDERS_PAGE).unwrap();
    let mut nodes = json["data"]["orders"]["nodes"].take();
    nodes.as_array_mut().unwrap().insert(1, Value::Null);
    let body = serde_json::json!({ "data": { "nodes": nodes } }).to_string();
    let (orders, page) = parse_orders_page(&body).unwrap();
    assert_eq!(orders.len(), 4);
    assert!(!page.has_next_page);
}

#[test]
fn the_bulk_export_assembles_to_the_same_lines_as_the_graphql_answer() {
    let assembled = read_all(BULK).unwrap();
    let (answer, _) = parse_orders_page(ORDERS_PAGE).unwrap();
    assert_eq!(assembled.len(), 2);
    assert_eq!(normalized(&assembled), normalized(&answer[..2]));

    // One order at a time: the first comes out when the second starts.
    let mut assembler = OrderAssembler::new();
    let mut out = Vec::new();
    for (index, line) in BULK.lines().enumerate() {
        if let Some(order) = assembler.push(index + 1, line).unwrap() {
            out.push((index + 1, order.order_id()));
        }
    }
    assert_eq!(out, vec![(5, "5001".to_owned())]);
    assert_eq!(assembler.finish().unwrap().unwrap().order_id(), "5002");
}

#[test]
fn a_bulk_export_cut_into_records_keeps_each_order_whole() {
    // Cut after the first order, as the sync cuts every BULK_CHUNK orders: each record reads
    // alone, and together they are the export.
    let mut assembler = OrderAssembler::new();
    let mut lines = ChunkLines::default();
    let mut records = Vec::new();
    for (index, line) in BULK.lines().enumerate() {
        let finished = assembler.push(index + 1, line).unwrap();
        lines.push(line.to_owned(), finished.is_some());
        if finished.is_some() {
            records.push(lines.take());
        }
    }
    records.push(lines.finish());
    assert_eq!(records.len(), 2);
    let ids: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            read_all(&record.join("\n"))
                .unwrap()
                .iter()
                .map(|order| order.order_id())
                .collect()
        })
        .collect();
    assert_eq!(ids, vec![vec!["5001".to_owned()], vec!["5002".to_owned()]]);
    assert_eq!(
        records.concat().join("\n"),
        BULK.lines().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_bulk_child_that_does_not_follow_its_order_is_refused_naming_its_line() {
    let mut lines: Vec<&str> = BULK.lines().collect();
    let child = lines.remove(1);
    lines.push(child);
    let error = read_all(&lines.join("\n")).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("line {}:", lines.len())),
        "{error}"
    );
    assert!(error.contains("gid://shopify/Order/5001"), "{error}");

    // Other connections, and connections of line items, are skipped.
    let mut wider: Vec<String> = BULK.lines().map(ToOwned::to_owned).collect();
    wider.insert(
        2,
        r#"{"id":"gid://shopify/Metafield/1","__parentId":"gid://shopify/LineItem/11001"}"#
            .to_owned(),
    );
    wider.insert(
        3,
        r#"{"id":"gid://shopify/Fulfillment/1","__parentId":"gid://shopify/Order/5001"}"#
            .to_owned(),
    );
    assert_eq!(
        read_all(&wider.join("\n")).unwrap(),
        read_all(BULK).unwrap()
    );

    let garbled = BULK.replacen("\"74.99\"", "\"abc\"", 1);
    let error = read_all(&garbled).unwrap_err().to_string();
    assert!(
        error.starts_with("line 2: originalUnitPriceSet.shopMoney.amount"),
        "{error}"
    );
}

fn input<'a>(file: &'a str, text: &'a str, json: Option<&'a Value>) -> FileInput<'a> {
    FileInput {
        file,
        bytes: text.as_bytes(),
        json,
    }
}

#[test]
fn saved_files_are_detected_and_normalised() {
    let mapper = FeeMapper::defaults();
    let ctx = Context {
        mapper: &mapper,
        currency: Currency::parse("USD").unwrap(),
    };
    for (text, format) in [
        (ORDERS_PAGE, ORDERS),
        (BALANCE, BALANCE_TRANSACTIONS),
        (PAYOUTS_PAGE, PAYOUTS),
    ] {
        let json: Value = serde_json::from_str(text).unwrap();
        let file = input("saved.json", text, Some(&json));
        assert_eq!(files::detect(&file).unwrap(), Some(format));
        assert_eq!(files::currency_of(&file), Currency::parse("USD").ok());
        let out = files::normalize(&file, format, &ctx).unwrap();
        assert!(out.rows > 0, "{}", format.name);
    }
    let bulk = input("export.jsonl", BULK, None);
    assert_eq!(files::detect(&bulk).unwrap(), Some(BULK_ORDERS));
    assert_eq!(files::currency_of(&bulk), Currency::parse("USD").ok());
    let out = files::normalize(&bulk, BULK_ORDERS, &ctx).unwrap();
    assert_eq!(out.rows, 2);

    // Balance transactions alone: charges stay whole.
    let json: Value = serde_json::from_str(BALANCE).unwrap();
    let out = files::normalize(
        &input("b.json", BALANCE, Some(&json)),
        BALANCE_TRANSACTIONS,
        &ctx,
    )
    .unwrap();
    assert!(out.lines.iter().any(|line| line.label == "unsplit_charge"));

    let other: Value = serde_json::json!({ "code": 0, "data": { "orders": [] } });
    assert_eq!(
        files::detect(&input("t.json", "{}", Some(&other))).unwrap(),
        None
    );
}

#[test]
fn a_garbled_file_is_refused_naming_the_file_and_position() {
    let mapper = FeeMapper::defaults();
    let ctx = Context {
        mapper: &mapper,
        currency: Currency::parse("USD").unwrap(),
    };
    let garbled = PAYOUTS_PAGE.replacen("\"103.37\"", "\"1.033,7\"", 1);
    let json: Value = serde_json::from_str(&garbled).unwrap();
    let error = files::normalize(&input("p.json", &garbled, Some(&json)), PAYOUTS, &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("p.json: data.shopifyPaymentsAccount.payouts.nodes[0].net.amount"),
        "{error}"
    );
}

fn order_with(source: Option<&str>, app: Option<&str>, tags: &[&str]) -> Order {
    let mut order = parse_orders_page(ORDERS_PAGE).unwrap().0.remove(0);
    order.source_name = source.map(ToOwned::to_owned);
    order.app = app.map(|name| super::model::App {
        name: Some(name.to_owned()),
    });
    order.tags = tags.iter().map(|tag| (*tag).to_owned()).collect();
    order
}

#[test]
fn marketplace_orders_are_mirrors_and_shopifys_own_channels_are_not() {
    let rules = MirrorRules::default();
    let cases = [
        (
            order_with(Some("tiktok"), None, &[]),
            Some(MirrorRule::SourceName),
        ),
        (
            order_with(Some("4383523"), Some("TikTok"), &[]),
            Some(MirrorRule::App),
        ),
        (
            order_with(Some("4383523"), Some("Codisto"), &["TikTok Shop", "x"]),
            Some(MirrorRule::Tag),
        ),
        (
            order_with(Some("amazon-mcf"), None, &[]),
            Some(MirrorRule::SourceName),
        ),
        (
            order_with(Some("web"), Some("Online Store"), &["VIP"]),
            None,
        ),
        (
            order_with(Some("web"), Some("Online Store"), &["tiktok"]),
            None,
        ),
        (order_with(Some("pos"), Some("Point of Sale"), &[]), None),
        (order_with(Some("shopify_draft_order"), None, &[]), None),
        (
            order_with(Some("4383523"), Some("Facebook & Instagram"), &[]),
            None,
        ),
        (
            order_with(Some("4383523"), Some("Tiktoker Tools"), &["tiktoker"]),
            None,
        ),
    ];
    for (index, (order, expected)) in cases.iter().enumerate() {
        let found = classify(order, &rules).map(|found| found.rule);
        assert_eq!(found, *expected, "case {index}");
    }
    assert_eq!(MirrorRule::ExternalOrderId.as_str(), "EXTERNAL_ORDER_ID");

    let mut order = order_with(Some("4383523"), Some("TikTok"), &[]);
    order.source_identifier = Some("576000000000000001".to_owned());
    order.custom_attributes = vec![
        super::model::CustomAttribute {
            key: "TikTok Order ID".to_owned(),
            value: Some("576000000000000001".to_owned()),
        },
        super::model::CustomAttribute {
            key: "Amazon Order Id".to_owned(),
            value: Some("112-1234567-1234567".to_owned()),
        },
        super::model::CustomAttribute {
            key: "gift note".to_owned(),
            value: Some("Happy birthday".to_owned()),
        },
    ];
    assert_eq!(
        external_order_ids(&order),
        vec!["576000000000000001", "112-1234567-1234567"]
    );
}
