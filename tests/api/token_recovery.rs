//! An access token TikTok no longer accepts (code 36009004, "invalid x-tts-access-token") is
//! refreshed like an expired one and the sync goes on; when the refresh is refused too, the shop
//! asks for a new authorisation at once instead of failing and waiting for the next schedule.

use entities::{shop, sync_state};
use pnl::connectors::tiktok::SHOP_STREAM;
use pnl::sync::{run_one, schedule_now};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::sync_engine::{connect_over_http, drain, spawn_for, start_sandbox};

async fn shop_jobs(app: &crate::helpers::TestApp) -> Vec<sync_state::Model> {
    sync_state::Entity::find()
        .filter(sync_state::Column::Stream.eq(SHOP_STREAM))
        .all(app.db.conn())
        .await
        .unwrap()
}

async fn run_shops_now(app: &crate::helpers::TestApp) {
    for job in shop_jobs(app).await {
        schedule_now(app.db.conn(), job.org_id, job.shop_id, SHOP_STREAM)
            .await
            .unwrap();
    }
    while run_one(&app.state).await.unwrap() {}
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_and_the_sync_goes_on() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    drain(&app).await;

    sandbox.faults().invalidate_access_tokens();
    run_shops_now(&app).await;
    for job in shop_jobs(&app).await {
        assert_eq!(job.state, "IDLE", "{:?}", job.last_error);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_access_token_whose_refresh_is_refused_asks_for_authorisation() {
    let sandbox = start_sandbox(3).await;
    let app = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    drain(&app).await;

    sandbox.faults().invalidate_access_tokens();
    sandbox.faults().revoke_grant();
    run_shops_now(&app).await;
    for job in shop_jobs(&app).await {
        assert_eq!(job.state, "PAUSED", "{:?}", job.last_error);
    }
    let shops = shop::Entity::find().all(app.db.conn()).await.unwrap();
    assert!(
        shops.iter().all(|shop| shop.status == "NEEDS_REAUTH"),
        "{shops:?}"
    );
    sandbox.shutdown().await;
}
