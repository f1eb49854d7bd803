//! The `pnl` command line: `demo`, `serve`, `migrate`, `print-schema`, `token`, `partner`,
//! `login-link`, `import`, `raw`, `sync`, `sandbox`, `tiktok` and `bench`.

mod bench;
mod demo;
mod demo_seed;
mod demo_settings;
mod login_link;
mod raw;
mod replay;
mod run_sync;
mod statements;
mod token;

pub use demo::{sandbox_config as demo_sandbox_config, LAST_DAY as DEMO_LAST_DAY};

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::auth::{partner, Scopes};
use crate::config::{self, Config, Overrides};
use crate::db::Db;
use crate::startup::{self, Application};
use crate::{graphql, org, telemetry};

/// pnl: one exact profit-and-loss ledger across TikTok Shop, Amazon, Shopify and statement files.
#[derive(Debug, Parser)]
#[command(name = "pnl", version, about)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct GlobalArgs {
    /// Configuration file (default: ./pnl.toml when present).
    #[arg(long, global = true, env = "PNL_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data dir).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Directory for the embedded database and generated secrets (default: ./data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a complete demo: the sandbox's TikTok shops and ad accounts and its Amazon US seller
    /// connected through OAuth and Seller Central consent, their backfill, and the GraphQL server.
    Demo {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Days of sandbox history, ending 2026-03-31 (the default 90 start on 2026-01-01, the
        /// dates of the README's examples).
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Sandbox orders per shop per day.
        #[arg(long, default_value_t = 20)]
        orders_per_day: u32,
    },
    /// Run the GraphQL server (migrates the database first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Sync one shop now, in the foreground, with a progress bar.
    Sync {
        /// The org (needed only when the channel's shop id is connected to several orgs).
        #[arg(long)]
        org: Option<String>,
        /// The shop: its id, or the channel's shop id.
        #[arg(long)]
        shop: String,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    PrintSchema,
    /// Mint a token signed with the server's secret and print it alone on stdout (its jti goes
    /// to stderr); `pnl token revoke JTI` revokes one, `pnl token list --org ORG` lists them.
    Token(token::TokenArgs),
    /// Print a URL that signs a browser in to the dashboard (`{public url}/#token=…`): a new
    /// token for the org (revocable with `pnl token revoke`) in the URL fragment.
    LoginLink(login_link::LoginLinkArgs),
    /// Manage partner apps (OAuth client credentials).
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Import saved channel API responses (format detected from the content), or statement
    /// files through a mapping (`--mapping NAME|FILE.toml`).
    Import(ImportArgs),
    /// Re-derive an org's ledger from its stored raw records through this version's
    /// normalisers, posting only the differences (after an upgrade that fixes a normaliser);
    /// a killed run resumes where it stopped.
    Replay(replay::ReplayArgs),
    /// Print a raw record's payload (what the channel sent, decompressed) byte for byte.
    Raw(raw::RawArgs),
    /// Statement mappings: `check` shows how a sample would be booked, `list` the built-ins.
    #[command(subcommand)]
    Mapping(statements::MappingCommand),
    /// TikTok tools.
    #[command(subcommand)]
    Tiktok(TiktokCommand),
    /// Benchmark: a sandbox brand (default one million orders over a year) ingested into a fresh
    /// database (default: data/bench.db, replaced), then profit queries timed over HTTP next to
    /// hand-written SQL. Prints a Markdown table.
    Bench {
        /// Orders over the whole period, all shops together.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Days of statements (ending yesterday).
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// US shops sharing the orders.
        #[arg(long, default_value_t = 2)]
        shops: usize,
        /// Orders of the brand's Amazon US seller over the same days, booked from its
        /// settlement files (0: TikTok only).
        #[arg(long, default_value_t = 200_000)]
        amazon_orders: u64,
        /// Orders of the brand's Shopify US store over the same days, synced by the Shopify
        /// connector from the sandbox on loopback (0: none).
        #[arg(long, default_value_t = 100_000)]
        shopify_orders: u64,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 30)]
        runs: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Load instead: reuse the brand an earlier `pnl bench` built (data/bench.db, or
        /// --database-url), start the server in-process and send `{ me { org } }`, then a
        /// one-month `profitBySku`, from concurrent clients; prints req/s, p50/p95/p99 latency
        /// and the process's peak RSS. Generates nothing.
        #[arg(long)]
        serve: bool,
        /// With --serve: concurrent clients.
        #[arg(long, default_value_t = 16, requires = "serve")]
        clients: usize,
        /// With --serve: seconds each query is sent for.
        #[arg(long, default_value_t = 20, requires = "serve")]
        duration: u64,
    },
    /// Run the channel sandbox alone: simulated TikTok Shop + TikTok Ads APIs on loopback.
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// Seed of the generated data (the same seed gives the same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Days of statements.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Orders per shop per day.
        #[arg(long, default_value_t = 20)]
        orders_per_day: u32,
    },
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The org to import into.
    #[arg(long)]
    org: String,
    /// The shop's external id (default: a shop named "<channel> (imported)").
    #[arg(long)]
    shop: Option<String>,
    /// Force a format instead of detecting it from the content.
    #[arg(long, value_parser = import_formats())]
    format: Option<String>,
    /// Currency for payloads that name none (orders, ads reports).
    #[arg(long)]
    currency: Option<String>,
    /// TikTok Ads: the advertiser id.
    #[arg(long)]
    advertiser: Option<String>,
    /// TikTok Ads: the ad account's time zone (IANA name; default UTC).
    #[arg(long)]
    time_zone: Option<String>,
    /// Read the files as statements through this mapping: a built-in's name (`pnl mapping
    /// list`), a TOML file, or the name of a mapping the org saved (`saveStatementMapping`).
    #[arg(long, conflicts_with_all = ["format", "currency", "advertiser", "time_zone"])]
    mapping: Option<String>,
    /// With --mapping: post the rows that read and list the ones skipped, instead of refusing
    /// a file with a bad row.
    #[arg(long, requires = "mapping")]
    skip_bad_rows: bool,
    /// Files to import, each in its own transaction.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// The names `--format` takes, each with its description (listed by `pnl import --help`).
