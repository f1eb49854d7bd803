//! The Shopify simulator through real HTTP: the connector's own documents (included from
//! `server/src/connectors/shopify/queries.rs`), paging, filters, cost and throttling, bulk
//! JSONL, the install callback's `hmac`, webhook signatures and determinism.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{ShopifySandboxConfig, ShopifyStoreSpec};
use crate::{Sandbox, SandboxConfig};

mod flows;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../../server/src/connectors/shopify/queries.rs"]
mod queries;

pub(super) const SHOP: &str = "mirror.myshopify.com";

pub(super) fn config(restore_rate: u32) -> SandboxConfig {
    SandboxConfig {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        days: 30,
        orders_per_day: 4,
        shopify: ShopifySandboxConfig {
            stores: vec![
                ShopifyStoreSpec {
                    mirrored_per_mille: 200,
                    ..ShopifyStoreSpec::us("mirror")
                },
                ShopifyStoreSpec::eu("euro"),
            ],
            history_days: 20,
            restore_rate,
            ..ShopifySandboxConfig::default()
        },
        ..SandboxConfig::default()
    }
}

pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) url: String,
    pub(super) token: String,
}

impl Client {
    pub(super) fn new(sandbox: &Sandbox, shop: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!(
                "{}/shopify/{shop}/admin/api/2026-10/graphql.json",
                sandbox.base_url()
            ),
            token: sandbox.shopify_access_token(shop).unwrap(),
        }
    }

    pub(super) async fn post(&self, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .http
            .post(&self.url)
            .header("X-Shopify-Access-Token", &self.token)
            .json(&json!({"query": queries::with_fragments(query), "variables": variables}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    pub(super) async fn ok(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        body
    }
}

fn dec(v: &Value) -> Decimal {
    v["amount"].as_str().unwrap().parse().unwrap()
}

async fn all_orders(client: &Client, filter: &str, first: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = client
            .ok(
                queries::ORDERS,
                json!({"first": first, "after": after, "query": filter}),
            )
            .await;
        let page = &body["data"]["orders"];
        out.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn orders_page_through_every_order_once_and_the_window_filters() {
    let sandbox = Sandbox::start(config(100_000)).await.unwrap();
    let client = Client::new(&sandbox, SHOP);
    let truth = sandbox.shopify().orders(SHOP);
    assert!(truth.len() > 40, "{} orders", truth.len());
    let orders = all_orders(&client, "", queries::ORDERS_PAGE_SIZE).await;
    let ids: Vec<&str> = orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        truth.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        "every order once, by updatedAt"
    );
    // A one-day window on updated_at.
    let day = truth[truth.len() / 2].updated_at.date_naive();
    let filter = format!(
        "updated_at:>='{day}T00:00:00Z' AND updated_at:<'{}T00:00:00Z'",
        day.succ_opt().unwrap()
    );
    let window = all_orders(&client, &filter, 2).await;
    let expected: Vec<&str> = truth
        .iter()
        .filter(|o| o.updated_at.date_naive() == day)
        .map(|o| o.id.as_str())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        window
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        expected
    );
    // Mirrored orders carry the TikTok order id and are paid through the TikTok gateway.
    let mirrored: Vec<&Value> = orders
        .iter()
        .filter(|o| o["sourceName"] == "4383523")
        .collect();
    assert!(!mirrored.is_empty());
    let tiktok_ids: BTreeSet<String> = (0..60)
        .flat_map(|d| {
            sandbox
                .world()
                .day_orders(0, sandbox.world().last_day_number() - d)
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    for o in &mirrored {
        assert_eq!(o["app"]["name"], "TikTok");
        assert!(o["tags"].as_array().unwrap().contains(&json!("TikTok")));
        assert_eq!(o["paymentGatewayNames"], json!(["TikTok"]));
        assert!(
            tiktok_ids.contains(o["sourceIdentifier"].as_str().unwrap()),
            "a real TikTok order id"
        );
        let info = truth.iter().find(|t| t.id == o["id"]).unwrap();
        assert_eq!(
            info.mirrored_from.as_deref(),
            o["sourceIdentifier"].as_str()
        );
    }
    // Money is Shopify's Decimal strings; totals add up.
    for o in &orders {
        let total = dec(&o["totalPriceSet"]["shopMoney"]);
        let info = truth.iter().find(|t| t.id == o["id"]).unwrap();
        assert_eq!(total, info.total);
        assert!(o["totalPriceSet"]["shopMoney"]["amount"]
            .as_str()
            .unwrap()
            .contains('.'));
    }
    let gateways: BTreeSet<&str> = truth.iter().map(|o| o.gateway.as_str()).collect();
    assert!(
        gateways.contains("shopify_payments") && gateways.contains("TikTok"),
        "{gateways:?}"
    );
}

#[tokio::test]
async fn aliases_fragments_edges_and_unknown_fields() {
    let sandbox = Sandbox::start(config(100_000)).await.unwrap();
    let client = Client::new(&sandbox, SHOP);
    let query = "query Q { first: orders(first: 2, sortKey: UPDATED_AT) { edges { cursor node { ...F } } pageInfo { hasNextPage } } }
                 fragment F on Order { gid: id name ... on Order { totalPriceSet { shopMoney { amount } } } }";
    let body = client.ok(query, json!({})).await;
    let edges = body["data"]["first"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert!(edges[0]["node"]["gid"]
        .as_str()
        .unwrap()
        .starts_with("gid://shopify/Order/"));
    assert!(edges[0]["cursor"].is_string());
    assert!(edges[0]["node"]["totalPriceSet"]["shopMoney"]["amount"].is_string());
    let (_, body) = client
        .post(
            "query { orders(first: 1) { nodes { id colour } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        "Field 'colour' doesn't exist on type 'Order'"
    );
    assert!(body.get("data").is_none());
    // Refused before execution, whatever the data holds (no refunds on a test order, no
    // order at all in an empty window), and before it costs anything.
    for query in [
        "query { orders(first: 1, query: \"created_at:<'2001-01-01'\") { nodes { id refunds { colour } } } }",
        "query { shopifyPaymentsAccount { payouts(first: 1) { nodes { summary { nope } } } } }",
    ] {
        let (_, body) = client.post(query, json!({})).await;
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.starts_with("Field '") && message.contains("doesn't exist on type"), "{body}");
        assert!(body.get("data").is_none());
    }
    // An order with more line items than a page: the rest through ORDER_LINE_ITEMS.
    let orders = all_orders(&client, "", queries::ORDERS_PAGE_SIZE).await;
    let long = orders
        .iter()
        .find(|o| o["lineItems"]["pageInfo"]["hasNextPage"] == json!(true))
        .expect("an order with 7 line items");
    assert_eq!(long["lineItems"]["nodes"].as_array().unwrap().len(), 5);
    let rest = client
        .ok(
            queries::ORDER_LINE_ITEMS,
            json!({"id": long["id"], "after": long["lineItems"]["pageInfo"]["endCursor"]}),
        )
        .await;
    let items = &rest["data"]["order"]["lineItems"];
    assert_eq!(items["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(items["pageInfo"]["hasNextPage"], json!(false));
    let shop = client.ok(queries::SHOP, json!({})).await;
    assert_eq!(shop["data"]["shop"]["myshopifyDomain"], SHOP);
    assert_eq!(shop["data"]["shop"]["currencyCode"], "USD");
}

#[tokio::test]
async fn cost_is_reported_and_the_bucket_throttles() {
    let mut cfg = config(1);
    cfg.shopify.maximum_available = 1000;
    let sandbox = Sandbox::start(cfg).await.unwrap();
    let client = Client::new(&sandbox, SHOP);
    let body = client
        .ok(queries::ORDERS, json!({"first": queries::ORDERS_PAGE_SIZE}))
        .await;
    let cost = &body["extensions"]["cost"];
    let requested = cost["requestedQueryCost"].as_u64().unwrap();
    assert_eq!(requested, 899, "2 + 3 × 299 (queries.rs): {cost}");
    assert!(cost["actualQueryCost"].as_u64().unwrap() <= requested);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], json!(1000.0));
    // The bucket now holds less than another page costs: THROTTLED, HTTP 200.
    let (status, body) = client
        .post(queries::ORDERS, json!({"first": queries::ORDERS_PAGE_SIZE}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "THROTTLED",
        "{body}"
    );
    assert!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            .as_u64()
            .unwrap()
            < requested
    );
    let stats = sandbox.shopify().operation_stats("PnlOrders");
    assert_eq!((stats.requests, stats.ok, stats.throttled), (2, 1, 1));
    assert_eq!(u64::from(stats.max_requested_cost), requested);
    // One query above the single-query limit.
    let (_, body) = client.post(queries::ORDERS, json!({"first": 10})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED",
        "{body}"
    );
    // Injected: 429 with Retry-After, then 5xx, then a revoked token.
    sandbox.faults().shopify().throttle_next_429(1, 2);
    let response = client
        .http
        .post(&client.url)
        .header("X-Shopify-Access-Token", &client.token)
        .json(&json!({"query": queries::SHOP}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    sandbox.faults().shopify().fail_next(1);
    assert_eq!(client.post(queries::SHOP, json!({})).await.0, 500);
    sandbox.faults().shopify().revoke_tokens(SHOP);
    let (status, body) = client.post(queries::SHOP, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["errors"],
        "[API] Invalid API key or access token (unrecognized login or wrong password)"
    );
}

async fn all_balance(client: &Client) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = client
            .ok(
                queries::BALANCE_TRANSACTIONS,
                json!({"first": 50, "after": after}),
            )
            .await;
        let page = &body["data"]["shopifyPaymentsAccount"]["balanceTransactions"];
        out.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn payouts_are_the_sum_of_their_balance_transactions_and_pending_ones_get_paid_later() {
    let sandbox = Sandbox::start(config(100_000)).await.unwrap();
    let client = Client::new(&sandbox, SHOP);
    let balance = all_balance(&client).await;
    let payouts = client.ok(queries::PAYOUTS, json!({"first": 50})).await["data"]
        ["shopifyPaymentsAccount"]["payouts"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(payouts.len(), sandbox.shopify().payouts(SHOP).len());
    let mut by_payout: HashMap<String, Decimal> = HashMap::new();
    for b in &balance {
        assert_eq!(dec(&b["net"]), dec(&b["amount"]) - dec(&b["fee"]));
        if b["type"] != "TRANSFER" {
            if let Some(id) = b["associatedPayout"]["id"].as_str() {
                *by_payout.entry(id.to_owned()).or_default() += dec(&b["net"]);
            }
        } else {
            let payout = payouts
                .iter()
                .find(|p| p["id"] == b["associatedPayout"]["id"])
                .unwrap();
            assert_eq!(dec(&b["amount"]), -dec(&payout["net"]));
        }
        if b["type"] == "CHARGE" {
            assert!(b["associatedOrder"]["id"]
                .as_str()
                .unwrap()
                .starts_with("gid://shopify/Order/"));
            assert!(b["sourceOrderTransactionId"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .is_ok());
        }
    }
    let statuses: BTreeSet<&str> = payouts
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("PAID") && statuses.contains("SCHEDULED"),
        "{statuses:?}"
    );
    for p in &payouts {
        assert_eq!(
            by_payout[p["id"].as_str().unwrap()],
            dec(&p["net"]),
            "payout {}",
            p["id"]
        );
        let s = &p["summary"];
        let part = |gross: &str, fee: &str| dec(&s[gross]) - dec(&s[fee]);
        let parts = part("chargesGross", "chargesFee")
            + part("refundsFeeGross", "refundsFee")
            + part("adjustmentsGross", "adjustmentsFee")
            + part("reservedFundsGross", "reservedFundsFee")
            + part("retriedPayoutsGross", "retriedPayoutsFee");
        assert_eq!(
            parts,
            dec(&p["net"]),
            "payout = Σ gross − Σ fee over the summary"
        );
    }
    let pending: Vec<&Value> = balance
        .iter()
        .filter(|b| b["associatedPayout"]["status"] == "PENDING")
        .collect();
    assert!(
        !pending.is_empty(),
        "the newest transactions have no payout yet"
    );
    assert!(pending
        .iter()
        .all(|b| b["associatedPayout"]["id"].is_null()));
    let pending_net: Decimal = pending.iter().map(|b| dec(&b["net"])).sum();
    assert_eq!(pending_net, sandbox.shopify().pending_net(SHOP));
    let kinds: BTreeSet<&str> = balance
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    for kind in [
        "CHARGE",
        "REFUND",
        "TRANSFER",
        "RESERVED_FUNDS",
        "RESERVED_FUNDS_REVERSAL",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    let new_payout = sandbox.shopify().pay_out_pending(SHOP).unwrap();
    let pending_id = pending[0]["id"].clone();
    let again = all_balance(&client).await;
    let row = again.iter().find(|b| b["id"] == pending_id).unwrap();
    assert_eq!(row["associatedPayout"]["id"], json!(new_payout));
    // A dropped balance transaction disappears from listings; its payout's net stays.
    let paid = sandbox
        .shopify()
        .payouts(SHOP)
        .into_iter()
        .find(|p| p.status == "PAID")
        .unwrap();
    sandbox
        .faults()
        .shopify()
        .drop_balance_transaction(&paid.transactions[0]);
    let after_drop = all_balance(&client).await;
    assert_eq!(after_drop.len() + 1, again.len());
    // The processed_at filter.
    let body = client
        .ok(
            queries::BALANCE_TRANSACTIONS,
            json!({"first": 50, "query": "processed_at:>='2026-11-19'"}),
        )
        .await;
    let nodes = body["data"]["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
        .as_array()
        .unwrap();
    assert!(nodes
        .iter()
        .all(|b| b["transactionDate"].as_str().unwrap() >= "2026-11-19"));
}
