//! One product across channels: listings of a TikTok shop and an Amazon shop auto-link by seller
//! SKU (case and whitespace ignored), are listed and filtered, linked and unlinked by hand, and
//! the P&L follows the current links, history included. Scopes and tenancy hold.

use chrono::{TimeZone, Utc};
use pnl::connectors::ingest::{ingest, Batch};
use pnl::connectors::{Granularity, Line, Normalized, SkuRef};
use pnl::ledger::{Channel, EntryStatus, FeeBucket};
use pnl::money::{Currency, Money};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

const LISTINGS: &str = r"query($filter: ListingFilter, $first: Int, $after: String) {
  listings(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id channel shopId shopName channelSkuId sellerSku title channelProductId
      linkedByHand createdAt product { id sku name } } }
    pageInfo { hasNextPage endCursor } } }";

const LINK: &str = r"mutation($id: ID!, $sku: String!) { linkListing(listingId: $id, productSku: $sku) {
  id channelSkuId linkedByHand product { id sku } } }";

const UNLINK: &str =
    r"mutation($id: ID!) { unlinkListing(listingId: $id) { id linkedByHand product { sku } } }";

const BY_SKU: &str = r#"{ profitBySku(range: {from: "2026-01-01", to: "2026-01-31"}) {
  rows { key { sku } netSales { amount } unitsSold cogs { amount } } } }"#;

const BY_CHANNEL: &str = r#"{ channelComparison(range: {from: "2026-01-01", to: "2026-01-31"}) {
  rows { key { channel } netSales { amount } cogs { amount } } } }"#;

/// A settled sale of `quantity` units of the channel SKU `sku_id` (seller SKU `seller`).
fn sale(order: &str, sku_id: &str, seller: Option<&str>, amount: &str, quantity: i32) -> Line {
    Line {
        entry_key: format!("{order}:sale"),
        order_id: Some(order.to_owned()),
        sku: Some(SkuRef {
            channel_sku_id: sku_id.to_owned(),
            seller_sku: seller.map(ToOwned::to_owned),
            channel_product_id: None,
            name: Some(format!("Title of {sku_id}")),
        }),
        creator: None,
        bucket: FeeBucket::ProductSales,
        label: "sale".to_owned(),
        mapped: true,
        amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
        quantity,
        occurred_at: Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap(),
        status: EntryStatus::Settled,
        payout: None,
        granularity: Granularity::Sku,
        statement: None,
        product: None,
        excluded_by: None,
        replaces: Vec::new(),
    }
}

/// Posts `lines` through the ingest path (listings created and auto-linked as a sync does).
async fn ingest_lines(app: &TestApp, org: i64, channel: Channel, shop: &str, lines: Vec<Line>) {
    let db = app.db.conn();
    let shop_id = pnl::connectors::catalog::ensure_shop(db, org, channel, shop, shop, Some("USD"))
        .await
        .unwrap()
        .id;
    let batch = Batch {
        channel,
        shop_id,
        source_kind: "test.sales".to_owned(),
        source_id: format!("{shop}:{}", lines[0].entry_key),
        raw: None,
        normalized: Normalized {
            rows: lines.len(),
            lines,
            ..Normalized::default()
        },
    };
    ingest(&app.db, org, batch).await.unwrap();
}

/// acme: a TikTok shop selling `ABC-1`, an unlabelled SKU and `XYZ-9`; an Amazon shop selling
/// `" abc-1 "`. Unit costs: ABC-1 5.00, XYZ-9 8.00.
async fn seed(app: &TestApp) {
    let org = app.org_id("acme").await;
    ingest_lines(
        app,
        org,
        Channel::TikTokShop,
        "tiktok-us",
        vec![
            sale("T1", "tt-1", Some("ABC-1"), "30.00", 1),
            sale("T2", "tt-2", None, "20.00", 1),
            sale("T3", "tt-3", Some("XYZ-9"), "50.00", 2),
        ],
    )
    .await;
    ingest_lines(
        app,
        org,
        Channel::Amazon,
        "amazon-us",
        vec![sale("A1", "amz-1", Some(" abc-1 "), "40.00", 2)],
    )
    .await;
    let token = app.token("acme", "costs:write");
    let costs = "sku,effective_from,currency,unit_cost\nABC-1,2026-01-01,USD,5.00\nXYZ-9,2026-01-01,USD,8.00\n";
    app.gql_ok(
        &token,
        "mutation($c: String!) { importProductCosts(csv: $c) { rows } }",
        json!({ "c": costs }),
    )
    .await;
}

