//! `pnl demo` against the README: the real binary's sandbox brand answers every GraphQL example
//! of README.md (read at test time) with data, `pnl sync` in another process reaches the demo's
//! sandbox, and the README's CSV examples import as written. With `PNL_TEST_DATABASE_URL` the
//! demo runs on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Orders per shop per day of the demo under test: small, over the README's whole 90 days.
const ORDERS_PER_DAY: u32 = 2;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap()
}

/// The text of every ```graphql block of the README.
fn graphql_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim()) {
            (None, "```graphql") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The top-level statements of a block as written: `{ … }` or `mutation { … }`, comments
/// (`#` outside strings) dropped, a statement spanning several lines kept whole.
fn statements(block: &str) -> Vec<String> {
    let (mut out, mut current) = (Vec::new(), String::new());
    let (mut depth, mut in_string, mut escaped, mut comment) = (0i32, false, false, false);
    for c in block.chars() {
        if comment {
            comment = c != '\n';
            if comment {
                continue;
            }
        }
        if in_string {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => {
                comment = true;
                continue;
            }
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if !(current.trim().is_empty() && c.is_whitespace()) {
            current.push(c);
        }
        if c == '}' && depth == 0 {
            out.push(std::mem::take(&mut current).trim().to_owned());
        }
    }
    assert!(
        current.trim().is_empty() && depth == 0,
        "unbalanced example: {current}"
    );
    out
}

/// Every README example, queries first, then mutations (they change the data) in README order.
/// A query written after a mutation in its block shows the mutation's effect (`mappingChanges`
/// after `setFeeMapping`), so it runs after the mutations.
fn readme_examples() -> Vec<String> {
    let (mut queries, mut mutations, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for block in graphql_blocks(&readme()) {
        let mut mutated = false;
        for statement in statements(&block) {
            if statement.starts_with("mutation") {
                mutated = true;
                mutations.push(statement);
            } else if mutated {
                after.push(statement);
            } else {
                queries.push(statement);
            }
        }
    }
    queries.into_iter().chain(mutations).chain(after).collect()
}

/// The value of `name: "…"` in `text` (GraphQL string escapes `\n`, `\"`, `\\` undone).
fn string_argument(text: &str, name: &str) -> Option<String> {
    let start = text.find(&format!("{name}: \""))? + name.len() + 3;
    let (mut out, mut chars) = (String::new(), text[start..].chars());
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                other => out.push(other),
            },
            _ => out.push(c),
        }
    }
    None
}

/// A row whose key names no SKU, creator or shop but a placeholder such as `(no SKU)`: money
/// without net sales, whose ratios are rightly null.
fn placeholder_row(row: &Value) -> bool {
    row["key"].as_object().is_some_and(|key| {
        key.values()
            .any(|v| v.as_str().is_some_and(|v| v.starts_with('(')))
    })
}

