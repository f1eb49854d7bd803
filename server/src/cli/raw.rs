//! `pnl raw --org ORG ID`: a raw record's payload, exactly as the channel sent it, on stdout.
//! The record is read through the same service as the GraphQL `rawRecord` drill-down, so
//! another org's record is as unknown as a missing one.

use std::io::Write;

use anyhow::Context;
use clap::Args;

use crate::config::Config;
use crate::db::Db;
use crate::error::Error;
use crate::org;
use crate::pnl::lines;

/// `pnl raw --org ORG ID`.
#[derive(Debug, Args)]
pub(super) struct RawArgs {
    /// The org the record belongs to.
    #[arg(long)]
    org: String,
    /// The raw record's id (a ledger line's `rawRecordId`).
    #[arg(value_name = "ID")]
    id: i64,
}

/// Runs `pnl raw`: writes the original payload, byte for byte, to stdout (nothing added).
///
/// # Errors
/// An unknown org, a record that is not the org's, a stored payload that does not decompress,
/// a database failure, or a closed stdout.
pub(super) async fn run(config: &Config, args: RawArgs) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let found = match org::find(db.conn(), &args.org).await? {
        Some(org) => lines::raw_record(db.conn(), org.id, args.id).await,
        None => {
            db.close().await;
            anyhow::bail!("org {} does not exist", args.org);
        }
    };
    db.close().await;
    let record = match found {
        Ok(record) => record,
        Err(Error::NotFound { .. }) => {
            anyhow::bail!("org {} has no raw record {}", args.org, args.id)
        }
        Err(error) => return Err(error.into()),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(record.payload.as_bytes())
        .and_then(|()| out.flush())
        .context("writing the payload to stdout")?;
    Ok(())
}
