//! `pnl replay`: re-derives an org's ledger from its stored raw records through today's
//! normalisers, posting only the differences, with a progress bar; a killed run resumes.

use std::ops::ControlFlow;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::db::Db;
use crate::ledger::Channel;
use crate::org;
use crate::replay::{replay, Scope, Step};

/// `pnl replay --org ORG [--channel C] [--since DAY]`.
#[derive(Debug, Args)]
pub(super) struct ReplayArgs {
    /// The org whose ledger is re-derived.
    #[arg(long)]
    org: String,
    /// Only this channel's records (TIKTOK_SHOP, AMAZON, SHOPIFY, WALMART, OTHER).
    #[arg(long)]
    channel: Option<String>,
    /// Only sources received on or after this day (UTC, YYYY-MM-DD), or with lines dated on or
    /// after it.
    #[arg(long)]
    since: Option<String>,
}

/// Runs `pnl replay`.
///
/// # Errors
/// An unknown org, channel or day, a database failure, or sources that did not read (listed
/// first; the rest is replayed).
pub(super) async fn run(config: &Config, args: ReplayArgs) -> anyhow::Result<()> {
    let channel = args
        .channel
        .as_deref()
        .map(|name| {
            name.parse::<Channel>()
                .map_err(|_| anyhow::anyhow!("--channel {name}: not a channel (e.g. AMAZON)"))
        })
        .transpose()?;
    let since = args
        .since
        .as_deref()
        .map(|day| {
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| anyhow::anyhow!("--since {day}: not a day (YYYY-MM-DD)"))
        })
        .transpose()?;
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let org = org::find(db.conn(), &args.org)
        .await?
        .ok_or_else(|| anyhow::anyhow!("org {} does not exist", args.org))?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("replay [{bar:40}] {pos}/{len} sources {elapsed} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut progress = |step: Step| {
        bar.set_length(step.total as u64);
        bar.set_position(step.done as u64);
        ControlFlow::Continue(())
    };
    let scope = Scope {
        org_id: org.id,
        channel,
        since,
    };
    let report = replay(&db, scope, &mut progress).await;
    bar.finish_and_clear();
    db.close().await;
    let report = report?;
    if report.resumed > 0 {
        println!(
            "resumed a killed run after {} of {} sources",
            report.resumed, report.sources
        );
    }
    let r = &report.ingest;
    println!(
        "sources {}, replayed {}, without money of their own {} — lines unchanged {}, posted {} (corrected {}), retired {}, superseded {}",
        report.sources,
        report.replayed,
        report.skipped.values().sum::<usize>(),
        r.duplicates,
        r.posted,
        r.corrected,
        r.retired,
        r.superseded
    );
    if !report.skipped.is_empty() {
        let kinds: Vec<String> = report
            .skipped
            .iter()
            .map(|(kind, count)| format!("{kind} ({count})"))
            .collect();
        println!("without money of their own: {}", kinds.join(", "));
    }
    if !r.unmapped.is_empty() {
        println!(
            "unmapped labels (booked to OTHER): {}",
            r.unmapped.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    for (kind, (count, why)) in &report.needs_sync {
        println!("left to a sync: {count} sources of {kind}: {why}");
    }
    for failure in &report.failures {
        println!("not replayed: {failure}");
    }
    anyhow::ensure!(
        report.failures.is_empty(),
        "{} sources could not be read again (see above); their lines are as they were",
        report.failures.len()
    );
    Ok(())
}
