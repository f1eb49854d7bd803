//! `pnl raw --org ORG ID`, run as the binary: a stored payload comes back on stdout byte for
//! byte (it is stored zstd-compressed); another org's record, an unknown id and an unknown org
//! are refused in words, with nothing on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use chrono::Utc;
use pnl::config::Config;
use pnl::db::Db;
use pnl::ledger::raw::{self, RawInput};
use pnl::ledger::Channel;

fn pnl(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pnl"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("PNL_JWT_SECRET")
        .env_remove("PNL_DATABASE_URL")
        .env_remove("PNL_CONFIG")
        .current_dir(data_dir)
        .output()
        .unwrap()
}

fn input(source_id: &str, payload: &str) -> RawInput {
    RawInput {
        channel: Channel::Other,
        shop_id: None,
        source_kind: "test.file".to_owned(),
        source_id: source_id.to_owned(),
        payload: payload.to_owned(),
    }
}

/// Stores `payload` for org `acme` and another for org `other` in `dir`'s database; returns
/// their ids.
async fn stored(dir: &std::path::Path, payload: &str) -> (i64, i64) {
    let config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    let db = Db::connect(&config.database_url()).await.unwrap();
    db.migrate().await.unwrap();
    let acme = pnl::org::ensure(db.conn(), "acme").await.unwrap();
    let other = pnl::org::ensure(db.conn(), "other").await.unwrap();
    let ours = raw::store(db.conn(), acme.id, &input("a.csv", payload), Utc::now())
        .await
        .unwrap();
    let theirs = raw::store(db.conn(), other.id, &input("b.json", "{}"), Utc::now())
        .await
        .unwrap();
    db.close().await;
    (ours, theirs)
}

#[tokio::test]
async fn raw_prints_the_payload_byte_for_byte_and_only_the_orgs_own() {
    let dir = tempfile::tempdir().unwrap();
    // A byte-order mark, CRLF, non-ASCII text, a NUL and no newline at the end.
    let payload =
        "\u{feff}Datum;Typ;Betrag\r\n02.01.2026;Verkauf;\"1.234,56 €\"\r\n東京 🚚\u{0}end";
    let (ours, theirs) = stored(dir.path(), payload).await;

    let output = pnl(dir.path(), &["raw", "--org", "acme", &ours.to_string()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, payload.as_bytes());

    for (org, id, says) in [
        (
            "acme",
            theirs,
            format!("org acme has no raw record {theirs}"),
        ),
        (
            "acme",
            999_999,
            "org acme has no raw record 999999".to_owned(),
        ),
        ("nobody", ours, "org nobody does not exist".to_owned()),
    ] {
        let output = pnl(dir.path(), &["raw", "--org", org, &id.to_string()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{org} {id} succeeded");
        assert!(stderr.contains(&says), "{org} {id}: {stderr}");
        assert!(output.stdout.is_empty(), "{org} {id} printed something");
    }
    let output = pnl(dir.path(), &["raw", "--org", "acme", "seven"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("seven"));
}
