//! `pnl import --mapping` and `pnl mapping check|list`, run as the binary: statement files
//! through a mapping, booked once, previewed without writing, refused when the mapping names a
//! column the file lacks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

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

fn statement_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/statements")
        .join(name)
}

#[test]
fn mapping_check_prints_the_booking_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sample = statement_fixture("walmart_recon.csv");
    let output = pnl(
        dir.path(),
        &[
            "mapping",
            "check",
            "walmart-recon",
            sample.to_str().unwrap(),
            "--lines",
            "4",
        ],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].ends_with("mapping walmart-recon, channel WALMART (Walmart)"),
        "{stdout}"
    );
    assert_eq!(
        lines[1],
        "row\tdate\torder\tsku\tlabel → bucket\tamount\tkey"
    );
    assert_eq!(
        lines[5],
        "6\t2026-10-03\t108899411223344\tTSHIRT-BLK-M\tSale / Commission on Product → PLATFORM_COMMISSION\t-6.00 USD\tstmt:walmart:TK-5001|Sale|1|Commission on Product|Purchase"
    );
    assert!(
        stdout.contains("payout walmart-recon:2026-10-01..2026-10-14: reported 43.65 USD, lines 43.65 USD (15 line(s) from 16 row(s)), residual 0.00"),
        "{stdout}"
    );
    assert!(
        !dir.path().join("pnl.db").exists(),
        "check opens no database"
    );

    let list = pnl(dir.path(), &["mapping", "list"]);
    assert!(String::from_utf8(list.stdout)
        .unwrap()
        .starts_with("walmart-recon\t"));
}

#[test]
fn import_with_a_mapping_posts_once_and_refuses_a_mapping_naming_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = statement_fixture("etsy_de_2026-10.csv");
    let mapping = statement_fixture("etsy_de.toml");
    let import = |mapping: &str| {
        pnl(
            dir.path(),
            &[
                "import",
                "--org",
                "acme",
                "--mapping",
                mapping,
                file.to_str().unwrap(),
            ],
        )
    };
    let first = import(mapping.to_str().unwrap());
    let stdout = String::from_utf8(first.stdout).unwrap();
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("lines posted 9,"), "{stdout}");
    assert!(stdout.contains("residual 0.00"), "{stdout}");
    assert!(
        stdout.contains("unmapped labels (booked to OTHER): Etsy Ads"),
        "{stdout}"
    );
    let again = import(mapping.to_str().unwrap());
    let stdout = String::from_utf8(again.stdout).unwrap();
    assert!(
        stdout.contains("lines posted 0, duplicates skipped 9"),
        "{stdout}"
    );

    let broken = dir.path().join("broken.toml");
    let toml = std::fs::read_to_string(&mapping)
        .unwrap()
        .replace("date = \"Datum\"", "date = \"Buchungstag\"");
    std::fs::write(&broken, toml).unwrap();
    let refused = import(broken.to_str().unwrap());
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(stderr.contains("\"Buchungstag\" (rows.date)"), "{stderr}");
}

#[test]
fn replay_reads_an_imported_statement_again_and_posts_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let file = statement_fixture("walmart_recon.csv");
    let imported = pnl(
        dir.path(),
        &[
            "import",
            "--org",
            "acme",
            "--mapping",
            "walmart-recon",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let replayed = pnl(dir.path(), &["replay", "--org", "acme"]);
    let stdout = String::from_utf8(replayed.stdout).unwrap();
    assert!(
        replayed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert!(
        stdout.starts_with(
            "sources 1, replayed 1, without money of their own 0 — lines unchanged 15, posted 0 (corrected 0), retired 0"
        ),
        "{stdout}"
    );

    // Bad arguments are named; an unknown org is not created.
    for (args, expected) in [
        (
            vec!["replay", "--org", "nobody"],
            "org nobody does not exist",
        ),
        (
            vec!["replay", "--org", "acme", "--since", "2026-13-01"],
            "--since 2026-13-01: not a day (YYYY-MM-DD)",
        ),
        (
            vec!["replay", "--org", "acme", "--channel", "EBAY"],
            "--channel EBAY: not a channel",
        ),
    ] {
        let output = pnl(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn mapping_list_names_the_org_s_mappings_beside_the_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    let plain = pnl(dir.path(), &["mapping", "list"]);
    let stdout = String::from_utf8(plain.stdout).unwrap();
    assert!(stdout.starts_with("walmart-recon\t"), "{stdout}");
    let file = statement_fixture("walmart_recon.csv");
    let imported = pnl(
        dir.path(),
        &[
            "import",
            "--org",
            "acme",
            "--mapping",
            "walmart-recon",
            file.to_str().unwrap(),
        ],
    );
    assert!(imported.status.success());
    let listed = pnl(dir.path(), &["mapping", "list", "--org", "acme"]);
    let stdout = String::from_utf8(listed.stdout).unwrap();
    assert!(
        stdout.starts_with("walmart-recon\tWALMART\tWalmart (built in)\t"),
        "{stdout}"
    );
    let unknown = pnl(dir.path(), &["mapping", "list", "--org", "nobody"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("org nobody does not exist"));
}
