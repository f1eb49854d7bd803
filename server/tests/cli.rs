//! The `pnl` binary itself: `token` prints a token alone on stdout, `print-schema` matches the
//! committed schema, `partner` create/revoke work against a database, `sync` runs a shop now and
//! fails loudly. (`pnl demo` is tested in `demo.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use pnl::config::Config;

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

#[test]
fn token_prints_only_a_token_that_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(
        dir.path(),
        &[
            "token",
            "--org",
            "acme",
            "--scopes",
            "pnl:read costs:write",
            "--ttl",
            "2h",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout must hold the token alone: {stdout:?}"
    );

    // The secret was generated into the data dir; the same config verifies the token.
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let claims = pnl::startup::jwt_keys(&config)
        .unwrap()
        .verify(stdout.trim())
        .unwrap();
    assert_eq!(
        (claims.org.as_str(), claims.scope.as_str()),
        ("acme", "pnl:read costs:write")
    );
    assert!((7190..=7200).contains(&(claims.exp - claims.iat)));
}

#[test]
fn login_link_prints_a_dashboard_url_whose_fragment_holds_a_token_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(
        dir.path(),
        &[
            "login-link",
            "--org",
            "acme",
            "--scopes",
            "pnl:read costs:write",
            "--ttl",
            "30m",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout must hold the link alone: {stdout:?}"
    );
    // The token rides in the fragment (never sent to a server), not in a query string.
    let token = stdout
        .trim()
        .strip_prefix("http://127.0.0.1:8080/#token=")
        .unwrap_or_else(|| panic!("not a dashboard link: {stdout}"));
    assert!(!stdout.contains('?'), "{stdout}");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let claims = pnl::startup::jwt_keys(&config)
        .unwrap()
        .verify(token)
        .unwrap();
    assert_eq!(
        (claims.org.as_str(), claims.scope.as_str()),
        ("acme", "pnl:read costs:write")
    );
    assert!((1790..=1800).contains(&(claims.exp - claims.iat)));
    // Recorded like `pnl token`'s, so it can be revoked by its jti.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("pnl token revoke"), "{stderr}");
}

#[test]
fn token_refuses_an_unknown_scope_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(
        dir.path(),
        &["token", "--org", "acme", "--scopes", "pnl:write"],
    );
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scope \"pnl:write\""));
}

#[test]
fn print_schema_matches_the_committed_schema() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(dir.path(), &["print-schema"]);
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "run `cargo run -p pnl -- print-schema > schema.graphql`"
    );
}

#[test]
fn partner_create_then_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(
        dir.path(),
        &[
            "partner", "create", "--org", "acme", "--name", "Dash", "--scopes", "pnl:read",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let client_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("client_id: "))
        .unwrap()
        .to_owned();
    assert!(stdout.contains("client_secret: "));

    let output = pnl(dir.path(), &["partner", "revoke", &client_id]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = pnl(dir.path(), &["partner", "list", "--org", "acme"]);
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .contains("revoked"));
}

#[test]
fn tiktok_sign_prints_the_signed_string_masked_and_the_signature_last() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(
        dir.path(),
        &[
            "tiktok",
            "sign",
            "--app-secret",
            "e59af819cc",
            "--path",
            "/event/202309/webhooks",
            "--query",
            "app_key=68xu9ks5p4i8",
            "--query",
            "timestamp=1696909648",
            "--query",
            "shop_cipher=ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.contains("e59af819cc"),
        "the secret is masked: {stdout}"
    );
    assert!(stdout.contains("/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIKtimestamp1696909648"));
    assert_eq!(
        stdout.lines().last(),
        Some("ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37")
    );
}

