//! The dashboard at `/` is served from this server alone: the page and every module it imports
//! reference only same-origin `/dashboard/...` files, each of which is served with its caching
//! header, under a Content-Security-Policy with no inline script or style.

use std::collections::BTreeSet;

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::StatusCode;

use crate::helpers::TestApp;

/// Every `src="…"`/`href="…"` of `html` and every `from './x.js'` / `import './x.js'` of a
/// module, as absolute paths under `/dashboard/`.
fn references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["src=\"", "href=\"", "from '", "import '"] {
        let mut rest = text;
        while let Some(start) = rest.find(marker) {
            rest = &rest[start + marker.len()..];
            let end = rest.find(['"', '\'']).unwrap();
            let url = &rest[..end];
            if !url.starts_with("data:") && !url.starts_with('#') {
                found.push(
                    url.strip_prefix("./")
                        .map_or_else(|| url.to_owned(), |file| format!("/dashboard/{file}")),
                );
            }
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn the_dashboard_and_every_file_it_loads_are_served_from_this_origin() {
    let app = TestApp::spawn().await;

    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(headers[CACHE_CONTROL], "no-cache");
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    for rule in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(rule), "{rule} missing from {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<style") && !html.contains("style=\""),
        "inline style in the page"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page names another origin"
    );

    // Walk the page and its module graph; each file must be served.
    let mut pending = references(&html);
    let mut seen = BTreeSet::new();
    while let Some(url) = pending.pop() {
        if !seen.insert(url.clone()) {
            continue;
        }
        assert!(
            url.starts_with("/dashboard/"),
            "not a same-origin asset: {url}"
        );
        let response = app.client.get(app.url(&url)).send().await.unwrap();
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
        let vendored = url.contains(".min.");
        assert_eq!(cache.contains("immutable"), vendored, "{url}: {cache}");
        let body = response.text().await.unwrap();
        assert!(!body.is_empty(), "{url} is empty");
        if !vendored {
            assert!(
                !body.contains("innerHTML"),
                "{url} writes markup from strings"
            );
            pending.extend(references(&body));
        }
    }
    assert!(seen.len() >= 10, "modules expected, got {seen:?}");

    let missing = app
        .client
        .get(app.url("/dashboard/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_page_holds_no_token_and_no_data() {
    // The page is the same for everyone: the data comes from /graphql with the user's token.
    let app = TestApp::spawn().await;
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("eyJ"), "a token in the page");
    assert!(html.contains("/dashboard/app.js"));
}
