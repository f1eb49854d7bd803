//! `pnl token`: mint a token signed with the server's secret (recorded by its `jti`), and
//! `pnl token revoke JTI` / `pnl token list --org ORG` to manage the tokens minted. `pnl
//! login-link` mints through [`mint`] too.

use clap::{Args, Subcommand};

use crate::auth::{tokens, Scopes};
use crate::config::{self, Config};
use crate::db::Db;
use crate::{org, startup};

/// `pnl token [--org ORG ...] | revoke JTI | list --org ORG`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct TokenArgs {
    #[command(subcommand)]
    command: Option<TokenCommand>,
    #[command(flatten)]
    mint: MintArgs,
}

/// What a new token says.
#[derive(Debug, Args)]
struct MintArgs {
    /// The org the token is scoped to.
    #[arg(long, required = true)]
    org: Option<String>,
    /// Space-separated scopes: pnl:read costs:write connectors:write admin.
    #[arg(long, default_value = "pnl:read")]
    scopes: String,
    /// Lifetime, e.g. 15m, 1h, 7d.
    #[arg(long, default_value = "1h")]
    ttl: String,
    /// The token's subject.
    #[arg(long, default_value = "pnl-cli")]
    subject: String,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Revoke a token by its jti (printed when it was minted, and by `list`); it stops working
    /// at its next request.
    Revoke {
        /// The token's jti.
        jti: String,
    },
    /// List the tokens minted for an org: jti, subject, scopes, expiry, status.
    List {
        /// The org.
        #[arg(long)]
        org: String,
    },
}

/// Runs `pnl token`.
///
/// # Errors
/// Bad arguments, an unreadable secret, or a database failure.
pub(super) async fn run(config: &Config, args: TokenArgs) -> anyhow::Result<()> {
    // Check what needs no database first, so a typo fails before anything is created.
    let request = match &args.command {
        None => {
            let key = args.mint.org.as_deref().unwrap_or_default();
            org::validate_key(key)?;
            let scopes = Scopes::parse_strict(&args.mint.scopes)?;
            let ttl = config::parse_ttl(&args.mint.ttl)?;
            Some((key.to_owned(), scopes, ttl))
        }
        Some(_) => None,
    };
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let result = match (args.command, request) {
        (Some(TokenCommand::Revoke { jti }), _) => revoke(&db, &jti).await,
        (Some(TokenCommand::List { org }), _) => list(&db, &org).await,
        (None, Some((key, scopes, ttl))) => {
            mint(config, &db, &key, &args.mint.subject, &scopes, ttl)
                .await
                .map(|token| println!("{token}"))
        }
        (None, None) => Ok(()),
    };
    db.close().await;
    result
}

/// Mints a recorded token for org `key` (created when missing) and returns it; its jti and
/// how to revoke it go to stderr. `pnl token` and `pnl login-link` both mint through here.
///
/// # Errors
/// An unreadable secret or a database failure.
pub(super) async fn mint(
    config: &Config,
    db: &Db,
    key: &str,
    subject: &str,
    scopes: &Scopes,
    ttl: std::time::Duration,
) -> anyhow::Result<String> {
    let keys = startup::jwt_keys(config)?;
    let org = org::ensure(db.conn(), key).await?;
    let signed = tokens::issue(db.conn(), &keys, &org, subject, scopes, ttl).await?;
    eprintln!(
        "jti {} (expires {}); revoke it with: pnl token revoke {}",
        signed.jti,
        signed.expires_at.to_rfc3339(),
        signed.jti
    );
    Ok(signed.token)
}

async fn revoke(db: &Db, jti: &str) -> anyhow::Result<()> {
    let (org_id, token) = tokens::revoke(db.conn(), jti, None)
        .await
        .map_err(|error| {
            anyhow::anyhow!(
                "{error}: only tokens minted by `pnl token` can be revoked by jti (a partner app's \
                 tokens stop with `pnl partner revoke`)"
            )
        })?;
    let org = org::by_id(db.conn(), org_id).await?.key;
    println!(
        "revoked {} ({}, {}) of org {org}",
        token.jti, token.subject, token.scopes
    );
    Ok(())
}

async fn list(db: &Db, key: &str) -> anyhow::Result<()> {
    let Some(org) = org::find(db.conn(), key).await? else {
        anyhow::bail!("org {key} does not exist");
    };
    let now = chrono::Utc::now();
    for token in tokens::list(db.conn(), org.id).await? {
        let status = match token.revoked_at {
            Some(_) => "revoked",
            None if token.expires_at <= now => "expired",
            None => "active",
        };
        println!(
            "{}\t{}\t{}\t{}\t{status}",
            token.jti,
            token.subject,
            token.scopes,
            token.expires_at.to_rfc3339()
        );
    }
    Ok(())
}
