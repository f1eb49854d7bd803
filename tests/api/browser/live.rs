//! Live updates in the browser: a sync's progress moves on the connections page while the
//! sync runs (the `syncProgress` subscription over /graphql/ws), without a reload.

use std::collections::BTreeSet;

use serde_json::json;

use super::Browser;
use crate::helpers::TestApp;
use crate::sync_engine::{connect_over_http, spawn_for, start_sandbox};

/// The sync cell's step and state, as the page shows them.
const CELL: &str = "const s = document.querySelector('.sync-cell .sync'); \
                    return s ? [s.dataset.state, s.dataset.step, window.pnlMarker === 1] : null";

#[tokio::test]
async fn a_syncs_progress_moves_on_the_connections_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let sandbox = start_sandbox(10).await;
    let app: TestApp = spawn_for(&sandbox).await;
    connect_over_http(&app, "acme").await;
    let token = app.token("acme", "pnl:read connectors:write");

    browser.goto(&app.url(&format!("/#token={token}"))).await;
    browser
        .until(
            "signed in",
            "return document.body.classList.contains('signed-in')",
        )
        .await;
    // Once the page has started (its range controls are drawn), open Connections from the menu.
    browser.find("#preset").await;
    browser
        .find("nav a[href='#/connections']")
        .await
        .click()
        .await
        .unwrap();
    browser.find(".sync-cell .sync").await;
    // Gone if the page reloads: the progress must arrive live.
    browser.run("window.pnlMarker = 1", vec![]).await;

    let state = app.state.clone();
    let worker = tokio::spawn(async move { while pnl::sync::run_one(&state).await.unwrap() {} });
    let mut seen = BTreeSet::new();
    let deadline = std::time::Instant::now() + super::WAIT * 3;
    loop {
        let cell = browser.run(CELL, vec![]).await;
        assert_eq!(cell[2], json!(true), "the page reloaded: {cell}");
        let step = cell[1].as_str().unwrap_or("").to_owned();
        if !step.is_empty() {
            seen.insert(step.clone());
        }
        if cell[0] == "IDLE" && step == "done" && seen.len() > 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sync's progress did not reach done on the page; steps seen {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::timeout(super::WAIT * 3, worker)
        .await
        .expect("the sync finishes")
        .unwrap();
    browser.screenshot("connections-laptop").await;
    browser.close().await;
    sandbox.shutdown().await;
}