#[test]
fn import_reports_counts_and_refuses_garbage_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/tiktok/statement_transactions_202501.json"
    );
    let output = pnl(dir.path(), &["import", "--org", "acme", fixture]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("rows read 4, lines posted 16, duplicates skipped 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("unmapped labels (booked to OTHER): mystery_service_fee_amount"),
        "{stdout}"
    );

    let again = pnl(dir.path(), &["import", "--org", "acme", fixture]);
    assert!(String::from_utf8(again.stdout)
        .unwrap()
        .contains("lines posted 0, duplicates skipped 16"));

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{not json").unwrap();
    let output = pnl(
        dir.path(),
        &["import", "--org", "acme", garbage.to_str().unwrap()],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("garbage.json: not JSON"));
}

/// A sandbox seller connected to org `acme` in `dir` with the library, as the OAuth callback
/// would; returns the shops and the environment that points `pnl` at the sandbox.
async fn connected_sandbox_shop(
    dir: &std::path::Path,
    sandbox: &sandbox::Sandbox,
) -> (Vec<entities::shop::Model>, [(&'static str, String); 4]) {
    let url = sandbox.base_url();
    let env = [
        ("PNL_TIKTOK__APP_KEY", sandbox.config().app_key.clone()),
        (
            "PNL_TIKTOK__APP_SECRET",
            sandbox.config().app_secret.clone(),
        ),
        ("PNL_TIKTOK__API_BASE", url.clone()),
        ("PNL_TIKTOK__AUTH_BASE", url.clone()),
    ];
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    config.channels.tiktok.app_key = env[0].1.clone();
    config.channels.tiktok.app_secret = pnl::config::Secret::new(env[1].1.clone());
    config.channels.tiktok.api_base = url.clone();
    config.channels.tiktok.auth_base = url;
    let state = pnl::startup::app_state(config.clone()).await.unwrap();
    let http = reqwest::Client::new();
    let tiktok = pnl::connectors::tiktok::config::tiktok_config(&state);
    let tokens = pnl::connectors::tiktok::client::TikTokClient::exchange_code(
        &http,
        &tiktok,
        &sandbox.issue_auth_code(),
    )
    .await
    .unwrap();
    let org = pnl::org::ensure(state.db.conn(), "acme").await.unwrap();
    let shops = pnl::connectors::tiktok::connect::connect_tiktok_tokens(&state, org.id, tokens)
        .await
        .unwrap();
    state.db.close().await;
    (shops, env)
}

async fn run(command: Command) -> std::process::Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn sync_runs_one_shop_now_and_reports_where_it_got() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxConfig {
        days: 5,
        orders_per_day: 2,
        ..sandbox::SandboxConfig::default()
    })
    .await
    .unwrap();
    let (shops, env) = connected_sandbox_shop(dir.path(), &sandbox).await;

    let mut command = Command::new(env!("CARGO_BIN_EXE_pnl"));
    command
        .args(["sync", "--shop", &shops[0].external_id, "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path());
    for (key, value) in &env {
        command.env(key, value);
    }
    let output = run(command).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains(&format!("synced {} up to", shops[0].name)));

    let missing = pnl(dir.path(), &["sync", "--shop", "no-such-shop"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no shop no-such-shop"));
    sandbox.shutdown().await;
}

/// A sync that fails exits non-zero and says why; so does one with no TikTok app configured
/// (which used to call TikTok's production hosts with an empty app key).
#[tokio::test]
async fn sync_fails_with_a_non_zero_exit_and_the_error_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxConfig {
        days: 3,
        orders_per_day: 1,
        ..sandbox::SandboxConfig::default()
    })
    .await
    .unwrap();
    let (shops, env) = connected_sandbox_shop(dir.path(), &sandbox).await;
    let shop = &shops[0];

    let mut command = Command::new(env!("CARGO_BIN_EXE_pnl"));
    command
        .args(["sync", "--shop", &shop.external_id, "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .env_remove("PNL_CONFIG");
    for (key, value) in &env {
        command.env(key, value);
    }
    command.env("PNL_TIKTOK__APP_SECRET", "not-the-app-secret");
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a failed sync exits non-zero: {stderr}"
    );
    assert!(
        stderr.contains(&format!("sync of {} failed", shop.name)) && stderr.contains("sign"),
        "{stderr}"
    );

    let unconfigured = pnl(dir.path(), &["sync", "--shop", &shop.external_id]);
    let stderr = String::from_utf8_lossy(&unconfigured.stderr);
    assert!(!unconfigured.status.success(), "{stderr}");
    assert!(stderr.contains("no TikTok app is configured"), "{stderr}");
    sandbox.shutdown().await;
}

#[test]
fn bench_loads_a_small_brand_times_the_queries_serves_load_and_refuses_a_used_database() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "bench",
        "--orders",
        "1200",
        "--days",
        "40",
        "--shops",
        "2",
        "--amazon-orders",
        "400",
        "--shopify-orders",
        "200",
        "--runs",
        "2",
    ];
    let out = pnl(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = |prefix: &str| {
        stdout
            .lines()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} row in\n{stdout}"))
            .to_owned()
    };
    // The first number of a row's value: its lines.
    let lines_of = |prefix: &str| -> (u64, String) {
        let line = row(prefix);
        let lines = line
            .split('|')
            .nth(2)
            .and_then(|cell| cell.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no number in {line}"));
        (lines, line)
    };
    let (written, lines) = lines_of("| ingest, TikTok statements: ledger lines written |");
    assert!(written > 1200, "{lines}");
    // The brand's Amazon seller is booked from its settlement files beside TikTok.
    let (amazon_lines, amazon) = lines_of("| ingest, Amazon settlement files:");
    assert!(amazon_lines > 400, "{amazon}");
    // And its Shopify store by the Shopify connector's own sync, over HTTP from the sandbox.
    let (shopify_lines, shopify) = lines_of("| ingest, Shopify sync");
    assert!(shopify_lines > 200, "{shopify}");
    // Size, replay and the write path's floor: the floor copies exactly the ledger's rows.
    let number = |line: &str, unit: &str| -> u64 {
        let cell = line.split('|').nth(2).unwrap();
        let before = cell.split(unit).next().unwrap();
        before.split_whitespace().last().unwrap().parse().unwrap()
    };
    assert!(row("| database size after ingest").contains("bytes/line"));
    let replay = row("| replay: the whole ledger");
    assert!(number(&replay, "lines") > 0, "{replay}");
    assert!(replay.contains("lines/s"), "{replay}");
    let floor = row("| floor: the same rows");
    assert_eq!(
        number(&floor, "rows"),
        written + amazon_lines + shopify_lines,
        "{floor}"
    );
    assert!(row("| profitBySku, one year").contains(" ms"));
    assert!(row("| blendedMargin(WEEK), one year: GraphQL over HTTP").contains(" ms"));
    assert!(row("| fairness: another org's `me`").contains(" ms"));
    assert!(row("| fairness: another org's one-month `profitBySku`").contains(" ms"));

    // `--serve` loads the server over that brand without generating anything.
    let served = pnl(
        dir.path(),
        &["bench", "--serve", "--clients", "4", "--duration", "1"],
    );
    let report = String::from_utf8_lossy(&served.stdout);
    assert!(
        served.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&served.stderr)
    );
    for query in ["`{ me { org } }`", "profitBySku, one month"] {
        let line = |what: &str| {
            report
                .lines()
                .find(|line| line.starts_with(&format!("| {query}")) && line.contains(what))
                .unwrap_or_else(|| panic!("no {query:?} row with {what:?} in\n{report}"))
        };
        let rates = line("req/s");
        let rate: f64 = rates
            .split("**")
            .nth(1)
            .and_then(|cell| cell.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no req/s in {rates}"));
        assert!(rate > 0.0, "{rates}");
        assert!(
            line("latency p50 / p95 / p99").ends_with(" ms |"),
            "{report}"
        );
    }
    assert!(
        report.contains("peak RSS") && report.contains("MiB"),
        "{report}"
    );
    // The load repeats one report: it is computed once per version and then answered from memory.
    let cache = report
        .lines()
        .find(|line| line.starts_with("| report cache"))
        .unwrap_or_else(|| panic!("no report cache row in\n{report}"));
    let counts: Vec<u64> = cache
        .rsplit('|')
        .nth(1)
        .unwrap_or_default()
        .split('/')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    assert!(
        matches!(counts[..], [hits, computed] if hits > 0 && computed >= 1),
        "{cache}"
    );
    // Without a bench database there is nothing to load.
    let empty = tempfile::tempdir().unwrap();
    let none = pnl(empty.path(), &["bench", "--serve", "--duration", "1"]);
    assert!(!none.status.success());
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert!(stderr.contains("no bench database"), "{stderr}");

    // A database that already holds the brand's ledger is refused, not added to.
    let used = format!("sqlite://{}", dir.path().join("bench.db").display());
    let again = pnl(
        dir.path(),
        &["bench", "--database-url", &used, "--runs", "1"],
    );
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("already has") && stderr.contains("fresh database"),
        "{stderr}"
    );
}

#[test]
fn import_help_lists_every_format_and_the_readme_lists_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let output = pnl(dir.path(), &["import", "--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for format in pnl::connectors::tiktok::import::Format::ALL {
        assert!(
            help.contains(&format!("- {}:", format.name())),
            "--help lists {}:\n{help}",
            format.name()
        );
        assert!(
            readme.contains(&format!("`{}`", format.name())),
            "the README lists {}",
            format.name()
        );
    }
    // A name that is not a format is refused by the argument parser, naming the choices.
    let output = pnl(
        dir.path(),
        &["import", "--org", "acme", "--format", "csv", "x.json"],
    );
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(
        error.contains("invalid value 'csv'") && error.contains("tiktok-orders-202309"),
        "{error}"
    );
}

/// The data directory the CLI creates is owner-only (0700), and so are the database and the
/// secrets it creates there (0600), even under a permissive umask.
#[cfg(unix)]
#[test]
fn the_data_directory_the_database_and_the_secrets_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let run = |data_dir: &std::path::Path, args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg("umask 022 && exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_pnl"))
            .args(args)
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("PNL_JWT_SECRET")
            .env_remove("PNL_SECRET_KEY")
            .env_remove("PNL_DATABASE_URL")
            .env_remove("PNL_CONFIG")
            .current_dir(root.path())
            .output()
            .unwrap()
    };
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let (token, migrate, sync) = (
        root.path().join("token"),
        root.path().join("migrate/nested"),
        root.path().join("sync"),
    );
    let output = run(&token, &["token", "--org", "acme"]);
    assert!(output.status.success(), "{output:?}");
    let output = run(&migrate, &["migrate"]);
    assert!(output.status.success(), "{output:?}");
    // `sync` opens everything (database, both secrets) before it finds no such shop.
    let output = run(&sync, &["sync", "--shop", "none"]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no shop none"),
        "{output:?}"
    );

    for dir in [
        &token,
        &migrate,
        &migrate.parent().unwrap().to_path_buf(),
        &sync,
    ] {
        assert_eq!(format!("{:o}", mode(dir)), "700", "{}", dir.display());
    }
    let mut files = vec![
        token.join("jwt-secret"),
        migrate.join("pnl.db"),
        sync.join("pnl.db"),
        sync.join("jwt-secret"),
        sync.join("secret-key"),
    ];
    for dir in [&migrate, &sync] {
        for journal in ["pnl.db-wal", "pnl.db-shm"] {
            if dir.join(journal).exists() {
                files.push(dir.join(journal));
            }
        }
    }
    for file in files {
        assert_eq!(format!("{:o}", mode(&file)), "600", "{}", file.display());
    }
}