fn import_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::import::formats().into_iter().map(|format| {
            clap::builder::PossibleValue::new(format.name()).help(format.description())
        }),
    )
}

#[derive(Debug, Subcommand)]
enum TiktokCommand {
    /// Print the string TikTok signs for a request (secret masked) and, last, the signature.
    Sign {
        /// The app secret.
        #[arg(long)]
        app_secret: String,
        /// The request path, e.g. /finance/202309/statements.
        #[arg(long)]
        path: String,
        /// A query parameter as key=value (repeatable).
        #[arg(long = "query")]
        query: Vec<String>,
        /// The exact JSON body sent (for non-GET requests).
        #[arg(long)]
        body: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PartnerCommand {
    /// Register a partner app; prints its client id and secret (the secret is shown only once).
    Create {
        /// The org the app acts for.
        #[arg(long)]
        org: String,
        /// A human name.
        #[arg(long)]
        name: String,
        /// The most the app may be granted, space-separated.
        #[arg(long)]
        scopes: String,
    },
    /// Revoke a partner app; its tokens stop working immediately.
    Revoke {
        /// The client id.
        client_id: String,
    },
    /// List the partner apps of an org.
    List {
        /// The org.
        #[arg(long)]
        org: String,
    },
}

impl Cli {
    /// Runs the command.
    ///
    /// # Errors
    /// Whatever the command fails with, with context for the user.
    pub async fn run(self) -> anyhow::Result<()> {
        let listen = match &self.command {
            Command::Serve { listen } | Command::Demo { listen, .. } => *listen,
            _ => None,
        };
        let overrides = Overrides {
            listen,
            database_url: self.global.database_url.clone(),
            data_dir: self.global.data_dir.clone(),
        };
        let mut config = config::load(self.global.config.as_deref(), &overrides)?;
        // A running `pnl demo` tells the other commands on its data dir where its sandbox is.
        let demo_file = match self.command {
            Command::Demo { .. } => None,
            _ => demo_settings::apply(&mut config)?,
        };
        let quiet = !matches!(self.command, Command::Serve { .. } | Command::Demo { .. });
        telemetry::init(
            config.log_format,
            if quiet {
                "warn"
            } else {
                "pnl=info,tower_http=info,warn"
            },
        );
        match self.command {
            Command::Serve { .. } => serve(config).await,
            Command::Demo {
                days,
                orders_per_day,
                ..
            } => demo::run(config, days, orders_per_day).await,
            Command::Bench {
                serve: true,
                clients,
                duration,
                ..
            } => {
                let args = bench::ServeArgs {
                    clients,
                    duration: std::time::Duration::from_secs(duration),
                };
                bench::serve(config, args).await
            }
            Command::Bench {
                orders,
                days,
                shops,
                amazon_orders,
                shopify_orders,
                runs,
                seed,
                serve: false,
                ..
            } => {
                let args = bench::BenchArgs {
                    orders,
                    days,
                    shops,
                    amazon_orders,
                    shopify_orders,
                    runs,
                    seed,
                };
                bench::run(config, args).await
            }
            Command::Sync { org, shop } => {
                if let Some(file) = demo_file {
                    eprintln!("using the sandbox of `pnl demo` ({})", file.display());
                }
                run_sync::run(config, org.as_deref(), &shop).await
            }
            Command::Migrate => {
                let db = Db::connect(&config.database_url()).await?;
                db.check_writable(&config.database_url()).await?;
                db.migrate().await?;
                eprintln!("migrations applied");
                Ok(())
            }
            Command::PrintSchema => {
                print!("{}", graphql::sdl());
                Ok(())
            }
            Command::Token(args) => token::run(&config, args).await,
            Command::LoginLink(args) => login_link::run(&config, args).await,
            Command::Partner(command) => run_partner(&config, command).await,
            Command::Import(args) if args.mapping.is_some() => {
                statements::run_import(&config, args).await
            }
            Command::Import(args) => run_import(&config, args).await,
            Command::Mapping(command) => statements::run(&config, command).await,
            Command::Replay(args) => replay::run(&config, args).await,
            Command::Raw(args) => raw::run(&config, args).await,
            Command::Sandbox {
                listen,
                seed,
                days,
                orders_per_day,
            } => {
                run_sandbox(
                    listen,
                    sandbox::SandboxConfig {
                        seed,
                        days,
                        orders_per_day,
                        ..sandbox::SandboxConfig::default()
                    },
                )
                .await
            }
            Command::Tiktok(TiktokCommand::Sign {
                app_secret,
                path,
                query,
                body,
            }) => {
                print!(
                    "{}",
                    tiktok_sign(&app_secret, &path, &query, body.as_deref())?
                );
                Ok(())
            }
        }
    }
}

/// The output of `pnl tiktok sign`: the signed string with the secret masked, then the
/// signature alone on the last line.
///
/// # Errors
/// A query parameter without `=`.
pub fn tiktok_sign(
    app_secret: &str,
    path: &str,
    query: &[String],
    body: Option<&str>,
) -> anyhow::Result<String> {
    let pairs = query
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow::anyhow!("--query {pair:?} must be key=value"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let signed =
        crate::connectors::tiktok::sign::string_to_sign(path, &pairs, body.map(str::as_bytes));
    let signature =
        crate::connectors::tiktok::sign::sign(app_secret, path, &pairs, body.map(str::as_bytes));
    Ok(format!(
        "signed string (app_secret + string + app_secret; the secret is masked):\n<app_secret>{}<app_secret>\n{signature}\n",
        String::from_utf8_lossy(&signed)
    ))
}

async fn run_import(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let options = crate::import::ImportOptions {
        shop: args.shop,
        format: args.format,
        currency: args
            .currency
            .as_deref()
            .map(crate::money::Currency::parse)
            .transpose()?,
        advertiser: args.advertiser,
        time_zone: args
            .time_zone
            .as_deref()
            .map(|tz| {
                tz.parse::<chrono_tz::Tz>()
                    .map_err(|_| anyhow::anyhow!("unknown time zone {tz:?}"))
            })
            .transpose()?,
    };
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let org = org::ensure(db.conn(), &args.org).await?;
    let mut failed = false;
    for file in &args.files {
        match crate::import::import_file(&db, org.id, file, &options).await {
            Ok(report) => {
                let r = &report.ingest;
                println!(
                    "{}: {} — rows read {}, lines posted {}, duplicates skipped {}, corrected {}, retired {}, superseded {}, payouts {}",
                    file.display(),
                    report.format.name(),
                    r.rows,
                    r.posted,
                    r.duplicates,
                    r.corrected,
                    r.retired,
                    r.superseded,
                    r.payouts
                );
                if !r.unmapped.is_empty() {
                    println!(
                        "  unmapped labels (booked to OTHER): {}",
                        r.unmapped.iter().cloned().collect::<Vec<_>>().join(", ")
                    );
                }
                for failure in &r.failures {
                    println!("  failed at {}: {}", failure.position, failure.reason);
                }
                failed |= !r.failures.is_empty();
            }
            Err(error) => {
                eprintln!("error: {error}");
                failed = true;
            }
        }
    }
    db.close().await;
    if failed {
        anyhow::bail!("some input could not be imported (see above)");
    }
    Ok(())
}

async fn run_sandbox(listen: SocketAddr, config: sandbox::SandboxConfig) -> anyhow::Result<()> {
    let sandbox = sandbox::Sandbox::start_on(config, listen)
        .await
        .with_context(|| format!("cannot start the sandbox on {listen}"))?;
    let url = sandbox.base_url();
    println!("TikTok sandbox on {url} (shop API, auth host and Marketing API)");
    println!(
        "app_key: {}  app_secret: {}",
        sandbox.config().app_key,
        sandbox.config().app_secret
    );
    println!(
        "ads app_id: {}  ads secret: {}",
        sandbox.config().ads_app_id,
        sandbox.config().ads_secret
    );
    println!("authorise: {url}/oauth/authorize?app_key={}&state=x&redirect_uri=http://127.0.0.1/callback", sandbox.config().app_key);
    for shop in sandbox.world().shops() {
        println!(
            "shop {} {} ({}, {}), advertiser {}",
            shop.id, shop.name, shop.region, shop.currency, shop.advertiser_id
        );
    }
    startup::shutdown_signal().await;
    sandbox.shutdown().await;
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until_stopped(startup::shutdown_signal()).await
}

async fn run_partner(config: &Config, command: PartnerCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    match command {
        PartnerCommand::Create { org, name, scopes } => {
            let scopes = Scopes::parse_strict(&scopes)?;
            let org = org::ensure(db.conn(), &org).await?;
            let created = partner::create(db.conn(), &org, &name, &scopes).await?;
            println!("client_id: {}", created.app.client_id);
            println!("client_secret: {}", created.client_secret);
            println!("org: {}", org.key);
            println!("scopes: {scopes}");
            eprintln!("store the secret now: only its hash is kept");
        }
        PartnerCommand::Revoke { client_id } => {
            let app = partner::revoke(db.conn(), &client_id).await?;
            println!(
                "revoked {} ({}) of org {}",
                app.client_id, app.name, app.org.key
            );
        }
        PartnerCommand::List { org } => {
            let Some(org) = org::find(db.conn(), &org).await? else {
                anyhow::bail!("org {org} does not exist");
            };
            for app in partner::list(db.conn(), &org).await? {
                let status = if app.revoked { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{status}", app.client_id, app.name, app.scopes);
            }
        }
    }
    db.close().await;
    Ok(())
}
