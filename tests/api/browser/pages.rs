//! The dashboard in headless Chromium: sign-in through a login link, the overview's tiles
//! against the API, drill-down to a raw record, a payout, another org's view, phone width.

use pnl::import::{import_file, ImportOptions};
use serde_json::{json, Value};

use super::Browser;
use crate::helpers::{fixture, TestApp};
use crate::pnl::brand;

const KPIS: &str = r#"query($from: Date!, $to: Date!) { kpis(range: {from: $from, to: $to}, currency: "USD") {
  changes { kpi current } } }"#;

/// Signs the browser in through a login link for `token` and shows `from..=to` in USD by week.
pub async fn sign_in(browser: &Browser, app: &TestApp, token: &str, (from, to): (&str, &str)) {
    browser.goto(&app.url(&format!("/#token={token}"))).await;
    browser
        .until(
            "the login link's token leaves the address bar",
            "return document.body.classList.contains('signed-in') && !location.href.includes('token')",
        )
        .await;
    // The page has chosen its default range (so it will not overwrite the one set below).
    browser.find("#preset").await;
    let view =
        json!({ "preset": "custom", "from": from, "to": to, "currency": "USD", "grain": "WEEK" });
    browser
        .run(
            "window.pnlBeforeReload = true; \
             sessionStorage.setItem('pnl.dashboard.view', JSON.stringify(arguments[0])); location.reload();",
            vec![view],
        )
        .await;
    // Clicks before the reload lands would be lost with the old page.
    browser
        .until(
            "the page reloads with the range",
            "return !window.pnlBeforeReload && document.querySelector('#preset') !== null",
        )
        .await;
}

/// "1234.50" as the page writes US dollars: "$1,234.50" (negative: "−$…").
fn usd(amount: &str) -> String {
    let (sign, digits) = amount
        .strip_prefix('-')
        .map_or(("", amount), |rest| ("−", rest));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!("{sign}${grouped}{frac}")
}

async fn tile_values(browser: &Browser) -> Value {
    browser
        .run(
            "return [...document.querySelectorAll('.tile')].map(t => [t.dataset.kpi, t.dataset.value, t.querySelector('.figure').textContent])",
            vec![],
        )
        .await
}

