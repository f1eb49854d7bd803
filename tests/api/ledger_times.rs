//! Migration `m20261210_000002_ledger_times_as_seconds`: on SQLite `ledger_entry.occurred_at` and
//! `created_at` become whole Unix seconds. Rows written by the schema before it read as the same
//! instants (to the second); range filters and re-dating by time zone compare seconds exactly;
//! new lines are written as seconds; down gives the text back as the server wrote it, and up takes
//! it again. PostgreSQL keeps its timestamps (the migration does nothing there), and the same
//! reads and filters hold on it. A time SQLite cannot read refuses the migration, naming the row.

use chrono::{DateTime, Duration, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use pnl::db::Db;
use pnl::ledger::query::EntryFilter;
use pnl::ledger::{self, Channel, EntryStatus, FeeBucket};
use sea_orm::DatabaseBackend;

use crate::helpers::{
    acme_before, execute, ledger_column, ledger_entries, migrations_from, post_to, unmapped_line,
    up_again_the_same, up_refuses, TestDb,
};

const MIGRATION: &str = "m20261210_000002_ledger_times_as_seconds";

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, hour, minute, second)
        .unwrap()
}

/// A line as the schema before the migration stored it: its times as text, in plain SQL.
async fn old_row(db: &Db, org: i64, key: &str, occurred_at: &str, created_at: &str) {
    // SQLite held the text sqlx wrote; PostgreSQL takes a typed time.
    let time = |text: &str| -> sea_orm::Value {
        match db.backend() {
            DatabaseBackend::Sqlite => text.into(),
            _ => DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
                .into(),
        }
    };
    execute(
        db,
        "INSERT INTO ledger_entry (org_id, channel, packed_key, key_hash, seq, content_hash, \
         bucket, label, mapped, amount_minor, currency, quantity, occurred_at, status, \
         source_kind_id, source_id, created_at, day) \
         VALUES (?, ?, ?, ?, 1, ?, ?, 'fee', ?, -100, 'USD', 0, ?, ?, \
         (SELECT MAX(id) FROM source_kind), 's', ?, '2026-01-02')",
        vec![
            org.into(),
            Channel::TikTokShop.code().into(),
            key.into(),
            ledger::key_hash(key).into(),
            vec![0_u8; 16].into(),
            FeeBucket::Other.code().into(),
            true.into(),
            time(occurred_at),
            EntryStatus::Settled.code().into(),
            time(created_at),
        ],
    )
    .await;
}

/// Each row's times as SQLite holds them: storage type and value, as text.
async fn raw_times(db: &Db) -> Vec<String> {
    ledger_column(
        db,
        "typeof(occurred_at) || ' ' || CAST(occurred_at AS TEXT) || ' ' || \
         typeof(created_at) || ' ' || CAST(created_at AS TEXT)",
    )
    .await
}

