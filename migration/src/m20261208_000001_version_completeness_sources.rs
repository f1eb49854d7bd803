//! The report version (`report_version`, migration `m20261206_000001`) also covers what every
//! answer's `completeness` reads of the org's sources, so the server keeps those in memory by
//! version too: a shop's channel, name and status (its name alone moved the version before) and
//! an ad account's channel, advertiser, name, shop and status. Columns no answer reads (status
//! messages, credentials refreshed by the sync) still leave the version alone.

use sea_orm_migration::prelude::*;

use crate::report_version_bump;
use crate::util::run_on_backend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// The shop columns an update must touch to move the version, before and after.
const SHOP_BEFORE: &str = "name";
const SHOP_AFTER: &str = "channel, name, status";
/// The ad account columns an update must touch to move the version.
const ACCOUNT: &str = "channel, advertiser_id, name, shop_id, status";

fn sqlite_shop(columns: &str) -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS trg_report_version_shop_update".to_owned(),
        format!(
            "CREATE TRIGGER trg_report_version_shop_update AFTER UPDATE OF {columns} ON shop \
             BEGIN {}; END",
            report_version_bump("NEW.org_id")
        ),
    ]
}

fn sqlite_up() -> Vec<String> {
    let mut sql = sqlite_shop(SHOP_AFTER);
    for (event, name, row) in [
        ("INSERT".to_owned(), "insert", "NEW"),
        (format!("UPDATE OF {ACCOUNT}"), "update", "NEW"),
        ("DELETE".to_owned(), "delete", "OLD"),
    ] {
        sql.push(format!(
            "CREATE TRIGGER trg_report_version_ad_account_{name} AFTER {event} ON ad_account \
             BEGIN {}; END",
            report_version_bump(&format!("{row}.org_id"))
        ));
    }
    sql
}

fn sqlite_down() -> Vec<String> {
    let mut sql: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS trg_report_version_ad_account_{name}"))
        .collect();
    sql.extend(sqlite_shop(SHOP_BEFORE));
    sql
}

/// `pnl_report_version_bump()` is the function migration `m20261206_000001` made.
fn postgres_shop(columns: &str) -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS trg_report_version_shop ON shop".to_owned(),
        format!(
            "CREATE TRIGGER trg_report_version_shop AFTER INSERT OR UPDATE OF {columns} OR DELETE \
             ON shop FOR EACH ROW EXECUTE FUNCTION pnl_report_version_bump()"
        ),
    ]
}

fn postgres_up() -> Vec<String> {
    let mut sql = postgres_shop(SHOP_AFTER);
    sql.push(format!(
        "CREATE TRIGGER trg_report_version_ad_account AFTER INSERT OR UPDATE OF {ACCOUNT} OR DELETE \
         ON ad_account FOR EACH ROW EXECUTE FUNCTION pnl_report_version_bump()"
    ));
    sql
}

fn postgres_down() -> Vec<String> {
    let mut sql =
        vec!["DROP TRIGGER IF EXISTS trg_report_version_ad_account ON ad_account".to_owned()];
    sql.extend(postgres_shop(SHOP_BEFORE));
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_up, sqlite_up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_backend(manager, postgres_down, sqlite_down).await
    }
}
