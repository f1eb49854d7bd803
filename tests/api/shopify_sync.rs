//! The Shopify connector end to end against its sandbox over real HTTP: a store installed
//! through `/connect/shopify` backfills through a bulk operation, every paid payout reconciles
//! to zero, mirrored TikTok orders are listed and counted once (by the real TikTok shop only),
//! a second sync posts nothing, balance transactions read before their payout existed are
//! corrected into it, a dropped transaction is exactly its payout's residual, a throttling
//! store is waited for without a failed page, and another org sees none of it.

use rust_decimal::Decimal;
use sandbox::{Sandbox, SandboxConfig, ShopifyStoreSpec};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::shopify::{connect_shopify, spawn_shopify};
use crate::sync_engine::drain;

const STORE: &str = "acme-store";

fn domain() -> String {
    format!("{STORE}.myshopify.com")
}

async fn store_sandbox(tune: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig {
        days: 12,
        orders_per_day: 2,
        ..SandboxConfig::default()
    };
    let mut store = ShopifyStoreSpec::us(STORE);
    store.orders_per_day = 6;
    store.mirrored_per_mille = 150;
    config.shopify.stores = vec![store];
    config.shopify.history_days = 12;
    tune(&mut config);
    Sandbox::start(config).await.unwrap()
}

