//! `ledger_week` and `ledger_month`: `ledger_day` summed per ISO week (Monday first) and per
//! calendar month, in the org's time zone, under the same key. A year of the P&L reads 12 months
//! or 52 weeks of them instead of 365 days; days are still read where a whole period cannot be
//! used (range edges, amounts in another currency converted at each day's rate, a unit cost
//! changing inside the period). Kept exact by every posting in the same transaction, and
//! rebuildable from `ledger_day`.

use sea_orm_migration::prelude::*;

use crate::util::{col, create_all, drop_all, index, pk};
use crate::{Period, SUMS_KEY};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        for period in [Period::Week, Period::Month] {
            let (table, column) = (period.table(), period.column());
            let mut sums = pk(table);
            sums.col(col(column).date());
            for key in SUMS_KEY {
                let mut def = col(key);
                match key {
                    "channel" | "bucket" => def.string_len(32),
                    "status" => def.string_len(16),
                    "currency" => def.char_len(3),
                    _ => def.big_integer(),
                };
                sums.col(def);
            }
            for sum in ["amount_minor", "quantity", "sale_lines"] {
                sums.col(col(sum).big_integer());
            }
            // The key leads with the org and the period, like `uq_ledger_day_key`.
            let mut columns = vec!["org_id", column];
            columns.extend(SUMS_KEY.iter().filter(|key| **key != "org_id"));
            let unique = index(&format!("uq_{table}_key"), table, &columns, true);
            create_all(manager, vec![sums], vec![unique]).await?;
            manager
                .get_connection()
                .execute_unprepared(&crate::period_rebuild(period, None, postgres))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["ledger_month", "ledger_week"]).await
    }
}
