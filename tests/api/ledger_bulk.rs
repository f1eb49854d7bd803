//! The posting's bulk insert (`pnl::ledger` `bulk`): rows read back exactly as posted, on
//! PostgreSQL (one JSON parameter per 5,000 rows) as on SQLite (multi-row `VALUES`), across
//! statement boundaries, with text JSON must escape, absent optional fields and binary hashes;
//! a repeat changes nothing and a correction moves the daily sums with it.

use chrono::{TimeZone, Utc};
use entities::{ledger_day, ledger_entry};
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::{self, NewLine, PostRequest};
use pnl::money::Money;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{unmapped_line, TestDb};

/// More lines than one statement takes on either database.
const LINES: usize = 5_100;

fn line(index: usize) -> NewLine {
    let awkward = format!("fee \"{index}\" \\ back\tslash — 東京 🚚 '; DROP TABLE x; --");
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 23, 59, 58).unwrap()
        + chrono::Duration::microseconds(i64::try_from(index).unwrap() * 1_001);
    NewLine {
        entry_key: format!("test:bulk:{index}:{awkward}"),
        order_id: (index % 2 == 0).then(|| format!("order \"{index}\"")),
        order_line: (index % 3 == 0).then(|| "line\n1".to_owned()),
        channel_product_id: (index % 5 == 0).then(|| "p\\1".to_owned()),
        label: awkward,
        mapped: index % 7 != 0,
        quantity: i32::try_from(index % 4).unwrap(),
        occurred_at: at,
        ..unmapped_line("unused", -i64::try_from(index).unwrap() - 1)
    }
}

#[tokio::test]
async fn rows_read_back_exactly_across_statement_boundaries_and_repeats_change_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    let lines: Vec<NewLine> = (0..LINES).map(line).collect();
    let post = |lines: Vec<NewLine>| {
        ledger::post(
            &db,
            org,
            PostRequest {
                lines,
                ..PostRequest::default()
            },
        )
    };

    assert_eq!(post(lines.clone()).await.unwrap().inserted, LINES);
    let rows = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::OrgId.eq(org))
        .order_by_asc(ledger_entry::Column::Id)
        .all(db.conn())
        .await
        .unwrap();
    assert_eq!(rows.len(), LINES);
    let entries = ledger::query::entries(db.conn(), rows.clone())
        .await
        .unwrap();
    for ((row, entry), line) in rows.iter().zip(&entries).zip(&lines) {
        assert_eq!(entry.entry_key, line.entry_key);
        // The key's last segment repeats the label: stored as one placeholder character.
        assert_eq!(
            row.packed_key,
            format!(
                "test:bulk:{}:\u{5}",
                line.entry_key.split(':').nth(2).unwrap()
            )
        );
        assert_eq!(row.key_hash, ledger::key_hash(&line.entry_key));
        assert_eq!(row.content_hash.len(), 16);
        assert_eq!(entry.label, line.label);
        assert_eq!(row.order_id, line.order_id);
        assert_eq!(row.order_line, line.order_line);
        assert_eq!(row.channel_product_id, line.channel_product_id);
        assert_eq!(row.mapped, line.mapped);
        assert_eq!(row.quantity, line.quantity);
        assert_eq!(row.amount_minor, line.amount.minor().unwrap());
        assert_eq!(row.currency, "USD");
        // Times are kept to the second (`ledger::time`).
        assert_eq!(row.occurred_at, ledger::time::stored(line.occurred_at));
        assert_eq!(
            row.day,
            Some(ledger::time::day_number(line.occurred_at.date_naive()))
        );
        assert_eq!((row.seq, row.reversal_of, row.shop_id), (1, None, None));
    }

    // Every line again: nothing is written.
    let again = post(lines.clone()).await.unwrap();
    assert_eq!((again.unchanged, again.inserted), (LINES, 0));

    // One line corrected: its reversal and the new row, and the daily sums follow.
    let mut changed = lines[LINES - 1].clone();
    changed.amount = Money::from_minor(12_345, "USD".parse().unwrap());
    assert_eq!(post(vec![changed]).await.unwrap().corrected, 1);
    let total: i64 = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::OrgId.eq(org))
        .all(db.conn())
        .await
        .unwrap()
        .iter()
        .map(|row| row.amount_minor)
        .sum();
    let days = ledger_day::Entity::find()
        .filter(ledger_day::Column::OrgId.eq(org))
        .all(db.conn())
        .await
        .unwrap();
    let expected =
        -(1..=i64::try_from(LINES).unwrap()).sum::<i64>() + i64::try_from(LINES).unwrap() + 12_345;
    assert_eq!(total, expected);
    assert_eq!(
        days.iter().map(|day| day.amount_minor).sum::<i64>(),
        expected
    );
}