async fn payouts(app: &TestApp, token: &str) -> Vec<Value> {
    let body = app
        .gql_ok(
            token,
            "{ payouts(first: 200, filter: {channel: SHOPIFY}) { edges { node { externalId status channelStatus residual { amount } reported { amount currency } ledger { amount } } } } }",
            json!({}),
        )
        .await;
    body["payouts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn find<'a>(payouts: &'a [Value], id: &str) -> &'a Value {
    payouts
        .iter()
        .find(|p| p["externalId"] == id)
        .unwrap_or_else(|| panic!("no payout {id} in {payouts:#?}"))
}

fn decimal(value: &Value) -> Decimal {
    value.as_str().unwrap().parse().unwrap()
}

async fn trigger(app: &TestApp, org: &str) {
    let token = app.token(org, "connectors:write pnl:read");
    let shops = app.gql_ok(&token, "{ shops { id } }", json!({})).await;
    let id = shops["shops"][0]["id"].as_str().unwrap().to_owned();
    app.gql_ok(
        &token,
        "mutation($id: ID!) { triggerSync(shopId: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    drain(app).await;
}

/// Shopify ledger lines of `order` (legacy id) in `org`.
async fn order_lines(app: &TestApp, org: &str, order: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let org_id = app.org_id(org).await;
    entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(org_id))
        .filter(entities::ledger_entry::Column::Channel.eq(pnl::ledger::Channel::Shopify.code()))
        .filter(entities::ledger_entry::Column::OrderId.eq(order))
        .count(app.state.db.conn())
        .await
        .unwrap()
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn a_bulk_backfill_reconciles_every_paid_payout_counts_mirrors_once_and_posts_once() {
    let sandbox = store_sandbox(|_| {}).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", &domain()).await;
    drain(&app).await;
    let token = app.token("acme", "pnl:read");

    let shops = app
        .gql_ok(
            &token,
            "{ shops { channel externalId currency status syncStatus { state lastError } } }",
            json!({}),
        )
        .await;
    let shop = &shops["shops"][0];
    assert_eq!(shop["channel"], "SHOPIFY", "{shops}");
    assert_eq!(shop["externalId"], domain());
    assert_eq!(shop["currency"], "USD");
    assert_eq!(shop["syncStatus"]["lastError"], Value::Null, "{shops}");
    assert!(
        sandbox.shopify().operation_stats("PnlBulkRun").ok >= 1,
        "a backfill goes through a bulk operation"
    );

    let world = sandbox.shopify().payouts(&domain());
    let listed = payouts(&app, &token).await;
    let paid: Vec<_> = world.iter().filter(|p| p.status == "PAID").collect();
    assert!(paid.len() >= 5, "{world:#?}");
    for payout in &paid {
        let row = find(&listed, &payout.legacy_id);
        assert_eq!(row["status"], "MATCHED", "{row}");
        assert_eq!(decimal(&row["residual"]["amount"]), Decimal::ZERO, "{row}");
        assert_eq!(decimal(&row["reported"]["amount"]), payout.net, "{row}");
    }

    // Mirrored orders: listed with their rule, and no Shopify line counts them.
    let orders = sandbox.shopify().orders(&domain());
    let mirrored: Vec<_> = orders
        .iter()
        .filter(|o| o.mirrored_from.is_some())
        .collect();
    assert!(!mirrored.is_empty(), "the store mirrors TikTok orders");
    let listed_mirrors = app
        .gql_ok(
            &token,
            "{ mirroredOrders(limit: 1000) { orderId orderName rule matched } }",
            json!({}),
        )
        .await;
    let listed_mirrors = listed_mirrors["mirroredOrders"].as_array().unwrap();
    assert_eq!(listed_mirrors.len(), mirrored.len(), "{listed_mirrors:#?}");
    for order in &mirrored {
        assert!(
            listed_mirrors
                .iter()
                .any(|m| m["orderId"] == order.legacy_id.as_str()),
            "{} is listed",
            order.legacy_id
        );
        assert_eq!(order_lines(&app, "acme", &order.legacy_id).await, 0);
    }
    // A Shopify Payments order that is not mirrored has lines.
    let paid_order = orders
        .iter()
        .find(|o| o.mirrored_from.is_none() && !o.test && o.gateway == "shopify_payments")
        .unwrap();
    assert!(order_lines(&app, "acme", &paid_order.legacy_id).await > 0);

    // A second sync posts nothing new.
    let before = app.ledger_rows().await;
    trigger(&app, "acme").await;
    assert_eq!(app.ledger_rows().await, before);

    // Another org sees none of it.
    let other = app.token("globex", "pnl:read admin");
    assert!(payouts(&app, &other).await.is_empty());
    let nothing = app
        .gql_ok(
            &other,
            "{ shops { id } mirroredOrders { orderId } }",
            json!({}),
        )
        .await;
    assert_eq!(nothing, json!({"shops": [], "mirroredOrders": []}));
}

#[tokio::test]
async fn transactions_read_before_their_payout_are_corrected_into_it() {
    let sandbox = store_sandbox(|_| {}).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", &domain()).await;
    drain(&app).await;
    let pending = sandbox.shopify().pending_net(&domain());
    assert_ne!(
        pending,
        Decimal::ZERO,
        "the newest transactions have no payout yet"
    );
    let payout = sandbox.shopify().pay_out_pending(&domain()).unwrap();
    let payout = payout.rsplit('/').next().unwrap().to_owned();
    trigger(&app, "acme").await;
    let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
    let row = find(&listed, &payout);
    assert_eq!(row["status"], "MATCHED", "{row}");
    assert_eq!(decimal(&row["ledger"]["amount"]), pending, "{row}");
}

#[tokio::test]
async fn a_dropped_balance_transaction_is_exactly_its_payouts_residual() {
    let sandbox = store_sandbox(|_| {}).await;
    let payouts_before = sandbox.shopify().payouts(&domain());
    let victim_payout = payouts_before
        .iter()
        .find(|p| p.status == "PAID" && p.transactions.len() > 1)
        .unwrap();
    let transactions = sandbox.shopify().balance_transactions(&domain());
    let victim = transactions
        .iter()
        .find(|t| {
            victim_payout.transactions.contains(&t.id) && t.kind == "CHARGE" && !t.net.is_zero()
        })
        .unwrap();
    sandbox
        .faults()
        .shopify()
        .drop_balance_transaction(&victim.id);
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", &domain()).await;
    drain(&app).await;

    let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
    let row = find(&listed, &victim_payout.legacy_id);
    assert_eq!(row["status"], "MISMATCHED", "{row}");
    assert_eq!(decimal(&row["residual"]["amount"]), victim.net, "{row}");
    for payout in payouts_before
        .iter()
        .filter(|p| p.status == "PAID" && p.legacy_id != victim_payout.legacy_id)
    {
        assert_eq!(find(&listed, &payout.legacy_id)["status"], "MATCHED");
    }
}

#[tokio::test]
async fn a_throttling_store_is_waited_for_and_an_incremental_sync_pages_orders() {
    // A bucket a little larger than one page of orders, restoring slowly.
    let sandbox = store_sandbox(|config| {
        config.shopify.maximum_available = 1000;
        config.shopify.restore_rate = 400;
    })
    .await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", &domain()).await;
    drain(&app).await;
    // Injected THROTTLED answers are retried, not failures.
    sandbox.faults().shopify().throttle_next(2);
    trigger(&app, "acme").await;
    let shops = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ shops { syncStatus { state lastError } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        shops["shops"][0]["syncStatus"]["lastError"],
        Value::Null,
        "{shops}"
    );
    let orders = sandbox.shopify().operation_stats("PnlOrders");
    assert!(
        orders.ok >= 1,
        "the incremental sync pages orders: {orders:?}"
    );
    // The client waited for the bucket before each call: the only THROTTLED answers were the
    // two injected ones.
    let throttled: u64 = [
        "PnlShop",
        "PnlOrders",
        "PnlOrdersById",
        "PnlOrderLineItems",
        "PnlBalanceTransactions",
        "PnlPayouts",
        "PnlBulkRun",
        "PnlBulkPoll",
    ]
    .iter()
    .map(|op| sandbox.shopify().operation_stats(op).throttled)
    .sum();
    assert_eq!(throttled, 2, "the bucket never throttled a call");
    for payout in sandbox
        .shopify()
        .payouts(&domain())
        .iter()
        .filter(|p| p.status == "PAID")
    {
        let listed = payouts(&app, &app.token("acme", "pnl:read")).await;
        assert_eq!(find(&listed, &payout.legacy_id)["status"], "MATCHED");
    }
}

/// Whether the TikTok sync posted lines of order `id` in `org`.
async fn owned_by_tiktok(app: &TestApp, org: &str, id: &str) -> bool {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let org_id = app.org_id(org).await;
    entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(org_id))
        .filter(entities::ledger_entry::Column::Channel.eq(pnl::ledger::Channel::TikTokShop.code()))
        .filter(entities::ledger_entry::Column::OrderId.eq(id))
        .count(app.state.db.conn())
        .await
        .unwrap()
        > 0
}

/// Σ amount (minor units) of the Shopify lines of `order` in `org`: reversals cancel what they
/// reverse.
async fn order_total(app: &TestApp, org: &str, order: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let org_id = app.org_id(org).await;
    let amounts: Vec<i64> = entities::ledger_entry::Entity::find()
        .select_only()
        .column(entities::ledger_entry::Column::AmountMinor)
        .filter(entities::ledger_entry::Column::OrgId.eq(org_id))
        .filter(entities::ledger_entry::Column::Channel.eq(pnl::ledger::Channel::Shopify.code()))
        .filter(entities::ledger_entry::Column::OrderId.eq(order))
        .into_tuple()
        .all(app.state.db.conn())
        .await
        .unwrap();
    amounts.iter().sum()
}

#[tokio::test]
async fn an_order_found_mirrored_after_its_owner_synced_has_its_estimates_reversed() {
    let sandbox = store_sandbox(|config| config.shopify.stores[0].mirrored_per_mille = 500).await;
    let app = spawn_shopify(&sandbox).await;
    // No source names: only the external-order-id rule can recognise a mirror.
    app.gql_ok(
        &app.token("acme", "admin"),
        "mutation { setShopifyMirrorSourceNames(names: []) }",
        json!({}),
    )
    .await;
    connect_shopify(&app, "acme", &domain()).await;
    drain(&app).await;
    let recent = chrono::Utc::now() - chrono::Duration::days(2);
    let candidates: Vec<_> = sandbox
        .shopify()
        .orders(&domain())
        .into_iter()
        .filter(|o| o.mirrored_from.is_some() && o.updated_at >= recent && !o.test)
        .collect();
    assert!(
        !candidates.is_empty(),
        "mirrored orders within the incremental window"
    );
    // Their owner is not connected yet: the copies look like Shopify sales.
    for order in &candidates {
        assert_ne!(order_total(&app, "acme", &order.legacy_id).await, 0);
    }

    // The TikTok shop arrives with the orders; the next Shopify run re-reads the copies.
    crate::sync_engine::connect_over_http(&app, "acme").await;
    drain(&app).await;
    let mut order = None;
    for candidate in candidates {
        let owner = candidate.mirrored_from.clone().unwrap();
        if owned_by_tiktok(&app, "acme", &owner).await {
            order = Some(candidate);
            break;
        }
    }
    let order = order.expect("a copy whose TikTok order the TikTok sync posted");
    trigger(&app, "acme").await;
    assert_eq!(order_total(&app, "acme", &order.legacy_id).await, 0);
    let listed = app
        .gql_ok(
            &app.token("acme", "pnl:read"),
            "{ mirroredOrders(limit: 1000) { orderId rule matched ownerChannel } }",
            json!({}),
        )
        .await;
    let row = listed["mirroredOrders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["orderId"] == order.legacy_id.as_str())
        .unwrap_or_else(|| panic!("{} listed in {listed}", order.legacy_id));
    assert_eq!(row["rule"], "EXTERNAL_ORDER_ID", "{row}");
    assert_eq!(row["ownerChannel"], "TIKTOK_SHOP", "{row}");
    assert_eq!(
        row["matched"],
        order.mirrored_from.clone().unwrap().as_str()
    );
}

/// Where a sync reads balance transactions from: the shop's oldest settled line still without a
/// payout — not an estimate, not a reversed line, not another shop's.
#[tokio::test]
async fn balance_transactions_are_read_from_the_oldest_settled_line_without_a_payout() {
    use chrono::{TimeZone, Utc};
    use pnl::connectors::catalog::ensure_shop;
    use pnl::connectors::shopify::sync::oldest_unassigned;
    use pnl::ledger::{Channel, EntryStatus, NewLine};

    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let db = app.db.conn();
    let shop = ensure_shop(
        db,
        org,
        Channel::Shopify,
        "a.myshopify.com",
        "A",
        Some("USD"),
    )
    .await
    .unwrap()
    .id;
    let other = ensure_shop(
        db,
        org,
        Channel::Shopify,
        "b.myshopify.com",
        "B",
        Some("USD"),
    )
    .await
    .unwrap()
    .id;
    let at = |month, day| Utc.with_ymd_and_hms(2026, month, day, 12, 0, 0).unwrap();
    let line = |key: &str, shop_id, occurred_at, status| NewLine {
        channel: Channel::Shopify,
        shop_id: Some(shop_id),
        occurred_at,
        status,
        ..crate::helpers::unmapped_line(key, -100)
    };
    assert_eq!(oldest_unassigned(db, org, shop).await.unwrap(), None);
    crate::helpers::post_to(
        &app.db,
        org,
        vec![
            line("shopify:bt:1:fee", shop, at(3, 1), EntryStatus::Settled),
            line("shopify:est:2:fee", shop, at(2, 1), EntryStatus::Estimated),
            line("shopify:bt:3:fee", shop, at(1, 15), EntryStatus::Settled),
            line("shopify:bt:4:fee", other, at(1, 1), EntryStatus::Settled),
        ],
    )
    .await;
    assert_eq!(
        oldest_unassigned(db, org, shop).await.unwrap(),
        Some(at(1, 15))
    );
    // Corrected to a later day: the reversed line and its reversal no longer count.
    crate::helpers::post_to(
        &app.db,
        org,
        vec![line(
            "shopify:bt:3:fee",
            shop,
            at(3, 5),
            EntryStatus::Settled,
        )],
    )
    .await;
    assert_eq!(
        oldest_unassigned(db, org, shop).await.unwrap(),
        Some(at(3, 1))
    );
}