/// The ids of the org's lines that occurred in `from..to`, through the API's filter.
async fn between(db: &Db, org: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<i64> {
    let filter = EntryFilter {
        from: Some(from),
        to: Some(to),
        ..EntryFilter::default()
    };
    let (entries, _) = ledger::query::list(db.conn(), org, &filter, None, 100)
        .await
        .unwrap();
    entries.iter().map(|entry| entry.id).collect()
}

#[tokio::test]
async fn old_text_times_read_as_the_same_seconds_filter_exactly_and_go_back_down() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    let sqlite = db.backend() == DatabaseBackend::Sqlite;
    let org = acme_before(&db, MIGRATION).await;
    // As sqlx wrote them: one with nanoseconds (`created_at` before m20261209; PostgreSQL
    // stored microseconds, and keeps them), one late in the UTC day.
    let fraction = if sqlite { ".123456789" } else { "" };
    old_row(
        &db,
        org,
        "t:s:1:a",
        "2026-01-02T03:04:05+00:00",
        &format!("2026-01-03T00:00:00{fraction}+00:00"),
    )
    .await;
    old_row(
        &db,
        org,
        "t:s:1:b",
        "2026-01-02T20:00:00+00:00",
        "2026-01-03T00:00:01+00:00",
    )
    .await;

    Migrator::up(db.conn(), None).await.unwrap();
    let rows = ledger_entries(&db).await;
    let created = Utc.with_ymd_and_hms(2026, 1, 3, 0, 0, 0).unwrap();
    assert_eq!(
        rows.iter()
            .map(|row| (row.occurred_at, row.created_at))
            .collect::<Vec<_>>(),
        [
            (at(3, 4, 5), created),
            (at(20, 0, 0), created + Duration::seconds(1))
        ]
    );
    if sqlite {
        assert_eq!(
            raw_times(&db).await,
            [
                "integer 1767323045 integer 1767398400",
                "integer 1767384000 integer 1767398401"
            ]
        );
    }
    let (a, b) = (rows[0].id, rows[1].id);

    // Bounds compare exactly, to the sub-second, on stored whole seconds.
    let half = Duration::milliseconds(500);
    assert_eq!(between(&db, org, at(3, 4, 5), at(20, 0, 1)).await, [a, b]);
    assert_eq!(
        between(&db, org, at(3, 4, 5) + half, at(20, 0, 1)).await,
        [b]
    );
    assert_eq!(between(&db, org, at(3, 4, 5), at(20, 0, 0)).await, [a]);
    assert_eq!(
        between(&db, org, at(3, 4, 5), at(20, 0, 0) + half).await,
        [a, b]
    );

    // A new line is written to the second, on both databases.
    post_to(
        &db,
        org,
        vec![pnl::ledger::NewLine {
            occurred_at: at(21, 0, 0) + half,
            ..unmapped_line("t:s:2:c", -7)
        }],
    )
    .await;
    let new = ledger_entries(&db).await.remove(2);
    assert_eq!(new.occurred_at, at(21, 0, 0));
    if sqlite {
        assert!(raw_times(&db).await[2].starts_with("integer 1767387600 integer "));
    }

    // Tokyo (UTC+9) moves the lines after 15:00 UTC to the next day, through the seconds.
    pnl::org::update_settings(&db, org, None, Some("Asia/Tokyo"), None)
        .await
        .unwrap();
    let days: Vec<String> = ledger_entries(&db)
        .await
        .iter()
        .map(|row| ledger::time::day_of(row.day.unwrap()).unwrap().to_string())
        .collect();
    assert_eq!(days, ["2026-01-02", "2026-01-03", "2026-01-03"]);

    // Down writes the text back as the server wrote it; up reads it again, the same rows.
    let now = ledger_entries(&db).await;
    Migrator::down(db.conn(), Some(migrations_from(MIGRATION)))
        .await
        .unwrap();
    if sqlite {
        assert_eq!(
            raw_times(&db).await[0],
            "text 2026-01-02T03:04:05+00:00 text 2026-01-03T00:00:00+00:00"
        );
    }
    up_again_the_same(&db, now).await;
    db.close().await;
}

#[tokio::test]
async fn a_time_sqlite_cannot_read_refuses_the_migration_and_changes_nothing() {
    let test_db = TestDb::fresh().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    if db.backend() != DatabaseBackend::Sqlite {
        // PostgreSQL's timestamps are typed: no such row can exist, and nothing converts them.
        return;
    }
    let org = acme_before(&db, MIGRATION).await;
    old_row(
        &db,
        org,
        "t:s:1:a",
        "2026-01-02T03:04:05+00:00",
        "yesterday",
    )
    .await;
    up_refuses(
        &db,
        MIGRATION,
        "ledger_entry row 1: created_at \"yesterday\" is not a time",
    )
    .await;
    assert_eq!(
        raw_times(&db).await,
        ["text 2026-01-02T03:04:05+00:00 text yesterday"]
    );
    db.close().await;
}
