//! `importFile` through a real GraphQL multipart request (reqwest's multipart client: the
//! `operations`, `map` and file parts of the spec): a TikTok statement is detected and posted
//! with the CLI's numbers, the Walmart report reconciles with the built-in mapping and posts
//! once, an org's saved mapping reads an Etsy-style file, a bad amount stores nothing unless
//! bad rows are skipped, a file over the limit is refused naming it, scopes are enforced, and
//! another org can neither use, list, overwrite nor delete the first org's mapping nor see its
//! imports.

use pnl::import::{import_file, ImportOptions};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_code, fixture, test_config, TestApp, TestDb};

const IMPORT: &str = r"mutation($file: Upload!, $mapping: String, $skip: Boolean! = false, $currency: String) {
  importFile(file: $file, mapping: $mapping, skipBadRows: $skip, currency: $currency) {
    file format mapping channel rowsRead linesPosted duplicates corrected unmappedLabels rowsNotBooked
    failures { position reason }
    skippedRows { position reason row column value }
    payout { externalId reported { amount currency } ledger { amount } residual { amount } } } }";

const MAPPINGS: &str =
    "{ statementMappings { name builtin channel displayName description updatedAt } }";

const SAVE: &str = r"mutation($name: String!, $toml: String!) {
  saveStatementMapping(name: $name, toml: $toml) { name builtin channel displayName } }";

const DELETE: &str = r"mutation($name: String!) { deleteStatementMapping(name: $name) }";

const PAYOUT: &str = r"query($channel: Channel!, $id: String!) { payout(channel: $channel, externalId: $id) {
  status residual { amount } ledger { amount } } }";

const WALMART_ID: &str = "walmart-recon:2026-10-01..2026-10-14";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(fixture(path)).unwrap()
}

/// Sends `importFile` as a GraphQL multipart request: `operations` (the query, with the file
/// variable null), `map` (part `0` → `variables.file`), then the file part `0`.
async fn upload(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
    mut variables: Value,
) -> (StatusCode, Value) {
    variables["file"] = Value::Null;
    let operations = json!({ "query": IMPORT, "variables": variables });
    let form = Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("text/csv")
                .unwrap(),
        );
    let mut request = app.client.post(app.url("/graphql")).multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {status} {text}"));
    (status, body)
}

/// `upload` that must succeed: the `importFile` answer.
async fn upload_ok(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, vars: Value) -> Value {
    let (status, body) = upload(app, Some(token), name, bytes, vars).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"]["importFile"].clone()
}

