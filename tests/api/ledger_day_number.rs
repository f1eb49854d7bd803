//! Migration `m20261211_000002_ledger_day_as_number`: `ledger_entry.day` holds the day's number
//! (days since 1970-01-01) instead of a date, on both databases. Rows written by the schema
//! before it read as the same days; the day filters (`ledgerEntries`, `pnlLines`), re-dating by
//! time zone and the sums' rebuild hold; new lines are written as numbers; down gives the dates
//! back and up takes them again, the same rows. A day SQLite cannot read refuses the migration,
//! naming the row, and changes nothing.

use chrono::{NaiveDate, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::query::{list, EntryFilter};
use pnl::ledger::{self, NewLine};
use sea_orm::DatabaseBackend;

use crate::helpers::{
    acme_before, day_sums, execute, ledger_column, ledger_entries, migrations_from, post_to,
    unmapped_line, up_again_the_same, up_refuses, TestDb,
};

const MIGRATION: &str = "m20261211_000002_ledger_day_as_number";

/// A line at `hour`:00 UTC on 2026-01-`day`.
fn line(key: &str, day: u32, hour: u32) -> NewLine {
    NewLine {
        occurred_at: Utc.with_ymd_and_hms(2026, 1, day, hour, 0, 0).unwrap(),
        ..unmapped_line(key, -100)
    }
}

fn lines() -> Vec<NewLine> {
    vec![
        line("t:s:1:a", 2, 3),
        line("t:s:1:b", 2, 20),
        line("t:s:1:c", 5, 12),
    ]
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, day).unwrap()
}

/// The rows' days as text, under the schema before the migration. (As text: PostgreSQL keeps
/// each connection's prepared statements, and one prepared while the column was an integer
/// cannot read it as a date.)
async fn dates(db: &Db) -> Vec<String> {
    ledger_column(db, "CAST(ledger_entry.day AS TEXT)").await
}

/// The keys of the org's entries from `from` to `to` (UTC), as the API filters them.
async fn keys_between(db: &Db, org: i64, from: (u32, u32), to: (u32, u32)) -> Vec<String> {
    let filter = EntryFilter {
        from: Some(Utc.with_ymd_and_hms(2026, 1, from.0, from.1, 0, 0).unwrap()),
        to: Some(Utc.with_ymd_and_hms(2026, 1, to.0, to.1, 0, 0).unwrap()),
        ..EntryFilter::default()
    };
    list(db.conn(), org, &filter, None, 100)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|entry| entry.entry_key)
        .collect()
}

/// A line at noon UTC on `day` as the schema before the migration stored it, its day a date:
/// the first row copied in plain SQL under another key.
async fn old_row(db: &Db, key: &str, day: NaiveDate) {
    let noon = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    // SQLite holds whole seconds since `m20261210_000002`; PostgreSQL a typed time.
    let occurred_at: sea_orm::Value = match db.backend() {
        DatabaseBackend::Sqlite => noon.timestamp().into(),
        _ => noon.into(),
    };
    execute(
        db,
        "INSERT INTO ledger_entry (org_id, channel, packed_key, key_hash, seq, content_hash, \
         bucket, label_id, mapped, amount_minor, currency, quantity, occurred_at, status, \
         source_kind_id, source_id, created_at, day) \
         SELECT org_id, channel, ?, ?, 1, content_hash, bucket, label_id, mapped, -700, \
         currency, quantity, ?, status, source_kind_id, source_id, created_at, ? \
         FROM ledger_entry WHERE id = (SELECT MIN(id) FROM ledger_entry)",
        vec![
            format!("\u{1}{key}").into(),
            ledger::key_hash(key).into(),
            occurred_at,
            day.into(),
        ],
    )
    .await;
}

#[tokio::test]
async fn dates_become_day_numbers_filter_re_date_rebuild_and_go_back_down() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    let org = pnl::org::ensure(db.conn(), "acme").await.unwrap().id;
    post_to(&db, org, lines()).await;
    let numbers = [date(2), date(2), date(5)].map(ledger::time::day_number);
    assert_eq!(ledger_column::<i32>(&db, "ledger_entry.day").await, numbers);
    let written = ledger_entries(&db).await;
    let kept = day_sums(&db).await;

    // The schema before: dates; an older server adds a line dated the 4th.
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(dates(&db).await, ["2026-01-02", "2026-01-02", "2026-01-05"]);
    old_row(&db, "t:s:1:old", date(4)).await;

    Migrator::up(db.conn(), None).await.unwrap();
    if db.backend() == DatabaseBackend::Sqlite {
        assert_eq!(
            ledger_column::<String>(&db, "typeof(ledger_entry.day)").await,
            ["integer"; 4]
        );
    }
    let migrated = ledger_entries(&db).await;
    assert_eq!(migrated[..3], written[..]);
    assert_eq!(migrated[3].day, Some(ledger::time::day_number(date(4))));

    // The day bounds find the lines: the 2nd from 10:00 to the 5th at noon (exclusive).
    assert_eq!(
        keys_between(&db, org, (2, 10), (5, 12)).await,
        ["t:s:1:b", "t:s:1:old"]
    );
    // The sums rebuilt from numbered days are the kept ones and the old line's.
    ledger::rollup::rebuild(db.conn(), org).await.unwrap();
    let rebuilt = day_sums(&db).await;
    assert_eq!(rebuilt.len(), kept.len() + 1);
    assert!(kept.iter().all(|sum| rebuilt.contains(sum)));
    assert!(rebuilt
        .iter()
        .any(|sum| sum.day == date(4) && sum.amount_minor == -700));

    // Tokyo (UTC+9) moves the 20:00 UTC line to the 3rd; the sums follow.
    pnl::org::update_settings(&db, org, None, Some("Asia/Tokyo"), None)
        .await
        .unwrap();
    let days: Vec<NaiveDate> = ledger_column::<i32>(&db, "ledger_entry.day")
        .await
        .into_iter()
        .map(|number| ledger::time::day_of(number).unwrap())
        .collect();
    assert_eq!(days, [date(2), date(3), date(5), date(4)]);
    assert!(day_sums(&db).await.iter().any(|sum| sum.day == date(3)));

    // New lines are numbered; the same lines again are unchanged.
    assert_eq!(post_to(&db, org, lines()).await.unchanged, 3);
    post_to(&db, org, vec![line("t:s:1:d", 6, 1)]).await;
    assert_eq!(
        ledger_entries(&db).await[4].day,
        Some(ledger::time::day_number(date(6)))
    );

    // Down and up again: the same rows.
    let now = ledger_entries(&db).await;
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    assert_eq!(
        dates(&db).await,
        [
            "2026-01-02",
            "2026-01-03",
            "2026-01-05",
            "2026-01-04",
            "2026-01-06"
        ]
    );
    up_again_the_same(&db, now).await;
    db.close().await;
}

#[tokio::test]
async fn a_day_sqlite_cannot_read_refuses_the_migration_and_changes_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    if db.backend() != DatabaseBackend::Sqlite {
        // PostgreSQL's dates are typed: no such row can exist.
        return;
    }
    let org = acme_before(&db, MIGRATION).await;
    post_to(&db, org, vec![line("t:s:1:a", 2, 3)]).await;
    execute(&db, "UPDATE ledger_entry SET day = 'someday'", vec![]).await;
    up_refuses(
        &db,
        MIGRATION,
        "ledger_entry row 1: day \"someday\" is not a date",
    )
    .await;
    assert_eq!(
        ledger_column::<String>(&db, "ledger_entry.day").await,
        ["someday"]
    );
    db.close().await;
}
