//! Amazon money through the real ingest path: the Finances API pages of a settlement and the
//! settlement report of the same period post each amount once, in either order; a report
//! imported again posts nothing; an open group shows as open.

use pnl::connectors::amazon::finances::{normalize_events, normalize_groups};
use pnl::connectors::amazon::model::{Envelope, FinancialEventGroup, GroupsPayload};
use pnl::connectors::amazon::settlement;
use pnl::connectors::catalog;
use pnl::connectors::ingest::{ingest, Batch, IngestReport};
use pnl::connectors::Normalized;
use pnl::ledger::mapping::FeeMapper;
use pnl::ledger::raw::{Raw, RawInput};
use pnl::ledger::{Channel, FeeBucket};
use pnl::payout::{find, ReconcileStatus};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{fixture, TestApp};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("amazon/{name}"))).unwrap()
}

fn batch(shop_id: i64, kind: &str, id: &str, payload: &[u8], normalized: Normalized) -> Batch {
    Batch {
        channel: Channel::Amazon,
        shop_id,
        source_kind: kind.to_owned(),
        source_id: id.to_owned(),
        raw: Some(Raw::New(RawInput {
            channel: Channel::Amazon,
            shop_id: Some(shop_id),
            source_kind: kind.to_owned(),
            source_id: id.to_owned(),
            payload: String::from_utf8_lossy(payload).into_owned(),
        })),
        normalized,
    }
}

async fn setup() -> (TestApp, i64, i64) {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let shop = catalog::ensure_shop(
        app.db.conn(),
        org,
        Channel::Amazon,
        "A1US",
        "Amazon US",
        Some("USD"),
    )
    .await
    .unwrap();
    (app, org, shop.id)
}

fn closed_group() -> FinancialEventGroup {
    let page: Envelope<GroupsPayload> = serde_json::from_slice(&read("groups.json")).unwrap();
    page.payload.unwrap().financial_event_group_list[0].clone()
}

/// The groups page, then every events page of the closed group.
async fn sync_api(app: &TestApp, org: i64, shop: i64) -> IngestReport {
    let groups = read("groups.json");
    let mut report = ingest(
        &app.db,
        org,
        batch(
            shop,
            "amazon.finances.v0.groups",
            "groups",
            &groups,
            normalize_groups(&groups),
        ),
    )
    .await
    .unwrap();
    let pages = [
        read("events_page1.json"),
        read("events_empty.json"),
        read("events_page3.json"),
    ];
    let refs: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
    let events = normalize_events(&closed_group(), &refs, &FeeMapper::defaults());
    report.absorb(
        ingest(
            &app.db,
            org,
            batch(
                shop,
                "amazon.finances.v0.events",
                "FEG-US-0901",
                &pages.concat(),
                events,
            ),
        )
        .await
        .unwrap(),
    );
    report
}

async fn import(app: &TestApp, org: i64, shop: i64, name: &str) -> IngestReport {
    let bytes = read(name);
    let normalized = settlement::parse(&bytes, name).unwrap();
    ingest(
        &app.db,
        org,
        batch(shop, settlement::SOURCE_KIND, name, &bytes, normalized),
    )
    .await
    .unwrap()
}

async fn rows(app: &TestApp) -> u64 {
    entities::ledger_entry::Entity::find()
        .count(app.db.conn())
        .await
        .unwrap()
}

async fn assert_matched(app: &TestApp, org: i64, id: &str, total: &str) {
    let payout = find(app.db.conn(), org, Channel::Amazon, None, id)
        .await
        .unwrap();
    assert_eq!(payout.status, ReconcileStatus::Matched, "{id}");
    assert_eq!(payout.ledger.amount().to_string(), total);
    assert!(payout.residual.unwrap().is_zero());
}

#[tokio::test]
async fn api_then_settlement_file_posts_each_amount_once() {
    let (app, org, shop) = setup().await;
    let first = sync_api(&app, org, shop).await;
    assert_eq!((first.posted, first.failures.len()), (26, 0));
    assert_eq!(
        first.unmapped.iter().collect::<Vec<_>>(),
        ["Mystery Platform Fee"]
    );
    assert_matched(&app, org, "FEG-US-0901", "790.97").await;
    let open = find(app.db.conn(), org, Channel::Amazon, None, "FEG-US-0915")
        .await
        .unwrap();
    assert_eq!(
        (open.status, open.channel_status.as_str()),
        (ReconcileStatus::Open, "OPEN")
    );
    let before = rows(&app).await;

    let file = import(&app, org, shop, "settlement_us.txt").await;
    assert_eq!((file.posted, file.duplicates, file.retired), (0, 26, 0));
    assert_eq!(rows(&app).await, before);
    assert_matched(&app, org, "FEG-US-0901", "790.97").await;
    // The report's settlement is the group under another id: no second payout.
    assert!(
        find(app.db.conn(), org, Channel::Amazon, None, "12345678901")
            .await
            .is_err()
    );

    let again = import(&app, org, shop, "settlement_us.txt").await;
    assert_eq!((again.posted, again.duplicates), (0, 26));
    assert_eq!(rows(&app).await, before);
}

#[tokio::test]
async fn settlement_file_then_api_posts_each_amount_once() {
    let (app, org, shop) = setup().await;
    let file = import(&app, org, shop, "settlement_us.txt").await;
    assert_eq!((file.posted, file.payouts), (26, 1));
    assert_matched(&app, org, "12345678901", "790.97").await;
    let before = rows(&app).await;

    let api = sync_api(&app, org, shop).await;
    assert_eq!((api.posted, api.duplicates, api.retired), (0, 26, 0));
    assert_eq!(rows(&app).await, before);
    assert_matched(&app, org, "12345678901", "790.97").await;
    assert!(
        find(app.db.conn(), org, Channel::Amazon, None, "FEG-US-0901")
            .await
            .is_err()
    );
    // The API's word on the transfer is kept on the payout the file created.
    let payout = find(app.db.conn(), org, Channel::Amazon, None, "12345678901")
        .await
        .unwrap();
    assert_eq!(payout.channel_status, "SUCCEEDED");

    let again = sync_api(&app, org, shop).await;
    assert_eq!(again.posted, 0);
}

#[tokio::test]
async fn a_de_settlement_file_imports_with_its_bucket_totals_once() {
    let (app, org, shop) = setup().await;
    let report = import(&app, org, shop, "settlement_de_cp1252.txt").await;
    assert_eq!(report.posted, 11);
    assert_eq!(
        report.unmapped.iter().collect::<Vec<_>>(),
        ["Lagergebühr für Überbestand"]
    );
    assert_matched(&app, org, "23456789012", "863.32").await;
    let payout = find(app.db.conn(), org, Channel::Amazon, None, "23456789012")
        .await
        .unwrap();
    let bucket = |b: FeeBucket| {
        payout
            .breakdown
            .iter()
            .find(|(bucket, _)| *bucket == b)
            .map(|(_, m)| m.amount().to_string())
    };
    assert_eq!(bucket(FeeBucket::ProductSales).as_deref(), Some("1199.00"));
    assert_eq!(
        bucket(FeeBucket::PlatformCommission).as_deref(),
        Some("-165.00")
    );
    assert_eq!(bucket(FeeBucket::Reserves).as_deref(), Some("-20.00"));
    assert_eq!(bucket(FeeBucket::Advertising).as_deref(), Some("-45.00"));
    let again = import(&app, org, shop, "settlement_de_cp1252.txt").await;
    assert_eq!((again.posted, again.duplicates), (0, 11));
}
