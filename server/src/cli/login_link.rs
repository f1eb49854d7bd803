//! `pnl login-link`: a URL that signs a browser in to the dashboard at `/`. The token rides in
//! the URL fragment (`#token=…`), which browsers never send to a server, so it stays out of
//! request lines and access logs; the page moves it to session storage and clears the fragment.

use clap::Args;

use crate::auth::Scopes;
use crate::config::{self, Config};
use crate::db::Db;
use crate::org;

/// `pnl login-link --org ORG [--scopes ...] [--ttl ...]`.
#[derive(Debug, Args)]
pub(super) struct LoginLinkArgs {
    /// The org the dashboard shows.
    #[arg(long)]
    org: String,
    /// Space-separated scopes: pnl:read costs:write connectors:write admin.
    #[arg(long, default_value = "pnl:read")]
    scopes: String,
    /// Lifetime of the token in the link, e.g. 15m, 8h, 7d.
    #[arg(long, default_value = "8h")]
    ttl: String,
    /// The token's subject.
    #[arg(long, default_value = "pnl-dashboard")]
    subject: String,
}

/// The dashboard URL that signs a browser in with `token`: `{public base url}/#token=TOKEN`.
pub(super) fn url(base: &str, token: &str) -> String {
    format!("{}/#token={token}", base.trim_end_matches('/'))
}

/// Runs `pnl login-link`: mints a recorded token (revocable with `pnl token revoke`) and
/// prints the link alone on stdout.
///
/// # Errors
/// Bad arguments, an unreadable secret, or a database failure.
pub(super) async fn run(config: &Config, args: LoginLinkArgs) -> anyhow::Result<()> {
    org::validate_key(&args.org)?;
    let scopes = Scopes::parse_strict(&args.scopes)?;
    let ttl = config::parse_ttl(&args.ttl)?;
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let minted = super::token::mint(config, &db, &args.org, &args.subject, &scopes, ttl).await;
    db.close().await;
    println!("{}", url(&config.public_url(), &minted?));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn the_token_goes_in_the_fragment_never_the_query() {
        assert_eq!(
            url("http://127.0.0.1:8080/", "a.b.c"),
            "http://127.0.0.1:8080/#token=a.b.c"
        );
        assert_eq!(
            url("https://pnl.example", "t"),
            "https://pnl.example/#token=t"
        );
    }
}
