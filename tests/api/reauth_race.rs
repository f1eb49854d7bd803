//! The re-authorisation race, deterministically: a sync claimed with the old grant is refused
//! after the seller has already connected again. The refused run must neither mark the shop or
//! ad account as needing re-authorisation nor leave its job paused: the next run uses the new
//! grant and the account stays ACTIVE.

use std::time::Duration;

use chrono::Utc;
use entities::{ad_account, shop, sync_state};
use pnl::connectors::tiktok::ads::sync_ads;
use pnl::connectors::tiktok::credentials::{ads_target, shop_client};
use pnl::connectors::tiktok::sync::{sync_shop, ShopTarget};
use pnl::connectors::tiktok::{ADS_STREAM, SHOP_STREAM};
use pnl::money::Currency;
use pnl::sync::{claim_job, finish, run_one, Outcome};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::sync_engine::{connect_over_http, drain, spawn_for, start_sandbox};

#[tokio::test]
async fn a_run_refused_with_the_old_grant_cannot_undo_a_reconnection_made_while_it_ran() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    drain(&app).await;
    let db = app.db.conn();

    // The seller revokes the grant; a worker claims each job and loads the old credentials.
    sandbox.faults().revoke_grant();
    let jobs = sync_state::Entity::find().all(db).await.unwrap();
    let mut claimed = Vec::new();
    for job in &jobs {
        let held = claim_job(
            &app.db,
            job.id,
            app.state.sync.worker_id(),
            Duration::from_secs(60),
        )
        .await
        .unwrap()
        .expect("the job is free");
        claimed.push(held);
    }
    let shop_job = claimed.iter().find(|j| j.stream == SHOP_STREAM).unwrap();
    let shop_row = shop::Entity::find_by_id(shop_job.shop_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let (old_client, _) = shop_client(&app.state, &shop_row).unwrap();
    let ads_job = claimed
        .iter()
        .find(|j| j.stream.starts_with(ADS_STREAM))
        .unwrap();
    let advertiser = ads_job.stream.strip_prefix(ADS_STREAM).unwrap().to_owned();
    let (old_ads, old_ads_target) = ads_target(&app.state, ads_job.org_id, &advertiser)
        .await
        .unwrap();

    // Meanwhile the seller connects again: a new grant (the sandbox accepts tokens issued after
    // the revocation) and the jobs made due.
    connect_over_http(&app, "acme").await;

    // The in-flight runs are refused with the old grant and finish.
    let target = ShopTarget {
        org_id: shop_row.org_id,
        shop_id: shop_row.id,
        currency: Currency::parse(shop_row.currency.as_deref().unwrap()).unwrap(),
        credentials: shop_row.credentials.clone(),
    };
    let now = Utc::now();
    let refused = sync_shop(
        &app.db,
        &old_client,
        &target,
        now - chrono::Duration::days(1),
        now,
        &|_| {},
    )
    .await
    .unwrap_err();
    finish(&app.state, shop_job, Outcome::Paused(refused.to_string()))
        .await
        .unwrap();
    let today = now.date_naive();
    let refused = sync_ads(&app.db, &old_ads, &old_ads_target, today, today)
        .await
        .unwrap_err();
    finish(&app.state, ads_job, Outcome::Paused(refused.to_string()))
        .await
        .unwrap();
    for job in claimed
        .iter()
        .filter(|j| j.id != shop_job.id && j.id != ads_job.id)
    {
        finish(&app.state, job, Outcome::Paused("refused".to_owned()))
            .await
            .unwrap();
    }

    // The reconnection stands: accounts ACTIVE, and every job runs again with the new grant.
    let shops = shop::Entity::find().all(db).await.unwrap();
    assert!(shops.iter().all(|s| s.status == "ACTIVE"), "{shops:?}");
    let accounts = ad_account::Entity::find()
        .filter(ad_account::Column::OrgId.eq(shop_row.org_id))
        .all(db)
        .await
        .unwrap();
    assert!(
        accounts.iter().all(|a| a.status == "ACTIVE"),
        "{accounts:?}"
    );
    while run_one(&app.state).await.unwrap() {}
    let jobs = sync_state::Entity::find().all(db).await.unwrap();
    assert!(
        jobs.iter().all(|j| j.state == "IDLE"),
        "{:?}",
        jobs.iter()
            .map(|j| (&j.stream, &j.state, &j.last_error))
            .collect::<Vec<_>>()
    );
    sandbox.shutdown().await;
}