/// `pnl token` prints its jti; `pnl token list` shows it; `pnl token revoke` stops it at the
/// server's next check, and an unknown jti is refused.
#[tokio::test]
async fn token_revoke_stops_a_minted_token() {
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let path = dir.path().to_path_buf();
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            pnl(&path, &args)
        })
    };
    let output = cli(&["token", "--org", "acme", "--subject", "ci"])
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let jti = stderr
        .lines()
        .find_map(|line| line.strip_prefix("jti "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no jti on stderr: {stderr}"))
        .to_owned();

    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let state = pnl::startup::app_state(config).await.unwrap();
    let claims = state.jwt.verify(&token).unwrap();
    assert_eq!(claims.jti.as_deref(), Some(jti.as_str()));
    pnl::http::viewer_from_token(&state, &token).await.unwrap();

    let output = cli(&["token", "list", "--org", "acme"]).await.unwrap();
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(
        listed.starts_with(&format!("{jti}\tci\tpnl:read\t")),
        "{listed}"
    );
    assert!(listed.trim_end().ends_with("active"), "{listed}");

    let output = cli(&["token", "revoke", &jti]).await.unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("of org acme"));
    let error = pnl::http::viewer_from_token(&state, &token)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("invalid token: token {jti} was revoked")
    );
    let output = cli(&["token", "list", "--org", "acme"]).await.unwrap();
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(listed.trim_end().ends_with("revoked"), "{listed}");

    let output = cli(&["token", "revoke", "no-such-jti"]).await.unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("token no-such-jti not found"),
        "{output:?}"
    );
    state.db.close().await;
}