#[tokio::test]
async fn an_uploaded_tiktok_statement_is_detected_and_posted_like_the_cli_import() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "connectors:write pnl:read");
    let name = "statement_transactions_202501.json";
    let bytes = read(&format!("tiktok/{name}"));

    let report = upload_ok(&app, &token, name, bytes.clone(), json!({})).await;

    // The CLI's path on another org: the same numbers.
    let cli_org = app.org_id("cli").await;
    let cli = import_file(
        &app.db,
        cli_org,
        &fixture(&format!("tiktok/{name}")),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report["file"], name);
    assert_eq!(report["format"], cli.format.name(), "{report}");
    assert_eq!(report["channel"], "TIKTOK_SHOP");
    assert_eq!(report["mapping"], Value::Null);
    assert_eq!(
        (
            report["rowsRead"].as_u64(),
            report["linesPosted"].as_u64(),
            report["duplicates"].as_u64()
        ),
        (
            Some(cli.ingest.rows as u64),
            Some(cli.ingest.posted as u64),
            Some(0)
        ),
        "{report}"
    );
    assert_eq!((cli.ingest.rows, cli.ingest.posted), (4, 16));
    assert_eq!(
        report["unmappedLabels"],
        json!(["mystery_service_fee_amount"])
    );

    // Re-uploading posts nothing.
    let again = upload_ok(&app, &token, name, bytes, json!({})).await;
    assert_eq!(
        (again["linesPosted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(16)),
        "{again}"
    );

    let query = r#"query { payout(channel: TIKTOK_SHOP, externalId: "7300000000000000101") { status ledger { amount } } }"#;
    let mine = app.gql_ok(&token, query, json!({})).await;
    assert_eq!(mine["payout"]["status"], "MATCHED", "{mine}");
    // Another org does not see the upload.
    let other = app.token("globex", "pnl:read");
    let (_, body) = app.gql(Some(&other), query, json!({})).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn a_walmart_report_uploaded_with_the_builtin_mapping_reconciles_and_posts_once() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "connectors:write pnl:read");
    let vars = json!({ "mapping": "walmart-recon" });
    let bytes = read("statements/walmart_recon.csv");

    let report = upload_ok(
        &app,
        &token,
        "walmart_recon.csv",
        bytes.clone(),
        vars.clone(),
    )
    .await;
    assert_eq!(report["format"], "statement");
    assert_eq!(report["mapping"], "walmart-recon");
    assert_eq!(report["channel"], "WALMART");
    assert_eq!(report["linesPosted"], 15, "{report}");
    assert_eq!(
        report["payout"],
        json!({
            "externalId": WALMART_ID,
            "reported": { "amount": "43.65", "currency": "USD" },
            "ledger": { "amount": "43.65" },
            "residual": { "amount": "0.00" },
        })
    );
    let payout = app
        .gql_ok(
            &token,
            PAYOUT,
            json!({"channel": "WALMART", "id": WALMART_ID}),
        )
        .await;
    assert_eq!(payout["payout"]["status"], "MATCHED", "{payout}");
    assert_eq!(payout["payout"]["residual"]["amount"], "0.00");

    let again = upload_ok(&app, &token, "copy.csv", bytes, vars).await;
    assert_eq!(
        (again["linesPosted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(15)),
        "{again}"
    );
}

#[tokio::test]
async fn a_bad_amount_refuses_the_upload_unless_bad_rows_are_skipped() {
    let app = TestApp::spawn().await;
    let token = app.token("acme", "connectors:write pnl:read");
    let text = String::from_utf8(read("statements/walmart_recon.csv"))
        .unwrap()
        .replacen(",-2.18,", ",-2.1x,", 1);

    let (status, body) = upload(
        &app,
        Some(&token),
        "bad.csv",
        text.clone().into_bytes(),
        json!({ "mapping": "walmart-recon" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("bad.csv") && message.contains("row 9, column \"Amount\": \"-2.1x\""),
        "{message}"
    );
    assert_eq!(app.ledger_rows().await, 0);

    let report = upload_ok(
        &app,
        &token,
        "bad.csv",
        text.into_bytes(),
        json!({ "mapping": "walmart-recon", "skip": true }),
    )
    .await;
    assert_eq!(report["linesPosted"], 14, "{report}");
    let skipped = &report["skippedRows"][0];
    assert_eq!(
        (&skipped["row"], &skipped["column"], &skipped["value"]),
        (&json!(9), &json!("Amount"), &json!("-2.1x")),
        "{report}"
    );
    assert_eq!(report["skippedRows"].as_array().unwrap().len(), 1);
    assert_eq!(report["payout"]["residual"]["amount"], "-2.18");
}

#[tokio::test]
async fn a_saved_mapping_reads_uploads_of_its_org_and_no_other_org_can_touch_it() {
    let app = TestApp::spawn().await;
    let admin = app.token("acme", "admin");
    let toml = String::from_utf8(read("statements/etsy_de.toml")).unwrap();

    // Refused: a bad name, a built-in's name, a mapping that does not parse, a reader.
    for (name, text, words) in [
        ("Etsy DE", toml.as_str(), "a-z, 0-9 and -"),
        ("walmart-recon", toml.as_str(), "built-in"),
        ("etsy-x", "[file]\nnope = 1\n", "mapping etsy-x"),
    ] {
        let (_, body) = app
            .gql(Some(&admin), SAVE, json!({ "name": name, "toml": text }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{name}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{name}: {message}");
    }
    let reader = app.token("acme", "pnl:read connectors:write");
    let (_, body) = app
        .gql(
            Some(&reader),
            SAVE,
            json!({ "name": "etsy-de", "toml": toml }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let saved = app
        .gql_ok(&admin, SAVE, json!({ "name": "etsy-de", "toml": toml }))
        .await;
    assert_eq!(
        saved["saveStatementMapping"],
        json!({"name": "etsy-de", "builtin": false, "channel": "OTHER", "displayName": "Etsy"})
    );
    let listed = app.gql_ok(&reader, MAPPINGS, json!({})).await["statementMappings"].clone();
    let names: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["builtin"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("walmart-recon", true), ("etsy-de", false)],
        "{listed}"
    );
    assert_eq!(listed[0]["channel"], "WALMART");
    assert_eq!(
        listed[1]["description"],
        "Etsy-style monthly statement (DE)"
    );

    let report = upload_ok(
        &app,
        &reader,
        "etsy_de_2026-10.csv",
        read("statements/etsy_de_2026-10.csv"),
        json!({ "mapping": "etsy-de" }),
    )
    .await;
    assert_eq!(report["channel"], "OTHER", "{report}");
    assert!(report["linesPosted"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["payout"]["residual"]["amount"], "0.00", "{report}");
    assert_eq!(report["unmappedLabels"], json!(["Etsy Ads"]));

    // Another org: cannot list, use or delete it; saving the name makes its own.
    let other_admin = app.token("globex", "admin pnl:read connectors:write");
    let theirs = app.gql_ok(&other_admin, MAPPINGS, json!({})).await;
    assert_eq!(
        theirs["statementMappings"].as_array().unwrap().len(),
        1,
        "{theirs}"
    );
    let (_, body) = upload(
        &app,
        Some(&other_admin),
        "etsy_de_2026-10.csv",
        read("statements/etsy_de_2026-10.csv"),
        json!({ "mapping": "etsy-de" }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let (_, body) = app
        .gql(Some(&other_admin), DELETE, json!({ "name": "etsy-de" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let renamed = toml.replace("name = \"Etsy\"", "name = \"Not Etsy\"");
    app.gql_ok(
        &other_admin,
        SAVE,
        json!({ "name": "etsy-de", "toml": renamed }),
    )
    .await;
    app.gql_ok(&other_admin, DELETE, json!({ "name": "etsy-de" }))
        .await;
    let mine = app.gql_ok(&reader, MAPPINGS, json!({})).await["statementMappings"].clone();
    assert_eq!(mine[1]["displayName"], "Etsy", "{mine}");
    let query = r#"query { payout(channel: OTHER, externalId: "etsy-de:etsy_de_2026-10") { ledger { amount } } }"#;
    let (_, body) = app.gql(Some(&other_admin), query, json!({})).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    // The org deletes its own; a second delete finds nothing, and uploads cannot name it.
    let deleted = app
        .gql_ok(&admin, DELETE, json!({ "name": "etsy-de" }))
        .await;
    assert_eq!(deleted["deleteStatementMapping"], true);
    let (_, body) = app
        .gql(Some(&admin), DELETE, json!({ "name": "etsy-de" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let (_, body) = app
        .gql(Some(&admin), DELETE, json!({ "name": "walmart-recon" }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // An upload never reads a mapping from the server's files (the tests run in the workspace
    // root, where this path exists).
    let (_, body) = upload(
        &app,
        Some(&reader),
        "etsy_de_2026-10.csv",
        read("statements/etsy_de_2026-10.csv"),
        json!({ "mapping": "tests/fixtures/statements/etsy_de.toml" }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test]
async fn an_upload_over_the_configured_limit_is_refused_naming_the_limit() {
    let db = TestDb::fresh().await;
    let mut config = test_config(&db);
    config.import.max_upload_bytes = 1024;
    let app = TestApp::spawn_with(db, config).await;
    let token = app.token("acme", "connectors:write");

    // Over the file limit but within the body's room for the other parts (multipart's own
    // limit), and over the whole body's limit (the declared length).
    for size in [2_000, 80 * 1024] {
        let (status, body) =
            upload(&app, Some(&token), "big.csv", vec![b'x'; size], json!({})).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{size}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("1024 bytes") && message.contains("import.max_upload_bytes"),
            "{size}: {message}"
        );
    }
    // A file within the limit is read (and refused for what it is, not its size).
    let (status, body) = upload(
        &app,
        Some(&token),
        "small.csv",
        b"a,b\n1,2\n".to_vec(),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(app.ledger_rows().await, 0);
}

#[tokio::test]
async fn an_upload_needs_a_token_with_connectors_write() {
    let app = TestApp::spawn().await;
    let bytes = read("tiktok/statement_transactions_202501.json");
    let reader = app.token("acme", "pnl:read");
    let (_, body) = upload(&app, Some(&reader), "s.json", bytes.clone(), json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let (status, body) = upload(&app, None, "s.json", bytes, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    assert_eq!(app.ledger_rows().await, 0);
}