#[tokio::test]
async fn a_login_link_signs_in_and_the_overview_tiles_equal_the_api() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read costs:write admin");

    // Without a token the page says how to get one.
    browser.goto(&app.url("/")).await;
    let text = browser.find(".signed-out").await.text().await.unwrap();
    assert!(text.contains("pnl login-link"), "{text}");

    sign_in(&browser, &app, &token, ("2026-01-01", "2026-01-31")).await;
    let stored = browser
        .run(
            "return sessionStorage.getItem('pnl.dashboard.token')",
            vec![],
        )
        .await;
    assert_eq!(stored, json!(token), "the token moved to session storage");
    browser.find(".tile[data-kpi=NET_SALES]").await;
    browser.find(".chart .uplot").await;

    let api = app
        .gql_ok(
            &token,
            KPIS,
            json!({ "from": "2026-01-01", "to": "2026-01-31" }),
        )
        .await;
    let tiles = tile_values(&browser).await;
    let changes = api["kpis"]["changes"].as_array().unwrap();
    assert_eq!(tiles.as_array().unwrap().len(), changes.len(), "{tiles}");
    for (tile, change) in tiles.as_array().unwrap().iter().zip(changes) {
        assert_eq!(tile[0], change["kpi"]);
        let exact = change["current"].as_str().unwrap_or("");
        assert_eq!(
            tile[1],
            json!(exact),
            "{} shows the API's decimal as sent",
            change["kpi"]
        );
        if ["NET_SALES", "CONTRIBUTION_PROFIT", "AD_SPEND"]
            .contains(&change["kpi"].as_str().unwrap())
        {
            assert_eq!(tile[2], json!(usd(exact)), "{}", change["kpi"]);
        }
    }
    // The channel comparison has the brand's channel.
    browser.find("tr[data-channel=TIKTOK_SHOP]").await;
    // A tile opens the lines behind it.
    browser
        .find(".tile[data-kpi=NET_SALES] button.link")
        .await
        .click()
        .await
        .unwrap();
    browser.find("dialog tr.line").await;
    browser
        .run(
            "document.querySelectorAll('dialog').forEach(d => d.close())",
            vec![],
        )
        .await;
    browser.screenshot("overview-laptop").await;

    browser.resize(390, 844).await;
    browser
        .until(
            "the page fits a phone's width",
            "return document.documentElement.scrollWidth <= window.innerWidth + 1",
        )
        .await;
    browser.screenshot("overview-phone").await;

    for page in ["products", "payouts", "creators", "connections"] {
        browser
            .run(&format!("location.hash = '#/{page}'"), vec![])
            .await;
        browser.find("main h2").await;
        browser
            .until(
                &format!("{page} loads"),
                "return !document.querySelector('main .loading')",
            )
            .await;
        browser.screenshot(&format!("{page}-phone")).await;
    }
    browser.resize(1366, 900).await;
    // The brand's creator, with her commission and profit.
    browser.run("location.hash = '#/creators'", vec![]).await;
    let creators = browser.find("main table").await.text().await.unwrap();
    assert!(creators.contains("@mia"), "{creators}");
    browser.run("location.hash = '#/products'", vec![]).await;
    browser.find("tr[data-sku=SKU-TEE]").await;
    // SKU-TEE's margin (45.57 %) is over the default 20 % threshold, under 50 %.
    let alerted = "const row = document.querySelector('tr[data-sku=SKU-TEE]'); \
                   return row ? row.classList.contains('alert') : null";
    assert_eq!(browser.run(alerted, vec![]).await, json!(false));
    browser
        .run(
            "const i = document.querySelector('input[name=threshold]'); i.value = '50'; \
             i.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await;
    browser
        .until(
            "SKU-TEE is highlighted under a 50 % threshold",
            "const row = document.querySelector('tr[data-sku=SKU-TEE]'); \
             return row !== null && row.classList.contains('alert')",
        )
        .await;
    browser.screenshot("products-laptop").await;

    browser.find("#sign-out").await.click().await.unwrap();
    browser.find(".signed-out").await;
    let stored = browser
        .run(
            "return sessionStorage.getItem('pnl.dashboard.token')",
            vec![],
        )
        .await;
    assert_eq!(stored, Value::Null, "signing out forgets the token");
    browser.close().await;
}

#[tokio::test]
async fn a_figure_drills_down_to_its_lines_and_a_line_to_its_raw_record_and_a_payout_opens() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.org_id("acme").await;
    let file = fixture("tiktok/statement_transactions_202501.json");
    import_file(&app.db, org, &file, &ImportOptions::default())
        .await
        .unwrap();
    let orders = fixture("tiktok/orders_202309.json");
    import_file(&app.db, org, &orders, &ImportOptions::default())
        .await
        .unwrap();
    let token = app.token("acme", "pnl:read");
    sign_in(&browser, &app, &token, ("2025-11-01", "2025-11-30")).await;

    // A SKU's net sales → its lines → the order record they came from.
    browser.run("location.hash = '#/products'", vec![]).await;
    browser.find("tr[data-sku]").await;
    let sku = browser
        .run(
            "const row = [...document.querySelectorAll('tr[data-sku]')].find(r => !r.dataset.sku.startsWith('(')); \
             row.querySelector('button.link').click(); return row.dataset.sku;",
            vec![],
        )
        .await;
    browser.find("dialog tr.line").await;
    browser
        .find("dialog .raw-link")
        .await
        .click()
        .await
        .unwrap();
    let payload = browser.find(".raw-payload").await.text().await.unwrap();
    assert!(
        payload.contains(sku.as_str().unwrap()),
        "{sku} not in {payload}"
    );
    browser.screenshot("drill-sku-raw-record").await;
    browser
        .run(
            "document.querySelectorAll('dialog').forEach(d => d.close())",
            vec![],
        )
        .await;
    browser.run("location.hash = '#/overview'", vec![]).await;

    // Net sales of the channel → its lines → the first line's raw record.
    browser
        .find("tr[data-channel=TIKTOK_SHOP] button.link")
        .await
        .click()
        .await
        .unwrap();
    browser.find("dialog tr.line").await;
    browser
        .find("dialog .raw-link")
        .await
        .click()
        .await
        .unwrap();
    let payload = browser.find(".raw-payload").await.text().await.unwrap();
    assert!(payload.contains("7300000000000001001"), "{payload}");
    browser.screenshot("drill-raw-record").await;
    browser
        .run(
            "document.querySelectorAll('dialog').forEach(d => d.close())",
            vec![],
        )
        .await;

    // The statement opens to its breakdown and its lines.
    browser.run("location.hash = '#/payouts'", vec![]).await;
    browser.find(".open-payout").await.click().await.unwrap();
    browser.find("dialog .payout-lines tr.line").await;
    let text = browser.find("dialog").await.text().await.unwrap();
    assert!(text.contains("ADVERTISING"), "{text}");
    assert!(text.contains("MATCHED"), "{text}");
    browser.screenshot("payout-laptop").await;
    browser.close().await;
}

