//! GraphiQL is served from this server alone: the page references only same-origin
//! `/graphiql/...` files, each of which is served, and the config flag turns all of it off.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::StatusCode;

use crate::helpers::{test_config, TestApp, TestDb};

/// The values of every `src="…"` and `href="…"` attribute in `html`.
fn referenced_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').unwrap();
            urls.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    urls
}

#[tokio::test]
async fn graphiql_page_and_its_assets_are_served_from_this_origin() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.graphql.graphiql = true;
    let app = TestApp::spawn_with(db, config).await;

    let response = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    // `data:` URLs (the empty favicon) are inline: nothing to fetch.
    let urls: Vec<String> = referenced_urls(&html)
        .into_iter()
        .filter(|url| !url.starts_with("data:"))
        .collect();
    assert!(
        urls.len() >= 5,
        "scripts and stylesheet expected, got {urls:?}"
    );
    for url in &urls {
        assert!(
            url.starts_with("/graphiql/"),
            "not a same-origin asset: {url}"
        );
        let response = app.client.get(app.url(url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let expected = if url.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(content_type.starts_with(expected), "{url}: {content_type}");
        let cache = response.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .to_owned();
        if url.contains(".min.") {
            assert!(cache.contains("immutable"), "{url}: {cache}");
        }
        let body = response.bytes().await.unwrap();
        assert!(!body.is_empty(), "{url} is empty");
    }

    let missing = app
        .client
        .get(app.url("/graphiql/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphiql_off_serves_neither_page_nor_assets() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.graphql.graphiql = false;
    let app = TestApp::spawn_with(db, config).await;

    let page = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::METHOD_NOT_ALLOWED);
    let asset = app
        .client
        .get(app.url("/graphiql/pnl-graphiql.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
}
