//! Attacks from outside, each reproduced against the real server over loopback and kept fixed:
//! bodies bounded on the bytes read (chunked too) before any token is looked at, rejections in
//! the one error shape, WebSocket messages bounded like bodies, extreme dates and repeated
//! groupings refused or folded before any work.

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{error_code, TestApp};

/// Sends `total` bytes of a chunked body without a token and returns the answer's head and
/// body; the server may answer (and stop reading) before the body is complete.
async fn post_chunked(app: &TestApp, total: usize) -> String {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 16 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        // The server may stop reading once it has refused the body.
        if stream.write_all(&frame).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_before_the_token_is_checked() {
    let app = TestApp::spawn().await;
    let answer = post_chunked(&app, 4 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"BAD_USER_INPUT\"")
            && answer.contains("the limit is 65536 bytes"),
        "the refusal is the usual error body: {answer}"
    );
    // A small chunked body still works (and is then refused for want of a token).
    let answer = post_chunked(&app, 16 * 1024).await;
    assert!(
        answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.1 401"),
        "{answer}"
    );
}

#[tokio::test]
async fn batches_and_broken_bodies_answer_in_the_error_shape_without_debug_text() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    for (body, says) in [
        ("[{\"query\": \"{ me { org } }\"}]", "batches"),
        ("{\"query\": 5}", "invalid JSON"),
        ("", "invalid JSON"),
        ("{\"notquery\": \"{ me { org } }\"}", "no `query`"),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{body}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert!(
            !message.contains("Error(") && !message.contains("InvalidRequest"),
            "no Rust debug text: {message}"
        );
    }
}

#[tokio::test]
async fn a_websocket_message_over_the_limit_closes_the_connection() {
    let app = TestApp::spawn().await;
    let mut socket = crate::subscription::connect(&app).await;
    let padding = "x".repeat(200 * 1024);
    let init = json!({ "type": "connection_init", "payload": { "padding": padding } });
    let _ = socket.send(Message::Text(init.to_string().into())).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                None | Some(Err(_) | Ok(Message::Close(_))) => return true,
                Some(Ok(Message::Text(text))) if text.contains("connection_ack") => return false,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .unwrap();
    assert!(ended, "an oversized message ends the connection");
}

#[tokio::test]
async fn extreme_dates_are_refused_before_any_arithmetic() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    for (from, to) in [
        ("+262000-01-01", "+262000-01-31"),
        ("-262000-01-01", "2026-01-31"),
        ("0001-01-01", "9999-12-31"),
        ("2026-02-01", "2026-01-01"),
    ] {
        let query = format!(
            r#"{{ marginAlerts(threshold: "0.2", range: {{from: "{from}", to: "{to}"}}) {{ alerts {{ sku }} }} }}"#
        );
        let (status, body) = app.gql(Some(&token), &query, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{from}..{to}: {body}");
    }
    // The server is still up and answering.
    app.gql_ok(&token, "{ me { org } }", json!({})).await;
}

#[tokio::test]
async fn a_repeated_dimension_counts_once() {
    let app = TestApp::spawn().await;
    crate::pnl::brand(&app).await;
    let token = app.token("acme", "pnl:read");
    let report = |group_by: String| {
        format!(
            r#"{{ pnl(range: {{from: "2026-01-01", to: "2026-01-31"}}, groupBy: [{group_by}], currency: "USD") {{ rows {{ key {{ sku period }} netSales {{ amount }} }} }} }}"#
        )
    };
    let plain = app
        .gql_ok(&token, &report("SKU, MONTH".to_owned()), json!({}))
        .await;
    let repeated = format!("{}, MONTH, SKU, MONTH", ["SKU"; 40].join(", "));
    let folded = app.gql_ok(&token, &report(repeated), json!({})).await;
    assert!(!plain["pnl"]["rows"].as_array().unwrap().is_empty());
    assert_eq!(folded, plain);
}

#[tokio::test]
async fn too_many_root_fields_are_refused_before_running() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let many: String = (0..900).map(|i| format!("m{i}: me {{ org }} ")).collect();
    let (_, body) = app
        .gql(Some(&token), &format!("{{ {many} }}"), json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["message"],
        "the operation selects 900 root fields; the limit is 20: split it into several requests"
    );
    let twenty: String = (0..20).map(|i| format!("m{i}: me {{ org }} ")).collect();
    app.gql_ok(&token, &format!("{{ {twenty} }}"), json!({}))
        .await;
}

#[tokio::test]
async fn a_token_or_an_address_over_its_rate_gets_429_with_retry_after() {
    let db = crate::helpers::TestDb::fresh().await;
    let mut config = crate::helpers::test_config(&db);
    config.rate_limit.exempt_loopback = false;
    config.rate_limit.per_token_per_minute = 6;
    config.rate_limit.token_burst = 3;
    config.rate_limit.per_address_per_minute = 6;
    config.rate_limit.address_burst = 2;
    let app = TestApp::spawn_with(db, config).await;
    let busy = app.token("acme", "pnl:read");
    let quiet = app.token("beta", "pnl:read");
    for _ in 0..3 {
        app.gql_ok(&busy, "{ me { org } }", json!({})).await;
    }
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&busy)
        .json(&json!({ "query": "{ me { org } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Another token has its own budget.
    app.gql_ok(&quiet, "{ me { org } }", json!({})).await;

    // The token endpoint is limited per address.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/oauth/token"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_ne!(statuses[0], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}
