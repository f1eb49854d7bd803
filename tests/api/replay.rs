//! Replay re-derives the ledger from stored raw records through today's normalisers: on a
//! ledger synced from TikTok, Amazon and Shopify and imported from a statement file it posts
//! nothing; after a normaliser books a label differently it posts exactly the corrections,
//! keeps the rollups exact, resumes after being stopped, and touches no other org.

use std::ops::ControlFlow;

use pnl::ledger::mapping::set_override;
use pnl::ledger::{Channel, FeeBucket};
use pnl::replay::{replay, ReplayReport, Scope, Step};
use pnl::statements::{import_statement, resolve_mapping, StatementOptions};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::amazon_sync::{amazon_sandbox, connect_amazon, spawn_amazon};
use crate::helpers::{fixture, TestApp};
use crate::shopify::{connect_shopify, small_shopify_sandbox, spawn_shopify};
use crate::sync_engine::drain;
use crate::tiktok_sync::{connect, pull_all, sandbox};

async fn run(app: &TestApp, scope: Scope) -> ReplayReport {
    replay(&app.db, scope, &mut |_| ControlFlow::Continue(()))
        .await
        .unwrap()
}

fn whole(org_id: i64) -> Scope {
    Scope {
        org_id,
        channel: None,
        since: None,
    }
}

/// Nothing changed: every source read again, nothing posted, nothing failed.
fn assert_no_drift(report: &ReplayReport) {
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert!(report.replayed > 0, "{report:#?}");
    let r = &report.ingest;
    assert_eq!((r.posted, r.corrected, r.retired), (0, 0, 0), "{report:#?}");
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
}

/// The org's current amount of TikTok's `label` in `bucket`, in minor units.
async fn label_total(app: &TestApp, org: i64, label: &str, bucket: FeeBucket) -> i64 {
    entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(org))
        .filter(entities::ledger_entry::Column::Channel.eq(Channel::TikTokShop.code()))
        .filter(crate::helpers::labelled(label))
        .filter(entities::ledger_entry::Column::Bucket.eq(bucket.code()))
        .all(app.db.conn())
        .await
        .unwrap()
        .iter()
        .map(|row| row.amount_minor)
        .sum()
}

#[tokio::test]
async fn a_replay_posts_only_what_todays_normalisers_change_and_resumes_after_a_stop() {
    let app = TestApp::spawn().await;
    let tiktok = sandbox(12).await;
    let (client, targets) = connect(&app, &tiktok, "acme").await;
    pull_all(&app, &tiktok, &client, &targets).await;
    let org = app.org_id("acme").await;
    let bytes = std::fs::read(fixture("statements/walmart_recon.csv")).unwrap();
    let mapping = resolve_mapping("walmart-recon").unwrap();
    import_statement(
        &app.db,
        org,
        "walmart_recon.csv",
        &bytes,
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap();
    // Another org with its own copy of the statement: never read or changed by acme's replay.
    let other = app.org_id("globex").await;
    import_statement(
        &app.db,
        other,
        "walmart_recon.csv",
        &bytes,
        &mapping,
        &StatementOptions::default(),
    )
    .await
    .unwrap();
    let rows = app.ledger_rows().await;

    let first = run(&app, whole(org)).await;
    assert_no_drift(&first);
    assert_eq!(app.ledger_rows().await, rows);

    // A scope narrows the sources: one statement file; none received after a far day.
    let walmart = run(
        &app,
        Scope {
            channel: Some(Channel::Walmart),
            ..whole(org)
        },
    )
    .await;
    assert_eq!((walmart.sources, walmart.replayed), (1, 1), "{walmart:#?}");
    let later = run(
        &app,
        Scope {
            since: chrono::NaiveDate::from_ymd_opt(2099, 1, 1),
            ..whole(org)
        },
    )
    .await;
    assert_eq!(later.sources, 0, "{later:#?}");

    // Today's normaliser books TikTok's commission elsewhere (set without re-booking, as an
    // upgrade would): a replay moves exactly those lines.
    const LABEL: &str = "platform_commission_amount";
    let commission = label_total(&app, org, LABEL, FeeBucket::PlatformCommission).await;
    assert!(commission < 0);
    set_override(
        app.db.conn(),
        org,
        Channel::TikTokShop,
        LABEL,
        FeeBucket::ProgramFees,
    )
    .await
    .unwrap();
    assert_eq!(
        label_total(&app, org, LABEL, FeeBucket::ProgramFees).await,
        0
    );

    // Stopped after three sources (as a kill would), then resumed.
    let mut seen = 0;
    let stopped = replay(&app.db, whole(org), &mut |step: Step| {
        seen = step.done;
        if step.done == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await
    .unwrap();
    assert!(stopped.stopped);
    assert_eq!(seen, 3);
    let resumed = run(&app, whole(org)).await;
    assert_eq!(resumed.resumed, 3, "{resumed:#?}");
    assert!(resumed.failures.is_empty(), "{:#?}", resumed.failures);
    assert!(resumed.ingest.corrected > 0, "{resumed:#?}");
    assert_eq!(
        label_total(&app, org, LABEL, FeeBucket::PlatformCommission).await,
        0
    );
    assert_eq!(
        label_total(&app, org, LABEL, FeeBucket::ProgramFees).await,
        commission
    );
    crate::rebook::rollups_are_exact(&app, org).await;

    // Done: the next replay starts over and finds nothing left to change.
    let again = run(&app, whole(org)).await;
    assert_eq!(again.resumed, 0);
    assert_no_drift(&again);

    // The other org's lines are as they were.
    let theirs = entities::ledger_entry::Entity::find()
        .filter(entities::ledger_entry::Column::OrgId.eq(other))
        .all(app.db.conn())
        .await
        .unwrap();
    assert!(theirs.iter().all(|row| row.seq == 1), "nothing corrected");
}

#[tokio::test]
async fn an_amazon_ledger_replays_without_a_difference() {
    let sandbox = amazon_sandbox(None).await;
    let app = spawn_amazon(&sandbox).await;
    connect_amazon(&app, "acme").await;
    drain(&app).await;
    let org = app.org_id("acme").await;
    let report = run(&app, whole(org)).await;
    assert_no_drift(&report);
    assert!(report.ingest.duplicates > 100, "{report:#?}");
    assert!(report.needs_sync.is_empty(), "{report:#?}");
}

#[tokio::test]
async fn a_shopify_ledger_replays_its_payouts_and_leaves_orders_and_transactions_to_a_sync() {
    let sandbox = small_shopify_sandbox(&["acme-store"]).await;
    let app = spawn_shopify(&sandbox).await;
    connect_shopify(&app, "acme", "acme-store.myshopify.com").await;
    drain(&app).await;
    let org = app.org_id("acme").await;
    let report = run(&app, whole(org)).await;
    assert_no_drift(&report);
    assert!(report.ingest.payouts > 0, "{report:#?}");
    let left: Vec<&str> = report.needs_sync.keys().map(String::as_str).collect();
    assert!(
        left.contains(&"shopify.payments.balance_transactions"),
        "{report:#?}"
    );
    assert!(
        left.contains(&"shopify.bulk.orders") || left.contains(&"shopify.admin.orders"),
        "{report:#?}"
    );
}
