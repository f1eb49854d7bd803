//! A narrower ledger row (issue 15): `ledger_entry.label`, the channel's own name of the amount
//! (`referral_fee_amount`, `FBAPerUnitFulfillmentFee`, `Adjustment / WFS Reimbursement`, ~24
//! bytes on a line of the benchmark brand), becomes `label_id`, an id into
//! `ledger_label (id, org_id, name)` — each org's labels, stored once (a few hundred per org).
//! Its unique key `uq_ledger_label_org_name (org_id, name)` serves the posting's lookup of its
//! lines' labels and re-booking's of one label; names are read back by primary key.
//!
//! Converted as `source_kind` was (`m20261207_000002`, through [`crate::util::into_dictionary`]):
//! every distinct (org, label) becomes a dictionary row, every line takes its id, the text column
//! is dropped; PostgreSQL gets the foreign key `fk_ledger_entry_label`. The partial index of
//! unmapped lines, `ix_ledger_entry_org_unmapped`, is rebuilt over `label_id`
//! (`(org_id, channel, label_id) WHERE NOT mapped`): it serves `unmappedFees` and the re-booking
//! of an unmapped label as before.
//!
//! The space the text took is reused by later rows; giving it back to the file system takes a
//! `VACUUM` (SQLite) or `VACUUM FULL ledger_entry` (PostgreSQL). Down writes the names back and
//! drops the dictionary.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, TransactionTrait};

use crate::m20261209_000002_partial_unmapped_index::{
    CREATE as CREATE_UNMAPPED_BY_TEXT, DROP as DROP_UNMAPPED,
};
use crate::util::{into_dictionary, out_of_dictionary, Dictionary};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const LABELS: Dictionary = Dictionary {
    table: "ledger_label",
    column: "label",
    text_type: "VARCHAR",
};

/// The partial index of unmapped lines, over the label's id.
const CREATE_UNMAPPED: &str =
    "CREATE INDEX ix_ledger_entry_org_unmapped ON ledger_entry (org_id, channel, label_id) \
     WHERE NOT mapped";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One transaction: SQLite drops a column only when no index covers it.
        let txn = manager.get_connection().begin().await?;
        txn.execute_unprepared(DROP_UNMAPPED).await?;
        into_dictionary(&txn, &LABELS).await?;
        txn.execute_unprepared(CREATE_UNMAPPED).await?;
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let txn = manager.get_connection().begin().await?;
        txn.execute_unprepared(DROP_UNMAPPED).await?;
        out_of_dictionary(&txn, &LABELS).await?;
        txn.execute_unprepared(CREATE_UNMAPPED_BY_TEXT).await?;
        txn.commit().await
    }
}
