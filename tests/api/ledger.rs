//! Posting: idempotent by entry key, corrections as reversals, raw records kept, durable.

use chrono::{TimeZone, Utc};
use pnl::ledger::mapping::FeeMapper;
use pnl::ledger::raw::{Raw, RawInput};
use pnl::ledger::{post, Channel, EntryStatus, NewLine, PostRequest};
use pnl::money::{Currency, Money};
use serde_json::json;

use crate::helpers::TestApp;

const ENTRIES: &str = r"query($filter: LedgerEntryFilter) {
  ledgerEntries(filter: $filter, first: 100) {
    edges { node { entryKey seq reversalOf bucket label mapped amount { amount currency } status rawRecordId } }
  }
}";

fn line(key: &str, label: &str, amount: &str) -> NewLine {
    let mapping = FeeMapper::defaults().resolve(Channel::TikTokShop, label);
    NewLine {
        entry_key: key.to_owned(),
        shop_id: None,
        channel: Channel::TikTokShop,
        order_id: Some("577000000000000001".to_owned()),
        order_line: None,
        listing_id: None,
        product_id: None,
        channel_product_id: None,
        creator_id: None,
        bucket: mapping.bucket,
        label: label.to_owned(),
        mapped: mapping.mapped,
        amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
        quantity: 0,
        occurred_at: Utc.with_ymd_and_hms(2026, 10, 1, 12, 0, 0).unwrap(),
        status: EntryStatus::Settled,
        payout_id: None,
        source_kind: "test".to_owned(),
        source_id: "statement-1".to_owned(),
    }
}