/// Where an answer is empty: a null or an empty list, except fields whose null or empty is
/// itself the answer on good data (no reversal, no FX fallback, nothing missing, a first period
/// without a change, ROI of a creator who cost nothing) and the ratios of placeholder rows.
fn empty_spots(value: &Value, path: &str, out: &mut Vec<String>) {
    const MAY_BE_NULL: [&str; 3] = ["reversalOf", "marginChange", "roi"];
    const MAY_BE_EMPTY: [&str; 3] = ["missingCosts", "fxFallbacks", "productsWithoutCost"];
    let field = path.rsplit('.').next().unwrap_or_default();
    let field = field.split('[').next().unwrap_or_default();
    match value {
        Value::Null if !MAY_BE_NULL.contains(&field) => out.push(format!("{path} is null")),
        Value::Array(items) if items.is_empty() && !MAY_BE_EMPTY.contains(&field) => {
            out.push(format!("{path} is empty"));
        }
        Value::Array(items) => {
            if !items.is_empty() && items.iter().all(placeholder_row) {
                out.push(format!("{path} has placeholder rows only"));
            }
            for (i, item) in items.iter().enumerate() {
                if !placeholder_row(item) {
                    empty_spots(item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                empty_spots(item, &format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

/// A fresh database for the demo: SQLite in `dir`, or a new PostgreSQL database (dropped by
/// [`drop_database`]) when `PNL_TEST_DATABASE_URL` is set.
async fn fresh_database(dir: &Path) -> (String, Option<(String, String)>) {
    let Ok(base) = std::env::var("PNL_TEST_DATABASE_URL") else {
        return (
            format!("sqlite://{}?mode=rwc", dir.join("pnl.db").display()),
            None,
        );
    };
    use sea_orm::ConnectionTrait;
    let name = format!("pnl_t_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&base).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (prefix, query) = base.split_once('?').unwrap_or((&base, ""));
    let server = &prefix[..prefix.rfind('/').unwrap()];
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    (format!("{server}/{name}{query}"), Some((base, name)))
}

async fn drop_database(pg: Option<(String, String)>) {
    use sea_orm::ConnectionTrait;
    if let Some((base, name)) = pg {
        let admin = sea_orm::Database::connect(&base).await.unwrap();
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

/// A `pnl` command on `dir` with no configuration from this environment.
fn pnl(dir: &Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pnl"));
    command
        .arg("--data-dir")
        .arg(dir)
        .args(["--database-url", database_url])
        .current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("PNL_") {
            command.env_remove(key);
        }
    }
    command
}

/// A running `pnl demo` and what it printed up to "Ctrl-C stops it".
struct Demo {
    child: Child,
    port: u16,
    printed: Vec<String>,
}

impl Demo {
    /// Starts a demo on a free port. The port is free when picked but may be taken before the
    /// demo binds it (another test's sandbox binds port 0 meanwhile): then the demo exits
    /// without its banner, and another port is tried.
    fn start(dir: &Path, database_url: &str, days: u32, orders_per_day: u32) -> Self {
        for _ in 0..5 {
            let mut demo = Self::start_once(dir, database_url, days, orders_per_day);
            if demo
                .printed
                .iter()
                .any(|l| l.starts_with("Ctrl-C stops it"))
            {
                return demo;
            }
            let _ = demo.child.kill();
        }
        panic!("pnl demo did not start on any of five free ports");
    }

    fn start_once(dir: &Path, database_url: &str, days: u32, orders_per_day: u32) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = pnl(dir, database_url)
            .arg("demo")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--days", &days.to_string()])
            .args(["--orders-per-day", &orders_per_day.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut printed = Vec::new();
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            printed.push(line.unwrap());
            if printed
                .last()
                .is_some_and(|l| l.starts_with("Ctrl-C stops it"))
            {
                break;
            }
        }
        Self {
            child,
            port,
            printed,
        }
    }

    fn line(&self, prefix: &str) -> String {
        self.printed
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line in {:#?}", self.printed))
            .trim()
            .to_owned()
    }

    fn token(&self) -> String {
        self.line("export TOKEN=")
    }

    async fn graphql(&self, query: &str) -> Value {
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{}/graphql", self.port))
            .bearer_auth(self.token())
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until the first sync of every shop (`shops`: the TikTok shops, each with its ad
    /// account, the Amazon seller and the Shopify store) has succeeded (the README's
    /// completeness example names them all); returns the shops.
    async fn backfilled(&self, tiktok_shops: usize) -> Vec<Value> {
        let shops = tiktok_shops + 2;
        let query =
            "{ shops { externalId name channel syncStatus { state lastSuccessAt lastError } } \
                     adAccounts { syncStatus { lastSuccessAt } } }";
        let synced = |list: &[Value]| {
            list.iter()
                .all(|s| s["syncStatus"]["lastSuccessAt"].is_string())
        };
        for _ in 0..1200 {
            let body = self.graphql(query).await;
            let list = |field: &str| body["data"][field].as_array().cloned().unwrap_or_default();
            let (found, accounts) = (list("shops"), list("adAccounts"));
            if found.len() == shops
                && accounts.len() == tiktok_shops
                && synced(&found)
                && synced(&accounts)
            {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the demo's shops did not finish their backfill");
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn demo_connects_the_sandbox_shops_and_backfills_them() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let demo = Demo::start(dir.path(), &url, 5, 2);
    assert!(demo
        .printed
        .iter()
        .any(|l| l.contains(&format!("http://127.0.0.1:{}/graphql", demo.port))));
    assert!(
        demo.printed
            .iter()
            .filter(|l| l.trim_start().starts_with('{'))
            .count()
            >= 3,
        "example queries"
    );
    assert_eq!(demo.line("Token:"), demo.token());
    // The dashboard's login link carries the same token in its fragment.
    let link = format!("http://127.0.0.1:{}/#token={}", demo.port, demo.token());
    assert!(
        demo.line("Dashboard:").starts_with(&link),
        "{:?}",
        demo.printed
    );
    demo.backfilled(2).await;
    drop(demo);
    drop_database(pg).await;
}

/// Runs every README example on the demo's data, then `pnl sync` of a demo shop from another
/// process on the same data directory.
#[tokio::test]
async fn every_readme_example_answers_with_data_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let demo = Demo::start(dir.path(), &url, 90, ORDERS_PER_DAY);
    assert!(
        demo.line("Data:").starts_with("2026-01-01 to 2026-03-31"),
        "{:#?}",
        demo.printed
    );
    let export = demo
        .printed
        .iter()
        .position(|l| l.contains("export TOKEN="));
    let curl = demo.printed.iter().position(|l| l.contains("$TOKEN"));
    assert!(export.is_some() && export < curl, "{:#?}", demo.printed);
    let shops = demo.backfilled(2).await;
    let amazon: Vec<&Value> = shops.iter().filter(|s| s["channel"] == "AMAZON").collect();
    assert_eq!(amazon.len(), 1, "{shops:#?}");
    assert_eq!(amazon[0]["externalId"], "A3SANDB0XUS001@NA", "{shops:#?}");

    // Both channels in the comparison the demo prints, each with net sales.
    let example = demo
        .printed
        .iter()
        .find(|l| l.trim_start().starts_with("{ channelComparison("))
        .unwrap_or_else(|| panic!("no channelComparison example in {:#?}", demo.printed))
        .trim()
        .to_owned();
    let body = demo.graphql(&example).await;
    assert!(body["errors"].is_null(), "{body}");
    let rows = body["data"]["channelComparison"]["rows"]
        .as_array()
        .unwrap();
    for channel in ["TIKTOK_SHOP", "AMAZON"] {
        let row = rows
            .iter()
            .find(|r| r["key"]["channel"] == channel)
            .unwrap_or_else(|| panic!("no {channel} row in {body}"));
        let net: rust_decimal::Decimal =
            row["netSales"]["amount"].as_str().unwrap().parse().unwrap();
        assert!(net > rust_decimal::Decimal::ZERO, "{channel}: {row}");
    }

    let mut failures = Vec::new();
    let examples = readme_examples();
    assert!(examples.len() >= 15, "{examples:#?}");
    for example in &examples {
        let body = demo.graphql(example).await;
        let mut spots = Vec::new();
        match (&body["errors"], &body["data"]) {
            (Value::Null, data @ Value::Object(_)) => empty_spots(data, "data", &mut spots),
            (errors, _) => spots.push(format!("errors: {errors}")),
        }
        if !spots.is_empty() {
            let mut answer = body.to_string();
            answer.truncate(answer.floor_char_boundary(1500));
            failures.push(format!(
                "{example}\n  -> {}\n  answer: {answer}",
                spots.join("\n  -> ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "README examples without data:\n{}",
        failures.join("\n\n")
    );

    // `pnl sync` in another shell finds the running sandbox through the data dir's demo.toml.
    let settings = dir.path().join("demo.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&settings).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "demo.toml holds app secrets");
    }
    let shop = shops[0]["externalId"].as_str().unwrap().to_owned();
    let mut sync = pnl(dir.path(), &url);
    sync.args(["sync", "--shop", &shop]);
    let output = tokio::task::spawn_blocking(move || sync.output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("synced Sandbox US Shop up to"), "{stdout}");
    assert!(stderr.contains("demo.toml"), "{stderr}");

    // … and the Amazon seller, through the Amazon settings of the same file.
    let mut sync = pnl(dir.path(), &url);
    sync.args(["sync", "--shop", "A3SANDB0XUS001@NA"]);
    let output = tokio::task::spawn_blocking(move || sync.output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("synced Amazon US up to"), "{stdout}");
    drop(demo);
    drop_database(pg).await;
}

#[test]
fn readme_examples_are_split_as_written() {
    let examples = readme_examples();
    let pnl = examples
        .iter()
        .find(|e| e.starts_with("{ pnl("))
        .expect("the multi-line pnl example");
    assert!(pnl.contains("total { contributionProfit"), "{pnl}");
    assert!(
        !examples.iter().any(|e| e.contains('#')),
        "comments dropped"
    );
    let first_mutation = examples
        .iter()
        .position(|e| e.starts_with("mutation"))
        .unwrap();
    assert!(
        examples[..first_mutation]
            .iter()
            .all(|e| !e.contains("mappingChanges")),
        "queries written after a mutation run after the mutations"
    );
    assert!(examples[first_mutation..]
        .iter()
        .any(|e| e.contains("mappingChanges")));
}

/// The README's dates lie in the demo's history and its payout is one of the demo's
/// statements, with the default size and with the size the test above runs.
#[test]
fn readme_dates_and_payout_id_come_from_the_demo() {
    let readme = readme();
    let text = graphql_blocks(&readme).join("\n");
    let id = string_argument(&text, "externalId").unwrap();
    for orders_per_day in [20, ORDERS_PER_DAY] {
        let config = pnl::cli::demo_sandbox_config(90, orders_per_day);
        let world = sandbox::World::new(&config).unwrap();
        assert!(
            world
                .shops()
                .iter()
                .any(|s| world.statements(&s.id).iter().any(|st| st.id == id)),
            "payout {id} is not a statement of the demo ({orders_per_day} orders a day)"
        );
        let (first, last) = (world.first_day(), world.last_day());
        assert_eq!(last, pnl::cli::DEMO_LAST_DAY);
        let mut rest = text.as_str();
        let mut dates = 0;
        while let Some(at) = rest.find("\"20") {
            let candidate = rest.get(at + 1..at + 11).unwrap_or_default();
            if let Ok(day) = chrono::NaiveDate::parse_from_str(candidate, "%Y-%m-%d") {
                assert!(
                    first <= day && day <= last,
                    "{day} is outside the demo's {first}..{last}"
                );
                dates += 1;
            }
            rest = &rest[at + 1..];
        }
        assert!(dates >= 10, "{dates} dates");
    }
}

/// The cost and rate CSVs of the README's examples import as written.
#[tokio::test]
async fn readme_csv_examples_import_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let db = pnl::db::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap();
    let text = graphql_blocks(&readme()).join("\n");
    let costs = string_argument(&text, "importProductCosts(csv").unwrap();
    let report = pnl::costs::csv_input::import_costs(&db, org.id, &costs)
        .await
        .unwrap_or_else(|e| panic!("{costs:?}: {e}"));
    assert_eq!(report.rows, costs.lines().count() - 1);
    let rates = string_argument(&text, "importFxRates(csv").unwrap();
    let report = pnl::costs::csv_input::import_rates(&db, org.id, &rates)
        .await
        .unwrap_or_else(|e| panic!("{rates:?}: {e}"));
    assert_eq!(report.rows, rates.lines().count() - 1);
    assert!(report.rows > 0);
    db.close().await;
    drop_database(pg).await;
}
