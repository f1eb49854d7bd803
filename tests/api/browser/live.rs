//! Live updates in the browser: a sync's progress moves on the connections page while the
//! sync runs (the `syncProgress` subscription over /graphql/ws), without a reload.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::Browser;
use crate::helpers::TestApp;
use crate::sync_engine::{connect_over_http, spawn_for, start_sandbox};

/// Each shop's sync cell as the page shows it: `[shop, state, step, live]`, and whether the
/// page is still the one the test marked.
const CELLS: &str = "return [Array.from(document.querySelectorAll('.sync-cell')).map((c) => { \
                     const s = c.querySelector('.sync'); \
                     return [c.dataset.shop, s ? s.dataset.state : null, s ? s.dataset.step : null, \
                     c.dataset.live === 'true']; }), window.pnlMarker === 1]";

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
    // Every cell follows its shop's sync before the sync starts (its subscription has sent the
    // state now), so no step can pass unseen while a socket is still connecting.
    browser
        .until(
            "every sync cell live",
            "const cells = document.querySelectorAll('.sync-cell'); \
             return cells.length > 0 && Array.from(cells).every((c) => c.dataset.live === 'true')",
        )
        .await;
    // The first requests are throttled, so the first shop's first step lasts the client's
    // back-off (at least 0.75 s: two retries) — longer than the subscription's 0.3 s poll —
    // however fast the rest of the sync runs.
    sandbox.faults().throttle_next(2);

    let state = app.state.clone();
    let worker = tokio::spawn(async move { while pnl::sync::run_one(&state).await.unwrap() {} });
    // Every step each shop's cell showed.
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let deadline = std::time::Instant::now() + super::WAIT * 3;
    loop {
        let page = browser.run(CELLS, vec![]).await;
        assert_eq!(page[1], json!(true), "the page reloaded: {page}");
        let cells = page[0].as_array().expect("the cells");
        for cell in cells {
            let step = cell[2].as_str().unwrap_or("");
            if !step.is_empty() {
                let shop = cell[0].as_str().unwrap_or("").to_owned();
                seen.entry(shop).or_default().insert(step.to_owned());
            }
        }
        let all_done = cells
            .iter()
            .all(|cell| cell[1] == "IDLE" && cell[2] == "done" && cell[3] == true);
        if all_done && seen.values().any(|steps| steps.len() > 1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sync's progress did not reach done on the page with a step before it; \
             steps seen {seen:?}, cells now {page}"
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