fn statement(commission: &str) -> PostRequest {
    PostRequest {
        raw: Some(Raw::New(RawInput {
            channel: Channel::TikTokShop,
            shop_id: None,
            source_kind: "test".to_owned(),
            source_id: "statement-1".to_owned(),
            payload: format!(r#"{{"commission":"{commission}"}}"#),
        })),
        lines: vec![
            line(
                "st1:tx1:subtotal_before_discount_amount",
                "subtotal_before_discount_amount",
                "100.00",
            ),
            line(
                "st1:tx1:platform_commission_amount",
                "platform_commission_amount",
                commission,
            ),
            line("st1:tx1:mystery_fee_amount", "mystery_fee_amount", "-1.25"),
        ],
        retire: vec![],
    }
}

#[tokio::test]
async fn posting_the_same_lines_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let first = post(&app.db, org, statement("-6.00")).await.unwrap();
    assert_eq!(
        (first.inserted, first.unchanged, first.corrected),
        (3, 0, 0)
    );
    let second = post(&app.db, org, statement("-6.00")).await.unwrap();
    assert_eq!(
        (second.inserted, second.unchanged, second.corrected),
        (0, 3, 0)
    );
    assert_eq!(
        first.raw_record_id, second.raw_record_id,
        "the identical payload is stored once"
    );

    let token = app.token("acme", "pnl:read");
    let data = app.gql_ok(&token, ENTRIES, json!({})).await;
    assert_eq!(data["ledgerEntries"]["edges"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_correction_appends_a_reversal_and_a_new_row() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    post(&app.db, org, statement("-6.00")).await.unwrap();
    let outcome = post(&app.db, org, statement("-6.50")).await.unwrap();
    assert_eq!(
        (outcome.inserted, outcome.unchanged, outcome.corrected),
        (0, 2, 1)
    );

    let token = app.token("acme", "pnl:read");
    let filter = json!({ "filter": { "entryKey": "st1:tx1:platform_commission_amount" } });
    let data = app.gql_ok(&token, ENTRIES, filter).await;
    let rows: Vec<_> = data["ledgerEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let amounts: Vec<_> = rows
        .iter()
        .map(|r| r["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        amounts,
        ["-6.00", "6.00", "-6.50"],
        "original, reversal, replacement"
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(rows[1]["reversalOf"].is_string() && rows[0]["reversalOf"].is_null());
    assert_ne!(
        rows[0]["rawRecordId"], rows[2]["rawRecordId"],
        "the restated payload is a new raw record"
    );
    assert_eq!(rows[0]["bucket"], "PLATFORM_COMMISSION");
}

#[tokio::test]
async fn an_unknown_label_goes_to_other_and_is_listed() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    post(&app.db, org, statement("-6.00")).await.unwrap();
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(
            &token,
            "{ unmappedFees { channel label entries total { amount currency } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["unmappedFees"],
        json!([{ "channel": "TIKTOK_SHOP", "label": "mystery_fee_amount", "entries": 1, "total": { "amount": "-1.25", "currency": "USD" } }])
    );
}

#[tokio::test]
async fn a_key_repeated_with_other_content_in_one_posting_writes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let mut request = statement("-6.00");
    request.lines.push(line(
        "st1:tx1:platform_commission_amount",
        "platform_commission_amount",
        "-7.00",
    ));
    let error = post(&app.db, org, request).await.unwrap_err();
    assert!(error.to_string().contains("appears twice"), "{error}");
    let token = app.token("acme", "pnl:read");
    let data = app.gql_ok(&token, ENTRIES, json!({})).await;
    assert_eq!(data["ledgerEntries"]["edges"], json!([]));
}

#[tokio::test]
async fn retiring_a_key_reverses_it_once() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    post(&app.db, org, statement("-6.00")).await.unwrap();
    let retire = || PostRequest {
        retire: vec!["st1:tx1:mystery_fee_amount".to_owned()],
        ..PostRequest::default()
    };
    assert_eq!(post(&app.db, org, retire()).await.unwrap().retired, 1);
    assert_eq!(post(&app.db, org, retire()).await.unwrap().retired, 0);
    let token = app.token("acme", "pnl:read");
    let data = app
        .gql_ok(&token, "{ unmappedFees { label } }", json!({}))
        .await;
    assert_eq!(
        data["unmappedFees"],
        json!([]),
        "a retired line no longer counts"
    );
}

#[tokio::test]
async fn the_ledger_survives_a_restart() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    post(&app.db, org, statement("-6.00")).await.unwrap();
    let database = app.stop().await;

    let app = TestApp::spawn_on(database).await;
    let token = app.token("acme", "pnl:read");
    let data = app.gql_ok(&token, ENTRIES, json!({})).await;
    assert_eq!(data["ledgerEntries"]["edges"].as_array().unwrap().len(), 3);
    let org_again = app.org_id("acme").await;
    assert_eq!(
        post(&app.db, org_again, statement("-6.00"))
            .await
            .unwrap()
            .unchanged,
        3
    );
}

#[tokio::test]
async fn paging_walks_every_row_once() {
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let lines = (0..7)
        .map(|i| line(&format!("k{i}"), "platform_commission_amount", "-1.00"))
        .collect();
    post(
        &app.db,
        org,
        PostRequest {
            lines,
            ..PostRequest::default()
        },
    )
    .await
    .unwrap();
    let token = app.token("acme", "pnl:read");
    let query = "query($after: String) { ledgerEntries(first: 3, after: $after) { pageInfo { hasNextPage endCursor } edges { node { entryKey } } } }";
    let (mut after, mut keys) = (serde_json::Value::Null, Vec::new());
    loop {
        let data = app.gql_ok(&token, query, json!({ "after": after })).await;
        let page = &data["ledgerEntries"];
        keys.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["entryKey"].as_str().unwrap().to_owned()),
        );
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(keys, (0..7).map(|i| format!("k{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn day_week_and_month_sums_kept_by_postings_equal_a_rebuild_from_the_raw_rows() {
    use sea_orm::{EntityTrait, QueryOrder};
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    post(&app.db, org, statement("-6.00")).await.unwrap();
    post(&app.db, org, statement("-6.50")).await.unwrap(); // a correction: reversal + new row
    let retire = PostRequest {
        retire: vec!["st1:tx1:mystery_fee_amount".to_owned()],
        ..PostRequest::default()
    };
    post(&app.db, org, retire).await.unwrap();
    let snapshot = |rows: Vec<entities::ledger_day::Model>| -> Vec<_> {
        rows.into_iter()
            .map(|r| {
                (
                    r.day,
                    r.bucket,
                    r.currency,
                    r.amount_minor,
                    r.quantity,
                    r.sale_lines,
                )
            })
            .collect()
    };
    let months = |rows: Vec<entities::ledger_month::Model>| -> Vec<_> {
        rows.into_iter()
            .map(|r| (r.month, r.bucket, r.amount_minor, r.quantity, r.sale_lines))
            .collect::<Vec<_>>()
    };
    let month_rows = || {
        entities::ledger_month::Entity::find()
            .order_by_asc(entities::ledger_month::Column::Bucket)
            .all(app.db.conn())
    };
    let kept_months = months(month_rows().await.unwrap());
    let weeks = || async {
        entities::ledger_week::Entity::find()
            .order_by_asc(entities::ledger_week::Column::Bucket)
            .all(app.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.week, r.bucket, r.amount_minor, r.quantity, r.sale_lines))
            .collect::<Vec<_>>()
    };
    let kept_weeks = weeks().await;
    let kept = snapshot(
        entities::ledger_day::Entity::find()
            .order_by_asc(entities::ledger_day::Column::Bucket)
            .all(app.db.conn())
            .await
            .unwrap(),
    );
    pnl::ledger::rollup::rebuild(app.db.conn(), org)
        .await
        .unwrap();
    let rebuilt = snapshot(
        entities::ledger_day::Entity::find()
            .order_by_asc(entities::ledger_day::Column::Bucket)
            .all(app.db.conn())
            .await
            .unwrap(),
    );
    assert_eq!(kept, rebuilt);
    assert_eq!(kept_months, months(month_rows().await.unwrap()));
    assert_eq!(kept_weeks, weeks().await);
    assert_eq!(kept_weeks.len(), kept.len(), "one day, so one week per key");
    assert_eq!(
        kept_months.len(),
        kept.len(),
        "one day, so one month per key"
    );
    let commission = kept.iter().find(|r| r.1 == "PLATFORM_COMMISSION").unwrap();
    assert_eq!(commission.3, -650, "the correction's net is the new amount");
    assert!(
        kept.iter().all(|r| r.1 != "OTHER" || r.3 == 0),
        "a retired line nets to zero"
    );
}

#[tokio::test]
async fn a_growing_ledger_keeps_planner_statistics_fresh_on_postgresql() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let lines: Vec<NewLine> = (0..5_000)
        .map(|i| line(&format!("bulk:{i}"), "platform_commission_amount", "-1.00"))
        .collect();
    let outcome = post(
        &app.db,
        org,
        PostRequest {
            lines,
            ..PostRequest::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome.inserted, 5_000);
    if app.db.backend() != sea_orm::DatabaseBackend::Postgres {
        return; // SQLite plans from its indexes; there is nothing to refresh.
    }
    let analyzed = app
        .db
        .conn()
        .query_one(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT last_analyze IS NOT NULL AS done FROM pg_stat_user_tables WHERE relname = 'ledger_entry'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<bool>("", "done")
        .unwrap();
    assert!(analyzed, "5,000 rows posted: ledger_entry was analysed");
}

/// A report reads a few thousand rows of sums: two parallel workers' start cost more than the
/// query (`db::Db::connect`). Every pooled PostgreSQL session plans without them.
#[tokio::test]
async fn postgresql_sessions_plan_without_parallel_workers() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    if app.db.backend() != sea_orm::DatabaseBackend::Postgres {
        return; // SQLite runs every query on the calling thread.
    }
    // More reads at once than the pool keeps idle, so more than one session answers.
    let reads = (0..6).map(|_| async {
        app.db
            .conn()
            .query_one(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT current_setting('max_parallel_workers_per_gather') AS workers, pg_sleep(0.05) IS NULL AS slept",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "workers")
            .unwrap()
    });
    for workers in futures::future::join_all(reads).await {
        assert_eq!(workers, "0");
    }
}
