//! `pnl import --mapping` and `pnl mapping check|list`: statement files read through a mapping.

use std::path::Path;

use clap::Subcommand;

use super::ImportArgs;
use crate::config::Config;
use crate::db::Db;
use crate::ledger::mapping::FeeMapper;
use crate::org;
use crate::statements::{self, builtin, check, StatementOptions};

/// `pnl mapping …`.
#[derive(Debug, Subcommand)]
pub(super) enum MappingCommand {
    /// Show how the first rows of SAMPLE would be booked with a mapping (row, date, order,
    /// SKU, label → bucket, amount, key) and the payout assertion; writes nothing. Labels are
    /// booked with the built-in tables (no org's overrides).
    Check {
        /// A built-in mapping's name, or a TOML file.
        mapping: String,
        /// A statement file.
        sample: std::path::PathBuf,
        /// Lines to show.
        #[arg(long, default_value_t = 20)]
        lines: usize,
        /// Skip rows that cannot be read (listed) instead of stopping at the first.
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// List the built-in mappings, and with --org the mappings that org saved
    /// (`saveStatementMapping`).
    List {
        /// Also list this org's saved mappings.
        #[arg(long)]
        org: Option<String>,
    },
}

/// Runs `pnl mapping …`.
pub(super) async fn run(config: &Config, command: MappingCommand) -> anyhow::Result<()> {
    match command {
        MappingCommand::List { org: None } => {
            for builtin in builtin::ALL {
                println!("{}\t{}", builtin.name, builtin::description(builtin));
            }
            Ok(())
        }
        MappingCommand::List { org: Some(key) } => {
            let db = Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            let org = crate::org::find(db.conn(), &key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("org {key} does not exist"))?;
            let listed = statements::stored::list(db.conn(), org.id).await;
            db.close().await;
            for info in listed? {
                let origin = if info.builtin { "built in" } else { "saved" };
                println!(
                    "{}\t{}\t{} ({origin})\t{}",
                    info.name,
                    info.channel,
                    info.display,
                    info.description.unwrap_or_default()
                );
            }
            Ok(())
        }
        MappingCommand::Check {
            mapping,
            sample,
            lines,
            skip_bad_rows,
        } => {
            let mapping = statements::resolve_mapping(&mapping)?;
            let file = sample.display().to_string();
            let bytes = read(&sample)?;
            let options = StatementOptions {
                skip_bad_rows,
                shop: None,
            };
            let (booked, _) = statements::read_statement(
                &bytes,
                &file,
                &mapping,
                &FeeMapper::defaults(),
                &options,
            )?;
            println!(
                "{file}: mapping {}, channel {} ({})",
                mapping.mapping.name.as_deref().unwrap_or_default(),
                mapping.channel.as_str(),
                mapping.display
            );
            print!("{}", check::preview(&booked, lines));
            Ok(())
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| anyhow::anyhow!("{}: cannot read: {error}", path.display()))
}

/// `pnl import --mapping M FILE…`: each file in its own transaction.
pub(super) async fn run_import(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let name = args.mapping.as_deref().unwrap_or_default();
    // A built-in or a file is checked before the database is opened or any file read; a
    // name that is neither may be one the org saved (`saveStatementMapping`).
    let resolved = statements::resolve_mapping(name);
    let options = StatementOptions {
        skip_bad_rows: args.skip_bad_rows,
        shop: args.shop.clone(),
    };
    let resolved = match resolved {
        Err(error) if statements::stored::check_name(name).is_err() => return Err(error.into()),
        other => other,
    };
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let org = org::ensure(db.conn(), &args.org).await?;
    let mapping = match resolved {
        Ok(mapping) => mapping,
        Err(error) => match statements::stored::find(db.conn(), org.id, name).await {
            Ok(mapping) => mapping,
            Err(crate::error::Error::NotFound { .. }) => {
                db.close().await;
                return Err(anyhow::Error::from(error).context(format!(
                    "mapping {name}: not a mapping org {} saved either",
                    args.org
                )));
            }
            Err(other) => return Err(other.into()),
        },
    };
    let mut failed = false;
    for path in &args.files {
        let file = path.display().to_string();
        let outcome = match read(path) {
            Ok(bytes) => {
                statements::import_statement(&db, org.id, &file, &bytes, &mapping, &options)
                    .await
                    .map_err(anyhow::Error::from)
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(report) => {
                let r = &report.ingest;
                println!(
                    "{file}: mapping {} ({}) — rows read {}, lines posted {}, duplicates skipped {}, corrected {}, rows skipped {}, rows not booked {}",
                    report.mapping,
                    report.channel_name,
                    r.rows,
                    r.posted,
                    r.duplicates,
                    r.corrected,
                    report.skipped.len(),
                    report.ignored,
                );
                match (report.reported, report.residual) {
                    (Some(reported), Some(residual)) => println!(
                        "  payout {}: reported {reported}, ledger {}, residual {residual}",
                        report.payout, report.ledger
                    ),
                    _ => println!(
                        "  payout {}: no reported total, ledger {}",
                        report.payout, report.ledger
                    ),
                }
                if !r.unmapped.is_empty() {
                    println!(
                        "  unmapped labels (booked to OTHER): {}",
                        r.unmapped.iter().cloned().collect::<Vec<_>>().join(", ")
                    );
                }
                for bad in &report.skipped {
                    println!("  skipped {bad}");
                }
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