#[tokio::test]
async fn another_orgs_login_link_shows_only_that_orgs_data() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    brand(&app).await;
    let other = app.token("other-brand", "pnl:read");
    sign_in(&browser, &app, &other, ("2026-01-01", "2026-01-31")).await;
    let tile = browser.find(".tile[data-kpi=NET_SALES]").await;
    assert_eq!(
        tile.attr("data-value").await.unwrap().as_deref(),
        Some("0.00")
    );
    let text = browser.find("main").await.text().await.unwrap();
    assert!(text.contains("No sales in this range."), "{text}");
    assert!(!text.contains("TIKTOK_SHOP"), "{text}");
    browser.close().await;
}

#[tokio::test]
async fn a_bad_or_short_scoped_token_is_explained_in_words() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // A token the server does not accept signs the page out, saying why.
    browser.goto(&app.url("/#token=not-a-token")).await;
    let text = browser.find(".signed-out").await.text().await.unwrap();
    assert!(text.contains("expired or was revoked"), "{text}");
    assert!(text.contains("pnl login-link"), "{text}");

    // A token without pnl:read: the refusal is shown as the API words it.
    let token = app.token("acme", "costs:write");
    browser.goto(&app.url(&format!("/#token={token}"))).await;
    browser.run("location.reload()", vec![]).await;
    let error = browser.find("main .error").await.text().await.unwrap();
    assert!(error.contains("pnl:read"), "{error}");
    browser.close().await;
}

#[tokio::test]
async fn a_page_still_loading_does_not_overwrite_the_page_the_user_moved_to() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    brand(&app).await;
    let token = app.token("acme", "pnl:read");
    sign_in(&browser, &app, &token, ("2026-01-01", "2026-01-31")).await;
    // The overview's answer arrives two seconds late; the user goes on to Products meanwhile.
    browser
        .run(
            "const real = window.fetch; \
             window.fetch = async (url, init) => { \
               if (String(init && init.body).includes('kpis')) await new Promise((r) => setTimeout(r, 2000)); \
               return real(url, init); }; \
             window.pnlOverviewAnswered = false; \
             location.hash = location.hash === '#/overview' ? '#/' : '#/overview'; \
             setTimeout(() => { location.hash = '#/products'; }, 50); \
             setTimeout(() => { window.pnlOverviewAnswered = true; }, 3000);",
            vec![],
        )
        .await;
    browser.find("tr[data-sku]").await;
    browser
        .until(
            "the late overview answer has arrived",
            "return window.pnlOverviewAnswered",
        )
        .await;
    let shown = browser
        .run(
            "return [document.querySelectorAll('main tr[data-sku]').length, \
             document.querySelectorAll('main .tile').length]",
            vec![],
        )
        .await;
    let skus = shown[0].as_u64().unwrap();
    assert!(skus > 0, "Products was replaced: {shown}");
    assert_eq!(
        shown[1],
        json!(0),
        "the overview's tiles were drawn over Products"
    );
    browser.close().await;
}
