//! The keys against the real ingest (SQLite): an estimate is retired by its order's settled
//! charge, an unsplit charge is replaced by its split whichever arrives first, and nothing is
//! ever counted twice.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::tests::{ctx, known_orders, usd, BALANCE};
use super::{balance_transactions, order};
use crate::connectors::catalog::ensure_shop;
use crate::connectors::ingest::{ingest, Batch};
use crate::connectors::shopify::model::parse_balance_transactions_page;
use crate::connectors::shopify::CHANNEL;
use crate::connectors::Normalized;
use crate::db::Db;
use crate::ledger::mapping::FeeMapper;
use crate::money::Money;

struct Ledger {
    db: Db,
    org: i64,
    shop: i64,
    _dir: tempfile::TempDir,
}

async fn ledger() -> Ledger {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("pnl.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let org = crate::org::ensure(db.conn(), "shopnorm").await.unwrap().id;
    let shop = ensure_shop(
        db.conn(),
        org,
        CHANNEL,
        "demo.myshopify.com",
        "Demo",
        Some("USD"),
    )
    .await
    .unwrap()
    .id;
    Ledger {
        db,
        org,
        shop,
        _dir: dir,
    }
}

impl Ledger {
    async fn post(&self, id: &str, normalized: Normalized) {
        let batch = Batch {
            channel: CHANNEL,
            shop_id: self.shop,
            source_kind: "shopify.test".to_owned(),
            source_id: id.to_owned(),
            raw: None,
            normalized,
        };
        ingest(&self.db, self.org, batch).await.unwrap();
    }

    /// Live (not reversed) keys of order 5001 and their total.
    async fn live(&self) -> (BTreeSet<String>, Money) {
        use entities::ledger_entry::{Column, Entity};
        let rows = Entity::find()
            .filter(Column::OrgId.eq(self.org))
            .filter(Column::OrderId.eq("5001"))
            .all(self.db.conn())
            .await
            .unwrap();
        let entries = crate::ledger::query::entries(self.db.conn(), rows)
            .await
            .unwrap();
        let mut latest: HashMap<String, crate::ledger::query::Entry> = HashMap::new();
        for entry in entries {
            let newer = latest
                .get(&entry.entry_key)
                .is_none_or(|seen| seen.seq < entry.seq);
            if newer {
                latest.insert(entry.entry_key.clone(), entry);
            }
        }
        let live: Vec<_> = latest
            .into_values()
            .filter(|entry| entry.reversal_of.is_none())
            .collect();
        let total = Money::checked_sum(live.iter().map(|entry| entry.amount), usd()).unwrap();
        let keys = live.into_iter().map(|entry| entry.entry_key).collect();
        (keys, total)
    }
}

fn charges(orders: &HashMap<String, crate::connectors::shopify::model::Order>) -> Normalized {
    let mapper = FeeMapper::defaults();
    let (nodes, _) = parse_balance_transactions_page(BALANCE).unwrap();
    // The charge and the refund of order 5001.
    balance_transactions(&nodes[..2], orders, &ctx(&mapper))
}

#[tokio::test]
async fn the_split_replaces_the_unsplit_charge_and_the_estimate_whichever_comes_first() {
    let mapper = FeeMapper::defaults();
    let estimate = order(&known_orders()["5001"], &ctx(&mapper));
    let split = charges(&known_orders());
    let unsplit = charges(&HashMap::new());
    let split_keys: BTreeSet<String> = split.lines.iter().map(|l| l.entry_key.clone()).collect();
    let net = Money::parse("172.27", usd()).unwrap(); // 257.27 − 85.00

    // Estimate, then the transactions without their order, then with it.
    let first = ledger().await;
    first.post("estimate", estimate.clone()).await;
    assert!(first
        .live()
        .await
        .0
        .iter()
        .all(|key| key.starts_with("shopify:est:")));
    first.post("unsplit", unsplit.clone()).await;
    let (keys, total) = first.live().await;
    assert!(
        keys.iter().all(|key| !key.starts_with("shopify:est:")),
        "{keys:?}"
    );
    assert!(keys.iter().any(|key| key.ends_with(":unsplit_charge")));
    assert_eq!(total, net);
    first.post("split", split.clone()).await;
    assert_eq!(first.live().await, (split_keys.clone(), net));

    // A refund to store credit (no balance transaction will come) outlives the settlement,
    // and is posted even when it arrives after it.
    let mut credited = known_orders()["5001"].clone();
    let mut store_credit = credited.refunds[0].clone();
    store_credit.id = "gid://shopify/Refund/9002".to_owned();
    store_credit.legacy_resource_id = None;
    for transaction in &mut store_credit.transactions.nodes {
        transaction.gateway = Some("shopify_store_credit".to_owned());
    }
    credited.refunds.push(store_credit);
    first
        .post("estimate again", order(&credited, &ctx(&mapper)))
        .await;
    let (keys, total) = first.live().await;
    let offline: Vec<&String> = keys
        .iter()
        .filter(|key| key.contains(":offline:"))
        .collect();
    assert!(!offline.is_empty());
    assert!(offline
        .iter()
        .all(|key| key.starts_with("shopify:est:offline:5001:refund:9002:")));
    assert_eq!(keys.len(), split_keys.len() + offline.len());
    assert_eq!(
        total,
        Money::parse("87.27", usd()).unwrap(),
        "172.27 − 85.00"
    );

    // The split first; the unsplit read afterwards (a page read without its orders) and the
    // estimate read again change nothing.
    let second = ledger().await;
    second.post("split", split).await;
    second.post("unsplit", unsplit).await;
    second.post("estimate", estimate).await;
    assert_eq!(second.live().await, (split_keys, net));
}
