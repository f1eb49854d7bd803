//! A narrower ledger (issue 15): `ix_ledger_entry_org_unmapped (org_id, mapped, channel, label)`
//! held an entry for every line — ~52 bytes per line, the ledger's largest index — to serve
//! `unmappedLabels` and re-booking by label. Now it holds only the lines that matched no
//! mapping: `(org_id, channel, label) WHERE NOT mapped`.
//!
//! - `unmappedLabels` (org, `NOT mapped`, grouped by channel and label) and re-booking an
//!   unmapped label (org, `NOT mapped`, channel, label) still read only their lines through it;
//!   both queries spell the predicate `NOT mapped` literally, as the planners of both databases
//!   need to use a partial index.
//! - Re-booking a label that was mapped (a mapping change of a label some lines were booked
//!   under) finds its mapped lines by one pass over the org's lines instead: an admin's rare
//!   change, against an index entry on every line.
//!
//! Down restores the full index.

use sea_orm_migration::prelude::*;

use crate::util::run_all;

pub(crate) const DROP: &str = "DROP INDEX ix_ledger_entry_org_unmapped";

/// The partial index, as created here (and again where a migration rebuilds `ledger_entry`).
pub(crate) const CREATE: &str =
    "CREATE INDEX ix_ledger_entry_org_unmapped ON ledger_entry (org_id, channel, label) \
     WHERE NOT mapped";

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, vec![DROP.to_owned(), CREATE.to_owned()]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            vec![
                DROP.to_owned(),
                "CREATE INDEX ix_ledger_entry_org_unmapped ON ledger_entry \
                 (org_id, mapped, channel, label)"
                    .to_owned(),
            ],
        )
        .await
    }
}
