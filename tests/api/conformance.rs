//! GraphQL-over-HTTP conformance: the `graphql-http` package's server audits
//! (`tests/conformance/audit.mjs`) against the real server. Every MUST audit has to pass; the
//! SHOULD and MAY ones are reported as warnings in the audit's output.
//!
//! Needs `node` and `npm ci --prefix tests/conformance`. Without them the test is skipped with a
//! notice on stderr, except under CI (`CI` set), where it fails: CI must run the suite.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tokio::process::Command;

use crate::helpers::TestApp;

const SUITE: &str = "tests/conformance";
const INSTALL: &str = "npm ci --prefix tests/conformance";

/// Skips the test with a notice, or fails it under CI. Returns `false` when the test must stop.
fn prerequisite(present: bool, what: &str) -> bool {
    if present {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the GraphQL-over-HTTP conformance suite cannot run: {what}; .ci/run must install Node.js \
         and `{INSTALL}` before the tests"
    );
    // Past the test harness's capture, so that the skip shows in a passing run.
    let notice = format!("conformance suite skipped: run {INSTALL} ({what})\n");
    let _ = std::io::stderr().write_all(notice.as_bytes());
    false
}

#[tokio::test]
async fn graphql_over_http_must_audits_pass() {
    // The root package of the workspace: `tests/conformance` is relative to it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let installed = root
        .join(SUITE)
        .join("node_modules/graphql-http/package.json")
        .is_file();
    if !prerequisite(installed, "tests/conformance/node_modules is missing") {
        return;
    }
    let node = Command::new("node")
        .arg("--version")
        .output()
        .await
        .is_ok_and(|output| output.status.success());
    if !prerequisite(node, "`node` is not on PATH") {
        return;
    }

    let app = TestApp::spawn().await;
    let token = app.token("acme", "pnl:read");
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        Command::new("node")
            .arg(format!("{SUITE}/audit.mjs"))
            .arg(app.url("/graphql"))
            .arg(&token)
            .current_dir(root)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the conformance audit finishes within 120s")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "GraphQL-over-HTTP conformance: a MUST audit failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    println!("{stdout}");
    app.stop().await;
}