async fn listings(app: &TestApp, token: &str, filter: Value) -> Vec<Value> {
    let data = app
        .gql_ok(token, LISTINGS, json!({ "filter": filter }))
        .await;
    data["listings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// The id of the listing with channel SKU id `sku_id`.
async fn listing_id(app: &TestApp, token: &str, sku_id: &str) -> String {
    listings(app, token, json!(null))
        .await
        .into_iter()
        .find(|node| node["channelSkuId"] == sku_id)
        .unwrap_or_else(|| panic!("no listing {sku_id}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `key → (net sales, units, cogs)` of a report's rows.
async fn rows(app: &TestApp, token: &str, query: &str, field: &str, key: &str) -> Value {
    let data = app.gql_ok(token, query, json!({})).await;
    let mut out = serde_json::Map::new();
    for row in data[field]["rows"].as_array().unwrap() {
        out.insert(
            row["key"][key].as_str().unwrap().to_owned(),
            json!([
                row["netSales"]["amount"],
                row["unitsSold"],
                row["cogs"]["amount"]
            ]),
        );
    }
    Value::Object(out)
}

fn skus(nodes: &[Value]) -> Vec<&str> {
    nodes
        .iter()
        .map(|node| node["channelSkuId"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn listings_on_two_channels_auto_link_by_seller_sku_and_are_filtered() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let token = app.token("acme", "pnl:read");

    let all = listings(&app, &token, json!(null)).await;
    assert_eq!(skus(&all), ["tt-1", "tt-2", "tt-3", "amz-1"]);
    let (tiktok, amazon) = (&all[0], &all[3]);
    assert_eq!(tiktok["product"]["sku"], "ABC-1", "{tiktok}");
    assert_eq!(
        amazon["product"], tiktok["product"],
        "\" abc-1 \" on Amazon is the same product as ABC-1 on TikTok"
    );
    assert_eq!(amazon["channel"], "AMAZON");
    assert_eq!(amazon["shopName"], "amazon-us");
    assert_eq!(amazon["sellerSku"], "abc-1");
    assert_eq!(amazon["title"], "Title of amz-1");
    assert_eq!(amazon["linkedByHand"], false);
    assert_eq!(all[1]["product"], Value::Null, "no seller SKU: unlinked");
    assert_eq!(all[2]["product"]["sku"], "XYZ-9");

    let unlinked = listings(&app, &token, json!({ "unlinked": true })).await;
    assert_eq!(skus(&unlinked), ["tt-2"]);
    let linked = listings(&app, &token, json!({ "unlinked": false })).await;
    assert_eq!(skus(&linked), ["tt-1", "tt-3", "amz-1"]);
    let on_amazon = listings(&app, &token, json!({ "channel": "AMAZON" })).await;
    assert_eq!(skus(&on_amazon), ["amz-1"]);
    let in_shop = listings(&app, &token, json!({ "shopId": tiktok["shopId"] })).await;
    assert_eq!(skus(&in_shop), ["tt-1", "tt-2", "tt-3"]);
    let found = listings(&app, &token, json!({ "search": "ABC" })).await;
    assert_eq!(
        skus(&found),
        ["tt-1", "amz-1"],
        "search ignores letter case"
    );
    let none = listings(&app, &token, json!({ "search": "%" })).await;
    assert!(none.is_empty(), "a LIKE wildcard is taken literally");

    // Pages: two, then the rest after the cursor.
    let page = app.gql_ok(&token, LISTINGS, json!({ "first": 2 })).await;
    assert_eq!(page["listings"]["pageInfo"]["hasNextPage"], true);
    let after = page["listings"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .gql_ok(&token, LISTINGS, json!({ "first": 2, "after": after }))
        .await;
    let rest: Vec<Value> = rest["listings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(skus(&rest), ["tt-3", "amz-1"]);

    // One product, one unit cost: both channels' units are costed at 5.00.
    let by_sku = rows(&app, &token, BY_SKU, "profitBySku", "sku").await;
    assert_eq!(by_sku["ABC-1"], json!(["70.00", 3, "-15.00"]), "{by_sku}");
    assert_eq!(by_sku["XYZ-9"], json!(["50.00", 2, "-16.00"]), "{by_sku}");
    assert_eq!(by_sku["tt-2"][0], "20.00", "unlinked: its channel SKU id");
}

#[tokio::test]
async fn linking_moves_a_listings_history_and_unlinking_leaves_it_unlinked() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let token = app.token("acme", "pnl:read costs:write");
    let amazon = listing_id(&app, &token, "amz-1").await;

    // Act: move the Amazon listing from ABC-1 to XYZ-9.
    let linked = app
        .gql_ok(&token, LINK, json!({ "id": amazon, "sku": " XYZ-9 " }))
        .await;
    assert_eq!(linked["linkListing"]["product"]["sku"], "XYZ-9");
    assert_eq!(linked["linkListing"]["linkedByHand"], true);

    // Its past sale counts under XYZ-9 now, at XYZ-9's unit cost.
    let by_sku = rows(&app, &token, BY_SKU, "profitBySku", "sku").await;
    assert_eq!(by_sku["ABC-1"], json!(["30.00", 1, "-5.00"]), "{by_sku}");
    assert_eq!(by_sku["XYZ-9"], json!(["90.00", 4, "-32.00"]), "{by_sku}");
    let data = app.gql_ok(&token, BY_CHANNEL, json!({})).await;
    let amazon_row = data["channelComparison"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["key"]["channel"] == "AMAZON")
        .unwrap()
        .clone();
    assert_eq!(amazon_row["cogs"]["amount"], "-16.00", "{amazon_row}");

    // A new master SKU is created by linking.
    let unlabelled = listing_id(&app, &token, "tt-2").await;
    let linked = app
        .gql_ok(&token, LINK, json!({ "id": unlabelled, "sku": "NEW-1" }))
        .await;
    assert_eq!(linked["linkListing"]["product"]["sku"], "NEW-1");
    let by_sku = rows(&app, &token, BY_SKU, "profitBySku", "sku").await;
    assert_eq!(by_sku["NEW-1"][0], "20.00", "{by_sku}");
    assert!(by_sku.get("tt-2").is_none(), "{by_sku}");

    // Unlink: the Amazon listing's lines show under its channel SKU id.
    let unlinked = app.gql_ok(&token, UNLINK, json!({ "id": amazon })).await;
    assert_eq!(unlinked["unlinkListing"]["product"], Value::Null);
    let by_sku = rows(&app, &token, BY_SKU, "profitBySku", "sku").await;
    assert_eq!(by_sku["amz-1"][0], "40.00", "{by_sku}");
    assert_eq!(by_sku["XYZ-9"], json!(["50.00", 2, "-16.00"]), "{by_sku}");
    let unlinked = listings(&app, &token, json!({ "unlinked": true })).await;
    assert_eq!(skus(&unlinked), ["amz-1"]);

    // A later sync names the seller SKU again: a listing unlinked by hand stays unlinked.
    let org = app.org_id("acme").await;
    ingest_lines(
        &app,
        org,
        Channel::Amazon,
        "amazon-us",
        vec![sale("A2", "amz-1", Some("ABC-1"), "25.00", 1)],
    )
    .await;
    let by_sku = rows(&app, &token, BY_SKU, "profitBySku", "sku").await;
    assert_eq!(by_sku["amz-1"][0], "65.00", "{by_sku}");
    assert_eq!(by_sku["ABC-1"], json!(["30.00", 1, "-5.00"]), "{by_sku}");
}

#[tokio::test]
async fn linking_needs_costs_write_and_names_what_is_wrong() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let reader = app.token("acme", "pnl:read");
    let id = listing_id(&app, &reader, "tt-1").await;

    for (query, vars) in [
        (LINK, json!({ "id": id, "sku": "XYZ-9" })),
        (UNLINK, json!({ "id": id })),
    ] {
        let (_, body) = app.gql(Some(&reader), query, vars).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let (_, body) = app.gql(None, LISTINGS, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let writer = app.token("acme", "costs:write");
    let (_, body) = app.gql(Some(&writer), LISTINGS, json!({})).await;
    assert_eq!(
        error_code(&body),
        "FORBIDDEN",
        "listings needs pnl:read: {body}"
    );

    let cases = [
        (
            LINK,
            json!({ "id": "987654", "sku": "X" }),
            "NOT_FOUND",
            "987654",
        ),
        (UNLINK, json!({ "id": "987654" }), "NOT_FOUND", "987654"),
        (
            LINK,
            json!({ "id": "abc", "sku": "X" }),
            "BAD_USER_INPUT",
            "listingId",
        ),
        (
            LINK,
            json!({ "id": id, "sku": "  " }),
            "BAD_USER_INPUT",
            "productSku",
        ),
        (
            LINK,
            json!({ "id": id, "sku": "S".repeat(256) }),
            "BAD_USER_INPUT",
            "productSku",
        ),
    ];
    for (query, vars, code, named) in cases {
        let (_, body) = app.gql(Some(&writer), query, vars.clone()).await;
        assert_eq!(error_code(&body), code, "{vars}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(named), "{vars}: {message}");
    }
    let still = listings(&app, &reader, json!(null)).await;
    assert_eq!(
        still[0]["product"]["sku"], "ABC-1",
        "refusals change nothing"
    );
    assert_eq!(still[0]["linkedByHand"], false);
}

#[tokio::test]
async fn another_org_can_neither_see_nor_change_the_listings() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let acme = app.token("acme", "pnl:read costs:write");
    let id = listing_id(&app, &acme, "amz-1").await;
    let other = app.token("globex", "pnl:read costs:write");

    assert!(listings(&app, &other, json!(null)).await.is_empty());
    assert!(listings(&app, &other, json!({ "unlinked": false }))
        .await
        .is_empty());
    for (query, vars) in [
        (LINK, json!({ "id": id, "sku": "STOLEN" })),
        (UNLINK, json!({ "id": id })),
    ] {
        let (_, body) = app.gql(Some(&other), query, vars).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("listing {id} not found")),
            "indistinguishable from a listing that does not exist: {body}"
        );
    }
    let after = listings(&app, &acme, json!({ "channel": "AMAZON" })).await;
    assert_eq!(after[0]["product"]["sku"], "ABC-1");
    assert_eq!(after[0]["linkedByHand"], false);
    let globex = app
        .gql_ok(&other, "{ productsWithoutCost }", json!({}))
        .await;
    assert_eq!(
        globex["productsWithoutCost"],
        json!([]),
        "no product was created"
    );
}