#[test]
fn serve_on_a_read_only_database_says_once_where_it_is_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    assert!(pnl(dir.path(), &["migrate"]).status.success());
    let db = dir.path().join("pnl.db");
    let url = format!("sqlite://{}?mode=ro", db.display());
    let output = pnl(
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--database-url", &url],
    );
    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = error
        .lines()
        .filter(|line| line.contains("cannot write"))
        .collect();
    assert_eq!(lines.len(), 1, "{error}");
    assert!(
        lines[0].contains(&db.display().to_string())
            && lines[0].contains("read-only")
            && lines[0].contains("give pnl write access"),
        "{error}"
    );
    assert_eq!(
        error.matches("readonly").count(),
        0,
        "no driver text: {error}"
    );
}

#[test]
fn import_reads_saved_shopify_answers_once_and_refuses_a_garbled_amount_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shopify");
    for name in [
        "orders_page.json",
        "balance_transactions.json",
        "payouts.json",
    ] {
        let file = format!("{fixtures}/{name}");
        let output = pnl(dir.path(), &["import", "--org", "acme", &file]);
        assert!(
            output.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains("shopify-"), "{name}: {stdout}");
        let again = pnl(dir.path(), &["import", "--org", "acme", &file]);
        let stdout = String::from_utf8(again.stdout).unwrap();
        assert!(stdout.contains("lines posted 0"), "{name}: {stdout}");
    }

    let text = std::fs::read_to_string(format!("{fixtures}/orders_page.json")).unwrap();
    let start = text.find("\"amount\": \"").unwrap() + "\"amount\": \"".len();
    let end = start + text[start..].find('"').unwrap();
    let garbled = dir.path().join("garbled-orders.json");
    std::fs::write(&garbled, format!("{}1,00{}", &text[..start], &text[end..])).unwrap();
    let output = pnl(
        dir.path(),
        &["import", "--org", "beta", garbled.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("garbled-orders.json") && stderr.contains("1,00"),
        "{stderr}"
    );
}
